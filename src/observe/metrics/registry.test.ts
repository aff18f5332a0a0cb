import { describe, expect, test } from "bun:test";
import { escapeLabelValue, formatValue } from "./exposition.ts";
import { Registry } from "./registry.ts";

describe("metrics registry", () => {
  test("counters, gauges and labels in text format", async () => {
    const r = new Registry();
    const c = r.counter("x_requests_total", "Requests\nby \\ status", ["model", "status"]);
    c.labels("a:latest", "200").inc();
    c.labels("a:latest", "200").inc(2);
    c.labels('we"ird\\name\n', "500").inc();
    c.labels("a:latest", "200").inc(-5); // ignored: counters never go down
    r.gauge("x_up", "Up").labels().set(1);
    expect(await r.render()).toBe(
      [
        "# HELP x_requests_total Requests\\nby \\\\ status",
        "# TYPE x_requests_total counter",
        'x_requests_total{model="a:latest",status="200"} 3',
        'x_requests_total{model="we\\"ird\\\\name\\n",status="500"} 1',
        "# HELP x_up Up",
        "# TYPE x_up gauge",
        "x_up 1",
        "",
      ].join("\n"),
    );
  });

  test("histogram buckets are cumulative up to +Inf, with _sum and _count", async () => {
    const r = new Registry();
    const h = r.histogram("x_latency_seconds", "Latency", ["model"], [0.1, 1]);
    const child = h.labels("m");
    for (const v of [0.05, 0.1, 0.5, 2]) child.observe(v);
    expect(await r.render()).toBe(
      [
        "# HELP x_latency_seconds Latency",
        "# TYPE x_latency_seconds histogram",
        'x_latency_seconds_bucket{model="m",le="0.1"} 2',
        'x_latency_seconds_bucket{model="m",le="1"} 3',
        'x_latency_seconds_bucket{model="m",le="+Inf"} 4',
        'x_latency_seconds_sum{model="m"} 2.65',
        'x_latency_seconds_count{model="m"} 4',
        "",
      ].join("\n"),
    );
  });

  test("an unlabelled family always shows its series; a labelled one only once used", async () => {
    const r = new Registry();
    r.counter("x_events_total", "Events");
    r.gauge("x_level", "Level", ["model"]);
    expect(await r.render()).toBe(
      "# HELP x_events_total Events\n# TYPE x_events_total counter\nx_events_total 0\n",
    );
  });

  test("collectors run before each render; reset drops series", async () => {
    const r = new Registry();
    const g = r.gauge("x_loaded", "Loaded", ["model"]);
    let names = ["a", "b"];
    r.onCollect(async () => {
      g.reset();
      for (const n of names) g.labels(n).set(1);
    });
    expect(await r.render()).toContain('x_loaded{model="b"} 1');
    names = ["a"];
    const text = await r.render();
    expect(text).toContain('x_loaded{model="a"} 1');
    expect(text).not.toContain('model="b"');
  });

  test("names and label use are checked", () => {
    const r = new Registry();
    expect(() => r.counter("x_requests", "no _total")).toThrow();
    expect(() => r.gauge("x_slots_total", "a gauge named as a counter")).toThrow();
    expect(() => r.gauge("bad-name", "x")).toThrow();
    expect(() => r.gauge("x_ok", "x", ["__reserved"])).toThrow();
    expect(() => r.histogram("x_h", "x", ["le"], [1])).toThrow();
    expect(() => r.histogram("x_h", "x", [], [2, 1])).toThrow();
    r.gauge("x_twice", "x");
    expect(() => r.gauge("x_twice", "x")).toThrow();
    expect(() => r.gauge("x_labels", "x", ["a"]).labels()).toThrow();
  });

  test("special values and escaping", () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe("+Inf");
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe("-Inf");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(1.5e-7)).toBe("1.5e-7");
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
});
