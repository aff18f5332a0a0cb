/**
 * The request-log pieces without a server: request ids, the log line's fields and level, the JSON log format,
 * the request tracker (a streamed answer is finalized at its body's end or cancel; observers that throw are
 * contained) and the drain gate.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { drainGate, healthResponse } from "../../src/api/ops/health.ts";
import { isSaneRequestId, newRequestId, requestIdFor } from "../../src/api/ops/request-id.ts";
import { requestLogFields, requestLogLevel } from "../../src/api/ops/request-log.ts";
import { trackRequests } from "../../src/api/ops/request-tracker.ts";
import { ServeState } from "../../src/api/ops/serve-state.ts";
import { Env } from "../../src/config/env.ts";
import { createLogger, Logger } from "../../src/log.ts";
import { currentRequest, RequestRecord } from "../../src/observe/request-record.ts";

let captured = "";
const realWrite = process.stderr.write.bind(process.stderr);
function capture(): void {
  captured = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
}
afterEach(() => {
  process.stderr.write = realWrite;
});

describe("request ids", () => {
  test("a plain token of up to 128 characters is kept; anything else is replaced by a fresh id", () => {
    expect(isSaneRequestId("abc-1.2_Z")).toBe(true);
    expect(isSaneRequestId("a".repeat(128))).toBe(true);
    expect(isSaneRequestId("a".repeat(129))).toBe(false);
    for (const bad of ["", "a b", "a\nb", "x=y", "é", "a/b", '"q"']) expect(isSaneRequestId(bad)).toBe(false);
    const req = (id?: string) =>
      new Request("http://h/", id === undefined ? {} : { headers: { "x-request-id": id } });
    expect(requestIdFor(req("trace.7"))).toBe("trace.7");
    for (const r of [req(), req("a b"), req("a".repeat(129))])
      expect(isSaneRequestId(requestIdFor(r))).toBe(true);
    const ids = new Set(Array.from({ length: 1000 }, newRequestId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });
});

describe("the log line", () => {
  test("fields in order; facts the request never reached are left out; long paths are cut", () => {
    const r = new RequestRecord("id1", "POST", "/api/chat", 0);
    r.status = 200;
    r.model = "tiny:latest";
    r.promptTokens = 10;
    r.cachedTokens = 4;
    r.evalTokens = 7;
    r.durationMs = 12.3456;
    r.ttftMs = 3.2;
    r.queueMs = 0.014;
    r.loadMs = 0;
    r.doneReason = "stop";
    expect(Object.entries(requestLogFields(r))).toEqual([
      ["id", "id1"],
      ["method", "POST"],
      ["path", "/api/chat"],
      ["status", 200],
      ["model", "tiny:latest"],
      ["prompt_tokens", 10],
      ["cached_tokens", 4],
      ["eval_tokens", 7],
      ["duration_ms", 12.35],
      ["ttft_ms", 3.2],
      ["queue_ms", 0.01],
      ["done_reason", "stop"],
    ]);
    const bare = new RequestRecord("id2", "GET", `/${"x".repeat(400)}`, 0);
    bare.status = 404;
    const f = requestLogFields(bare);
    expect(Object.keys(f)).toEqual(["id", "method", "path", "status"]);
    expect(f.path).toBe(`/${"x".repeat(255)}…`);
  });

  test("successful probes and scrapes are debug; their failures and everything else info", () => {
    const at = (path: string, status: number) => {
      const r = new RequestRecord("i", "GET", path);
      r.status = status;
      return requestLogLevel(r);
    };
    expect(at("/health", 200)).toBe("debug");
    expect(at("/health/", 503)).toBe("info");
    expect(at("/metrics", 200)).toBe("debug");
    expect(at("/metrics", 401)).toBe("info");
    expect(at("/api/tags", 200)).toBe("info");
  });
});

describe("the logger", () => {
  test("json: one object per line (time, level, scope, msg, then fields that do not replace them)", () => {
    capture();
    const log = new Logger("info", "", "json").child("api");
    log.info("hello", { n: 1, s: "a b", msg: "ignored", e: new Error("boom") });
    log.debug("hidden");
    const lines = captured.trim().split("\n");
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0] as string);
    expect(Object.keys(o)).toEqual(["time", "level", "scope", "msg", "n", "s", "e"]);
    expect(o).toMatchObject({ level: "INFO", scope: "api", msg: "hello", n: 1, s: "a b", e: "Error: boom" });
  });

  test("TSLLM_LOG_FORMAT picks the format; an unknown value is warned about and text is used", () => {
    capture();
    createLogger(new Env({ TSLLM_LOG_FORMAT: "json" })).info("x", { k: 1 });
    expect(JSON.parse(captured)).toMatchObject({ msg: "x", k: 1 });
    capture();
    createLogger(new Env({})).info("x", { k: 1 });
    expect(captured).toMatch(/^time=\S+ level=INFO msg="x" k=1\n$/);
    capture();
    createLogger(new Env({ TSLLM_LOG_FORMAT: "yaml" }));
    expect(captured).toContain('level=WARN msg="unknown log format, using text"');
  });
});

/** A response streaming `parts` one per pull, NDJSON-typed. */
function streamed(parts: string[]): Response {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (i < parts.length) c.enqueue(new TextEncoder().encode(parts[i++]));
      else c.close();
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

describe("the request tracker", () => {
  test("a streamed answer is finalized at its body's end, with the record filled in below", async () => {
    const seen: RequestRecord[] = [];
    const state = new ServeState();
    const handle = trackRequests(
      async () => {
        const r = currentRequest() as RequestRecord;
        r.model = "m";
        return streamed(["a\n", "b\n"]);
      },
      { observers: [(r) => seen.push(r)], state },
    );
    const res = await handle(new Request("http://h/api/chat?key=secret", { method: "POST" }));
    expect(res.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(seen).toHaveLength(0);
    expect(state.active).toBe(1);
    expect(await res.text()).toBe("a\nb\n");
    expect(seen).toHaveLength(1);
    expect(state.active).toBe(0);
    const r = seen[0] as RequestRecord;
    expect(r).toMatchObject({ path: "/api/chat", method: "POST", status: 200, model: "m" });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test("a cancelled body finalizes once; a throwing observer is logged and the others still run", async () => {
    capture();
    const seen: string[] = [];
    const handle = trackRequests(async () => streamed(["a\n", "b\n", "c\n"]), {
      observers: [
        () => {
          throw new Error("observer bug");
        },
        (r) => seen.push(r.id),
      ],
      logger: new Logger("info"),
    });
    const res = await handle(new Request("http://h/x", { headers: { "x-request-id": "c-1" } }));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    expect(seen).toEqual(["c-1"]);
    expect(captured).toContain('msg="request observer failed" id=c-1');
  });

  test("a handler that throws is answered in the path's error shape, with the id", async () => {
    const handle = trackRequests(async () => {
      throw new Error("unexpected");
    });
    const res = await handle(new Request("http://h/v1/chat/completions", { method: "POST" }));
    expect(res.status).toBe(500);
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("unexpected");
  });
});

describe("the drain", () => {
  test("health says ok, then draining; new requests get 503 in their API family's shape", async () => {
    const state = new ServeState();
    const gate = drainGate(state, async () => new Response("served"));
    const get = (path: string, method = "GET") => gate(new Request(`http://h${path}`, { method }));
    expect(await (await get("/health")).json()).toEqual({ status: "ok" });
    expect(await (await get("/api/tags")).text()).toBe("served");
    state.drain();
    const health = await get("/health");
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: "draining" });
    const head = await get("/health", "HEAD");
    expect(head.status).toBe(503);
    expect(await head.text()).toBe("");
    const ollama = await get("/api/tags");
    expect(ollama.status).toBe(503);
    expect(ollama.headers.get("connection")).toBe("close");
    expect(await ollama.json()).toEqual({ error: "server is shutting down" });
    const openai = (await (await get("/v1/models")).json()) as { error: { message: string } };
    expect(openai.error.message).toBe("server is shutting down");
    expect(healthResponse(state).status).toBe(503);
  });

  test("idle() resolves when the last request ends, or false at its deadline", async () => {
    const state = new ServeState();
    expect(await state.idle(10)).toBe(true);
    state.begin();
    expect(await state.idle(5)).toBe(false);
    const waiting = state.idle(60_000);
    state.end();
    expect(await waiting).toBe(true);
  });
});
