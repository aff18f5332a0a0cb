/** HTTP client of the Ollama-compatible API: JSON calls, NDJSON streams, blob uploads, clear errors. */
import type { Env } from "../config/env.ts";
import { ApiError, ServerUnreachableError } from "./errors.ts";
import { serverUrl } from "./host.ts";
import { ndjson } from "./ndjson.ts";

/** Bun's fetch error codes that mean "nobody answered at that address". */
const UNREACHABLE = new Set([
  "ConnectionRefused",
  "ECONNREFUSED",
  "FailedToOpenSocket",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ConnectionClosed",
]);

/** A thin client bound to one server. */
export class ApiClient {
  /** Base URL of the server. */
  readonly base: URL;

  constructor(env: Env) {
    this.base = serverUrl(env);
  }

  /** `host:port` as shown in messages. */
  get host(): string {
    return this.base.host;
  }

  /** Sends a request; maps connection failures and `{"error"}` replies to typed errors. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const init: RequestInit = { method, signal };
    if (body instanceof Blob) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "Content-Type": "application/json" };
    }
    let res: Response;
    try {
      res = await fetch(new URL(this.base.pathname.replace(/\/$/, "") + path, this.base), init);
    } catch (e) {
      if (signal?.aborted) throw e;
      const code = (e as { code?: string }).code ?? "";
      if (UNREACHABLE.has(code) || /connect|refused|socket/i.test(String((e as Error).message)))
        throw new ServerUnreachableError(this.host, e);
      throw new ApiError(`request to ${this.host}${path} failed: ${(e as Error).message}`, 0);
    }
    if (!res.ok && method !== "HEAD") throw await errorOf(res);
    return res;
  }

  /** A JSON call; resolves to the parsed body, or undefined for an empty one. */
  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    return (text.trim() ? JSON.parse(text) : undefined) as T;
  }

  /** A streaming call: yields each NDJSON object; an `{"error"}` line ends it with an ApiError. */
  async *stream<T>(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<T> {
    const res = await this.request("POST", path, body, signal);
    if (!res.body) return;
    for await (const obj of ndjson(res.body)) {
      const err = (obj as { error?: unknown }).error;
      if (typeof err === "string" && err) throw new ApiError(err, res.status);
      yield obj as T;
    }
  }

  /** True when the server already holds the blob (`HEAD /api/blobs/:digest` answers 200). */
  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request("HEAD", `/api/blobs/${digest}`);
    if (res.ok) return true;
    if (res.status === 404) return false;
    throw new ApiError(`checking blob ${digest}: HTTP ${res.status}`, res.status);
  }

  /** Uploads a file's bytes as the blob `digest`. */
  async uploadBlob(digest: string, file: Blob): Promise<void> {
    await this.request("POST", `/api/blobs/${digest}`, file);
  }
}

/** The server's `{"error": "…"}` message, or the status text when the body is not that shape. */
async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === "string") return new ApiError(body.error, res.status);
  } catch {}
  const detail = text.trim() || res.statusText;
  return new ApiError(detail ? `${res.status}: ${detail}` : `HTTP ${res.status}`, res.status);
}
