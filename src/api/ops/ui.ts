/**
 * GET/HEAD /ui and /ui/*: the web chat UI's files (src/ui), with strong ETags (304 on a match), long-lived
 * caching for content-hashed names, gzip when the client takes it, and security headers (a self-only CSP:
 * the page runs only its own script and talks only to this server). Unknown /ui/... paths are 404, never
 * the index page. Also the small page `GET /` gives browsers: Ollama's text plus a link here.
 */
import { Elysia } from "elysia";
import type { UiAsset, UiSource } from "../../ui/assets.ts";
import { requestPath } from "../guard/index.ts";
import { PageNotFoundError, routingError } from "../routing.ts";

/** Headers on every UI answer. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** Whether the client takes gzip (a `gzip;q=0` refuses it). */
function acceptsGzip(req: Request): boolean {
  const m = /(?:^|,)\s*(?:gzip|\*)\s*(?:;\s*q\s*=\s*([\d.]+))?\s*(?:,|$)/i.exec(
    req.headers.get("accept-encoding") ?? "",
  );
  return m !== null && (m[1] === undefined || Number(m[1]) > 0);
}

/** Whether If-None-Match names `etag` in either encoding (the gzip copy's tag is the plain one plus "-gz"). */
function etagMatches(req: Request, etag: string): boolean {
  const header = req.headers.get("if-none-match");
  if (!header) return false;
  const base = etag.slice(0, -1);
  return (
    header.trim() === "*" ||
    header.split(",").some((t) => {
      const tag = t.trim().replace(/^W\//, "");
      return tag === etag || tag === `${base}-gz"`;
    })
  );
}

/** The answer for one UI file. */
export function assetResponse(req: Request, a: UiAsset): Response {
  const headers = new Headers(UI_SECURITY_HEADERS);
  const gzip = a.gzip !== undefined && acceptsGzip(req);
  headers.set("etag", gzip ? `${a.etag.slice(0, -1)}-gz"` : a.etag);
  headers.set("cache-control", a.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (a.gzip) headers.set("vary", "accept-encoding");
  if (etagMatches(req, a.etag)) return new Response(null, { status: 304, headers });
  headers.set("content-type", a.type);
  if (gzip) headers.set("content-encoding", "gzip");
  return new Response((gzip ? a.gzip : a.body) as Uint8Array<ArrayBuffer>, { status: 200, headers });
}

/** The UI routes; none when `source` is undefined (TSLLM_UI=false), so /ui is then 404 like any unknown path. */
export function uiRoutes(source: UiSource | undefined) {
  const plugin = new Elysia({ name: "ui" });
  if (source === undefined) return plugin;
  const serve = async ({ request }: { request: Request }): Promise<Response> => {
    const path = requestPath(request.url);
    const name = path === "/ui" ? "" : path.slice("/ui/".length);
    const asset = (await source()).get(name);
    return asset ? assetResponse(request, asset) : routingError(new PageNotFoundError(), path);
  };
  return plugin.get("/ui", serve).head("/ui", serve).get("/ui/*", serve).head("/ui/*", serve);
}

/** Whether a request to `/` comes from a browser showing a page (rather than a client checking the server). */
export function wantsPage(req: Request): boolean {
  return (req.headers.get("accept") ?? "").includes("text/html");
}

const ROOT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>tsllm</title></head>
<body><p>Ollama is running</p><p><a href="/ui">Open the tsllm chat</a></p></body></html>
`;

/** `GET /` for browsers: the same text with a link to the UI. */
export function rootPage(): Response {
  const headers = new Headers(UI_SECURITY_HEADERS);
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("vary", "accept");
  headers.set("cache-control", "no-cache");
  return new Response(ROOT_PAGE, { status: 200, headers });
}
