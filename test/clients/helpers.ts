/**
 * Shared fixtures for the Ollama-ecosystem client tests: a server holding a tool-capable chat model and an
 * embedding model, the tool and output schemas the tests use, and JSON-schema validation of results.
 */
import Ajv2020 from "ajv/dist/2020.js";
import { z } from "zod";
import { GREEDY, type RecipeName, startServerWith, type TestServer } from "../api/helpers.ts";

/** The chat model: Qwen2.5's real Jinja template (Hermes-style tool calls), random weights. */
export const CHAT_MODEL = "qwen";
/** The embedding model (BERT-style). */
export const EMBED_MODEL = "embed";

/** Starts a server and creates CHAT_MODEL, EMBED_MODEL and then `more` (recipe names) in it. */
export function startClientServer(...more: RecipeName[]): Promise<TestServer> {
  return startServerWith([CHAT_MODEL, EMBED_MODEL, ...more]);
}

/** Ollama `options` for deterministic output of at most `numPredict` tokens. */
export function sampling(numPredict: number) {
  return { ...GREEDY, num_predict: numPredict };
}

/** The system prompt of the weather conversation. */
export const WEATHER_SYSTEM = "You are a weather assistant. Use the tools you are given.";
/** The user question of the weather conversation. */
export const WEATHER_QUESTION = "What is the weather in Paris, in celsius?";

/** A system + user conversation that invites a weather tool call. */
export const WEATHER_CHAT = [
  { role: "system" as const, content: WEATHER_SYSTEM },
  { role: "user" as const, content: WEATHER_QUESTION },
];

/** The weather tool's arguments. Strings are bounded so a random-weight model always closes them. */
export const WeatherArgs = z.object({
  city: z.string().max(24).describe("City name"),
  unit: z.enum(["celsius", "fahrenheit"]),
});

/** The weather tool's arguments as a JSON schema (what clients put in `parameters`). */
export const WEATHER_PARAMETERS = z.toJSONSchema(WeatherArgs) as Record<string, unknown>;

/** A structured-output schema with every common keyword: bounded string, enum, bounded integer, boolean, array. */
export const Forecast = z.object({
  city: z.string().max(20),
  unit: z.enum(["celsius", "fahrenheit"]),
  days: z.number().int().min(1).max(7),
  windy: z.boolean(),
  tags: z.array(z.string().max(8)).max(3),
});

/** Forecast as a JSON schema (draft 2020-12, as zod emits it). */
export const FORECAST_SCHEMA = z.toJSONSchema(Forecast) as Record<string, unknown>;

/** Every violation of `schema` by `value` as "path message" lines (empty when valid). */
export function schemaErrors(schema: object, value: unknown): string[] {
  // Zod and the clients emit draft-07 or 2020-12 `$schema`s; the keywords used here mean the same in both.
  const { $schema: _, ...body } = schema as Record<string, unknown>;
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(body);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}

/** Cosine similarity of two vectors. */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/**
 * A fetch that adds tsllm's `tool_choice` extension to every JSON body it posts. Ollama's /api/chat has no
 * way to force a tool call, and clients such as ChatOllama send no such field; a random-weight model only
 * calls a tool when forced, so tests reach the tool-call path through the client's public `fetch` option.
 */
export function fetchWithToolChoice(choice: unknown): typeof fetch {
  const wrapped = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    if (typeof init?.body !== "string") return fetch(input, init);
    const body = { ...JSON.parse(init.body), tool_choice: choice };
    return fetch(input, { ...init, body: JSON.stringify(body) });
  };
  return Object.assign(wrapped, { preconnect: fetch.preconnect }) as typeof fetch;
}
