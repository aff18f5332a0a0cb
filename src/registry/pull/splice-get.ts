/**
 * A bare HTTP/1.1 GET whose body the kernel moves from the socket into the partial file (Linux splice through
 * a pipe): the bytes never pass through this process, which costs about a third of the CPU per byte of reading
 * them off a socket and writing them back (measured on a loopback registry: 0.3 s vs 0.9 s per GB). For
 * plain-http registries on Linux; framing as socket-get.ts (Content-Length, `Connection: close`). The socket
 * is non-blocking and waited on with the worker's other sockets (fd-wait.ts).
 */
import { lookup } from "node:dns/promises";
import { readSync, writeSync } from "node:fs";
import { letGo, whenReady } from "./fd-wait.ts";
import { v6Groups } from "../client/address.ts";
import { callError, L, type LinuxIo } from "./linux-io.ts";
import { getRequest, HEAD_LIMIT, readAnswerHead, type SocketAnswer } from "./socket-get.ts";
import type { SpanWriter } from "./span-writer.ts";

/** A request in flight: its answer, then its body moved into the file. */
export interface SplicedGet {
  readonly answer: Promise<SocketAnswer>;
  /**
   * Moves the body into `w`'s parts in the file `fd` until they are full, the body ended or the request was
   * cancelled, calling `onMoved` after each move. Throws the socket's errors as they are, the file's with a
   * `syscall` (a disk error).
   */
  into(fd: number, w: SpanWriter, onMoved: () => void): Promise<void>;
  /** Closes the connection. */
  cancel(): void;
}

const PIPE_BYTES = 1 << 20;
const SKIP_BYTES = 1 << 20;
/** A request that never waits gives the thread a turn after this many bytes. */
const YIELD_BYTES = 8 << 20;

class CancelledError extends Error {}

/** Writing from a pipe into the file with splice failed as unsupported there (EINVAL): bytes are copied. */
let fileTakesSplice = true;

/** Sends `GET url` (http:) with `headers` from a socket of this thread. */
export function splicedGet(io: LinuxIo, url: string, headers: Record<string, string>): SplicedGet {
  const u = new URL(url);
  let sock = -1;
  let cancelled = false;
  let length = -1;
  let received = 0;
  let early = new Uint8Array(0);

  const close = () => {
    if (sock < 0) return;
    letGo(sock);
    io.c.close(sock);
    sock = -1;
  };
  /** Waits for the socket; false once the request was cancelled. */
  const wait = async (events: number) => {
    if (cancelled || sock < 0) return false;
    await whenReady(io, sock, events);
    return !cancelled;
  };
  const failed = (call: string) => callError(io, io.errno(), call, false);

  const connect = async () => {
    const host = u.hostname.replace(/^\[|\]$/g, "");
    const port = Number(u.port) || 80;
    let last: unknown;
    for (const a of await lookup(host, { all: true })) {
      if (cancelled) throw new CancelledError();
      const addr = sockaddr(a.address, a.family, port);
      sock = io.c.socket(addr.family, L.SOCK_STREAM | L.SOCK_NONBLOCK | L.CLOEXEC, 0);
      if (sock < 0) throw failed("socket");
      if (io.c.connect(sock, addr.bytes, addr.bytes.byteLength) === 0) return;
      if (io.errno() === L.EINPROGRESS) {
        if (!(await wait(L.POLLOUT))) throw new CancelledError();
        const err = new Int32Array(1);
        io.c.getsockopt(sock, L.SOL_SOCKET, L.SO_ERROR, err, new Uint32Array([4]));
        if (err[0] === 0) return;
        last = callError(io, err[0] as number, "connect", false);
      } else {
        last = failed("connect");
      }
      close();
    }
    throw last ?? new Error(`no address for ${host}`);
  };
  const send = async (bytes: Buffer) => {
    for (let at = 0; at < bytes.byteLength; ) {
      const n = io.c.send(sock, bytes.subarray(at), bytes.byteLength - at, L.MSG_NOSIGNAL | L.MSG_DONTWAIT);
      if (n >= 0) at += n;
      else if (!(await retry("send", L.POLLOUT))) throw new CancelledError();
    }
  };
  /** After a failed call: true to try again (interrupted, or the socket became ready), false if cancelled. */
  const retry = async (call: string, events: number) => {
    const e = io.errno();
    if (e === L.EINTR) return !cancelled;
    if (e !== L.EAGAIN) throw callError(io, e, call, false);
    return wait(events);
  };
  const readHead = async (): Promise<SocketAnswer> => {
    const buf = Buffer.alloc(HEAD_LIMIT);
    let have = 0;
    for (;;) {
      const n = io.c.recv(sock, buf.subarray(have), HEAD_LIMIT - have, L.MSG_DONTWAIT);
      if (n === 0) throw new Error("connection closed before the answer");
      if (n < 0) {
        if (!(await retry("recv", L.POLLIN))) throw new CancelledError();
        continue;
      }
      have += n;
      const head = readAnswerHead(buf.subarray(0, have), url);
      if (!head) continue;
      length = head.length;
      early = new Uint8Array(
        buf.subarray(head.bodyAt, length >= 0 ? Math.min(have, head.bodyAt + length) : have),
      );
      return head.answer;
    }
  };

  const answer = (async () => {
    await connect();
    await send(Buffer.from(getRequest(u, headers)));
    return readHead();
  })();
  answer.catch(close);

  return {
    answer,
    async into(fd, w, onMoved) {
      if (early.byteLength > 0) {
        // The body's first bytes came with the head: written as any socket's.
        w.take(early);
        w.write();
        received += early.byteLength;
        early = new Uint8Array(0);
        onMoved();
      }
      const pipe = new Pipe(io);
      try {
        let sinceTurn = 0;
        while (!cancelled && !w.complete && (length < 0 || received < length)) {
          const run = w.run();
          const left = length < 0 ? run.n : Math.min(run.n, length - received);
          const n = run.skip
            ? io.c.recv(sock, pipe.scratch(), Math.min(left, SKIP_BYTES), L.MSG_DONTWAIT)
            : io.c.splice(sock, null, pipe.w, null, Math.min(left, pipe.size), SPLICE_IN);
          if (n < 0) {
            if (await retry(run.skip ? "recv" : "splice", L.POLLIN)) sinceTurn = 0;
            continue;
          }
          if (n === 0) return;
          if (run.skip) w.skipped(n);
          else {
            pipe.drainInto(fd, w.position, n);
            w.wrote(n);
          }
          received += n;
          onMoved();
          sinceTurn += n;
          if (sinceTurn >= YIELD_BYTES) {
            sinceTurn = 0;
            await new Promise((r) => setImmediate(r));
          }
        }
      } finally {
        pipe.close();
      }
    },
    cancel() {
      cancelled = true;
      close();
    },
  };
}

const SPLICE_IN = L.SPLICE_F_MOVE | L.SPLICE_F_NONBLOCK | L.SPLICE_F_MORE;

/** The pipe a body passes through on its way from the socket to the file. */
class Pipe {
  readonly r: number;
  readonly w: number;
  readonly size: number;
  readonly #off = new BigInt64Array(1);
  #scratch: Buffer | undefined;

  constructor(private readonly io: LinuxIo) {
    const fds = new Int32Array(2);
    if (io.c.pipe2(fds, L.CLOEXEC) !== 0) throw callError(io, io.errno(), "pipe2", false);
    this.r = fds[0] as number;
    this.w = fds[1] as number;
    const size = io.c.fcntl(this.w, L.F_SETPIPE_SZ, PIPE_BYTES);
    this.size = size > 0 ? size : 64 << 10;
  }

  /** A buffer for bytes read only to be dropped. */
  scratch(): Buffer {
    this.#scratch ??= Buffer.allocUnsafe(SKIP_BYTES);
    return this.#scratch;
  }

  /** Moves the `n` bytes the pipe holds into `fd` at `at` (a failure is the disk's). */
  drainInto(fd: number, at: number, n: number): void {
    const { io } = this;
    this.#off[0] = BigInt(at);
    let left = n;
    while (left > 0 && fileTakesSplice) {
      const m = io.c.splice(this.r, null, fd, this.#off, left, L.SPLICE_F_MOVE);
      if (m > 0) left -= m;
      else if (m === 0)
        throw Object.assign(new Error("no bytes accepted"), { code: "EIO", syscall: "splice" });
      else if (io.errno() === L.EINVAL) fileTakesSplice = false;
      else if (io.errno() !== L.EINTR) throw callError(io, io.errno(), "splice", true);
    }
    // A file system that takes no splice: the pipe's bytes are copied out and written.
    for (let pos = Number(this.#off[0]); left > 0; ) {
      const buf = this.scratch();
      const got = readSync(this.r, buf, 0, Math.min(left, buf.byteLength), null);
      for (let i = 0; i < got; ) i += writeSync(fd, buf, i, got - i, pos + i);
      pos += got;
      left -= got;
    }
  }

  close(): void {
    this.io.c.close(this.r);
    this.io.c.close(this.w);
  }
}

/** A socket address for `address` (as dns.lookup gives it) and `port`. */
function sockaddr(address: string, family: number, port: number): { family: number; bytes: Buffer } {
  if (family === 4) {
    const bytes = Buffer.alloc(16);
    bytes.writeUInt16LE(L.AF_INET, 0);
    bytes.writeUInt16BE(port, 2);
    address.split(".").forEach((x, i) => {
      bytes[4 + i] = Number(x);
    });
    return { family: L.AF_INET, bytes };
  }
  const bytes = Buffer.alloc(28);
  bytes.writeUInt16LE(L.AF_INET6, 0);
  bytes.writeUInt16BE(port, 2);
  ipv6Bytes(address).copy(bytes, 8);
  return { family: L.AF_INET6, bytes };
}

/** The 16 bytes of an IPv6 address (no zone: a scoped address is left to the socket route). */
export function ipv6Bytes(address: string): Buffer {
  if (address.includes("%")) throw new Error(`scoped IPv6 address ${address}`);
  const groups = v6Groups(address);
  if (!groups) throw new Error(`bad IPv6 address ${address}`);
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => {
    bytes.writeUInt16BE(g, i * 2);
  });
  return bytes;
}
