/**
 * The app's client of the server's Ollama API (same origin): the API key as a Bearer token, the server's
 * own error text on failure (`{"error": …}` bodies, or the plain text of a 404), and NDJSON streams read
 * line by line, where a line carrying `error` ends the stream with that error.
 */

/** A failed request, with the server's message as its text. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Where requests go and with which key (empty: none). */
export interface ApiContext {
  key: string;
}

function headers(ctx: ApiContext, json: boolean): Record<string, string> {
  const h: Record<string, string> = {};
  if (json) h["content-type"] = "application/json";
  if (ctx.key) h.authorization = `Bearer ${ctx.key}`;
  return h;
}

/** The message a failed response carries: its `error` field when JSON, else its text, else its status. */
export async function errorText(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).trim();
  try {
    const body = JSON.parse(text) as { error?: unknown };
    const e = body.error;
    if (typeof e === "string") return e;
    if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string")
      return (e as { message: string }).message;
  } catch {
    // not JSON: the plain text is the message
  }
  return text || `${res.status} ${res.statusText}`.trim();
}

/** Sends a request; resolves with the response when it is a success, else rejects with its error text. */
export async function send(
  ctx: ApiContext,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  const res = await fetch(path, {
    method,
    headers: headers(ctx, body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!res.ok) throw new ApiError(await errorText(res), res.status);
  return res;
}

/** A JSON request's decoded answer. */
export async function getJson<T>(ctx: ApiContext, method: string, path: string, body?: unknown): Promise<T> {
  return (await (await send(ctx, method, path, body)).json()) as T;
}

/** The objects of an NDJSON response body, in order; a line with `error` throws it. */
export async function* ndjson<T>(res: Response): AsyncGenerator<T> {
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const parse = (line: string): T => {
    const obj = JSON.parse(line) as T & { error?: unknown };
    if (typeof obj.error === "string") throw new ApiError(obj.error, res.status);
    return obj;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield parse(line);
        nl = buf.indexOf("\n");
      }
    }
    const rest = (buf + decoder.decode()).trim();
    if (rest) yield parse(rest);
  } finally {
    reader.releaseLock();
  }
}

/** Whether an error is the abort of a request the user stopped. */
export function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

/** A thrown value as the text to show. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
