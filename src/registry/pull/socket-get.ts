/**
 * A bare HTTP/1.1 GET over Bun's TCP/TLS sockets, for the transfer worker: one request per connection
 * (`Connection: close`), a body framed by Content-Length, handed over chunk by chunk as the socket reads it.
 * Bun's fetch moves a body through its HTTP client thread and a stream at about five times the CPU per byte
 * (measured on a loopback registry: 2.4 s vs 0.4 s of CPU for 256 MB), which on a busy machine is the
 * throughput. Answers this cannot frame (chunked or compressed bodies) are reported as such, for fetch to redo.
 */
import type { Socket } from "bun";
import { checkServerIdentity, type PeerCertificate } from "node:tls";

/** Status and lower-cased headers of an answer. */
export interface SocketAnswer {
  readonly status: number;
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** The answer's framing is not one this client reads (the request is to be made with fetch). */
export class UnframedAnswerError extends Error {}

/** A request in flight: its answer, then its body on demand. */
export interface SocketGet {
  readonly answer: Promise<SocketAnswer>;
  /**
   * Hands every body byte to `onData` (chunks may be kept: they are never reused) until Content-Length bytes
   * came (true) or the connection closed first (false); rejects on a socket error.
   */
  body(onData: (chunk: Uint8Array) => void): Promise<boolean>;
  /** Closes the connection. */
  cancel(): void;
}

const HEAD_LIMIT = 64 << 10;

/** Sends `GET url` with `headers` (Host, Connection and Accept-Encoding are set here). */
export function socketGet(url: string, headers: Record<string, string>): SocketGet {
  const u = new URL(url);
  const tls = u.protocol === "https:";
  const answer = Promise.withResolvers<SocketAnswer>();
  const done = Promise.withResolvers<boolean>();
  answer.promise.catch(() => {});
  done.promise.catch(() => {});
  let socket: Socket | undefined;
  let cancelled = false;
  let head: Buffer | undefined = Buffer.alloc(0);
  let length = -1;
  let received = 0;
  let early: Uint8Array[] = [];
  let sink: ((chunk: Uint8Array) => void) | undefined;

  const deliver = (chunk: Uint8Array) => {
    if (chunk.byteLength === 0) return;
    const take = length >= 0 ? chunk.subarray(0, length - received) : chunk;
    received += take.byteLength;
    if (sink) sink(take);
    else early.push(take);
    if (length >= 0 && received >= length) {
      done.resolve(true);
      socket?.end();
    }
  };
  const parseHead = (bytes: Buffer) => {
    const all = Buffer.concat([head as Buffer, bytes]);
    const end = all.indexOf("\r\n\r\n");
    if (end < 0) {
      if (all.byteLength > HEAD_LIMIT) throw new Error("answer headers too long");
      head = all;
      return;
    }
    head = undefined;
    const lines = all.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1]);
    if (!Number.isInteger(status)) throw new Error(`not an HTTP answer: ${JSON.stringify(lines[0])}`);
    const hs: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(":");
      if (i > 0) hs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const coding = hs["content-encoding"];
    if (hs["transfer-encoding"] || (coding && coding !== "identity"))
      throw new UnframedAnswerError(`answer framed as ${hs["transfer-encoding"] ?? coding}`);
    length = hs["content-length"] !== undefined ? Number(hs["content-length"]) : -1;
    if (!(length >= -1)) throw new Error("bad Content-Length");
    answer.resolve({ status, url, headers: hs });
    // A copy: the rest of this read may be kept past the callback.
    deliver(new Uint8Array(all.subarray(end + 4)));
  };
  const fail = (err: unknown) => {
    answer.reject(err);
    done.reject(err);
    socket?.terminate();
  };

  const request = [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
    `Host: ${u.host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "Accept-Encoding: identity",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  const host = u.hostname.replace(/^\[|\]$/g, "");
  Bun.connect({
    hostname: host,
    port: Number(u.port) || (tls ? 443 : 80),
    ...(tls ? { tls: { serverName: u.hostname, rejectUnauthorized: true } } : {}),
    socket: {
      open(s) {
        socket = s;
        if (cancelled) return void s.terminate();
        // Over TLS the request waits for a verified handshake.
        if (!tls) s.write(request);
      },
      handshake(s, _ok, authorizationError) {
        // Bun reports a certificate that fails verification here rather than refusing the connection, and
        // leaves the host name unchecked: both are checked before a byte of the request goes out.
        const why =
          authorizationError?.message ??
          checkServerIdentity(host, s.getPeerCertificate() as PeerCertificate)?.message;
        if (why !== undefined) return fail(new Error(`TLS certificate refused for ${host}: ${why}`));
        if (!cancelled) s.write(request);
      },
      data(_s, bytes) {
        try {
          if (head) parseHead(bytes);
          else deliver(bytes);
        } catch (err) {
          fail(err);
        }
      },
      close() {
        if (head) answer.reject(new Error("connection closed before the answer"));
        done.resolve(length >= 0 && received >= length);
      },
      error(_s, err) {
        fail(err);
      },
      connectError(_s, err) {
        fail(err);
      },
    },
  }).catch(fail);

  return {
    answer: answer.promise,
    body(onData) {
      sink = onData;
      for (const c of early) onData(c);
      early = [];
      return done.promise;
    },
    cancel() {
      cancelled = true;
      socket?.terminate();
      done.resolve(false);
    },
  };
}
