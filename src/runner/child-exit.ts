/**
 * A child process's exit as a promise. Bun 1.3.14's `Subprocess.exited` can throw EBADF (epoll_ctl) when the
 * child exited and was reaped before the exit watch was registered (seen with runners that fail at once on a
 * garbage GGUF, under load); the exit is then found by polling the child's status and its pid.
 */
import type { Subprocess } from "bun";

const POLL_MS = 20;

/** Resolves when `proc` has exited, whichever way Bun can tell. */
export function childExit(proc: Subprocess): Promise<unknown> {
  try {
    return proc.exited;
  } catch {
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (proc.exitCode !== null || proc.signalCode !== null || !alive(proc.pid)) {
          clearInterval(timer);
          resolve(undefined);
        }
      }, POLL_MS);
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
