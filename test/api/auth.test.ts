/**
 * API keys through a real server: every route the app registers walked with no key, an inference key and
 * an admin key; each API family's error shape and its SDK's error class; x-api-key; the keys file and its
 * reload; and the server's log output (captured at debug level) never showing a key.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { type AppDeps, createApp, OUTSIDE_ROUTES } from "../../src/api/app.ts";
import { declaredScope } from "../../src/api/guard/scopes.ts";
import { type RunningServer, startServer } from "../../src/cli/serve.ts";
import { Env } from "../../src/config/env.ts";
import { Logger } from "../../src/log.ts";
import type { Json } from "./helpers.ts";

const INF = "inference-key-4f1d9c2a7b";
const ADM = "admin-key-8e3b0d6c5a";
const FILE_INF = "file-inference-key-77aa";
const FILE_ADM = "file-admin-key-99bb";
const WRONG = "wrong-key-presented-1234";
const ROTATED = "rotated-key-5566cc";
const ALL_KEYS = [INF, ADM, FILE_INF, FILE_ADM, WRONG, ROTATED];

/** Every route the app registers, plus the blob upload served beside it. */
function appRoutes(): { method: string; path: string }[] {
  const app = createApp({ store: { blobs: {} } } as unknown as AppDeps);
  return [...app.routes, ...OUTSIDE_ROUTES]
    .filter((r) => r.method !== "ALL" && r.path !== "*")
    .map((r) => ({ method: r.method.toUpperCase(), path: r.path }));
}

/** A concrete path for a route pattern. */
function concrete(path: string): string {
  return path
    .replace(":digest", `sha256:${"0".repeat(64)}`)
    .replace(":id", "resp_0")
    .replace("*", "some-model");
}

let dir: string;
let keysFile: string;
let server: RunningServer;
let url: string;
let logged = "";
const realWrite = process.stderr.write;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tsllm-auth-"));
  keysFile = join(dir, "keys");
  writeFileSync(keysFile, `# team keys\n\n${FILE_INF}\nadmin:${FILE_ADM}\n`);
  // The logger writes to stderr: capture everything the server logs, at debug level.
  process.stderr.write = ((chunk: string | Uint8Array) => {
    logged += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
  server = await startServer(
    new Env({
      ...process.env,
      TSLLM_HOST: "127.0.0.1:0",
      TSLLM_MODELS: join(dir, "models"),
      TSLLM_RUNTIME_DIR: dir,
      TSLLM_LLM_LIBRARY: "cpu",
      TSLLM_DEBUG: "1",
      TSLLM_API_KEYS: `${INF}, admin:${ADM}`,
      TSLLM_API_KEYS_FILE: keysFile,
    }),
    new Logger("debug"),
  );
  url = server.url;
});

afterAll(async () => {
  await server.stop(2000);
  process.stderr.write = realWrite;
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  const hasBody = method !== "GET" && method !== "HEAD";
  return fetch(`${url}${path}`, {
    method,
    headers: hasBody ? { "content-type": "application/json", ...headers } : headers,
    body: hasBody ? "{}" : undefined,
  });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("the route → scope table", () => {
  test("is total: every registered route has a scope", () => {
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes.filter((r) => declaredScope(r.method, r.path) === undefined);
    expect(missing).toEqual([]);
  });

  test("only /, the version and the health probe are open; store changes are admin", () => {
    const open = appRoutes().filter((r) => declaredScope(r.method, r.path) === "open");
    expect(open.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      "GET /",
      "GET /api/version",
      "GET /health",
      "HEAD /",
      "HEAD /api/version",
      "HEAD /health",
    ]);
    for (const [m, p] of [
      ["POST", "/api/create"],
      ["POST", "/api/copy"],
      ["DELETE", "/api/delete"],
      ["POST", "/api/blobs/:digest"],
      ["HEAD", "/api/blobs/:digest"],
      ["POST", "/api/pull"],
      ["POST", "/api/push"],
    ] as const)
      expect(declaredScope(m, p)).toBe("admin");
  });
});

describe("keys on every route of every API", () => {
  test("no key → 401 with WWW-Authenticate (open routes excepted)", async () => {
    for (const r of appRoutes()) {
      const res = await call(r.method, concrete(r.path));
      const scope = declaredScope(r.method, r.path);
      const label = `${r.method} ${r.path}`;
      if (scope === "open") expect([label, res.status]).toEqual([label, 200]);
      else {
        expect([label, res.status]).toEqual([label, 401]);
        expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
      }
    }
  });

  test("an inference key → 403 on admin routes, past the guard elsewhere", async () => {
    for (const key of [INF, FILE_INF])
      for (const r of appRoutes()) {
        const res = await call(r.method, concrete(r.path), bearer(key));
        const label = `${r.method} ${r.path}`;
        if (declaredScope(r.method, r.path) === "admin") expect([label, res.status]).toEqual([label, 403]);
        else expect([label, res.status === 401 || res.status === 403]).toEqual([label, false]);
      }
  });

  test("an admin key (from the list or the file) passes on every route", async () => {
    for (const key of [ADM, FILE_ADM])
      for (const r of appRoutes()) {
        const res = await call(r.method, concrete(r.path), bearer(key));
        const label = `${r.method} ${r.path}`;
        expect([label, res.status === 401 || res.status === 403]).toEqual([label, false]);
      }
  });

  test("a wrong key → 401 whatever the route", async () => {
    for (const r of appRoutes().filter((r) => declaredScope(r.method, r.path) !== "open")) {
      const res = await call(r.method, concrete(r.path), bearer(WRONG));
      expect([r.path, res.status]).toEqual([r.path, 401]);
    }
  });

  test("x-api-key is accepted like Bearer; a non-Bearer Authorization is not a key", async () => {
    expect((await call("GET", "/api/tags", { "x-api-key": INF })).status).toBe(200);
    expect((await call("GET", "/v1/models", { "x-api-key": FILE_INF })).status).toBe(200);
    expect((await call("POST", "/api/copy", { "x-api-key": INF })).status).toBe(403);
    expect((await call("POST", "/api/copy", { "x-api-key": ADM })).status).toBe(400);
    expect((await call("GET", "/api/tags", { authorization: `Basic ${btoa(`u:${INF}`)}` })).status).toBe(401);
    expect((await call("GET", "/api/tags", { authorization: `bearer   ${INF}  ` })).status).toBe(200);
  });

  test("path spellings of an admin route never get past the guard with an inference key", async () => {
    for (const p of ["/api/create/", "/api/./create", "/api/x/../create", "/api/create?x=1"]) {
      const res = await call("POST", p, bearer(INF));
      expect([p, res.status]).toEqual([p, 403]);
    }
    for (const p of ["/api//create", "/api/%63reate", "/API/CREATE", "/api/create%20"]) {
      const res = await call("POST", p, bearer(INF));
      expect([p, res.status]).toEqual([p, 404]);
    }
  });

  test("an unknown path needs a key before it is a 404; a preflight needs none", async () => {
    expect((await call("GET", "/api/secret-route")).status).toBe(401);
    expect((await call("GET", "/api/secret-route", bearer(INF))).status).toBe(404);
    const pre = await fetch(`${url}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    // A refusal carries the CORS header for an allowed origin, so the page can read it.
    const refused = await call("GET", "/api/tags", { origin: "http://localhost:3000" });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
  });
});

describe("error shapes per API family", () => {
  test("Ollama: {error}", async () => {
    const missing = await call("GET", "/api/tags");
    expect(await missing.json()).toEqual({
      error: "this server requires an API key: send Authorization: Bearer <key> (or x-api-key: <key>)",
    });
    const wrong = await call("GET", "/api/tags", bearer(WRONG));
    expect(await wrong.json()).toEqual({ error: "invalid API key" });
    const admin = await call("POST", "/api/create", bearer(INF));
    expect(await admin.json()).toEqual({
      error: "POST /api/create changes the model store and needs an admin API key",
    });
  });

  test("OpenAI: {error: {message, type, param, code}}", async () => {
    const r = await call("POST", "/v1/chat/completions", bearer(WRONG));
    expect(await r.json()).toEqual({
      error: {
        message: "invalid API key",
        type: "authentication_error",
        param: null,
        code: "invalid_api_key",
      },
    });
  });

  test("Anthropic: {type: error, error: {type, message}}", async () => {
    const r = await call("POST", "/v1/messages", { "x-api-key": WRONG });
    expect(await r.json()).toEqual({
      type: "error",
      error: { type: "authentication_error", message: "invalid API key" },
    });
    const count = await call("POST", "/v1/messages/count_tokens");
    expect(((await count.json()) as Json).error.type).toBe("authentication_error");
  });

  test("no answer repeats the key it was sent", async () => {
    for (const path of ["/api/tags", "/v1/models", "/v1/messages"]) {
      const r = await call(path === "/v1/messages" ? "POST" : "GET", path, bearer(WRONG));
      expect(await r.text()).not.toContain(WRONG);
    }
  });
});

describe("the SDKs see their own error classes", () => {
  test("openai: AuthenticationError, PermissionDeniedError, and a working key", async () => {
    const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: WRONG, maxRetries: 0 });
    const err = await wrong.models.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("invalid_api_key");
    const foreign = new OpenAI({
      baseURL: `${url}/v1`,
      apiKey: INF,
      maxRetries: 0,
      defaultHeaders: { origin: "https://evil.example" },
    });
    expect(await foreign.models.list().catch((e: unknown) => e)).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const ok = new OpenAI({ baseURL: `${url}/v1`, apiKey: INF, maxRetries: 0 });
    expect((await ok.models.list()).data).toEqual([]);
  });

  test("anthropic: AuthenticationError, PermissionDeniedError; x-api-key and Bearer keys pass", async () => {
    const body = { model: "absent", max_tokens: 4, messages: [{ role: "user" as const, content: "hi" }] };
    const wrong = new Anthropic({ baseURL: url, apiKey: WRONG, maxRetries: 0 });
    expect(await wrong.messages.create(body).catch((e: unknown) => e)).toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    const foreign = new Anthropic({
      baseURL: url,
      apiKey: INF,
      maxRetries: 0,
      defaultHeaders: { origin: "https://evil.example" },
    });
    expect(await foreign.messages.create(body).catch((e: unknown) => e)).toBeInstanceOf(
      Anthropic.PermissionDeniedError,
    );
    // Past the key check, the missing model is the answer.
    for (const client of [
      new Anthropic({ baseURL: url, apiKey: INF, maxRetries: 0 }),
      new Anthropic({ baseURL: url, apiKey: null, authToken: INF, maxRetries: 0 }),
    ])
      expect(await client.messages.create(body).catch((e: unknown) => e)).toBeInstanceOf(
        Anthropic.NotFoundError,
      );
  });

  test("ollama: headers carry the key", async () => {
    const none = new Ollama({ host: url });
    expect(await none.list().catch((e: { status_code?: number }) => e.status_code)).toBe(401);
    const keyed = new Ollama({ host: url, headers: { Authorization: `Bearer ${INF}` } });
    expect((await keyed.list()).models).toEqual([]);
    expect((await keyed.version()).version).toBeString();
  });
});

describe("the keys file", () => {
  test("is re-read when it changes: a rotated key works and the removed one stops", async () => {
    writeFileSync(keysFile, `# rotated\nadmin:${FILE_ADM}\n${ROTATED}\n`);
    // The file is checked at most once a second on the request path: wait for the change to show.
    const deadline = Date.now() + 15_000;
    while ((await call("GET", "/api/tags", bearer(ROTATED))).status !== 200) {
      if (Date.now() > deadline) throw new Error("the rotated key was never accepted");
      await Bun.sleep(100);
    }
    expect((await call("GET", "/api/tags", bearer(FILE_INF))).status).toBe(401);
    expect((await call("GET", "/api/tags", bearer(INF))).status).toBe(200);
  });
});

describe("logs", () => {
  test("the server's log output never shows a key or the keys file's path", async () => {
    expect(logged).toContain("API keys required");
    for (const key of ALL_KEYS) expect(logged).not.toContain(key);
    expect(logged).not.toContain(dir);
  });
});
