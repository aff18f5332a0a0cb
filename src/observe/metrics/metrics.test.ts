import { describe, expect, test } from "bun:test";
import type { Scheduler } from "../../scheduler/index.ts";
import { settle, testRequest as req, testScheduler } from "../../scheduler/testing.ts";
import { RequestRecord } from "../request-record.ts";
import { Metrics } from "./index.ts";

/** Both sets (tsllm's and llama-server's names) as one text. */
const renderAll = async (m: Metrics): Promise<string> =>
  (await m.render("tsllm")) + (await m.render("llamacpp"));

/** The value of the sample line `series` (exact name and labels), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function withMetrics(over: Parameters<typeof testScheduler>[0] = {}) {
  let sched: Scheduler | undefined;
  const metrics = new Metrics(
    { version: "1.2.3", llamacppVersion: "v0.5.0", library: "cpu" },
    {
      activity: () => (sched as Scheduler).activity(),
      devices: async () => [{ id: "cpu", name: "CPU", type: "cpu", free: 10, total: 100 }],
    },
  );
  const t = testScheduler({ ...over, events: metrics.schedulerEvents });
  sched = t.sched;
  return { metrics, ...t };
}

describe("metrics from the scheduler", () => {
  test("loads, unloads by reason, evictions, crashes, running and waiting", async () => {
    const { metrics, sched, clock, spawner } = withMetrics({ maxLoadedModels: 1 });
    const a = await sched.acquire(req("/m/a", { name: "a:latest" }));
    const queued = sched.acquire(req("/m/a", { name: "a:latest" }));
    await settle();
    let text = await renderAll(metrics);
    expect(sample(text, 'tsllm_model_loads_total{model="a:latest",result="success"}')).toBe(1);
    expect(sample(text, 'tsllm_model_load_duration_seconds_count{model="a:latest"}')).toBe(1);
    expect(sample(text, 'tsllm_requests_running{model="a:latest"}')).toBe(1);
    expect(sample(text, 'tsllm_requests_waiting{model="a:latest"}')).toBe(1);
    expect(sample(text, 'llamacpp:requests_deferred{model="a:latest"}')).toBe(1);
    expect(sample(text, "tsllm_models_loaded")).toBe(1);
    expect(sample(text, 'tsllm_build_info{version="1.2.3",llamacpp_version="v0.5.0",library="cpu"}')).toBe(1);
    expect(sample(text, 'tsllm_device_memory_total_bytes{device="CPU"}')).toBe(100);

    a.release();
    (await queued).release();
    // Another model with the limit at 1: the idle one is evicted.
    const b = await sched.acquire(req("/m/b", { name: "b:latest" }));
    text = await renderAll(metrics);
    expect(sample(text, 'tsllm_model_unloads_total{model="a:latest",reason="eviction"}')).toBe(1);
    expect(sample(text, 'tsllm_model_evictions_total{model="a:latest",reason="max_loaded_models"}')).toBe(1);
    expect(sample(text, 'tsllm_requests_running{model="a:latest"}')).toBeUndefined(); // gone from the table
    b.release();
    clock.advance(5 * 60_000 + 1);
    await settle();
    text = await renderAll(metrics);
    expect(sample(text, 'tsllm_model_unloads_total{model="b:latest",reason="keep_alive"}')).toBe(1);

    const c = await sched.acquire(req("/m/c", { name: "c:latest" }));
    spawner.for("/m/c")[0]?.crash();
    c.release();
    text = await renderAll(metrics);
    expect(sample(text, 'tsllm_model_unloads_total{model="c:latest",reason="crash"}')).toBe(1);
    expect(sample(text, 'tsllm_runner_crashes_total{model="c:latest"}')).toBe(1);

    spawner.next = new Error("boom");
    await sched.acquire(req("/m/d", { name: "d:latest" })).catch(() => {});
    text = await renderAll(metrics);
    expect(sample(text, 'tsllm_model_loads_total{model="d:latest",result="failure"}')).toBe(1);
  });
});

describe("metrics from finished requests", () => {
  test("a record's runner counts and times land in tsllm_* and llamacpp:* as reported", async () => {
    const { metrics } = withMetrics();
    const r = new RequestRecord("id1", "POST", "/api/generate", 1000);
    r.route = "/api/generate";
    r.status = 200;
    r.model = "m:latest";
    r.queueMs = 5;
    r.token(1010);
    r.token(1020);
    r.token(1040, 2);
    Object.assign(r, { promptTokens: 7, cachedTokens: 3, evalTokens: 4, promptMs: 20, evalMs: 30 });
    metrics.observe(Object.assign(r, { durationMs: 50 }));
    const text = await renderAll(metrics);
    const m = '{model="m:latest"}';
    expect(sample(text, 'tsllm_requests_total{model="m:latest",endpoint="/api/generate",status="200"}')).toBe(
      1,
    );
    expect(sample(text, `tsllm_prompt_tokens_total${m}`)).toBe(7);
    expect(sample(text, `tsllm_prompt_cached_tokens_total${m}`)).toBe(3);
    expect(sample(text, `tsllm_generated_tokens_total${m}`)).toBe(4);
    expect(sample(text, `llamacpp:prompt_tokens_total${m}`)).toBe(7);
    expect(sample(text, `llamacpp:prompt_tokens_cached_total${m}`)).toBe(3);
    expect(sample(text, `llamacpp:tokens_predicted_total${m}`)).toBe(4);
    expect(sample(text, `llamacpp:prompt_seconds_total${m}`)).toBe(0.02);
    expect(sample(text, `llamacpp:tokens_predicted_seconds_total${m}`)).toBe(0.03);
    expect(sample(text, `llamacpp:prompt_tokens_seconds${m}`)).toBe(350);
    expect(sample(text, `llamacpp:predicted_tokens_seconds${m}`)).toBe(100);
    expect(sample(text, `tsllm_time_to_first_token_seconds_sum${m}`)).toBe(0.01);
    expect(sample(text, `tsllm_inter_token_latency_seconds_count${m}`)).toBe(2);
    expect(sample(text, `tsllm_request_queue_duration_seconds_count${m}`)).toBe(1);
    expect(
      sample(text, 'tsllm_request_duration_seconds_sum{model="m:latest",endpoint="/api/generate"}'),
    ).toBe(0.05);
    // The rate gauges cover one scrape interval, as llama-server's.
    expect(sample(await renderAll(metrics), `llamacpp:prompt_tokens_seconds${m}`)).toBe(0);
  });

  test("a request no route took is counted under one label, with no model", async () => {
    const { metrics } = withMetrics();
    const r = Object.assign(new RequestRecord("id2", "GET", "/secret/path?key=x"), { status: 404 });
    metrics.observe(r);
    const text = await renderAll(metrics);
    expect(sample(text, 'tsllm_requests_total{model="",endpoint="unmatched",status="404"}')).toBe(1);
    expect(text).not.toContain("secret");
  });
});
