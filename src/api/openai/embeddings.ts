/**
 * POST /v1/embeddings: a string, a list of strings, or token ids (one list or a list of lists; they are
 * detokenized and embedded as text). Vectors are L2-normalised like /api/embed; `dimensions` cuts them,
 * `encoding_format: "base64"` sends little-endian float32 bytes as OpenAI does.
 */
import { Elysia, t } from "elysia";
import { detokenize, embed, type InferenceDeps } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkEmbedContent, limitsOf } from "../limits/index.ts";
import { OpenAIParamError } from "./errors.ts";

/** The request (user accepted and ignored; `options`, `keep_alive`, `truncate` are extensions). */
export const EmbeddingRequest = t.Object({
  model: t.String(),
  input: t.Union([t.String(), t.Array(t.Union([t.String(), t.Integer(), t.Array(t.Integer())]))]),
  encoding_format: t.Optional(t.String()),
  dimensions: t.Optional(t.Integer()),
  truncate: t.Optional(t.Boolean()),
  options: t.Optional(t.Record(t.String(), t.Unknown())),
  keep_alive: t.Optional(t.Union([t.String(), t.Number()])),
});
/** The request. */
export type EmbeddingRequest = typeof EmbeddingRequest.static;

type Input = EmbeddingRequest["input"];

/** The inputs as texts or token-id lists; mixed lists are refused. */
function inputs(input: Input): (string | number[])[] {
  if (typeof input === "string") return [input];
  if (input.length === 0) throw new OpenAIParamError("input", "Invalid 'input': empty array.");
  if (input.every((x) => typeof x === "string")) return input as string[];
  if (input.every((x) => typeof x === "number")) return [input as number[]];
  if (input.every((x) => Array.isArray(x))) {
    if (input.some((x) => (x as number[]).length === 0))
      throw new OpenAIParamError("input", "Invalid 'input': empty token list.");
    return input as number[][];
  }
  throw new OpenAIParamError("input", "Invalid 'input': mix of strings and token ids.");
}

function base64(v: readonly number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString("base64");
}

/** The /v1/embeddings route. */
export function embeddingRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "openai-embeddings" }).post(
    "/v1/embeddings",
    async ({ body, request }) => {
      const format = body.encoding_format ?? "float";
      if (format !== "float" && format !== "base64")
        throw new OpenAIParamError(
          "encoding_format",
          `Invalid value for 'encoding_format' = ${format}. Supported values: ['float', 'base64'].`,
        );
      if (body.dimensions !== undefined && body.dimensions < 1)
        throw new OpenAIParamError("dimensions", "Invalid 'dimensions': must be at least 1.");
      checkEmbedContent(limitsOf(request), body.input);
      const common = { model: body.model, options: body.options, keep_alive: body.keep_alive };
      const texts = await Promise.all(
        inputs(body.input).map(async (x) =>
          typeof x === "string" ? x : (await detokenize(deps, { ...common, tokens: x }, request.signal)).text,
        ),
      );
      const r = await embed(
        deps,
        { ...common, input: texts, dimensions: body.dimensions, truncate: body.truncate },
        request.signal,
      );
      const tokens = r.prompt_eval_count ?? 0;
      return {
        object: "list",
        data: r.embeddings.map((v, index) => ({
          object: "embedding",
          embedding: format === "base64" ? base64(v) : v,
          index,
        })),
        model: r.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
    { body: EmbeddingRequest, parse: jsonBody(EmbeddingRequest) },
  );
}
