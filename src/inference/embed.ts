/** /api/embed (L2-normalised, batched, truncation) and the legacy /api/embeddings (raw vector). */
import { InvalidInputError } from "../errors.ts";
import type { InferenceDeps } from "./deps.ts";
import { BadEmbeddingError, InputTooLongError } from "./errors.ts";
import { keepAliveMs } from "./keep-alive.ts";
import { resolveModel } from "./model.ts";
import { mergeOptions } from "./options.ts";
import { currentRequest } from "../observe/request-record.ts";
import { recordEmbedded } from "./record.ts";
import { nanos, type Scheduled, schedule } from "./schedule.ts";

/** An /api/embed request. */
export interface EmbedInput {
  model?: string;
  input?: unknown;
  truncate?: boolean;
  dimensions?: number;
  keep_alive?: unknown;
  options?: Record<string, unknown>;
}

/** An /api/embed answer. */
export interface EmbedResult {
  model: string;
  embeddings: number[][];
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
}

/** Scales `v` to unit length; throws on NaN/Inf. */
export function normalize(v: readonly number[]): number[] {
  let sum = 0;
  for (const x of v) {
    if (!Number.isFinite(x)) throw new BadEmbeddingError();
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  return norm === 0 ? [...v] : v.map((x) => x / norm);
}

function inputs(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === "") return [];
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) return raw;
  throw new InvalidInputError("invalid input type");
}

async function scheduled(
  deps: InferenceDeps,
  input: EmbedInput,
  route: "embed" | "embeddings",
  signal?: AbortSignal,
) {
  const m = await resolveModel(deps, input.model, route);
  const opts = mergeOptions(m.stored.params, input.options, deps.logger);
  const s: Scheduled = await schedule(deps, m, opts.load, {
    embedding: true,
    keepAliveMs: keepAliveMs(input.keep_alive),
    signal,
  });
  return { m, ...s };
}

/**
 * Embeds every input; vectors are L2-normalised, and cut to `dimensions` (then normalised again) when it is
 * positive and shorter — other values are ignored, as Ollama's EmbedHandler does.
 */
export async function embed(
  deps: InferenceDeps,
  input: EmbedInput,
  signal?: AbortSignal,
): Promise<EmbedResult> {
  const startedAt = performance.now();
  const texts = inputs(input.input);
  const { m, lease, loadNs } = await scheduled(deps, input, "embed", signal);
  try {
    if (texts.length === 0) return { model: m.name, embeddings: [] };
    if (input.truncate === false) {
      for (const t of texts) {
        const ids = await lease.runner.tokenize(t, { addSpecial: true, parseSpecial: true });
        if (ids.length > lease.options.num_ctx) throw new InputTooLongError();
      }
    }
    const record = currentRequest();
    const r = await lease.runner.embedding(texts, signal);
    recordEmbedded(record, r.prompt_n);
    const dims = input.dimensions ?? 0;
    const embeddings = r.embeddings.map((v) => {
      const unit = normalize(v);
      return dims > 0 && dims < unit.length ? normalize(unit.slice(0, dims)) : unit;
    });
    return {
      model: m.name,
      embeddings,
      total_duration: nanos(performance.now() - startedAt),
      load_duration: loadNs,
      prompt_eval_count: r.prompt_n,
    };
  } finally {
    lease.release();
  }
}

/** A legacy /api/embeddings request. */
export interface EmbeddingsInput {
  model?: string;
  prompt?: string;
  keep_alive?: unknown;
  options?: Record<string, unknown>;
}

/** One vector, not normalised; an empty prompt only loads the model. */
export async function embeddings(
  deps: InferenceDeps,
  input: EmbeddingsInput,
  signal?: AbortSignal,
): Promise<{ embedding: number[] }> {
  const { lease } = await scheduled(deps, { ...input, input: undefined }, "embeddings", signal);
  try {
    if (!input.prompt) return { embedding: [] };
    const record = currentRequest();
    const r = await lease.runner.embedding([input.prompt], signal);
    recordEmbedded(record, r.prompt_n);
    const v = r.embeddings[0] ?? [];
    if (v.some((x) => !Number.isFinite(x))) throw new BadEmbeddingError();
    return { embedding: v };
  } finally {
    lease.release();
  }
}
