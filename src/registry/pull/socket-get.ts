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

/** The most an answer's status line and headers may take. */
export const HEAD_LIMIT = 64 << 10;

/** An answer's head, read: its Content-Length (-1: none) and where its body starts in the bytes read. */
export interface AnswerHead {
  readonly answer: SocketAnswer;
  readonly length: number;
  readonly bodyAt: number;
}

/**
 * Reads the head at the start of `bytes`: undefined while incomplete; throws when it is too long, not HTTP,
 * or frames its body in a way these clients do not read (UnframedAnswerError).
 */
export function readAnswerHead(bytes: Buffer, url: string): AnswerHead | undefined {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) {
    if (bytes.byteLength >= HEAD_LIMIT) throw new Error("answer headers too long");
    return undefined;
  }
  const lines = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP answer: ${JSON.stringify(lines[0])}`);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const coding = headers["content-encoding"];
  if (headers["transfer-encoding"] || (coding && coding !== "identity"))
    throw new UnframedAnswerError(`answer framed as ${headers["transfer-encoding"] ?? coding}`);
  const length = headers["content-length"] !== undefined ? Number(headers["content-length"]) : -1;
  if (!(length >= -1)) throw new Error("bad Content-Length");
  return { answer: { status, url, headers }, length, bodyAt: end + 4 };
}

/** The GET request's bytes (Host, Connection and Accept-Encoding set here). */
export function getRequest(u: URL, headers: Record<string, string>): string {
  return [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
    `Host: ${u.host}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    "Accept-Encoding: identity",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
}

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
    const parsed = readAnswerHead(all, url);
    if (!parsed) {
      head = all;
      return;
    }
    head = undefined;
    length = parsed.length;
    answer.resolve(parsed.answer);
    // A copy: the rest of this read may be kept past the callback.
    deliver(new Uint8Array(all.subarray(parsed.bodyAt)));
  };
  const fail = (err: unknown) => {
    answer.reject(err);
    done.reject(err);
    socket?.terminate();
  };

  const request = getRequest(u, headers);
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
