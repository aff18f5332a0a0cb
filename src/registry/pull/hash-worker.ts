/**
 * Prefix hash worker (entry point): takes the sha256 of a partial download's file as its prefix becomes final,
 * reading the bytes back (still in the page cache) on its own thread, so the server's event loop neither reads
 * nor hashes. It hashes up to the highest end it was told, then waits for the next message.
 */
import { closeSync, openSync, readSync } from "node:fs";

declare const self: Worker;

/** What the download sends: the file and its size once, then prefix ends, then `digest`. */
export type ToHasher =
  | { kind: "open"; path: string; size: number }
  | { kind: "advance"; end: number }
  | { kind: "digest" }
  | { kind: "stop" };

/** What the worker posts: the digest once asked and every byte is hashed, or the first failure. */
export type FromHasher =
  | { kind: "digest"; hex: string; hashed: number }
  | { kind: "error"; message: string; code?: string }
  | { kind: "stopped" };

const READ_SIZE = 4 << 20;
let hash = new Bun.CryptoHasher("sha256");
const buf = Buffer.allocUnsafe(READ_SIZE);
let fd = -1;
let size = 0;
let hashed = 0;
let target = 0;
let failed = false;

function fail(err: unknown): void {
  failed = true;
  close();
  const e = err as NodeJS.ErrnoException;
  self.postMessage({ kind: "error", message: e?.message ?? String(err), code: e?.code } satisfies FromHasher);
}

function catchUp(): void {
  while (!failed && hashed < target) {
    const n = readSync(fd, buf, 0, Math.min(READ_SIZE, target - hashed), hashed);
    if (n <= 0)
      return fail(
        Object.assign(new Error("partial download is shorter than its state says"), { code: "EIO" }),
      );
    hash.update(buf.subarray(0, n));
    hashed += n;
  }
}

function close(): void {
  if (fd >= 0) closeSync(fd);
  fd = -1;
}

self.onmessage = (ev: MessageEvent<ToHasher>) => {
  const m = ev.data;
  if (m.kind === "stop") {
    close();
    self.postMessage({ kind: "stopped" } satisfies FromHasher);
    return;
  }
  if (m.kind === "open") {
    // A pooled worker hashes one download after another: each starts afresh.
    close();
    hash = new Bun.CryptoHasher("sha256");
    hashed = 0;
    target = 0;
    failed = false;
    size = m.size;
    try {
      fd = openSync(m.path, "r");
    } catch (err) {
      fail(err);
    }
    return;
  }
  if (failed) return;
  try {
    target = Math.max(target, Math.min(m.kind === "digest" ? size : m.end, size));
    catchUp();
    if (m.kind === "digest" && !failed) {
      close();
      self.postMessage({ kind: "digest", hex: hash.digest("hex"), hashed } satisfies FromHasher);
    }
  } catch (err) {
    fail(err);
  }
};
