/**
 * Waiting for sockets on the transfer worker's thread: every socket a spliced request waits on is polled
 * together, in one loop that gives the thread's event loop a turn between polls (so its messages and timers
 * run at most POLL_MS late while sockets are quiet).
 */
import type { LinuxIo } from "./linux-io.ts";

const POLL_MS = 5;

interface Waiter {
  readonly events: number;
  readonly resolve: () => void;
}

const waiting = new Map<number, Waiter>();
let looping = false;

/** Resolves once `fd` is ready for `events` (POLLIN, POLLOUT), has failed or hung up, or was let go. */
export function whenReady(io: LinuxIo, fd: number, events: number): Promise<void> {
  const p = Promise.withResolvers<void>();
  waiting.get(fd)?.resolve();
  waiting.set(fd, { events, resolve: p.resolve });
  if (!looping) void loop(io);
  return p.promise;
}

/** Lets go of `fd` before it is closed (its waiter resolves; a closed number is never polled). */
export function letGo(fd: number): void {
  const w = waiting.get(fd);
  waiting.delete(fd);
  w?.resolve();
}

async function loop(io: LinuxIo): Promise<void> {
  looping = true;
  while (waiting.size > 0) {
    const fds = [...waiting.keys()];
    const set = new Int32Array(fds.length * 2);
    const shorts = new Int16Array(set.buffer);
    fds.forEach((fd, i) => {
      set[i * 2] = fd;
      shorts[i * 4 + 2] = (waiting.get(fd) as Waiter).events;
    });
    // A failed poll (EINTR) reports nothing ready: the sockets are polled again.
    io.c.poll(set, fds.length, POLL_MS);
    fds.forEach((fd, i) => {
      if ((shorts[i * 4 + 3] as number) === 0) return;
      const w = waiting.get(fd);
      waiting.delete(fd);
      w?.resolve();
    });
    // A turn for the thread's event loop: the woken requests, messages, timers.
    await new Promise((r) => setImmediate(r));
  }
  looping = false;
}
