/**
 * Access control through a real server: the Host allow list (DNS rebinding), the Origin allow list with
 * CORS preflights and headers, and the refusal of preflight-free cross-site writes (CSRF) — the store must
 * be unchanged after each refused attempt.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { hostname } from "node:os";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

/** GET `path` on `s` with the given headers. */
function get(s: TestServer, path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${s.url}${path}`, { headers });
}

/** A raw HTTP/1.1 request line + headers over a socket (for request targets fetch cannot send); the status. */
function rawStatus(port: number, head: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1", () => sock.write(`${head}\r\nConnection: close\r\n\r\n`));
    let out = "";
    sock.on("data", (d) => {
      out += d;
    });
    sock.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(out)?.[1] ?? 0)));
    sock.on("error", reject);
  });
}

describe("Host allow list (server bound to loopback)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s.stop());

  test("a rebound foreign name is refused with 403 in each API family's error shape", async () => {
    const host = { host: `evil.example:${s.server.port}` };
    const ollama = await get(s, "/api/tags", host);
    expect(ollama.status).toBe(403);
    expect(await ollama.json()).toEqual({
      error: `host "evil.example:${s.server.port}" is not allowed; add it to TSLLM_ALLOWED_HOSTS to accept it`,
    });
    const openai = await get(s, "/v1/models", host);
    expect(openai.status).toBe(403);
    expect(((await openai.json()) as Json).error).toMatchObject({
      type: "permission_error",
      code: "host_not_allowed",
    });
    const anthropic = await fetch(`${s.url}/v1/messages`, { method: "POST", headers: host, body: "{}" });
    expect(anthropic.status).toBe(403);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
    // The open routes and blob uploads are behind the same check.
    expect((await get(s, "/", host)).status).toBe(403);
    const upload = await fetch(`${s.url}/api/blobs/sha256:${"0".repeat(64)}`, {
      method: "POST",
      headers: host,
      body: "x",
    });
    expect(upload.status).toBe(403);
  });

  test("names and addresses that mean this machine are served", async () => {
    const port = s.server.port;
    const hosts = [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      "localhost",
      "LOCALHOST.",
      `app.localhost:${port}`,
      `printer.local:${port}`,
      `host.docker.internal:${port}`,
      `${hostname()}:${port}`,
      `10.1.2.3:${port}`,
      `192.168.0.9:${port}`,
      `0.0.0.0:${port}`,
      `[::ffff:127.0.0.1]:${port}`,
    ];
    for (const host of hosts)
      expect([host, (await get(s, "/api/version", { host })).status]).toEqual([host, 200]);
  });

  test("public addresses and look-alike names are refused", async () => {
    for (const host of ["8.8.8.8", "localhost.evil.example", "evil.localhost.example", "[2001:db8::1]:80"])
      expect([host, (await get(s, "/api/version", { host })).status]).toEqual([host, 403]);
  });

  test("an absolute-form request target naming a foreign host is refused", async () => {
    const port = s.server.port;
    expect(
      await rawStatus(port, `GET http://evil.example/api/version HTTP/1.1\r\nHost: 127.0.0.1:${port}`),
    ).toBe(403);
    expect(await rawStatus(port, `GET /api/version HTTP/1.1\r\nHost: 127.0.0.1:${port}`)).toBe(200);
  });
});

describe("TSLLM_ALLOWED_HOSTS", () => {
  test("adds names and domains on a loopback bind", async () => {
    const s = await startTestServer({ TSLLM_ALLOWED_HOSTS: "api.example.com, *.corp.example" });
    try {
      for (const [host, status] of [
        ["api.example.com", 200],
        ["API.example.com:8080", 200],
        ["a.corp.example", 200],
        ["corp.example.evil", 403],
        ["evil.example", 403],
        ["localhost", 200],
      ] as const)
        expect([host, (await get(s, "/api/version", { host })).status]).toEqual([host, status]);
    } finally {
      await s.stop();
    }
  });

  test("* accepts any Host", async () => {
    const s = await startTestServer({ TSLLM_ALLOWED_HOSTS: "*" });
    try {
      expect((await get(s, "/api/version", { host: "evil.example" })).status).toBe(200);
    } finally {
      await s.stop();
    }
  });

  test("a non-loopback bind serves any Host, unless TSLLM_ALLOWED_HOSTS restricts it", async () => {
    const open = await startTestServer({ TSLLM_HOST: "0.0.0.0:0" });
    try {
      const url = `http://127.0.0.1:${open.server.port}/api/version`;
      expect((await fetch(url, { headers: { host: "my-server.lan" } })).status).toBe(200);
      expect((await fetch(url, { headers: { host: "evil.example" } })).status).toBe(200);
    } finally {
      await open.stop();
    }
    const listed = await startTestServer({ TSLLM_HOST: "0.0.0.0:0", TSLLM_ALLOWED_HOSTS: "my-server.lan" });
    try {
      const url = `http://127.0.0.1:${listed.server.port}/api/version`;
      expect((await fetch(url, { headers: { host: "my-server.lan:11434" } })).status).toBe(200);
      expect((await fetch(url, { headers: { host: "192.168.1.20:11434" } })).status).toBe(200);
      expect((await fetch(url, { headers: { host: "evil.example" } })).status).toBe(403);
    } finally {
      await listed.stop();
    }
  });
});

describe("Origin allow list and CORS", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ TSLLM_ORIGINS: "https://*.example.com,http://tool.test:8080" });
  });
  afterAll(() => s.stop());

  const preflight = (origin: string, extra: Record<string, string> = {}) =>
    fetch(`${s.url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, x-stainless-os, x-stainless-future",
        ...extra,
      },
    });

  test("a preflight from a localhost page is answered 204 with the CORS headers", async () => {
    const r = await preflight("http://localhost:3000");
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(r.headers.get("access-control-allow-methods")).toContain("POST");
    expect(r.headers.get("access-control-allow-methods")).toContain("DELETE");
    const allowed = (r.headers.get("access-control-allow-headers") ?? "").split(/,\s*/);
    for (const h of [
      "authorization",
      "content-type",
      "x-api-key",
      "anthropic-version",
      "anthropic-dangerous-direct-browser-access",
      "openai-beta",
      "x-stainless-os",
      "x-stainless-retry-count",
      "x-stainless-future",
    ])
      expect(allowed).toContain(h);
    expect(Number(r.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(r.headers.get("vary")).toContain("Origin");
    expect(await r.text()).toBe("");
  });

  test("Chrome's private network preflight is allowed for an allowed origin", async () => {
    const r = await preflight("https://app.example.com", {
      "access-control-request-private-network": "true",
    });
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-private-network")).toBe("true");
  });

  test("a preflight from a foreign origin is refused", async () => {
    const r = await preflight("https://evil.example");
    expect(r.status).toBe(403);
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("Ollama's default origins are allowed; others are not", async () => {
    const allowed = [
      "http://localhost",
      "https://localhost:8443",
      "http://127.0.0.1:5173",
      "http://0.0.0.0:80",
      "app://obsidian.md",
      "file://",
      "tauri://localhost",
      "vscode-webview://1abc",
      "vscode-file://vscode-app",
    ];
    for (const origin of allowed) expect([origin, (await preflight(origin)).status]).toEqual([origin, 204]);
    for (const origin of [
      "null",
      "chrome-extension://abc",
      "http://localhost.evil.example",
      "http://127.0.0.2",
    ])
      expect([origin, (await preflight(origin)).status]).toEqual([origin, 403]);
  });

  test("TSLLM_ORIGINS wildcards match", async () => {
    expect((await preflight("https://app.example.com")).status).toBe(204);
    expect((await preflight("https://a.b.example.com")).status).toBe(204);
    expect((await preflight("http://tool.test:8080")).status).toBe(204);
    expect((await preflight("http://app.example.com")).status).toBe(403);
    expect((await preflight("https://example.com.evil")).status).toBe(403);
    expect((await preflight("http://tool.test:8081")).status).toBe(403);
  });

  test("real responses to an allowed origin carry Access-Control-Allow-Origin; no Origin, no CORS headers", async () => {
    const r = await get(s, "/api/version", { origin: "http://127.0.0.1:8080" });
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8080");
    expect(r.headers.get("vary")).toContain("Origin");
    const plain = await get(s, "/api/version", {});
    expect(plain.status).toBe(200);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    // Error answers too, so the page can read why.
    const missing = await get(s, "/api/nope", { origin: "https://app.example.com" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
  });

  test("a request of any method from a foreign origin is refused", async () => {
    for (const method of ["GET", "HEAD", "POST"]) {
      const r = await fetch(`${s.url}/api/tags`, { method, headers: { origin: "https://evil.example" } });
      expect([method, r.status]).toEqual([method, 403]);
    }
  });

  test("a page from the server's own allowed name is same-origin; a rebound name is not", async () => {
    const host = `printer.local:${s.server.port}`;
    expect((await get(s, "/api/version", { host, origin: `http://${host}` })).status).toBe(200);
    expect((await get(s, "/api/version", { origin: `http://${host}` })).status).toBe(403);
    const any = await startTestServer({ TSLLM_HOST: "0.0.0.0:0" });
    try {
      // Every Host is served here, so a name cannot vouch for its own origin.
      const rebound = `evil.example:${any.server.port}`;
      const r = await fetch(`http://127.0.0.1:${any.server.port}/api/version`, {
        headers: { host: rebound, origin: `http://${rebound}` },
      });
      expect(r.status).toBe(403);
    } finally {
      await any.stop();
    }
  });

  test("OLLAMA_ORIGINS is used when TSLLM_ORIGINS is unset", async () => {
    const o = await startTestServer({ OLLAMA_ORIGINS: "https://ollama-ui.test" });
    try {
      expect((await get(o, "/api/version", { origin: "https://ollama-ui.test" })).status).toBe(200);
      expect((await get(o, "/api/version", { origin: "https://other.test" })).status).toBe(403);
    } finally {
      await o.stop();
    }
  });
});

describe("cross-site writes (CSRF)", () => {
  let s: TestServer;
  const TRUSTED = "https://trusted.example";
  beforeAll(async () => {
    s = await startTestServer({ TSLLM_ORIGINS: TRUSTED });
    await s.createFrom("victim", await models.chat());
  });
  afterAll(() => s.stop());

  /** The store as a client sees it: model names, and the victim's system prompt. */
  async function store(): Promise<[string[], unknown]> {
    const tags = (await (await fetch(`${s.url}/api/tags`)).json()) as { models: { name: string }[] };
    const show = (await (await s.request("/api/show", { model: "victim" })).json()) as { system?: unknown };
    return [tags.models.map((m) => m.name).sort(), show.system];
  }

  const attacks: [string, string, unknown][] = [
    ["POST", "/api/create", { model: "victim", from: "victim", system: "planted" }],
    ["POST", "/api/copy", { source: "victim", destination: "stolen" }],
    ["DELETE", "/api/delete", { model: "victim" }],
  ];

  function send(method: string, path: string, body: unknown, headers: Record<string, string>) {
    // Bytes, so fetch adds no Content-Type of its own (a string body would get text/plain).
    return fetch(`${s.url}${path}`, {
      method,
      headers,
      body: new TextEncoder().encode(JSON.stringify(body)),
    });
  }

  test("text/plain writes from a foreign origin are refused and change nothing", async () => {
    const before = await store();
    expect(before).toEqual([["victim:latest"], undefined]);
    for (const [method, path, body] of attacks) {
      const r = await send(method, path, body, {
        origin: "https://evil.example",
        "content-type": "text/plain",
      });
      expect([path, r.status]).toEqual([path, 403]);
    }
    expect(await store()).toEqual(before);
  });

  test("preflight-free writes are refused even from an allowed origin, and when only Sec-Fetch-Site tells", async () => {
    const before = await store();
    const headerSets: Record<string, string>[] = [
      { origin: TRUSTED, "content-type": "text/plain;charset=UTF-8" },
      { origin: TRUSTED, "content-type": "application/x-www-form-urlencoded" },
      { origin: TRUSTED, "content-type": "multipart/form-data; boundary=x" },
      { origin: TRUSTED },
      { "sec-fetch-site": "cross-site", "content-type": "text/plain" },
      { "sec-fetch-site": "same-site", "content-type": "application/x-www-form-urlencoded" },
    ];
    for (const headers of headerSets)
      for (const [method, path, body] of attacks) {
        const r = await send(method, path, body, headers);
        expect([path, headers, r.status]).toEqual([path, headers, 403]);
        expect(((await r.json()) as Json).error).toContain("cross-site");
      }
    expect(await store()).toEqual(before);
  });

  test("JSON from an allowed origin is served, with the CORS header", async () => {
    const r = await send(
      "POST",
      "/api/copy",
      { source: "victim", destination: "copy1" },
      {
        origin: TRUSTED,
        "content-type": "application/json",
      },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("access-control-allow-origin")).toBe(TRUSTED);
    const del = await send(
      "DELETE",
      "/api/delete",
      { model: "copy1" },
      {
        origin: TRUSTED,
        "content-type": "application/json",
      },
    );
    expect(del.status).toBe(200);
  });

  test("curl-style and script writes without an Origin are served whatever their content type", async () => {
    for (const type of ["application/x-www-form-urlencoded", "text/plain", undefined]) {
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      const r = await send("POST", "/api/copy", { source: "victim", destination: "copy2" }, headers);
      expect([type, r.status]).toEqual([type, 200]);
    }
    // Same-origin fetch metadata (not cross-site) passes too.
    const r = await send(
      "DELETE",
      "/api/delete",
      { model: "copy2" },
      {
        "sec-fetch-site": "same-origin",
        "content-type": "text/plain",
      },
    );
    expect(r.status).toBe(200);
    expect((await store())[0]).toEqual(["victim:latest"]);
  });

  test("blob uploads: octet-stream from an allowed origin passes the guard; a bodyless type does not", async () => {
    const digest = `sha256:${"0".repeat(64)}`;
    const typed = await fetch(`${s.url}/api/blobs/${digest}`, {
      method: "POST",
      headers: { origin: TRUSTED, "content-type": "application/octet-stream" },
      body: "x",
    });
    expect(typed.status).toBe(400); // past the guard: the digest does not match
    const untyped = await fetch(`${s.url}/api/blobs/${digest}`, {
      method: "POST",
      headers: { origin: TRUSTED },
      body: new Uint8Array([1]),
    });
    expect(untyped.status).toBe(403);
  });
});
