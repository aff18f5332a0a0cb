/**
 * Talks to a ggml RPC server directly over TCP — HELLO, DEVICE_COUNT, GET_DEVICE_MEMORY — with a deadline.
 * ggml's own client aborts the whole process when a server is unreachable, is not an RPC server or speaks
 * another protocol version, and its connect has no timeout; so every endpoint is probed here first, and only
 * a server that answered is handed to the native library. No FFI: serve can probe without loading libllama.
 */
import { Socket } from "node:net";
import { RpcServerError, RpcVersionError } from "./rpc-errors.ts";

/** A parsed "host:port" endpoint. */
export interface RpcEndpoint {
  host: string;
  port: number;
  /** "host:port", as ggml names the server. */
  text: string;
}

/** What a server reported. */
export interface RpcServerInfo {
  endpoint: string;
  /** The server's protocol version, "major.minor.patch". */
  version: string;
  /** Free and total bytes of each device it serves, by device index. */
  devices: { free: number; total: number }[];
}

/** A protocol version as ggml-rpc.h defines it. */
export interface RpcProto {
  major: number;
  minor: number;
  patch: number;
}

/** Decodes `tsllm_rpc_proto_version()` (major << 16 | minor << 8 | patch). */
export function protoFromNumber(n: number): RpcProto {
  return { major: (n >>> 16) & 0xff, minor: (n >>> 8) & 0xff, patch: n & 0xff };
}

/** "7.0.0". */
export function protoText(p: RpcProto): string {
  return `${p.major}.${p.minor}.${p.patch}`;
}

/** Parses "host:port" (a name or IPv4 address: ggml's transport is IPv4 only); a bad one throws RpcServerError. */
export function parseEndpoint(text: string): RpcEndpoint {
  const m = /^([^:\s/]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : 0;
  if (!m || port < 1 || port > 65535)
    throw new RpcServerError(text, "expected host:port (e.g. 10.0.0.2:50052)");
  return { host: m[1] as string, port, text: `${m[1]}:${port}` };
}

// Wire constants from ggml-rpc.cpp (enum rpc_cmd, packed message structs; little-endian).
const CMD_GET_DEVICE_MEMORY = 11;
const CMD_HELLO = 14; // fixed forever: "RPC_CMD_HELLO must be always 14"
const CMD_DEVICE_COUNT = 15;
const CONN_CAPS_SIZE = 24;
const HELLO_RSP_SIZE = 4 + CONN_CAPS_SIZE; // major, minor, patch, padding, conn_caps
/** A server reporting more devices than this is not taken at its word. */
const MAX_DEVICES = 64;

/** Request frame: cmd (1 byte) | size (u64) | payload. */
function frame(cmd: number, payload: Uint8Array): Buffer {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUInt8(cmd, 0);
  b.writeBigUInt64LE(BigInt(payload.length), 1);
  b.set(payload, 9);
  return b;
}

/**
 * Probes one server within `timeoutMs` (connect included): its protocol must match `ours` (same major, minor
 * not newer — ggml's own rule), and it reports each device's memory. Never hangs, never throws anything but
 * RpcServerError (RpcVersionError for a mismatch).
 */
export async function probeRpcServer(
  endpoint: string,
  ours: RpcProto,
  opts: { timeoutMs?: number } = {},
): Promise<RpcServerInfo> {
  const ep = parseEndpoint(endpoint);
  const timeoutMs = opts.timeoutMs ?? 3000;
  const sock = new Socket();
  let buf = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  let failure: RpcServerError | null = null;
  const fail = (detail: string, cause?: unknown) => {
    failure ??= new RpcServerError(ep.text, detail, cause);
    sock.destroy();
    wake?.();
  };
  const timer = setTimeout(
    () => fail(`no answer within ${timeoutMs} ms (unreachable, or busy with another client)`),
    timeoutMs,
  );
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  sock.on("error", (e: Error) => fail(`cannot connect: ${e.message}`, e));
  sock.on("close", () => fail("closed the connection (not a ggml RPC server, or it refused this client)"));

  /** Reads one response frame: size (u64) | payload; its size must be `size`. */
  const reply = async (size: number): Promise<Buffer> => {
    for (;;) {
      if (buf.length >= 8) {
        const n = buf.readBigUInt64LE(0);
        if (n !== BigInt(size)) {
          fail(`unexpected reply (${n} bytes, expected ${size}): not a ggml RPC server of this protocol`);
          throw failure;
        }
        if (buf.length >= 8 + size) {
          const out = buf.subarray(8, 8 + size);
          buf = buf.subarray(8 + size);
          return out;
        }
      }
      if (failure) throw failure;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = null;
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("connect", resolve);
      sock.once("error", reject);
      sock.once("close", reject);
      sock.connect(ep.port, ep.host);
    }).catch(() => {
      throw failure ?? new RpcServerError(ep.text, "cannot connect");
    });
    sock.write(frame(CMD_HELLO, new Uint8Array(CONN_CAPS_SIZE)));
    const hello = await reply(HELLO_RSP_SIZE);
    const theirs = { major: hello[0] as number, minor: hello[1] as number, patch: hello[2] as number };
    if (theirs.major !== ours.major || theirs.minor > ours.minor) {
      throw new RpcVersionError(ep.text, protoText(theirs), protoText(ours));
    }
    sock.write(frame(CMD_DEVICE_COUNT, new Uint8Array(0)));
    const count = (await reply(4)).readUInt32LE(0);
    if (count === 0 || count > MAX_DEVICES) throw new RpcServerError(ep.text, `reports ${count} devices`);
    const devices: RpcServerInfo["devices"] = [];
    for (let i = 0; i < count; i++) {
      const req = Buffer.alloc(4);
      req.writeUInt32LE(i, 0);
      sock.write(frame(CMD_GET_DEVICE_MEMORY, req));
      const mem = await reply(16);
      devices.push({ free: Number(mem.readBigUInt64LE(0)), total: Number(mem.readBigUInt64LE(8)) });
    }
    return { endpoint: ep.text, version: protoText(theirs), devices };
  } finally {
    clearTimeout(timer);
    sock.removeAllListeners("close");
    sock.on("error", () => {}); // late errors after the answer are of no interest
    sock.destroy();
  }
}
