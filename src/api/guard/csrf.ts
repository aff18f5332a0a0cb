/**
 * Cross-site request forgery: a page may send a POST whose Content-Type is text/plain, form-urlencoded,
 * multipart, or absent (a Blob or ArrayBuffer body) without any CORS preflight, so the server would act
 * before any origin check a browser does. Such a state-changing request is refused when it comes from a
 * browser page (it carries an Origin, or Sec-Fetch-Site says cross-site or same-site). The same content
 * types without those headers are what curl -d and scripts send, and pass.
 */
import { CrossSiteRequestError } from "./errors.ts";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const SIMPLE_TYPES = new Set(["", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]);

/** The refusal for a preflight-free state-changing browser request, else undefined. */
export function crossSiteWrite(req: Request, origin: string | null): CrossSiteRequestError | undefined {
  if (!STATE_CHANGING.has(req.method)) return undefined;
  if (origin === null) {
    const site = req.headers.get("sec-fetch-site");
    if (site !== "cross-site" && site !== "same-site") return undefined;
  }
  const raw = req.headers.get("content-type") ?? "";
  const type = (raw.split(";")[0] as string).trim().toLowerCase();
  return SIMPLE_TYPES.has(type) ? new CrossSiteRequestError(req.method, type) : undefined;
}
