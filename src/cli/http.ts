/**
 * HTTP client of the Ollama-compatible API: JSON calls, NDJSON streams, blob uploads, clear errors. Every
 * request carries `Authorization: Bearer $TSLLM_API_KEY` when that is set.
 */
import { ENV, type Env } from "../config/env.ts";
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
  readonly #apiKey: string;

  constructor(env: Env) {
    this.base = serverUrl(env);
    this.#apiKey = env.get(ENV.API_KEY).trim();
  }

  /** `host:port` as shown in messages. */
  get host(): string {
    return this.base.host;
  }

  /** Sends a request; maps connection failures and `{"error"}` replies to typed errors. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#apiKey) headers.Authorization = `Bearer ${this.#apiKey}`;
    const init: RequestInit = { method, signal, headers };
    if (body instanceof Blob) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
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
    // A HEAD answer's status is the answer (404: no such blob), except a refused key.
    const refused = res.status === 401 || res.status === 403;
    if (!res.ok && (method !== "HEAD" || refused)) throw withKeyHint(await errorOf(res), this.#apiKey !== "");
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

/** A 401/403 error with what to do about the key (the key itself is never shown). */
function withKeyHint(err: ApiError, hasKey: boolean): ApiError {
  if (err.status === 401)
    return new ApiError(
      hasKey
        ? `${err.message} (the server refused the key in TSLLM_API_KEY)`
        : `${err.message} (set TSLLM_API_KEY to a key the server accepts)`,
      401,
    );
  if (err.status === 403 && /admin/.test(err.message))
    return new ApiError(`${err.message} (set TSLLM_API_KEY to an admin key)`, 403);
  return err;
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
