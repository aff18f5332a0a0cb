/**
 * The forwarding half of the test proxy: one request to the registry, its answer streamed back with byte
 * counting, a global byte budget and injected faults. node:http (not Bun.serve) answers because Bun.serve
 * turns a streamed body into chunked encoding: a cut transfer must arrive as a short body under a real
 * Content-Length, exactly as a dropped connection looks to a client.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** One request the proxy saw; `bytesOut` grows while the answer streams. */
export interface ProxyRecord {
  /** `front` (the registry's address) or `cdn` (the redirect target). */
  readonly listener: "front" | "cdn";
  readonly method: string;
  /** The registry path the request concerns (`/v2/…`), also for redirect targets. */
  readonly path: string;
  /** The blob digest for blob requests, else null. */
  readonly digest: string | null;
  readonly range: string | null;
  /** Whether the request carried an Authorization header. */
  readonly authorization: boolean;
  status: number;
  /** Request body bytes received. */
  bytesIn: number;
  /** Response body bytes sent. */
  bytesOut: number;
  /** Whether the client went away before the answer ended. */
  aborted: boolean;
}

/** A fault applied to the next matching blob download(s): cut or stall after `after` bytes of its body. */
export interface Fault {
  readonly kind: "truncate" | "stall";
  readonly after: number;
  /** Only downloads of this blob (default: any). */
  readonly digest?: string;
  /** How many downloads it hits (default 1). */
  times?: number;
}

/** State shared by both listeners. */
export interface ForwardState {
  readonly upstream: string;
  readonly frontOrigin: string;
  readonly faults: Fault[];
  /** Total blob body bytes the proxy may still send before every download stalls (null: unlimited). */
  budget: number | null;
  /** The blob the budget applies to (null: every blob). */
  budgetDigest: string | null;
  /** Woken whenever the budget changes or the proxy stops. */
  wake: (() => void)[];
  stopped: boolean;
}

const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "host", "upgrade", "proxy-connection"]);

/** Reads a request body fully (test uploads are small; a known length is what the registry wants). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Resolves when the client's connection is gone. Bun's node:http reports a client that aborts during a
 * blocked write on the socket only (no "close" on the response, no "drain"), so both are watched.
 */
function whenGone(res: ServerResponse): { gone: Promise<void>; release: () => void } {
  let release = () => {};
  const gone = new Promise<void>((resolve) => {
    const sock = res.socket;
    const done = () => resolve();
    res.once("close", done);
    sock?.once("close", done);
    release = () => {
      res.off("close", done);
      sock?.off("close", done);
    };
  });
  return { gone, release };
}

/** Waits until `res` can take more, or the client is gone. */
function drained(res: ServerResponse, gone: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => res.once("drain", () => resolve())), gone]);
}

/** Ends the connection once what was written has left (destroying at once would discard it, headers too). */
/**
 * Ends the connection mid-body, as a dropped network does after delivering what it carried: the bytes sent
 * are flushed first and given a moment to reach the client's reader (a close arriving with them still
 * buffered makes Bun's fetch discard them, and the client would see a cut at byte 0 instead).
 */
function cut(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const socket = res.socket;
    if (!socket) return resolve();
    const end = () => setTimeout(() => socket.end(() => resolve()), 100);
    if (socket.writableLength > 0) socket.once("drain", end);
    else end();
  });
}

function waitWake(state: ForwardState, gone: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => state.wake.push(resolve)), gone]);
}

/** Request headers to send upstream: hop-by-hop ones dropped, the front's address announced. */
export function upstreamHeaders(
  req: IncomingMessage,
  frontOrigin: string,
  extra: Record<string, string> = {},
): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (HOP.has(k) || v === undefined) continue;
    h.set(k, Array.isArray(v) ? v.join(", ") : v);
  }
  for (const [k, v] of Object.entries(extra)) h.set(k, v);
  // The registry builds upload Locations from these, so uploads keep going through the front.
  h.set("x-forwarded-host", new URL(frontOrigin).host);
  h.set("x-forwarded-proto", "http");
  return h;
}

/** Sends the upstream answer's status and headers, pointing registry-made URLs at the front. */
export function writeHead(state: ForwardState, res: ServerResponse, up: Response): void {
  const headers: Record<string, string> = {};
  up.headers.forEach((v, k) => {
    if (HOP.has(k) || k === "content-encoding") return;
    headers[k] = k === "location" ? v.replace(state.upstream, state.frontOrigin) : v;
  });
  res.writeHead(up.status, headers);
}

/** The next fault for a download of `digest` whose body (`length` bytes, when known) reaches its cut. */
function takeFault(state: ForwardState, digest: string | null, length: number): Fault | undefined {
  if (digest === null) return undefined;
  const i = state.faults.findIndex(
    (f) => (f.digest === undefined || f.digest === digest) && !(length <= f.after),
  );
  if (i < 0) return undefined;
  const f = state.faults[i] as Fault;
  f.times = (f.times ?? 1) - 1;
  if (f.times <= 0) state.faults.splice(i, 1);
  return f;
}

/**
 * Streams `up`'s body to `res`, counting into `rec`. Blob bodies (`rec.digest` set) honour the byte budget
 * and the next matching fault (one for a body that is longer than the fault's `after`: a shorter one would
 * pass it untouched): `truncate` destroys the socket after `after` bytes, `stall` stops sending and
 * holds the connection until the client gives up.
 */
export async function pipeBody(
  state: ForwardState,
  rec: ProxyRecord,
  res: ServerResponse,
  up: Response,
): Promise<void> {
  const { gone, release } = whenGone(res);
  gone.then(() => {
    if (!res.writableFinished) rec.aborted = true;
  });
  const length = Number(up.headers.get("content-length") ?? Number.NaN);
  const fault = rec.method === "GET" && rec.status < 300 ? takeFault(state, rec.digest, length) : undefined;
  const reader = up.body?.getReader();
  if (reader === undefined) {
    res.end();
    return;
  }
  let sent = 0;
  try {
    for (;;) {
      if (rec.aborted) return;
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = Buffer.from(value);
      while (chunk.length > 0) {
        if (rec.aborted) return;
        let allowed = chunk.length;
        if (fault !== undefined) allowed = Math.min(allowed, Math.max(0, fault.after - sent));
        const budgeted = rec.digest !== null && (state.budgetDigest ?? rec.digest) === rec.digest;
        if (budgeted && state.budget !== null) allowed = Math.min(allowed, state.budget);
        if (allowed === 0) {
          if (fault !== undefined && sent >= fault.after) {
            rec.aborted = true;
            // A cut looks like a dropped connection; a stall holds it open, silent, until the client gives up.
            if (fault.kind === "truncate") await cut(res);
            else await gone;
            return;
          }
          // The budget is spent: hold on until it is raised (or the client leaves).
          await waitWake(state, gone);
          if (state.stopped) return;
          continue;
        }
        const part = chunk.subarray(0, allowed);
        chunk = chunk.subarray(allowed);
        sent += part.length;
        rec.bytesOut += part.length;
        if (budgeted && state.budget !== null) state.budget -= part.length;
        if (!res.write(part)) await drained(res, gone);
      }
    }
    res.end();
  } finally {
    release();
    reader.cancel().catch(() => {});
  }
}
