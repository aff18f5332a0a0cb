/**
 * The UI's files over HTTP (no browser): content types, caching (ETag → 304, hashed names immutable),
 * gzip, security headers, 404 for unknown /ui paths, `GET /` unchanged for clients and linked for
 * browsers, TSLLM_UI=false, and API keys (the files need none, the API calls do).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../api/helpers.ts";

let s: TestServer;
let off: TestServer;
let keyed: TestServer;

beforeAll(async () => {
  [s, off, keyed] = await Promise.all([
    startTestServer(),
    startTestServer({ TSLLM_UI: "false" }),
    startTestServer({ TSLLM_API_KEYS: "ui-test-key-123" }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([s?.stop(), off?.stop(), keyed?.stop()]);
});

const get = (srv: TestServer, path: string, headers: Record<string, string> = {}) =>
  fetch(`${srv.url}${path}`, { headers, decompress: false } as RequestInit);

/** The index page and the names of the files it loads. */
async function index(srv: TestServer): Promise<{ html: string; script: string; style: string }> {
  const html = await (await get(srv, "/ui")).text();
  const script = /src="\/ui\/([^"]+\.js)"/.exec(html)?.[1] ?? "";
  const style = /href="\/ui\/([^"]+\.css)"/.exec(html)?.[1] ?? "";
  return { html, script, style };
}

describe("/ui", () => {
  test("serves the index page at /ui, /ui/ and /ui/index.html, revalidated", async () => {
    for (const p of ["/ui", "/ui/", "/ui/index.html"]) {
      const r = await get(s, p);
      expect([p, r.status]).toEqual([p, 200]);
      expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(r.headers.get("cache-control")).toBe("no-cache");
      expect(await r.text()).toContain('<div id="app">');
    }
  });

  test("files have their content types; content-hashed ones are cached for good", async () => {
    const { script, style } = await index(s);
    expect(script).toMatch(/^main-[a-z0-9]+\.js$/);
    expect(style).toMatch(/^main-[a-z0-9]+\.css$/);
    const js = await get(s, `/ui/${script}`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await get(s, `/ui/${style}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect((await get(s, "/ui/favicon.svg")).headers.get("content-type")).toBe("image/svg+xml");
  });

  test("security headers on every file: self-only CSP, nosniff, no framing", async () => {
    const { script } = await index(s);
    for (const p of ["/ui", `/ui/${script}`, "/ui/favicon.svg"]) {
      const h = (await get(s, p)).headers;
      const csp = h.get("content-security-policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe");
      expect(h.get("x-content-type-options")).toBe("nosniff");
      expect(h.get("x-frame-options")).toBe("DENY");
    }
  });

  test("ETag revalidation answers 304; gzip when accepted, identity otherwise", async () => {
    const { script } = await index(s);
    const plain = await get(s, `/ui/${script}`);
    const etag = plain.headers.get("etag") as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const body = await plain.bytes();
    const again = await get(s, `/ui/${script}`, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect((await again.bytes()).length).toBe(0);
    const gz = await get(s, `/ui/${script}`, { "accept-encoding": "gzip, deflate, br" });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gz.headers.get("vary")).toBe("accept-encoding");
    expect(gz.headers.get("etag")).not.toBe(etag);
    expect(
      Buffer.from(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer()))).equals(Buffer.from(body)),
    ).toBe(true);
    expect(
      (await get(s, `/ui/${script}`, { "if-none-match": gz.headers.get("etag") as string })).status,
    ).toBe(304);
    const refused = await get(s, `/ui/${script}`, { "accept-encoding": "gzip;q=0" });
    expect(refused.headers.get("content-encoding")).toBeNull();
  });

  test("unknown /ui paths are 404, not the index page", async () => {
    for (const p of [
      "/ui/nope.js",
      "/ui/app",
      "/ui/main.js",
      "/ui/%6d%61in.js",
      "/ui/favicon.svg/x",
      "/uix",
    ]) {
      const r = await get(s, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(await r.text()).toBe("404 page not found");
    }
  });

  test("HEAD answers like GET without a body", async () => {
    const r = await fetch(`${s.url}/ui`, { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await r.bytes()).length).toBe(0);
  });

  test("a wrong method on /ui is 405", async () => {
    const r = await fetch(`${s.url}/ui`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(405);
  });
});

describe("GET /", () => {
  test("clients get exactly Ollama's text", async () => {
    for (const accept of [undefined, "*/*", "application/json"]) {
      const r = await get(s, "/", accept ? { accept } : {});
      expect(r.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await r.text()).toBe("Ollama is running");
    }
  });

  test("browsers get the same text with a link to /ui", async () => {
    const r = await get(s, "/", { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await r.text();
    expect(html).toContain("Ollama is running");
    expect(html).toContain('href="/ui"');
  });
});

describe("TSLLM_UI=false", () => {
  test("/ui is 404 and / has no link", async () => {
    expect((await get(off, "/ui")).status).toBe(404);
    expect((await get(off, "/ui/favicon.svg")).status).toBe(404);
    const root = await get(off, "/", { accept: "text/html" });
    expect(await root.text()).toBe("Ollama is running");
  });
});

describe("with API keys", () => {
  test("the files need no key; the API calls the page makes do", async () => {
    const { script } = await index(keyed);
    for (const p of ["/ui", `/ui/${script}`, "/ui/favicon.svg"])
      expect([p, (await get(keyed, p)).status]).toEqual([p, 200]);
    expect((await get(keyed, "/ui/nope")).status).toBe(404);
    expect((await get(keyed, "/api/tags")).status).toBe(401);
    expect((await get(keyed, "/api/tags", { authorization: "Bearer ui-test-key-123" })).status).toBe(200);
  });
});
