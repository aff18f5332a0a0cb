/**
 * Requests byte for byte as real clients send them: Ollama's Go client (api/client.go marshalling the
 * api/types.go structs with encoding/json: struct field order, omitempty, `"options":null`, HTML-escaped
 * strings, Duration as "5m0s"/-1, ImageData as base64) and the Vercel AI SDK's Ollama provider
 * (ollama-ai-provider-v2: `max_output_tokens`, `temperature`, `tool_choice` and other fields Ollama ignores).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { goTemplates } from "../fixtures/models.ts";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  const gguf = await models.chat();
  await s.createFrom("tiny", gguf);
  await s.createFrom("toolsy", gguf, { template: goTemplates.mistral });
  await s.createFrom("bge", await models.embed());
});
afterAll(() => s.stop());

const GO_HEADERS = {
  "content-type": "application/json",
  accept: "application/x-ndjson",
  "user-agent": "ollama/0.32.15 (amd64 linux) Go/go1.24.1",
};

/** Sends `body` exactly as given (no re-serialisation). */
async function raw(path: string, body: string, method = "POST"): Promise<{ status: number; json: Json }> {
  const r = await fetch(`${s.url}${path}`, { method, body, headers: GO_HEADERS });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text.trim().split("\n").at(-1) as string) : {} };
}

describe("Ollama's Go client", () => {
  test("GenerateRequest: the load request `ollama run` sends first, with options null", async () => {
    const r = await raw(
      "/api/generate",
      '{"model":"tiny","prompt":"","suffix":"","system":"","template":"","options":null}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "tiny", done: true, done_reason: "load" });
  });

  test("GenerateRequest: every field set, HTML-escaped text, Go duration", async () => {
    const r = await raw(
      "/api/generate",
      '{"model":"tiny","prompt":"Say \\u003chi\\u003e \\u0026 bye","suffix":"","system":"You are terse.",' +
        '"template":"","stream":false,"keep_alive":"5m0s",' +
        '"options":{"num_predict":2,"repeat_penalty":1,"seed":1,"temperature":0},"think":false,' +
        '"truncate":true,"shift":true,"logprobs":true,"top_logprobs":2}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "tiny", done: true, eval_count: 2 });
    expect(r.json.logprobs).toHaveLength(2);
    expect(r.json.logprobs[0].top_logprobs).toHaveLength(2);
  });

  test("GenerateRequest: streamed (stream omitted), with a context from an earlier answer", async () => {
    const first = await raw(
      "/api/generate",
      '{"model":"tiny","prompt":"Hi","suffix":"","system":"","template":"","stream":false,' +
        '"options":{"num_predict":1,"temperature":0}}',
    );
    const context = JSON.stringify(first.json.context);
    const r = await raw(
      "/api/generate",
      `{"model":"tiny","prompt":"again","suffix":"","system":"","template":"","context":${context},` +
        '"options":{"num_predict":1,"temperature":0}}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ done: true, eval_count: 1 });
  });

  test('`think` variants: false is accepted; true and "high" ask a model that cannot think', async () => {
    const body = (think: string) =>
      `{"model":"tiny","prompt":"x","suffix":"","system":"","template":"","stream":false,` +
      `"options":{"num_predict":1},"think":${think}}`;
    expect((await raw("/api/generate", body("false"))).status).toBe(200);
    for (const think of ["true", '"high"']) {
      const r = await raw("/api/generate", body(think));
      expect([r.status, r.json.error]).toEqual([400, '"tiny" does not support thinking']);
    }
    const levels = '"high", "medium", "low", "max", true, or false';
    const bad = await raw("/api/generate", body('"extreme"'));
    expect([bad.status, bad.json.error]).toEqual([400, `invalid think value: "extreme" (must be ${levels})`]);
    const wrong = await raw("/api/generate", body("5"));
    expect([wrong.status, wrong.json.error]).toEqual([400, `think must be a boolean or string (${levels})`]);
    expect((await raw("/api/generate", body("null"))).status).toBe(200);
  });

  test("ChatRequest as `ollama run` sends it (options {}, no stream field)", async () => {
    const r = await raw(
      "/api/chat",
      '{"model":"tiny","messages":[{"role":"user","content":"hello"}],"options":{"num_predict":2}}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "tiny", done: true, message: { role: "assistant" } });
  });

  test("ChatRequest with tools, a tool call in history and its result", async () => {
    const r = await raw(
      "/api/chat",
      '{"model":"toolsy","messages":[{"role":"user","content":"What is the weather in Paris?"},' +
        '{"role":"assistant","content":"","tool_calls":[{"function":{"index":0,"name":"get_weather",' +
        '"arguments":{"city":"Paris"}}}]},{"role":"tool","content":"sunny","tool_name":"get_weather"}],' +
        '"stream":false,"tools":[{"type":"function","function":{"name":"get_weather",' +
        '"description":"Get the weather","parameters":{"type":"object","required":["city"],' +
        '"properties":{"city":{"type":"string","description":"The city"}}}}}],' +
        '"options":{"num_predict":3,"temperature":0},"think":false}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "toolsy", done: true, message: { role: "assistant" } });
  });

  test("ChatRequest with a tool whose parameters have no properties (Go writes null)", async () => {
    const r = await raw(
      "/api/chat",
      '{"model":"toolsy","messages":[{"role":"user","content":"now?"}],"stream":false,' +
        '"tools":[{"type":"function","function":{"name":"now","parameters":{"type":"object","properties":null}}}],' +
        '"options":{"num_predict":2}}',
    );
    expect(r.status).toBe(200);
  });

  test("EmbedRequest and EmbeddingRequest, with a negative keep_alive as Go marshals it (-1)", async () => {
    const many = await raw("/api/embed", '{"model":"bge","input":["hello","world"],"options":null}');
    expect(many.status).toBe(200);
    expect(many.json.embeddings).toHaveLength(2);
    const one = await raw(
      "/api/embed",
      '{"model":"bge","input":"hello","keep_alive":-1,"truncate":false,"dimensions":8,"options":null}',
    );
    expect(one.json.embeddings[0]).toHaveLength(8);
    const legacy = await raw("/api/embeddings", '{"model":"bge","prompt":"hello","options":null}');
    expect(legacy.json.embedding).toHaveLength(384);
  });

  test("ShowRequest: by `name` (as `ollama run` asks) and verbose", async () => {
    const byName = await raw(
      "/api/show",
      '{"model":"","system":"","template":"","verbose":false,"options":null,"name":"tiny"}',
    );
    expect(byName.status).toBe(200);
    expect(byName.json.details.family).toBe("llama");
    const verbose = await raw(
      "/api/show",
      '{"model":"tiny","system":"","template":"","verbose":true,"options":null,"name":""}',
    );
    expect(verbose.json.model_info["tokenizer.ggml.tokens"]).toHaveLength(32000);
  });

  test("CreateRequest, CopyRequest, DeleteRequest", async () => {
    const created = await raw(
      "/api/create",
      '{"model":"derived","from":"tiny","system":"Be brief.","parameters":{"temperature":0.5},"name":""}',
    );
    expect(created.json).toEqual({ status: "success" });
    const copied = await fetch(`${s.url}/api/copy`, {
      method: "POST",
      body: '{"source":"derived","destination":"derived-copy"}',
      headers: GO_HEADERS,
    });
    expect([copied.status, await copied.text()]).toEqual([200, ""]);
    const deleted = await fetch(`${s.url}/api/delete`, {
      method: "DELETE",
      body: '{"model":"derived-copy","name":""}',
      headers: GO_HEADERS,
    });
    expect([deleted.status, await deleted.text()]).toEqual([200, ""]);
    expect((await s.client.list()).models.map((m) => m.name)).toContain("derived:latest");
  });

  test("fields of other requests (PullRequest's insecure/username/password) and newer ones are ignored", async () => {
    const r = await raw(
      "/api/show",
      '{"model":"tiny","insecure":true,"username":"","password":"","stream":false,"name":"",' +
        '"remote_host":"","draft_quantize":"","info":{"capabilities":["vision"]}}',
    );
    expect(r.status).toBe(200);
    const create = await raw(
      "/api/create",
      '{"model":"derived2","stream":false,"draft_quantize":"","from":"tiny","remote_host":"",' +
        '"draft_files":{},"info":{"model_family":"llama"},"name":""}',
    );
    expect(create.json).toEqual({ status: "success" });
  });
});

describe("lenient decoding", () => {
  test("null is unset at every depth and unknown fields are ignored at every depth", async () => {
    const r = await raw(
      "/api/chat",
      JSON.stringify({
        model: "tiny",
        messages: [
          {
            role: "user",
            content: "hi",
            images: null,
            tool_calls: null,
            thinking: null,
            future_field: { nested: [1, null] },
          },
        ],
        stream: false,
        format: null,
        keep_alive: null,
        tools: null,
        options: { num_predict: 1, temperature: null, not_an_option: null },
        think: null,
        truncate: null,
        shift: null,
        logprobs: null,
        top_logprobs: null,
        new_top_level: { a: [null, { b: 1 }] },
      }),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ done: true, eval_count: 1 });
  });

  test("field names match case-insensitively, as Go's decoder does", async () => {
    const r = await raw(
      "/api/generate",
      '{"Model":"tiny","Prompt":"x","Stream":false,"Options":{"num_predict":1}}',
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "tiny", eval_count: 1 });
  });

  test("a null body is an empty request", async () => {
    const r = await raw("/api/chat", "null");
    expect([r.status, r.json.error]).toEqual([400, "model is required"]);
  });
});

describe("Vercel AI SDK ollama provider (ollama-ai-provider-v2)", () => {
  test("its /api/chat body: max_output_tokens, temperature, top_p, tool_choice and typed tool calls", async () => {
    const body = {
      model: "toolsy",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: { city: "Paris" } },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"type":"text","value":"sunny"}' },
      ],
      temperature: 0,
      top_p: 0.9,
      max_output_tokens: 4,
      think: false,
      options: { num_predict: 4 },
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather in a city",
            parameters: {
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
              additionalProperties: false,
              $schema: "http://json-schema.org/draft-07/schema#",
            },
          },
        },
      ],
      tool_choice: "auto",
      stream: false,
    };
    const r = await raw("/api/chat", JSON.stringify(body));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ model: "toolsy", done: true, message: { role: "assistant" } });
  });

  test("its /api/embed body", async () => {
    const r = await raw("/api/embed", JSON.stringify({ model: "bge", input: ["a", "b"], dimensions: 4 }));
    expect(r.json.embeddings.map((v: number[]) => v.length)).toEqual([4, 4]);
  });
});
