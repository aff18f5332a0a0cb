/**
 * The API fuzzer's oracle: sends one request with deadlines and judges the answer. A client mistake must get
 * a 4xx in its API family's error shape (Ollama `{"error"}`, OpenAI `{"error":{message,type,param,code}}`,
 * Anthropic `{"type":"error","error":{type,message}}`; gin's plain-text 404/405 on Ollama paths); a 2xx must
 * be well-formed JSON, NDJSON or server-sent events; 5xx is a failure except the queue-full 503; no answer
 * within the deadline is a hang. Streams are read up to a cap and then cancelled (a vanished client).
 */
import type { FuzzRequest } from "./api-gen.ts";

/** Ollama's text for a full queue: the one 5xx answer that is not a failure. */
export const QUEUE_FULL = "server busy, please try again.  maximum pending requests exceeded";

/** Routes whose failures reach a registry: Ollama answers those 500 (an upstream failure, not a crash). */
const REGISTRY_ROUTES = new Set(["/api/pull", "/api/push"]);

/** True for /api/pull and /api/push, as the server resolves the path; their transfer errors are expected. */
export function isRegistryRoute(path: string): boolean {
  return REGISTRY_ROUTES.has(new URL(path.replace(/^\/+/, "/"), "http://x").pathname);
}

/** Deadlines and caps for one request. */
export interface SendOptions {
  /** Longest wait for the response headers (a request may load a model and generate). */
  headerTimeoutMs: number;
  /** Longest pause between two body chunks. */
  idleTimeoutMs: number;
  /** Bytes of a stream read before the client stops reading and cancels it. */
  streamCap: number;
  /** Strings no error answer may contain (the server's own directories). */
  secrets: readonly string[];
}

/** What came back and whether it breaks the oracle. */
export interface Outcome {
  status: number;
  contentType: string;
  /** The start of the body, for reports. */
  sample: string;
  /** Error records inside a 200 stream. */
  streamErrors: string[];
  /** Why the answer is a failure; undefined when it is fine. */
  problem?: string;
  /** The client stopped reading a stream at the cap. */
  cut: boolean;
  ms: number;
}

/** API family of a path, as the server picks the error shape. */
export function familyOf(path: string): "ollama" | "openai" | "anthropic" {
  // As the server sees it: repeated leading slashes collapsed, dot segments resolved, no query.
  const p = new URL(path.replace(/^\/+/, "/"), "http://x").pathname;
  if (p === "/v1/messages" || p.startsWith("/v1/messages/")) return "anthropic";
  return p.startsWith("/v1/") ? "openai" : "ollama";
}

const str = (v: unknown) => typeof v === "string";
const strOrNull = (v: unknown) => v === null || typeof v === "string";

/** Why `body` is not an error body of `family`; undefined when it is one. */
export function errorShapeProblem(
  family: string,
  status: number,
  text: string,
  ct: string,
): string | undefined {
  if (family === "ollama" && ct.startsWith("text/plain")) {
    const routing =
      (status === 404 && text === "404 page not found") ||
      (status === 405 && text === "405 method not allowed");
    return routing ? undefined : `plain-text ${status} body ${JSON.stringify(text.slice(0, 80))}`;
  }
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch {
    return `error body is not JSON: ${JSON.stringify(text.slice(0, 120))}`;
  }
  const e = (v?.error ?? {}) as Record<string, unknown>;
  const ok =
    family === "ollama"
      ? str(v?.error) && (v.error as string).length > 0
      : family === "openai"
        ? str(e.message) && str(e.type) && strOrNull(e.param) && strOrNull(e.code)
        : v?.type === "error" && str(e.type) && str(e.message);
  return ok ? undefined : `not a ${family} error body: ${text.slice(0, 160)}`;
}

/** Reads a body with an idle deadline; stops at `cap` bytes (true when cut). */
async function readBody(res: Response, idleMs: number, cap: number, ctl: AbortController) {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<"idle">((r) => {
      timer = setTimeout(() => r("idle"), idleMs);
    });
    const next = await Promise.race([reader.read(), idle]).finally(() => clearTimeout(timer));
    if (next === "idle") {
      ctl.abort();
      return { text: new TextDecoder().decode(Buffer.concat(parts)), cut: false, stalled: true };
    }
    if (next.done) break;
    parts.push(next.value);
    size += next.value.length;
    if (size >= cap) {
      // Aborting closes the connection, as a client that goes away does. (Only cancelling the body keeps the
      // connection open and unread; the server then holds the slot while its writes are backpressured.)
      ctl.abort();
      await reader.cancel().catch(() => {});
      return { text: new TextDecoder().decode(Buffer.concat(parts)), cut: true, stalled: false };
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(parts)), cut: false, stalled: false };
}

/** Records of an NDJSON or SSE body (the last, incomplete one dropped when `cut`); throws on bad JSON. */
function records(text: string, sse: boolean, cut: boolean): { event?: string; data: unknown }[] {
  const chunks = sse ? text.split("\n\n") : text.split("\n");
  if (cut || !text.endsWith(sse ? "\n\n" : "\n")) chunks.pop();
  const out: { event?: string; data: unknown }[] = [];
  for (const c of chunks) {
    if (!c.trim()) continue;
    if (!sse) {
      out.push({ data: JSON.parse(c) });
      continue;
    }
    const event = /^event: ?(.*)$/m.exec(c)?.[1];
    const data = c
      .split("\n")
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.replace(/^data: ?/, ""))
      .join("\n");
    out.push({ event, data: data === "[DONE]" ? data : JSON.parse(data) });
  }
  return out;
}

/** The error message a stream record carries, if it is an error record. */
function recordError(r: { event?: string; data: unknown }): string | undefined {
  const d = r.data as Record<string, unknown> | string;
  if (typeof d !== "object" || d === null) return undefined;
  const e = d.error as Record<string, unknown> | string | undefined;
  if (typeof e === "string") return e;
  if (r.event === "error" || d.type === "error" || e)
    return String((e as { message?: unknown })?.message ?? JSON.stringify(d));
  return undefined;
}

/** True when a stream that was read to its end finished with its API's closing record. */
function finished(path: string, recs: { event?: string; data: unknown }[]): boolean {
  const last = recs.at(-1);
  if (!last) return false;
  if (recordError(last)) return true;
  const d = last.data as Record<string, unknown>;
  if (last.data === "[DONE]") return true;
  if (familyOf(path) === "anthropic") return last.event === "message_stop";
  if (path.startsWith("/v1/responses"))
    return /^response\.(completed|incomplete|failed)$/.test(String(d.type));
  return d.done === true || d.status === "success";
}

/** Judges a 2xx body: well-formed for its content type. */
function judgeOk(req: FuzzRequest, ct: string, text: string, cut: boolean, o: Outcome): void {
  if (req.method === "HEAD" || text === "") return;
  const sse = ct.startsWith("text/event-stream");
  try {
    if (sse || ct.startsWith("application/x-ndjson")) {
      const recs = records(text, sse, cut);
      for (const r of recs) {
        const e = recordError(r);
        if (e !== undefined) o.streamErrors.push(e);
      }
      if (!cut && !finished(req.path.split("?")[0] as string, recs))
        o.problem = "stream ended without its final record";
    } else if (ct.startsWith("application/json")) JSON.parse(text);
  } catch (e) {
    o.problem = `malformed ${ct} body: ${(e as Error).message}`;
  }
}

/** Sends `req` to `url` and judges the answer. */
export async function send(url: string, req: FuzzRequest, opts: SendOptions): Promise<Outcome> {
  const t0 = performance.now();
  const ctl = new AbortController();
  const o: Outcome = { status: 0, contentType: "", sample: "", streamErrors: [], cut: false, ms: 0 };
  const timer = setTimeout(() => ctl.abort(), opts.headerTimeoutMs);
  let res: Response;
  try {
    res = await fetch(`${url}${req.path}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: ctl.signal,
      redirect: "manual",
    });
  } catch (e) {
    o.problem = ctl.signal.aborted
      ? `no answer within ${opts.headerTimeoutMs / 1000}s`
      : `connection failed: ${(e as Error).message}`;
    o.ms = performance.now() - t0;
    return o;
  } finally {
    clearTimeout(timer);
  }
  o.status = res.status;
  o.contentType = res.headers.get("content-type") ?? "";
  const streaming = /^(text\/event-stream|application\/x-ndjson)/.test(o.contentType);
  const body = await readBody(
    res,
    opts.idleTimeoutMs,
    streaming ? opts.streamCap : 256 * 1024 * 1024,
    ctl,
  ).catch((e: Error) => ({ text: "", cut: false, stalled: false, error: e.message }));
  o.ms = performance.now() - t0;
  o.cut = body.cut;
  o.sample = body.text.slice(0, 300);
  if ("error" in body) o.problem = `body read failed: ${body.error}`;
  else if (body.stalled) o.problem = `body stalled for ${opts.idleTimeoutMs / 1000}s`;
  else if (res.status >= 500) {
    const queueFull = res.status === 503 && body.text.includes(QUEUE_FULL);
    // Ollama answers every failed transfer (an unreachable registry) 500 with its error text.
    const transfer =
      res.status === 500 &&
      isRegistryRoute(req.path) &&
      errorShapeProblem("ollama", res.status, body.text, o.contentType) === undefined;
    if (!queueFull && !transfer) o.problem = `${res.status}: ${body.text.slice(0, 300)}`;
  } else if (res.status === 431 && body.text === "") {
    // Headers over Bun's limit are refused by its HTTP parser before any tsllm code runs: no body to shape.
  } else if (res.status >= 400 && req.method !== "HEAD") {
    o.problem = errorShapeProblem(familyOf(req.path), res.status, body.text, o.contentType);
  } else if (res.status < 300) judgeOk(req, o.contentType, body.text, body.cut, o);
  // Errors only: /api/show's modelfile names the blob's path, as Ollama's does.
  const errors = res.status >= 400 ? [body.text] : o.streamErrors;
  const leaked = opts.secrets.find((s) => s && errors.some((e) => e.includes(s)));
  if (!o.problem && leaked) o.problem = `error reveals a server path (${leaked})`;
  return o;
}
