import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { GREEDY, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

describe("/api/generate", () => {
  test("streams pieces, then a final chunk with nanosecond metrics and context", async () => {
    const stream = await s.client.generate({
      model: "tiny",
      prompt: "Once upon a time",
      stream: true,
      options: { ...GREEDY, num_predict: 8 },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks.slice(0, -1)) {
      expect(c.done).toBe(false);
      expect(typeof c.response).toBe("string");
      expect(c.model).toBe("tiny");
    }
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe("length");
    expect(last?.eval_count).toBe(8);
    expect(last?.prompt_eval_count).toBeGreaterThan(0);
    for (const k of ["total_duration", "load_duration", "prompt_eval_duration", "eval_duration"] as const) {
      expect(Number.isInteger(last?.[k])).toBe(true);
    }
    expect(last?.total_duration).toBeGreaterThan(last?.eval_duration ?? 0);
    expect(last?.context?.length).toBe((last?.prompt_eval_count ?? 0) + 8);
    expect(new Date(last?.created_at ?? "").getTime()).toBeGreaterThan(0);
  });

  test("stream:false returns the same text as the stream, in one object", async () => {
    const req = { model: "tiny", prompt: "The weather today is", options: { ...GREEDY, num_predict: 12 } };
    const streamed = await s.client.generate({ ...req, stream: true });
    let text = "";
    for await (const c of streamed) text += c.response;
    const whole = await s.client.generate({ ...req, stream: false });
    expect(whole.response).toBe(text);
    expect(whole.done).toBe(true);
    expect(whole.eval_count).toBe(12);
  });

  test("context from a previous answer continues the conversation", async () => {
    const first = await s.client.generate({
      model: "tiny",
      prompt: "Hi",
      options: { ...GREEDY, num_predict: 4 },
    });
    const second = await s.client.generate({
      model: "tiny",
      prompt: "And then?",
      context: first.context,
      options: { ...GREEDY, num_predict: 4 },
    });
    expect(second.prompt_eval_count).toBeGreaterThan(first.context.length);
  });

  test("raw prompts skip the template and return no context", async () => {
    const r = await s.request("/api/generate", {
      model: "tiny",
      prompt: "abc",
      raw: true,
      stream: false,
      options: { ...GREEDY, num_predict: 2 },
    });
    const body = await r.json();
    expect(r.status).toBe(200);
    expect(body.context).toBeUndefined();
    expect(body.prompt_eval_count).toBeLessThan(6);
    const bad = await s.request("/api/generate", { model: "tiny", prompt: "x", raw: true, system: "s" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("raw mode does not support template, system, or context");
  });

  test("an empty prompt loads the model; with keep_alive 0 it unloads it", async () => {
    const load = await s.request("/api/generate", { model: "tiny" });
    expect(await load.json()).toMatchObject({
      model: "tiny",
      response: "",
      done: true,
      done_reason: "load",
    });
    expect((await s.client.ps()).models.map((m) => m.name)).toContain("tiny:latest");
    const unload = await s.request("/api/generate", { model: "tiny", keep_alive: 0 });
    expect(await unload.json()).toMatchObject({ done: true, done_reason: "unload" });
    expect((await s.client.ps()).models).toEqual([]);
  });

  test("keep_alive accepts durations and seconds; a bad one is a 400", async () => {
    for (const keep_alive of ["1h30m", 600, "-1", -1]) {
      const r = await s.request("/api/generate", { model: "tiny", keep_alive });
      expect(r.status).toBe(200);
    }
    const forever = (await s.client.ps()).models[0];
    expect(new Date(forever?.expires_at ?? 0).getFullYear()).toBeGreaterThan(2200);
    const bad = await s.request("/api/generate", { model: "tiny", keep_alive: "soon" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('time: invalid duration "soon"');
  });

  test("format as a JSON schema yields JSON that matches it", async () => {
    const schema = Type.Object({
      ok: Type.Boolean(),
      color: Type.Union([Type.Literal("red"), Type.Literal("green"), Type.Literal("blue")]),
      count: Type.Integer(),
      tags: Type.Array(Type.String({ maxLength: 6 }), { maxItems: 2 }),
      inner: Type.Object({ n: Type.Null(), x: Type.Optional(Type.Number()) }),
    });
    const r = await s.client.generate({
      model: "tiny",
      prompt: "Describe the sky as JSON",
      format: JSON.parse(JSON.stringify(schema)),
      stream: false,
      options: { ...GREEDY, num_predict: 400 },
    });
    expect(r.done_reason).toBe("stop");
    const value = JSON.parse(String(r.response));
    expect(Value.Check(schema, value)).toBe(true);
  });

  test('format "json" yields parseable JSON; an invalid format is a 400', async () => {
    const r = await s.client.generate({
      model: "tiny",
      prompt: "JSON please",
      format: "json",
      stream: false,
      options: { ...GREEDY, num_predict: 60 },
    });
    if (r.done_reason === "stop") expect(() => JSON.parse(String(r.response))).not.toThrow();
    else expect(String(r.response).trimStart()).toMatch(/^[[{"\-0-9tfn]/);
    const bad = await s.request("/api/generate", { model: "tiny", prompt: "x", format: "yaml" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toContain("invalid format");
  }, 30_000);

  test("a Modelfile TEMPLATE and SYSTEM set through create are used", async () => {
    await s.createFrom("templated", await models.chat(), {
      template: "{{ if .System }}<<{{ .System }}>> {{ end }}Q: {{ .Prompt }} A:",
      system: "sys",
      parameters: { num_predict: 3, temperature: 0 },
    });
    const r = await s.client.generate({ model: "templated", prompt: "hello" });
    expect(r.eval_count).toBe(3);
    const tokens = await s.request("/api/tokenize", { model: "templated", text: "<<sys>> Q: hello A:" });
    expect(r.prompt_eval_count).toBe((await tokens.json()).tokens.length);
  });
});
