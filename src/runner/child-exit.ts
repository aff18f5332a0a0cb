/**
 * A child process's exit as a promise. Bun 1.3.14's `Subprocess.exited` can throw EBADF (epoll_ctl) when the
 * child exited and was reaped before the exit watch was registered (seen with runners that fail at once on a
 * garbage GGUF, under load); the exit is then found by polling the child's status and its pid.
 */
import { readFileSync } from "node:fs";
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

/** Whether `pid` still runs: not gone (kill 0 fails once it is reaped) and not a zombie nobody will reap. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; the comm may hold spaces or parentheses, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
