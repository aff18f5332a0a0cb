/**
 * Tool calling end to end through /api/chat on a real server, per family: Jinja templates (as the GGUF
 * ships them) and Ollama registry Go templates. Random weights write gibberish, so "required" and named
 * choices (the `tool_choice` extension field) rely on the grammar; "auto" must leave a plain answer alone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Ajv from "ajv";
import { goTemplates, toolModels } from "../fixtures/models.ts";
import { type Json, startTestServer, type TestServer } from "./helpers.ts";

const WEATHER = {
  type: "object",
  properties: {
    city: { type: "string", maxLength: 8 },
    unit: { type: "string", enum: ["celsius", "fahrenheit"] },
    days: { type: "integer" },
  },
  required: ["city", "unit"],
};
const TIME = {
  type: "object",
  properties: { tz: { type: "string", enum: ["UTC", "CET"] } },
  required: ["tz"],
};
const tools = [
  {
    type: "function",
    function: { name: "get_weather", description: "Weather in a city", parameters: WEATHER },
  },
  { type: "function", function: { name: "get_time", description: "Time in a zone", parameters: TIME } },
];
const ajv = new Ajv();
const validate: Record<string, (v: unknown) => boolean> = {
  get_weather: ajv.compile(WEATHER),
  get_time: ajv.compile(TIME),
};
const messages = [{ role: "user", content: "What is the weather in Paris?" }];
const options = { temperature: 1, seed: 7, num_predict: 300 };

let s: TestServer;

/** [model name, family, how its template is given] */
const MODELS = [
  ["qwen25-jinja", "hermes", "jinja"],
  ["llama31-go", "llama3", "go"],
  ["mistral-go", "mistral", "go"],
  ["qwen25-go", "hermes", "go"],
  ["llama31-jinja", "llama3", "jinja"],
  ["mistral-jinja", "mistral", "jinja"],
] as const;

beforeAll(async () => {
  s = await startTestServer({ TSLLM_MAX_LOADED_MODELS: "3", TSLLM_NUM_PARALLEL: "1" });
  const [qwen, llama, mistral] = await Promise.all([
    toolModels.qwen25(),
    toolModels.llama31(),
    toolModels.mistral(),
  ]);
  await s.createFrom("qwen25-jinja", qwen);
  await s.createFrom("qwen25-go", qwen, { template: goTemplates.qwen25 });
  await s.createFrom("llama31-jinja", llama);
  await s.createFrom("llama31-go", llama, { template: goTemplates.llama31 });
  await s.createFrom("mistral-jinja", mistral);
  await s.createFrom("mistral-go", mistral, { template: goTemplates.mistral });
}, 600_000);
afterAll(() => s.stop());

async function chatOnce(body: Json): Promise<Json> {
  const r = await s.request("/api/chat", { stream: false, messages, tools, options, ...body });
  expect(r.status).toBe(200);
  return r.json();
}

async function chatStream(body: Json): Promise<Json[]> {
  const r = await s.request("/api/chat", { messages, tools, options, ...body, stream: true });
  expect(r.status).toBe(200);
  return (await r.text())
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Every call has Ollama's shape, an allowed name and schema-valid arguments; indexes count up. */
function expectValidCalls(calls: Json[] | undefined, names = ["get_weather", "get_time"]): void {
  expect(calls?.length ?? 0).toBeGreaterThan(0);
  (calls ?? []).forEach((c, i) => {
    expect(c.id).toMatch(/^call_[a-z0-9]{8}$/);
    expect(c.function.index).toBe(i);
    expect(names).toContain(c.function.name);
    expect({ call: c.function, valid: validate[c.function.name]?.(c.function.arguments) }).toEqual({
      call: c.function,
      valid: true,
    });
  });
}

describe("tool calls through /api/chat", () => {
  for (const [model, family, kind] of MODELS) {
    test(`${model} (${family}, ${kind}): tool_choice required → parsed, schema-valid tool_calls`, async () => {
      const r = await chatOnce({ model, tool_choice: "required" });
      expectValidCalls(r.message.tool_calls);
      if (r.done_reason === "stop") expect(r.message.content).toBe("");
    }, 300_000);
  }

  for (const [model, family] of MODELS.slice(0, 3)) {
    test(`${model} (${family}): streaming, calls arrive before the final chunk`, async () => {
      const chunks = await chatStream({ model, tool_choice: "required" });
      const calls = chunks.flatMap((c) => c.message?.tool_calls ?? []);
      expectValidCalls(calls);
      expect(chunks.slice(0, -1).some((c) => c.message?.tool_calls?.length)).toBe(true);
      expect(chunks.at(-1)?.done).toBe(true);
    }, 300_000);

    test(`${model} (${family}): a named tool_choice calls that function only`, async () => {
      const r = await chatOnce({ model, tool_choice: { type: "function", function: { name: "get_time" } } });
      expectValidCalls(r.message.tool_calls, ["get_time"]);
    }, 300_000);

    test(`${model} (${family}): auto (the default) leaves a plain answer alone`, async () => {
      const r = await chatOnce({ model, options: { ...options, num_predict: 12 } });
      expect(r.done).toBe(true);
      expect(typeof r.message.content).toBe("string");
      if (r.message.tool_calls) expectValidCalls(r.message.tool_calls);
      else expect(r.message.content.length).toBeGreaterThan(0);
      expect(r.eval_count).toBeGreaterThan(0);
    }, 300_000);
  }
});

describe("tool errors are 400s that say what is wrong", () => {
  const expect400 = async (body: Json, want: RegExp) => {
    const r = await s.request("/api/chat", { model: "qwen25-jinja", messages, stream: false, ...body });
    expect(r.status).toBe(400);
    expect((await r.json()).error).toMatch(want);
  };

  test("a named tool_choice that is not among the tools", () =>
    expect400({ tools, tool_choice: { name: "get_wether" } }, /"get_wether"/));

  test("tool_choice required without tools", () => expect400({ tool_choice: "required" }, /needs tools/));

  test("a tool whose parameters are not an object schema", () =>
    expect400(
      { tools: [{ type: "function", function: { name: "f", parameters: { type: "string" } } }] },
      /"f".*object schema/,
    ));

  test("a tool whose schema the grammar converter refuses", () =>
    expect400(
      {
        tools: [
          {
            type: "function",
            function: { name: "g", parameters: { type: "object", properties: { x: { type: "widget" } } } },
          },
        ],
      },
      /"g".*parameters/,
    ));

  test("tool_choice none: tools are not used, the chat is a plain one", async () => {
    const r = await chatOnce({
      model: "qwen25-jinja",
      tool_choice: "none",
      options: { ...options, num_predict: 6 },
    });
    expect(r.message.tool_calls).toBeUndefined();
  }, 300_000);
});
