/** Reading a registry's upload answers: success or a typed error, the next Location, appended queries. */
import { RegistryResponseError } from "../errors.ts";
import { UploadProtocolError } from "./errors.ts";

/** The Content-Type of every blob upload request. */
export const OCTETS = "application/octet-stream";

/** Statuses after which the request is re-sent to the Location (method and body kept). */
export const REDIRECTS = new Set([307, 308]);

/** Returns `res` when 2xx (its body left unread); otherwise reads it into a RegistryResponseError. */
export async function expectOk(res: Response): Promise<Response> {
  if (res.ok) return res;
  throw await RegistryResponseError.from(res);
}

/** Discards a body the caller does not need, so the connection can be reused. */
export async function drain(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => {});
}

/**
 * Where an upload continues: Docker-Upload-Location (Ollama's registry) or Location, relative or absolute,
 * resolved against the URL that answered. The query (the registry's upload state) is kept verbatim.
 */
export function uploadLocation(res: Response, from: URL, what: string): URL {
  const loc = res.headers.get("docker-upload-location") || res.headers.get("location");
  if (!loc) throw new UploadProtocolError(what, res.status);
  return new URL(loc, from);
}

/** `url` with `params` appended after its existing query, which is left byte for byte as the registry wrote it. */
export function withQuery(url: URL, params: Record<string, string>): URL {
  const extra = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  const out = new URL(url.href);
  out.search = url.search.length > 1 ? `${url.search}&${extra}` : `?${extra}`;
  return out;
}

/** The next byte a registry expects from an upload-status `Range: 0-<last>` header, or undefined. */
export function rangeOffset(range: string | null): number | undefined {
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range?.trim() ?? "");
  if (!m) return undefined;
  const last = Number(m[1]);
  // distribution writes "0-0" for an empty upload and for a one-byte one: resume at 0; if the registry
  // refuses that (416), the session is restarted.
  return last === 0 ? 0 : last + 1;
}
