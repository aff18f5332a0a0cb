/**
 * The request log and request ids against a real server: every answer (streams, errors, 404s, guard refusals
 * included) carries `X-Request-Id` — the client's when it is a plain token — and every request writes one log
 * line with that id once its answer has ended, its token counts equal to what the response reported (streams
 * included). At info no prompt, key or query string reaches the log and /health probes are quiet; with
 * TSLLM_LOG_FORMAT=json every line is one JSON object; at debug the prompt and the probes show.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "../../src/cli/serve.ts";
import { Env } from "../../src/config/env.ts";
import { createLogger } from "../../src/log.ts";
import { fileDigest, GREEDY, type Json, models } from "../api/helpers.ts";
import { testServeEnv } from "../helpers/serve-env.ts";

const MARK = `reqlogmark${randomBytes(6).toString("hex")}`;
const KEY = `key-${randomBytes(8).toString("hex")}`;
const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** stderr as the logger writes it, captured while a server runs. */
let captured = "";
const realWrite = process.stderr.write.bind(process.stderr);
beforeAll(() => {
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterAll(() => {
  process.stderr.write = realWrite;
});

interface Served {
  server: RunningServer;
  root: string;
  /** fetch with the API key (unless `headers` says otherwise). */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
}

let current: Served | undefined;
afterEach(async () => {
  await current?.server.stop(2000);
  if (current) rmSync(current.root, { recursive: true, force: true });
  current = undefined;
});

/** A server logging through createLogger (as `tsllm serve` does) with `env`, an API key, and model "tiny". */
async function serve(env: Record<string, string>): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-reqlog-"));
  const full = new Env({ ...process.env, ...testServeEnv(root), TSLLM_API_KEYS: `admin:${KEY}`, ...env });
  const server = await startServer(full, createLogger(full));
  const call = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    return fetch(`${server.url}${path}`, {
      method: json === undefined ? "GET" : "POST",
      ...rest,
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...rest.headers },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  };
  current = { server, root, call };
  const gguf = await models.chat();
  const digest = fileDigest(gguf);
  const up = await call(`/api/blobs/${digest}`, {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    body: await Bun.file(gguf).bytes(),
  });
  expect(`${up.status} ${await up.text()}`).toBe("201 ");
  const made = await call("/api/create", {
    json: { model: "tiny", files: { "model.gguf": digest }, stream: false },
  });
  expect(made.status).toBe(200);
  return current;
}

/** Captured lines whose message is "request", parsed from JSON. */
function jsonRequestLines(): Json[] {
  return captured
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Json)
    .filter((l) => l.msg === "request");
}

/** Waits (polling) until the request line of `id` was written: observers run after the answer has ended. */
async function lineFor(id: string, find: () => Json | undefined): Promise<Json> {
  for (let i = 0; i < 500; i++) {
    const l = find();
    if (l) return l;
    await Bun.sleep(10);
  }
  throw new Error(`no request log line for ${id}`);
}

/** NDJSON objects of a streamed answer. */
async function ndjson(res: Response): Promise<Json[]> {
  return (await res.text())
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Json);
}

describe("TSLLM_LOG_FORMAT=json at info", () => {
  test("ids round-trip on every answer, one parseable line per request, no prompt, key or query", async () => {
    captured = "";
    const s = await serve({ TSLLM_LOG_FORMAT: "json" });
    const byId = (id: string) => () => jsonRequestLines().find((l) => l.id === id);

    // A non-streaming generate under a client id: echoed, and its line has the counts the response gave.
    const whole = await s.call("/api/generate", {
      headers: { "x-request-id": "trace-1.a_B" },
      json: { model: "tiny", prompt: `say ${MARK}`, stream: false, options: { ...GREEDY, num_predict: 4 } },
    });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("x-request-id")).toBe("trace-1.a_B");
    const body = (await whole.json()) as Json;
    const l1 = await lineFor("trace-1.a_B", byId("trace-1.a_B"));
    expect(l1).toMatchObject({ level: "INFO", scope: "request", method: "POST", path: "/api/generate" });
    expect(l1).toMatchObject({ status: 200, model: expect.stringContaining("tiny") });
    // Ollama's prompt_eval_count counts the prompt-cache hits too; the log splits them out.
    expect(l1.prompt_tokens + l1.cached_tokens).toBe(body.prompt_eval_count);
    expect(l1.eval_tokens).toBe(body.eval_count);
    expect(l1.duration_ms).toBeGreaterThan(0);
    expect(typeof l1.ttft_ms).toBe("number");
    expect(typeof l1.queue_ms).toBe("number");
    expect(l1.done_reason).toBe(body.done_reason);
    expect(typeof l1.time).toBe("string");

    // A streamed chat: the record is finalized when the body ends, with the stream's own counts.
    const stream = await s.call("/api/chat", {
      json: {
        model: "tiny",
        messages: [{ role: "user", content: `tell ${MARK}` }],
        options: { ...GREEDY, num_predict: 6 },
      },
    });
    const sid = stream.headers.get("x-request-id") as string;
    expect(sid).toMatch(SANE_ID);
    const chunks = await ndjson(stream);
    const last = chunks.at(-1) as Json;
    expect(last.done).toBe(true);
    const l2 = await lineFor(sid, byId(sid));
    expect(l2.status).toBe(200);
    expect(l2.prompt_tokens + l2.cached_tokens).toBe(last.prompt_eval_count);
    expect(l2.eval_tokens).toBe(last.eval_count);
    expect(l2.done_reason).toBe(last.done_reason);

    // An OpenAI SSE stream.
    const sse = await s.call("/v1/chat/completions", {
      json: {
        model: "tiny",
        stream: true,
        max_tokens: 3,
        temperature: 0,
        messages: [{ role: "user", content: `hi ${MARK}` }],
      },
    });
    const sseId = sse.headers.get("x-request-id") as string;
    expect(await sse.text()).toContain("[DONE]");
    expect((await lineFor(sseId, byId(sseId))).path).toBe("/v1/chat/completions");

    // A header that is not a plain token is replaced, never logged as sent.
    const odd = await s.call("/api/tags?secret=QUERYSECRET", {
      headers: { "x-request-id": "bad id<script>" },
    });
    const oddId = odd.headers.get("x-request-id") as string;
    expect(oddId).not.toBe("bad id<script>");
    expect(oddId).toMatch(SANE_ID);
    expect((await lineFor(oddId, byId(oddId))).path).toBe("/api/tags");

    // Errors, 404s and guard refusals carry ids too.
    const missing = await s.call("/api/show", { json: { model: "absent" } });
    expect(missing.status).toBe(404);
    const notFound = await s.call("/no/such/path");
    expect(notFound.status).toBe(404);
    const refused = await fetch(`${s.server.url}/api/tags`, {
      headers: { authorization: "Bearer wrong-key" },
    });
    expect(refused.status).toBe(401);
    for (const r of [missing, notFound, refused]) {
      const id = r.headers.get("x-request-id") as string;
      expect(id).toMatch(SANE_ID);
      expect((await lineFor(id, byId(id))).status).toBe(r.status);
    }

    // Health probes are quiet at info (they would flood the log), but answered with an id.
    const health = await fetch(`${s.server.url}/health`);
    expect(await health.json()).toEqual({ status: "ok" });
    const healthId = health.headers.get("x-request-id") as string;
    expect(healthId).toMatch(SANE_ID);
    const head = await fetch(`${s.server.url}/health`, { method: "HEAD" });
    expect(head.status).toBe(200);
    const wrong = await s.call("/health", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, HEAD");

    // Every line is one JSON object; nothing of the prompt, key or query string is in the log.
    for (const line of captured.split("\n").filter((l) => l.trim())) {
      const o = JSON.parse(line) as Json;
      expect(Object.keys(o).slice(0, 2)).toEqual(["time", "level"]);
      expect(typeof o.msg).toBe("string");
    }
    expect(captured).not.toContain(MARK);
    expect(captured).not.toContain(KEY);
    expect(captured).not.toContain("wrong-key");
    expect(captured).not.toContain("QUERYSECRET");
    expect(captured).not.toContain(healthId);
    // Exactly one line per request.
    const ids = jsonRequestLines().map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, 120_000);
});

describe("text format at debug", () => {
  test("request lines in key=value form; the prompt and the probes show at debug", async () => {
    captured = "";
    const s = await serve({ TSLLM_DEBUG: "1" });
    const res = await s.call("/api/generate", {
      headers: { "x-request-id": "dbg-1" },
      json: { model: "tiny", prompt: `say ${MARK}`, stream: false, options: { ...GREEDY, num_predict: 2 } },
    });
    expect(res.status).toBe(200);
    await res.json();
    const health = await fetch(`${s.server.url}/health`);
    expect(health.status).toBe(200);
    const healthId = health.headers.get("x-request-id") as string;
    const find = (id: string) => () =>
      captured.split("\n").find((l) => l.includes(` msg="request" id=${id} `)) as Json | undefined;
    const line = (await lineFor("dbg-1", find("dbg-1"))) as unknown as string;
    expect(line).toMatch(
      /^time=\S+ level=INFO request msg="request" id=dbg-1 method=POST path=\/api\/generate /,
    );
    expect(line).toMatch(/ status=200 model=\S*tiny\S* prompt_tokens=\d+ cached_tokens=\d+ eval_tokens=2 /);
    expect(line).toMatch(/ duration_ms=[\d.]+ ttft_ms=[\d.]+ queue_ms=[\d.]+/);
    expect(line).toContain("done_reason=");
    const probe = (await lineFor(healthId, find(healthId))) as unknown as string;
    expect(probe).toContain("level=DEBUG request");
    expect(probe).toContain("path=/health status=200");
    expect(captured).toContain(MARK); // debug logs the prompt
    expect(captured).not.toContain(KEY);
  }, 120_000);
});
