import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linuxIo } from "./linux-io.ts";
import { type SocketAnswer, UnframedAnswerError } from "./socket-get.ts";
import { SpanWriter, type SpanPart } from "./span-writer.ts";
import { ipv6Bytes, type SplicedGet, splicedGet } from "./splice-get.ts";

const io = linuxIo();
const SIZE = (3 << 20) + 17;
const body = new Uint8Array(SIZE).map((_, i) => (i * 31 + (i >> 12)) & 0xff);
const head = (status: number, length: number, extra = "") =>
  `HTTP/1.1 ${status} X\r\nContent-Length: ${length}\r\n${extra}Connection: close\r\n\r\n`;

/** Answers by path: full body, the body cut short, chunked, a head sent in pieces, a body that trickles. */
function serve(): { port: number; stop(): void } {
  const server = Bun.listen<{ buf: string; closed?: boolean }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { buf: "" };
      },
      close(s) {
        s.data.closed = true;
      },
      async data(s, bytes) {
        s.data.buf += bytes.toString();
        if (!s.data.buf.includes("\r\n\r\n")) return;
        const path = /^GET (\S+)/.exec(s.data.buf)?.[1];
        const send = async (b: Uint8Array) => {
          for (let at = 0; at < b.byteLength; ) {
            const n = s.write(b.subarray(at));
            at += n;
            if (n === 0) await Bun.sleep(1);
          }
        };
        if (path === "/short") {
          await send(Buffer.from(head(206, SIZE)));
          await send(body.subarray(0, 1 << 20));
          return void s.end();
        }
        if (path === "/chunked") {
          await send(
            Buffer.from(head(200, 0, "Transfer-Encoding: chunked\r\n").replace("Content-Length: 0\r\n", "")),
          );
          return void s.end();
        }
        if (path === "/slow-head") {
          await send(Buffer.from("HTTP/1.1 206 X\r\nContent-"));
          await Bun.sleep(30);
          await send(Buffer.from(head(206, SIZE).slice("HTTP/1.1 206 X\r\nContent-".length)));
          await send(body);
          return void s.end();
        }
        if (path === "/trickle") {
          await send(Buffer.from(head(206, SIZE)));
          for (let i = 0; i < 200 && !s.data.closed; i++) {
            if (s.write(body.subarray(i * 100, i * 100 + 100)) < 0) return;
            await Bun.sleep(20);
          }
          return void s.end();
        }
        await send(Buffer.from(head(path === "/full" ? 200 : 206, SIZE)));
        await send(body);
        s.end();
      },
    },
  });
  return { port: server.port, stop: () => server.stop(true) };
}

describe.skipIf(!io)("splicedGet (Linux splice from socket to file)", () => {
  let server: { port: number; stop(): void };
  let dir: string;
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;
  beforeAll(() => {
    server = serve();
    dir = mkdtempSync(join(tmpdir(), "tsllm-splice-"));
  });
  afterAll(() => {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const whole: SpanPart[] = [{ offset: 0, size: SIZE, done: 0 }];

  /**
   * A fresh file of SIZE bytes (filled with `fill`) opened with `flags`, and a request for `path` whose answer
   * came, with a writer over `parts`; `run` gets them, and the file is closed after it.
   */
  async function withRequest<T>(
    path: string,
    run: (r: { file: string; fd: number; g: SplicedGet; answer: SocketAnswer; w: SpanWriter }) => Promise<T>,
    opts: { flags?: string; parts?: SpanPart[]; start?: number; fill?: number } = {},
  ): Promise<T> {
    const file = join(dir, `f${Math.random()}`);
    writeFileSync(file, new Uint8Array(SIZE).fill(opts.fill ?? 0));
    const fd = openSync(file, opts.flags ?? "r+");
    try {
      const g = splicedGet(io as NonNullable<typeof io>, url(path), { Range: "bytes=0-" });
      const answer = await g.answer;
      return await run({ file, fd, g, answer, w: new SpanWriter(fd, opts.parts ?? whole, opts.start ?? 0) });
    } finally {
      closeSync(fd);
    }
  }

  /** Runs one request into a fresh file over `parts` to its end. */
  const into = (path: string, parts: SpanPart[], start = 0, fill = 0) =>
    withRequest(
      path,
      async ({ file, fd, g, answer, w }) => {
        let moves = 0;
        await g.into(fd, w, () => moves++);
        g.cancel();
        const credited = (w.settle() ?? []).reduce((n, [, b]) => n + b, 0);
        return { answer, bytes: readFileSync(file), filled: w.filled(), credited, moves };
      },
      { parts, start, fill },
    );

  test("a 206 body lands in the file exactly, every byte credited", async () => {
    const r = await into("/blob", [{ offset: 0, size: SIZE, done: 0 }]);
    expect(r.answer.status).toBe(206);
    expect(r.answer.headers["content-length"]).toBe(String(SIZE));
    expect(r.bytes.equals(body)).toBe(true);
    expect(r.filled).toEqual({ got: SIZE, wanted: SIZE });
    expect(r.credited).toBe(SIZE);
    expect(r.moves).toBeGreaterThan(0);
  });

  test("a 200 replaying the blob skips the bytes the parts hold and fills only the holes", async () => {
    const half = 1 << 19;
    const parts = [
      { offset: 0, size: 1 << 20, done: half },
      { offset: 1 << 20, size: SIZE - (1 << 20), done: 0 },
    ];
    const r = await into("/full", parts, 0, 0xee);
    expect(r.bytes.subarray(0, half).every((b) => b === 0xee)).toBe(true);
    expect(r.bytes.subarray(half).equals(body.subarray(half))).toBe(true);
    expect(r.credited).toBe(SIZE - half);
  });

  test("a head that arrives in pieces is read whole", async () => {
    const r = await into("/slow-head", [{ offset: 0, size: SIZE, done: 0 }]);
    expect(r.bytes.equals(body)).toBe(true);
  });

  test("a body cut short ends the request with what came, never more", async () => {
    const r = await into("/short", [{ offset: 0, size: SIZE, done: 0 }]);
    expect(r.filled).toEqual({ got: 1 << 20, wanted: SIZE });
    expect(r.credited).toBe(1 << 20);
    expect(r.bytes.subarray(0, 1 << 20).equals(body.subarray(0, 1 << 20))).toBe(true);
  });

  test("a chunked answer is left to another route", async () => {
    const g = splicedGet(io as NonNullable<typeof io>, url("/chunked"), {});
    await expect(g.answer).rejects.toBeInstanceOf(UnframedAnswerError);
  });

  test("a refused connection is a network error (no syscall), not the disk's", async () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    const g = splicedGet(io as NonNullable<typeof io>, `http://127.0.0.1:${port}/x`, {});
    const err = await g.answer.then(
      () => undefined,
      (e) => e,
    );
    expect(err).toMatchObject({ code: "ECONNREFUSED" });
    expect(err.syscall).toBeUndefined();
  });

  test("a file that refuses the bytes fails with the disk's error (syscall set)", async () => {
    const err = await withRequest(
      "/blob",
      async ({ fd, g, w }) => {
        const failed = await g
          .into(fd, w, () => {})
          .then(
            () => undefined,
            (e) => e,
          );
        g.cancel();
        return failed;
      },
      { flags: "r" },
    );
    expect(err?.code).toBe("EBADF");
    expect(typeof err?.syscall).toBe("string");
  });

  test("cancel ends a body in progress at once and closes its descriptors", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    await withRequest("/trickle", async ({ fd, g, w }) => {
      const t0 = performance.now();
      const moving = g.into(fd, w, () => {});
      await Bun.sleep(100);
      g.cancel();
      await moving;
      expect(performance.now() - t0).toBeLessThan(2000);
      await Bun.sleep(100); // the server's end of the connection closes too
      expect(w.filled().got).toBeGreaterThan(0);
      expect(w.filled().got).toBeLessThan(SIZE);
    });
    expect(fds()).toBe(before);
  });
});

describe("ipv6Bytes", () => {
  test("compressed, full and IPv4-mapped forms", () => {
    expect(ipv6Bytes("::1").toString("hex")).toBe(`${"0".repeat(30)}01`);
    expect(ipv6Bytes("2001:db8::ff00:42:8329").toString("hex")).toBe("20010db8000000000000ff0000428329");
    expect(ipv6Bytes("::ffff:192.0.2.128").toString("hex")).toBe("00000000000000000000ffffc0000280");
    expect(ipv6Bytes("1:2:3:4:5:6:7:8").toString("hex")).toBe("00010002000300040005000600070008");
  });
  test("a scoped or malformed address is refused", () => {
    expect(() => ipv6Bytes("fe80::1%eth0")).toThrow("scoped");
    expect(() => ipv6Bytes("1:2:3")).toThrow("bad IPv6");
    expect(() => ipv6Bytes("::10000")).toThrow("bad IPv6");
  });
});
