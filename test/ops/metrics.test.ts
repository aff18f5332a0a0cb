/**
 * GET /metrics and GET /api/slots through a real server: generate, chat and embed requests (streamed and
 * not), OpenAI and Anthropic chat, then a scrape: `promtool check metrics` (Debian's prometheus package) on
 * the text, token counters moved by exactly what the responses reported, histograms counting every request,
 * llama-server's llamacpp:* names present; slot state during a stream; keys and TSLLM_METRICS.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type Json, startServerWith, startTestServer, type TestServer } from "../api/helpers.ts";
import { promtool, sample, samples, scrape, scrapePath, waitFor } from "./metrics-helpers.ts";

let s: TestServer;
const TINY = "tiny:latest";
const EMBED = "embed:latest";

beforeAll(async () => {
  s = await startServerWith(["tiny", "embed"]);
});
afterAll(() => s.stop());

/** Reads an NDJSON stream to its end; returns its last object. */
async function lastOfStream(res: Response): Promise<Json> {
  const lines = (await res.text()).trim().split("\n");
  return JSON.parse(lines.at(-1) as string);
}

describe("/metrics", () => {
  test("counters move by exactly the tokens the responses reported; histograms count every request", async () => {
    const before = await scrape(s.url);
    const opts = { ...GREEDY, num_predict: 6 };
    const reported = { prompt: 0, eval: 0, embedPrompt: 0 };
    const add = (r: Json) => {
      reported.prompt += r.prompt_eval_count;
      reported.eval += r.eval_count;
    };
    // The same prompt twice: the second is served partly from the prompt cache.
    for (const stream of [false, true, false]) {
      const res = await s.request("/api/generate", {
        model: "tiny",
        prompt: "Metrics count what ran",
        stream,
        options: opts,
      });
      add(stream ? await lastOfStream(res) : await res.json());
    }
    for (const stream of [false, true]) {
      const res = await s.request("/api/chat", {
        model: "tiny",
        messages: [{ role: "user", content: "Count these tokens" }],
        stream,
        options: opts,
      });
      add(stream ? await lastOfStream(res) : await res.json());
    }
    const oa = await (
      await s.request("/v1/chat/completions", {
        model: "tiny",
        messages: [{ role: "user", content: "And these" }],
        max_tokens: 5,
        temperature: 0,
        seed: 1,
      })
    ).json();
    reported.prompt += oa.usage.prompt_tokens;
    reported.eval += oa.usage.completion_tokens;
    const an = await (
      await s.request("/v1/messages", {
        model: "tiny",
        max_tokens: 5,
        temperature: 0,
        messages: [{ role: "user", content: "And those" }],
      })
    ).json();
    reported.prompt += an.usage.input_tokens;
    reported.eval += an.usage.output_tokens;
    for (const input of ["first text", ["second text", "third text"]]) {
      const e = await (await s.request("/api/embed", { model: "embed", input })).json();
      reported.embedPrompt += e.prompt_eval_count;
    }

    // Records are counted once each answer has been sent: wait for the last one.
    const after = await waitFor(
      () => scrape(s.url),
      (t) =>
        (sample(t, `tsllm_request_duration_seconds_count{model="${EMBED}",endpoint="/api/embed"}`) ?? 0) >= 2,
    );
    const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    const m = `{model="${TINY}"}`;
    const processed = delta(`tsllm_prompt_tokens_total${m}`);
    const cached = delta(`tsllm_prompt_cached_tokens_total${m}`);
    expect(processed + cached).toBe(reported.prompt);
    expect(cached).toBeGreaterThan(0);
    expect(delta(`tsllm_generated_tokens_total${m}`)).toBe(reported.eval);
    expect(delta(`tsllm_prompt_tokens_total{model="${EMBED}"}`)).toBe(reported.embedPrompt);
    // llama-server's names carry the same runner counts.
    expect(delta(`llamacpp:prompt_tokens_total${m}`)).toBe(processed);
    expect(delta(`llamacpp:prompt_tokens_cached_total${m}`)).toBe(cached);
    expect(delta(`llamacpp:tokens_predicted_total${m}`)).toBe(reported.eval);
    expect(delta(`llamacpp:prompt_seconds_total${m}`)).toBeGreaterThan(0);
    expect(delta(`llamacpp:tokens_predicted_seconds_total${m}`)).toBeGreaterThan(0);
    expect(sample(after, `llamacpp:n_decode_total${m}`)).toBeGreaterThan(0);

    // Histograms: one observation per request.
    const count = (endpoint: string, model = TINY) =>
      delta(`tsllm_request_duration_seconds_count{model="${model}",endpoint="${endpoint}"}`);
    expect(count("/api/generate")).toBe(3);
    expect(count("/api/chat")).toBe(2);
    expect(count("/v1/chat/completions")).toBe(1);
    expect(count("/v1/messages")).toBe(1);
    expect(count("/api/embed", EMBED)).toBe(2);
    expect(delta(`tsllm_request_queue_duration_seconds_count${m}`)).toBe(7);
    expect(delta(`tsllm_time_to_first_token_seconds_count${m}`)).toBe(7);
    expect(delta(`tsllm_inter_token_latency_seconds_count${m}`)).toBeGreaterThan(0);
    expect(delta(`tsllm_requests_total{model="${TINY}",endpoint="/api/generate",status="200"}`)).toBe(3);

    // Scrape-time gauges.
    expect(sample(after, `tsllm_slots${m}`)).toBe(2);
    expect(sample(after, `tsllm_kv_cache_cells_capacity${m}`)).toBeGreaterThan(0);
    expect(sample(after, `tsllm_kv_cache_cells_used${m}`)).toBeGreaterThan(0);
    expect(sample(after, `llamacpp:kv_cache_tokens${m}`)).toBe(
      sample(after, `tsllm_kv_cache_cells_used${m}`),
    );
    expect(sample(after, "tsllm_models_loaded")).toBe(2);
    expect(samples(after, "tsllm_model_memory_bytes").length).toBeGreaterThan(0);
    expect(samples(after, "tsllm_build_info")[0]).toMatch(/library="cpu"/);
    for (const name of [
      "llamacpp:prompt_tokens_seconds",
      "llamacpp:predicted_tokens_seconds",
      "llamacpp:requests_processing",
      "llamacpp:requests_deferred",
      "llamacpp:n_busy_slots_per_decode",
      "llamacpp:kv_cache_usage_ratio",
    ])
      expect(samples(after, name).length).toBeGreaterThan(0);
    expect(sample(after, `tsllm_model_loads_total{model="${TINY}",result="success"}`)).toBe(1);
  });

  test("/metrics passes promtool check metrics; llama-server's names are apart on /metrics/llamacpp", async () => {
    const own = await scrapePath(s.url);
    const llamacpp = await scrapePath(s.url, "/metrics/llamacpp");
    expect(own).not.toContain("llamacpp:");
    expect(llamacpp.split("\n").filter((l) => l !== "" && !/^(# (HELP|TYPE) )?llamacpp:/.test(l))).toEqual(
      [],
    );
    const tool = promtool(own);
    if (tool === null) {
      console.warn("promtool not found (Debian package prometheus): skipping the promtool check");
      return;
    }
    expect(tool.problems).toEqual([]);
    expect(tool.code).toBe(0);
    // llama-server's own names contain ':', which promtool's linter flags on them and nothing else.
    const theirs = promtool(llamacpp);
    for (const line of theirs?.problems ?? [])
      expect(line).toMatch(/^llamacpp:\S+ metric names should not contain ':'$/);
  });

  test("content type, and no prompts, keys or file paths in labels", async () => {
    await s.request("/api/generate", {
      model: "tiny",
      prompt: "SECRET-PROMPT-MARKER",
      options: { ...GREEDY, num_predict: 1 },
    });
    await s.request("/api/generate?key=SECRET-QUERY-MARKER", { model: "no-such-model", prompt: "x" });
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    await res.arrayBuffer();
    // The unknown model's request is counted without a model label once its answer is sent.
    const text = await waitFor(
      () => scrape(s.url),
      (t) => (sample(t, 'tsllm_requests_total{model="",endpoint="/api/generate",status="404"}') ?? 0) >= 1,
    );
    expect(text).not.toContain("SECRET");
    expect(text).not.toContain("no-such-model");
    expect(text).not.toMatch(/\/(tmp|root|home)\//);
  });
});

describe("an answer the client leaves mid-stream", () => {
  test("still counts the tokens it streamed", async () => {
    const series = `tsllm_generated_tokens_total{model="${TINY}"}`;
    const before = sample(await scrape(s.url), series) ?? 0;
    const done = (t: string) =>
      sample(t, `tsllm_requests_total{model="${TINY}",endpoint="/api/generate",status="200"}`) ?? 0;
    const requestsBefore = done(await scrape(s.url));
    const ctl = new AbortController();
    const res = await fetch(`${s.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        prompt: "Leave early",
        options: { ...GREEDY, num_predict: 100000 },
      }),
      signal: ctl.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = 0;
    let text = "";
    while (seen < 5) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      seen = text.split("\n").filter((l) => l.trim()).length;
    }
    ctl.abort();
    await reader.cancel().catch(() => {});
    const after = await waitFor(
      () => scrape(s.url),
      (t) => done(t) > requestsBefore,
    );
    // At least the lines the client read (one or more tokens each); never the 100,000 asked for.
    const counted = (sample(after, series) ?? 0) - before;
    expect(counted).toBeGreaterThanOrEqual(seen);
    expect(counted).toBeLessThan(100000);
  });
});

describe("/api/slots", () => {
  test("shows a generating slot's progress during a stream", async () => {
    const ctl = new AbortController();
    const res = await fetch(`${s.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        prompt: "A long story about slots",
        options: { ...GREEDY, num_predict: 20000, num_ctx: 2048 },
      }),
      signal: ctl.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the first piece: the slot is generating
    try {
      const slots = await waitFor(
        async () => (await (await s.request("/api/slots", undefined, "GET")).json()) as Json,
        (j) =>
          j.models.some((m: Json) =>
            m.slots?.some((x: Json) => x.state === "generating" && x.generated_tokens > 0),
          ),
      );
      const tiny = slots.models.find((m: Json) => m.name === TINY);
      expect(tiny).toMatchObject({ state: "ready", requests_running: 1, requests_waiting: 0 });
      expect(tiny.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(tiny.kv_cells_total).toBeGreaterThanOrEqual(2048);
      expect(tiny.kv_cells_used).toBeGreaterThan(0);
      const busy = tiny.slots.find((x: Json) => x.state === "generating");
      expect(busy.prompt_tokens).toBeGreaterThan(0);
      expect(busy.prompt_tokens_done).toBe(busy.prompt_tokens);
      expect(busy.n_ctx).toBe(tiny.kv_cells_total);
      expect(busy.cached_tokens).toBeGreaterThanOrEqual(busy.prompt_tokens);
      expect(tiny.slots.length).toBe(2);
      const embed = slots.models.find((m: Json) => m.name === EMBED);
      expect(embed.slots).toEqual([]);
      expect(JSON.stringify(slots)).not.toMatch(/\/(tmp|root|home)\//);
      // The same moment through /metrics: a busy slot.
      const text = await scrape(s.url);
      expect(sample(text, `tsllm_slots_busy{model="${TINY}"}`)).toBe(1);
      expect(sample(text, `tsllm_requests_running{model="${TINY}"}`)).toBe(1);
    } finally {
      ctl.abort();
      await reader.cancel().catch(() => {});
    }
  });
});

describe("access", () => {
  test("API keys protect /metrics and /api/slots", async () => {
    const key = "metrics-test-key-1234567890";
    const k = await startTestServer({ TSLLM_API_KEYS: key });
    try {
      for (const path of ["/metrics", "/metrics/llamacpp", "/api/slots"]) {
        expect((await fetch(`${k.url}${path}`)).status).toBe(401);
        const ok = await fetch(`${k.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
        expect(ok.status).toBe(200);
        await ok.arrayBuffer();
      }
    } finally {
      await k.stop();
    }
  });

  test("TSLLM_METRICS=false: /metrics is not served", async () => {
    const off = await startTestServer({ TSLLM_METRICS: "false" });
    try {
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${off.url}/metrics/llamacpp`)).status).toBe(404);
      expect((await fetch(`${off.url}/api/slots`)).status).toBe(200);
    } finally {
      await off.stop();
    }
  });
});
