/** The RPC probe against fake servers: version mismatch, silence, garbage, good answers (no native code). */
import { afterAll, describe, expect, test } from "bun:test";
import { RpcServerError, RpcVersionError } from "./rpc-errors.ts";
import { parseEndpoint, probeRpcServer, protoFromNumber } from "./rpc-probe.ts";

const OURS = { major: 7, minor: 0, patch: 0 };
type Reply = (cmd: number, payload: Buffer) => Buffer | null;

/** A TCP server answering each request frame with `reply` (null: stay silent). */
function fakeServer(reply: Reply) {
  return Bun.listen<{ buf: Buffer }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { buf: Buffer.alloc(0) };
      },
      data(s, d) {
        s.data.buf = Buffer.concat([s.data.buf, d]);
        while (s.data.buf.length >= 9) {
          const n = Number(s.data.buf.readBigUInt64LE(1));
          if (s.data.buf.length < 9 + n) return;
          const out = reply(s.data.buf[0] as number, s.data.buf.subarray(9, 9 + n));
          s.data.buf = s.data.buf.subarray(9 + n);
          if (out) s.write(out);
        }
      },
    },
  });
}

function msg(payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(payload.length));
  return Buffer.concat([head, payload]);
}

function rpcLike(version: [number, number, number]): Reply {
  return (cmd, payload) => {
    if (cmd === 14) return msg(Buffer.from([...version, 0, ...new Array(24).fill(0)]));
    if (cmd === 15) return msg(Buffer.from([2, 0, 0, 0]));
    const mem = Buffer.alloc(16);
    mem.writeBigUInt64LE(BigInt(1000 + payload.readUInt32LE(0)), 0);
    mem.writeBigUInt64LE(4000n, 8);
    return msg(mem);
  };
}

describe("probeRpcServer", () => {
  const servers: { stop(force?: boolean): void }[] = [];
  const start = (r: Reply) => {
    const s = fakeServer(r);
    servers.push(s);
    return `127.0.0.1:${s.port}`;
  };
  afterAll(() => {
    for (const s of servers) s.stop(true);
  });

  test("reads version, device count and memory", async () => {
    const info = await probeRpcServer(start(rpcLike([7, 0, 3])), OURS);
    expect(info.version).toBe("7.0.3");
    expect(info.devices).toEqual([
      { free: 1000, total: 4000 },
      { free: 1001, total: 4000 },
    ]);
  });

  test("another major or a newer minor protocol is refused by name", async () => {
    for (const v of [
      [6, 0, 0],
      [7, 1, 0],
    ] as [number, number, number][]) {
      const ep = start(rpcLike(v));
      const e = await probeRpcServer(ep, OURS).catch((x) => x);
      expect(e).toBeInstanceOf(RpcVersionError);
      expect(e.message).toContain(ep);
      expect(e.message).toContain(`protocol version ${v.join(".")}`);
    }
  });

  test("a silent server times out; a garbage answer is refused", async () => {
    const silent = await probeRpcServer(
      start(() => null),
      OURS,
      { timeoutMs: 200 },
    ).catch((x) => x);
    expect(silent).toBeInstanceOf(RpcServerError);
    expect(silent.message).toContain("no answer within 200 ms");
    const garbage = await probeRpcServer(
      start(() => Buffer.from("HTTP/1.1 400 Bad\r\n\r\n")),
      OURS,
    ).catch((x) => x);
    expect(garbage).toBeInstanceOf(RpcServerError);
    expect(garbage.message).toContain("not a ggml RPC server");
  });

  test("endpoints parse as host:port", () => {
    expect(parseEndpoint(" 10.0.0.2:50052 ")).toEqual({
      host: "10.0.0.2",
      port: 50052,
      text: "10.0.0.2:50052",
    });
    for (const bad of ["10.0.0.2", "h:0", "h:70000", "[::1]:5", ""])
      expect(() => parseEndpoint(bad)).toThrow(RpcServerError);
    expect(protoFromNumber((7 << 16) | (1 << 8) | 2)).toEqual({ major: 7, minor: 1, patch: 2 });
  });
});
