/**
 * A proxy in front of a test registry, as a CDN-backed registry looks to a client. It counts requests and
 * bytes per path; in `redirect` mode it answers blob GETs with a 307 to a second listener on another loopback
 * address (127.0.0.2: another host name, so a client must drop Authorization there), which serves the blob
 * like a signed CDN URL. With `redirectUploads`, marked upload PATCHes are redirected there too, as
 * registry.ollama.ai does (proxy-uploads.ts). Faults (cut, stall) and a byte budget apply to blob downloads.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  type Fault,
  type ForwardState,
  type ProxyRecord,
  pipeBody,
  readBody,
  upstreamHeaders,
  writeHead,
} from "./proxy-forward.ts";
import { RedirectedUploads } from "./proxy-uploads.ts";

export type { Fault, ProxyRecord } from "./proxy-forward.ts";

/** How the proxy treats the registry's blobs. */
export interface FrontProxyOptions {
  /** `pass`: everything is forwarded; `redirect`: blob GETs are answered 307 → the second listener. */
  readonly mode: "pass" | "redirect";
  /** Also redirect marked upload PATCHes (registry.ollama.ai's multipart uploads). */
  readonly redirectUploads?: boolean;
}

/** A started proxy. */
export interface FrontProxy {
  /** `http://127.0.0.1:PORT`, the address clients use as the registry. */
  readonly url: string;
  /** `127.0.0.1:PORT`, the host part of model names. */
  readonly host: string;
  /** `http://127.0.0.2:PORT`, where redirects point. */
  readonly cdnUrl: string;
  /** Every request so far (both listeners), in arrival order. */
  readonly records: ProxyRecord[];
  /** Response body bytes sent for downloads of `digest` (every blob when omitted), both listeners. */
  blobBytes(digest?: string): number;
  /** Adds a fault for the next matching blob download(s) long enough to reach it. */
  fault(f: Fault): void;
  /**
   * Caps the blob bytes still sent (downloads then stall, silent) — of `digest` only, when given — or lifts
   * the cap with `null`.
   */
  setBudget(bytes: number | null, digest?: string): void;
  /** Answers matching front requests itself (a registry gone bad); `null` removes the hook. */
  intercept(fn: Interceptor | null): void;
  /** Forgets the records (faults and budget stay). */
  reset(): void;
  stop(): Promise<void>;
}

/** A canned answer the front gives instead of the registry's. */
export interface CannedAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
}

/** Picks the requests to answer with a canned answer (undefined: forward as usual). */
export type Interceptor = (method: string, path: string) => CannedAnswer | undefined;

const BLOB_PATH = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;
const UPLOAD_PATH = /^\/v2\/(.+)\/blobs\/uploads\/([^/?]+)$/;

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as { port: number }).port));
  });
}

/** Starts the proxy for the registry at `upstream` (`http://127.0.0.1:PORT`). */
export async function startFrontProxy(upstream: string, opts: FrontProxyOptions): Promise<FrontProxy> {
  const records: ProxyRecord[] = [];
  const tickets = new Map<string, { path: string; authorization: string | undefined }>();
  const sockets = new Set<Socket>();
  let interceptor: Interceptor | null = null;
  const front = createServer();
  const cdn = createServer();
  const frontPort = await listen(front, "127.0.0.1");
  const cdnPort = await listen(cdn, "127.0.0.2");
  const frontOrigin = `http://127.0.0.1:${frontPort}`;
  const cdnOrigin = `http://127.0.0.2:${cdnPort}`;
  const uploads = new RedirectedUploads(upstream, frontOrigin, cdnOrigin);
  const state: ForwardState = {
    upstream,
    frontOrigin,
    faults: [],
    budget: null,
    budgetDigest: null,
    wake: [],
    stopped: false,
  };
  for (const s of [front, cdn]) s.on("connection", (sock: Socket) => sockets.add(sock));

  const record = (listener: "front" | "cdn", req: IncomingMessage, path: string): ProxyRecord => {
    const rec: ProxyRecord = {
      listener,
      method: req.method ?? "GET",
      path,
      digest: BLOB_PATH.exec(path)?.[2] ?? null,
      range: req.headers.range ?? null,
      authorization: req.headers.authorization !== undefined,
      status: 0,
      bytesIn: 0,
      bytesOut: 0,
      aborted: false,
    };
    records.push(rec);
    return rec;
  };

  const forward = async (
    rec: ProxyRecord,
    req: IncomingMessage,
    res: ServerResponse,
    pathAndQuery: string,
    extra: Record<string, string> = {},
    body?: Buffer,
  ): Promise<void> => {
    const sent = body ?? (rec.method === "GET" || rec.method === "HEAD" ? undefined : await readBody(req));
    rec.bytesIn += sent?.length ?? 0;
    const up = await fetch(`${upstream}${pathAndQuery}`, {
      method: rec.method,
      headers: upstreamHeaders(req, frontOrigin, extra),
      body: sent,
      redirect: "manual",
    });
    rec.status = up.status;
    writeHead(state, res, up);
    await pipeBody(state, rec, res, up);
  };

  front.on("request", async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", frontOrigin);
    const rec = record("front", req, url.pathname);
    try {
      const canned = interceptor?.(rec.method, url.pathname);
      if (canned !== undefined) {
        rec.status = canned.status;
        const body = canned.body ?? "";
        res.writeHead(canned.status, {
          "content-length": String(Buffer.byteLength(body)),
          ...canned.headers,
        });
        res.end(rec.method === "HEAD" ? undefined : body);
        rec.bytesOut = rec.method === "HEAD" ? 0 : Buffer.byteLength(body);
        return;
      }
      const upload = UPLOAD_PATH.exec(url.pathname);
      if (opts.mode === "redirect" && rec.method === "GET" && rec.digest !== null) {
        const ticket = randomUUID();
        tickets.set(ticket, {
          path: `${url.pathname}${url.search}`,
          authorization: req.headers.authorization,
        });
        rec.status = 307;
        res.writeHead(307, { location: `${cdnOrigin}/cdn/${ticket}`, "content-length": "0" }).end();
        return;
      }
      const id = upload?.[2];
      const marked = req.headers["x-redirect-uploads"] === "1";
      if (opts.redirectUploads && id && rec.method === "PATCH" && marked) {
        await uploads.redirect(req, res, rec, url, id);
        return;
      }
      if (id && rec.method === "PUT" && uploads.pending(id)) {
        const next = await uploads.assemble(req, res, rec, url, id);
        if (next !== undefined) await forward(rec, req, res, next, {}, Buffer.alloc(0));
        return;
      }
      await forward(rec, req, res, `${url.pathname}${url.search}`);
    } catch (e) {
      if (!res.headersSent) res.writeHead(502).end(String(e));
      else res.socket?.destroy();
    }
  });

  cdn.on("request", async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", cdnOrigin);
    const [, kind, ticket] = url.pathname.split("/");
    try {
      if (kind === "cdn" && tickets.has(ticket as string)) {
        const t = tickets.get(ticket as string) as { path: string; authorization: string | undefined };
        const rec = record("cdn", req, new URL(t.path, upstream).pathname);
        // The CDN stands for the registry's storage: it is entitled to the blob without the client's token.
        const extra: Record<string, string> = t.authorization ? { authorization: t.authorization } : {};
        await forward(rec, req, res, t.path, extra);
        return;
      }
      if (kind === "upload" && uploads.knows(ticket as string) && req.method === "PUT") {
        await uploads.put(req, res, record("cdn", req, url.pathname), ticket as string);
        return;
      }
      record("cdn", req, url.pathname).status = 404;
      res.writeHead(404).end("no such ticket");
    } catch (e) {
      if (!res.headersSent) res.writeHead(502).end(String(e));
      else res.socket?.destroy();
    }
  });

  const wakeAll = () => {
    for (const w of state.wake.splice(0)) w();
  };
  return {
    url: frontOrigin,
    host: `127.0.0.1:${frontPort}`,
    cdnUrl: cdnOrigin,
    records,
    blobBytes: (digest) =>
      records
        .filter(
          (r) => r.method === "GET" && r.digest !== null && (digest === undefined || r.digest === digest),
        )
        .reduce((n, r) => n + r.bytesOut, 0),
    fault: (f) => {
      state.faults.push({ ...f });
    },
    setBudget: (bytes, digest) => {
      state.budget = bytes;
      state.budgetDigest = digest ?? null;
      wakeAll();
    },
    intercept: (fn) => {
      interceptor = fn;
    },
    reset: () => {
      records.length = 0;
    },
    async stop() {
      state.stopped = true;
      wakeAll();
      for (const s of sockets) s.destroy();
      await Promise.all([front, cdn].map((s) => new Promise((r) => s.close(() => r(undefined)))));
    },
  };
}
