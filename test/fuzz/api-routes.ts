/**
 * The API fuzzer's route table: for every route the app serves, a valid base request (written from the
 * routes' TypeBox schemas under src/api/) and optional fields with valid values that mutations combine into
 * valid-but-weird requests. Generating routes keep num_predict ≤ 4 so a valid request is short.
 */
import { createHash } from "node:crypto";
import type { JsonTree } from "./gen-json.ts";
import type { Rng } from "./gen-rng.ts";

/** What generated requests may name: the run's models, a blob the store holds, throwaway model names. */
export interface FuzzContext {
  /** The chat model every generating route uses. */
  chat: string;
  /** The embedding model. */
  embed: string;
  /** The reranker (rank pooling). */
  rerank: string;
  /** A blob digest the store holds (the chat model's weights). */
  chatDigest: string;
  /** Names create/copy/delete may use: the run's own models are never among them. */
  scratch: readonly string[];
  /** The largest huge string a mutation may write (bytes). */
  maxString: number;
  /** A copy of the chat model named for a registry on a closed loopback port (pull and push fail at once). */
  unreachable: string;
}

/** A request before mutation: a concrete path and a JSON body (or raw bytes, or nothing). */
export interface BaseRequest {
  path: string;
  body?: JsonTree;
  raw?: Uint8Array;
}

/** How to fuzz one route. */
export interface RouteSpec {
  /** A valid request. */
  base(rng: Rng, ctx: FuzzContext): BaseRequest;
  /** Optional fields with valid values. */
  extras?(rng: Rng, ctx: FuzzContext): Record<string, unknown>;
  /** For generating routes: true when the body bounds the output to a few tokens. */
  bounded?(body: Record<string, unknown>): boolean;
  /** The kind of the path parameter, for path mutations. */
  param?: "digest" | "model" | "id";
  /** Routes that change the store: model fields only ever take scratch or hostile names. */
  destructive?: boolean;
}

const GREEDY = { temperature: 0, seed: 1, repeat_penalty: 1, num_predict: 4 };
const small = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 64;
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const numPredictBounded = (b: Record<string, unknown>) => small(obj(b.options).num_predict);
const fieldBounded =
  (...fields: string[]) =>
  (b: Record<string, unknown>) =>
    fields.some((f) => small(b[f])) || (fields.every((f) => b[f] === undefined) && numPredictBounded(b));

/** A 1×1 PNG, base64. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const SCHEMA = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
const PARAMS = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const OLLAMA_TOOL = {
  type: "function",
  function: { name: "get_weather", description: "d", parameters: PARAMS },
};
const CALL = { function: { name: "get_weather", arguments: { city: "Paris" } } };
const user = (content: unknown) => ({ role: "user", content });

const ollamaOptional = (rng: Rng) => ({
  keep_alive: rng.pick(["1m", 30, "-1", 0]),
  format: rng.pick(["json", SCHEMA, ""]),
  think: rng.pick([true, false, "high", "low"]),
  logprobs: true,
  top_logprobs: rng.pick([0, 2, 20]),
  truncate: rng.chance(0.5),
  shift: rng.chance(0.5),
  stream: rng.chance(0.5),
});

const chatMessages = () => [
  { role: "system", content: "be brief" },
  user("weather?"),
  { role: "assistant", content: "", tool_calls: [CALL] },
  { role: "tool", content: "sunny", tool_name: "get_weather" },
];

/** Every route's spec, keyed `METHOD /path` exactly as the app registers it. */
export const ROUTES: Record<string, RouteSpec> = {
  "GET /": { base: () => ({ path: "/" }) },
  "HEAD /": { base: () => ({ path: "/" }) },
  "GET /api/version": { base: () => ({ path: "/api/version" }) },
  "HEAD /api/version": { base: () => ({ path: "/api/version" }) },
  "GET /api/tags": { base: () => ({ path: "/api/tags" }) },
  "GET /metrics": { base: () => ({ path: "/metrics" }) },
  "GET /metrics/llamacpp": { base: () => ({ path: "/metrics/llamacpp" }) },
  "GET /api/slots": { base: () => ({ path: "/api/slots" }) },
  "GET /ui": { base: () => ({ path: "/ui" }) },
  "HEAD /ui": { base: () => ({ path: "/ui" }) },
  "GET /ui/*": { base: () => ({ path: "/ui/favicon.svg" }) },
  "HEAD /ui/*": { base: () => ({ path: "/ui/favicon.svg" }) },
  // The registry routes reach only a closed loopback port: every transfer fails at once with Ollama's error.
  "POST /api/pull": {
    base: (rng, c) => ({
      path: "/api/pull",
      body: { model: c.unreachable, insecure: true, stream: true },
    }),
    extras: () => ({ name: "ignored", username: "u", password: "p" }),
  },
  "POST /api/push": {
    base: (rng, c) => ({
      path: "/api/push",
      body: { model: c.unreachable, insecure: true, stream: true },
    }),
    extras: () => ({ name: "ignored", username: "u", password: "p" }),
  },
  "HEAD /api/tags": { base: () => ({ path: "/api/tags" }) },
  "GET /api/ps": { base: () => ({ path: "/api/ps" }) },
  "POST /api/generate": {
    base: (rng, c) => ({
      path: "/api/generate",
      body: { model: c.chat, prompt: "Why is the sky blue?", stream: rng.chance(0.5), options: GREEDY },
    }),
    extras: (rng) => ({
      ...ollamaOptional(rng),
      system: "You are terse.",
      template: "{{ .System }} {{ .Prompt }}",
      context: [1, 2, 3],
      raw: true,
      suffix: "the end",
      images: [PNG],
    }),
    bounded: numPredictBounded,
  },
  "POST /api/chat": {
    base: (rng, c) => ({
      path: "/api/chat",
      body: { model: c.chat, messages: [user("hi")], stream: rng.chance(0.5), options: GREEDY },
    }),
    extras: (rng) => ({
      ...ollamaOptional(rng),
      messages: chatMessages(),
      tools: [OLLAMA_TOOL],
      tool_choice: rng.pick(["auto", "none", "required", { name: "get_weather" }]),
    }),
    bounded: numPredictBounded,
  },
  "POST /api/embed": {
    base: (_rng, c) => ({ path: "/api/embed", body: { model: c.embed, input: ["a", "b"] } }),
    extras: (rng) => ({
      input: rng.pick(["one", [], [""]]),
      truncate: rng.chance(0.5),
      dimensions: rng.pick([1, 8, 100000]),
      keep_alive: "1m",
      options: { num_ctx: 128 },
    }),
  },
  "POST /api/rerank": {
    base: (_rng, c) => ({
      path: "/api/rerank",
      body: { model: c.rerank, query: "what is a fox", documents: ["a fox is an animal", "tea"] },
    }),
    extras: (rng) => ({ top_n: rng.pick([1, 2, 50]), return_documents: rng.chance(0.5), keep_alive: "1m" }),
  },
  "POST /api/embeddings": {
    base: (_rng, c) => ({ path: "/api/embeddings", body: { model: c.embed, prompt: "hello" } }),
    extras: () => ({ keep_alive: 0, options: { num_thread: 1 } }),
  },
  "POST /api/show": {
    base: (_rng, c) => ({ path: "/api/show", body: { model: c.chat } }),
    extras: (_rng, c) => ({ verbose: true, system: "x", name: c.embed, template: "{{ .Prompt }}" }),
  },
  "POST /api/copy": {
    base: (rng, c) => ({ path: "/api/copy", body: { source: c.chat, destination: rng.pick(c.scratch) } }),
    destructive: true,
  },
  "DELETE /api/delete": {
    base: (rng, c) => ({ path: "/api/delete", body: { model: rng.pick(c.scratch) } }),
    extras: (rng, c) => ({ name: rng.pick(c.scratch) }),
    destructive: true,
  },
  "POST /api/create": {
    base: (rng, c) => ({
      path: "/api/create",
      body: { model: rng.pick(c.scratch), from: c.chat, system: "be brief", stream: rng.chance(0.5) },
    }),
    extras: (rng, c) => ({
      template: "{{ .Prompt }}",
      parameters: { num_ctx: 256, stop: ["x"], temperature: 0.1 },
      messages: [user("a"), { role: "assistant", content: "b" }],
      license: ["MIT", "x"],
      files: { "model.gguf": c.chatDigest },
      adapters: {},
      quantize: rng.pick(["q8_0", "q4_0", "Q4_K_M", "f16", "bogus"]),
      renderer: "x",
      parser: "y",
      requires: "0.1.0",
    }),
    destructive: true,
  },
  "HEAD /api/blobs/:digest": {
    base: (_rng, c) => ({ path: `/api/blobs/${c.chatDigest}` }),
    param: "digest",
  },
  "POST /api/blobs/:digest": {
    base: (rng) => {
      const raw = rng.bytes(rng.range(1, 256));
      return { path: `/api/blobs/sha256:${createHash("sha256").update(raw).digest("hex")}`, raw };
    },
    param: "digest",
  },
  "POST /api/tokenize": {
    base: (_rng, c) => ({ path: "/api/tokenize", body: { model: c.chat, text: "hello world" } }),
    extras: () => ({ content: "other", keep_alive: "2m", options: { num_ctx: 512 } }),
  },
  "POST /api/detokenize": {
    base: (_rng, c) => ({ path: "/api/detokenize", body: { model: c.chat, tokens: [15043, 3186] } }),
    extras: () => ({ tokens: [0, 1, 2], keep_alive: "2m" }),
  },
  "POST /v1/messages": {
    base: (rng, c) => ({
      path: "/v1/messages",
      body: { model: c.chat, max_tokens: 4, messages: [user("hi")], temperature: 0, stream: rng.chance(0.5) },
    }),
    extras: (rng) => ({
      system: rng.pick(["be brief", [{ type: "text", text: "be brief" }]]),
      stop_sequences: ["\n"],
      top_k: 5,
      top_p: 0.9,
      tools: [{ name: "get_weather", description: "d", input_schema: PARAMS }],
      tool_choice: rng.pick([{ type: "auto" }, { type: "any" }, { type: "tool", name: "get_weather" }]),
      thinking: { type: "enabled", budget_tokens: 16 },
      metadata: { user_id: "u" },
      messages: [
        user([
          { type: "text", text: "look" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
        ]),
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get_weather", input: {} }] },
        user([{ type: "tool_result", tool_use_id: "t1", content: "sunny" }]),
      ],
    }),
    bounded: fieldBounded("max_tokens"),
  },
  "POST /v1/messages/count_tokens": {
    base: (_rng, c) => ({
      path: "/v1/messages/count_tokens",
      body: { model: c.chat, messages: [user("hi")] },
    }),
    extras: () => ({ system: "x", tools: [{ name: "f", input_schema: PARAMS }] }),
  },
  "POST /v1/chat/completions": {
    base: (rng, c) => ({
      path: "/v1/chat/completions",
      body: { model: c.chat, messages: [user("hi")], max_tokens: 4, temperature: 0, stream: rng.chance(0.5) },
    }),
    extras: (rng) => ({
      tools: [OLLAMA_TOOL],
      tool_choice: rng.pick([
        "auto",
        "required",
        "none",
        { type: "function", function: { name: "get_weather" } },
      ]),
      response_format: rng.pick([
        { type: "json_object" },
        { type: "json_schema", json_schema: { name: "s", schema: SCHEMA } },
      ]),
      logprobs: true,
      top_logprobs: 2,
      stop: ["\n"],
      seed: 1,
      presence_penalty: 1,
      frequency_penalty: -1,
      logit_bias: { "15": -100 },
      stream_options: { include_usage: true },
      reasoning_effort: "low",
      n: 1,
      user: "u",
      keep_alive: "1m",
      max_completion_tokens: 3,
    }),
    bounded: fieldBounded("max_tokens", "max_completion_tokens"),
  },
  "POST /v1/completions": {
    base: (rng, c) => ({
      path: "/v1/completions",
      body: { model: c.chat, prompt: "Once", max_tokens: 4, temperature: 0, stream: rng.chance(0.5) },
    }),
    extras: () => ({
      suffix: "end",
      echo: true,
      logprobs: 2,
      stop: "x",
      raw: true,
      prompt: ["one"],
      seed: 3,
    }),
    bounded: fieldBounded("max_tokens"),
  },
  "POST /v1/rerank": {
    base: (_rng, c) => ({
      path: "/v1/rerank",
      body: { model: c.rerank, query: "tea", documents: [{ text: "green tea" }, "a fox"] },
    }),
    extras: (rng) => ({ top_n: rng.pick([1, 3]), return_documents: rng.chance(0.5) }),
  },
  "POST /v1/embeddings": {
    base: (_rng, c) => ({ path: "/v1/embeddings", body: { model: c.embed, input: "hello" } }),
    extras: (rng) => ({
      input: rng.pick([
        ["a", "b"],
        [1, 2, 3],
        [[1, 2], [3]],
      ]),
      encoding_format: "base64",
      dimensions: 8,
      truncate: true,
    }),
  },
  "GET /v1/models": { base: () => ({ path: "/v1/models" }) },
  "GET /v1/models/*": { base: (_rng, c) => ({ path: `/v1/models/${c.chat}` }), param: "model" },
  "POST /v1/responses": {
    base: (rng, c) => ({
      path: "/v1/responses",
      body: { model: c.chat, input: "hi", max_output_tokens: 4, temperature: 0, stream: rng.chance(0.5) },
    }),
    extras: (rng) => ({
      instructions: "be brief",
      tools: [{ type: "function", name: "get_weather", parameters: PARAMS }],
      text: { format: { type: "json_schema", name: "s", schema: SCHEMA } },
      reasoning: { effort: "low" },
      include: ["message.output_text.logprobs"],
      top_logprobs: 2,
      store: rng.chance(0.5),
      previous_response_id: `resp_${rng.hex(24)}`,
      input: [
        { role: "user", content: [{ type: "input_text", text: "hi" }] },
        { type: "function_call", call_id: "c1", name: "get_weather", arguments: '{"city":"x"}' },
        { type: "function_call_output", call_id: "c1", output: "sunny" },
      ],
    }),
    bounded: fieldBounded("max_output_tokens"),
  },
  "GET /v1/responses/:id": { base: (rng) => ({ path: `/v1/responses/resp_${rng.hex(24)}` }), param: "id" },
  "DELETE /v1/responses/:id": { base: (rng) => ({ path: `/v1/responses/resp_${rng.hex(24)}` }), param: "id" },
};

/** A spec for a route the table does not know yet: its path with parameters filled, an empty JSON body. */
export function fallbackSpec(method: string, path: string): RouteSpec {
  const concrete = path.replace(/:[^/]+/g, "fuzz").replace(/\*/g, "fuzz");
  const hasBody = method !== "GET" && method !== "HEAD";
  return { base: () => ({ path: concrete, ...(hasBody ? { body: {} } : {}) }) };
}
