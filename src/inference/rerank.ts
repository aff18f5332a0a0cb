/**
 * Reranking (/api/rerank, /v1/rerank): scores each document against a query with a cross-encoder reranker
 * (a GGUF with rank pooling) and answers in llama-server's shape (Jina's and Cohere's): results sorted by
 * relevance_score, highest first, cut to top_n. Scores are the classification head's raw output, as
 * llama-server reports them (no sigmoid). A query and document longer than the context together are refused
 * by the runner (400), as llama-server refuses them, never truncated.
 */
import { InvalidInputError } from "../errors.ts";
import { currentRequest } from "../observe/request-record.ts";
import type { InferenceDeps } from "./deps.ts";
import { CapabilityError } from "./errors.ts";
import { keepAliveMs } from "./keep-alive.ts";
import { resolveModel } from "./model.ts";
import { mergeOptions } from "./options.ts";
import { recordEmbedded } from "./record.ts";
import { BadScoreError, NoDocumentsError, TooManyDocumentsError } from "./rerank-errors.ts";
import { nanos, schedule } from "./schedule.ts";

/** A document as sent: its text, or an object holding it (Cohere's and Jina's `{ text }`). */
export type RerankDocument = string | { text: string; [k: string]: unknown };

/** A rerank request, after the route's schema check. */
export interface RerankInput {
  model?: string;
  query: string;
  documents?: RerankDocument[];
  top_n?: number;
  return_documents?: boolean;
  keep_alive?: unknown;
  options?: Record<string, unknown>;
}

/** The document limit and the setting that sets it (for the error). */
export interface RerankLimit {
  maxDocuments: number;
  setting: string;
}

/** One ranked document. */
export interface RerankItem {
  index: number;
  relevance_score: number;
  /** With return_documents: the document as sent (a string becomes `{ text }`). */
  document?: Record<string, unknown>;
}

/** A rerank answer. */
export interface RerankResult {
  model: string;
  object: "list";
  results: RerankItem[];
  usage: { prompt_tokens: number; total_tokens: number };
  total_duration: number;
  load_duration: number;
}

/** The texts of `docs`, checked: 1 to `limit` of them. */
export function documentTexts(docs: readonly RerankDocument[] | undefined, limit: RerankLimit): string[] {
  if (!docs || docs.length === 0) throw new NoDocumentsError();
  if (docs.length > limit.maxDocuments)
    throw new TooManyDocumentsError(docs.length, limit.maxDocuments, limit.setting);
  return docs.map((d) => (typeof d === "string" ? d : d.text));
}

/** The results in score order (ties keep document order), at most `topN`. */
export function rankResults(
  scores: readonly number[],
  docs: readonly RerankDocument[],
  topN: number | undefined,
  withDocuments: boolean,
): RerankItem[] {
  const items = scores.map((relevance_score, index): RerankItem => {
    if (!Number.isFinite(relevance_score)) throw new BadScoreError(index);
    if (!withDocuments) return { index, relevance_score };
    const d = docs[index] as RerankDocument;
    return { index, relevance_score, document: typeof d === "string" ? { text: d } : d };
  });
  items.sort((a, b) => b.relevance_score - a.relevance_score);
  return topN === undefined ? items : items.slice(0, topN);
}

/** Scores every document against the query with the model's runner. */
export async function rerank(
  deps: InferenceDeps,
  input: RerankInput,
  limit: RerankLimit,
  signal?: AbortSignal,
): Promise<RerankResult> {
  const startedAt = performance.now();
  const texts = documentTexts(input.documents, limit);
  if (input.top_n !== undefined && input.top_n < 1) throw new InvalidInputError("top_n must be at least 1");
  const m = await resolveModel(deps, input.model, "embed");
  if (!m.capabilities.includes("rerank")) throw new CapabilityError(m.name, "reranking");
  const opts = mergeOptions(m.stored.params, input.options, deps.logger);
  const { lease, loadNs } = await schedule(deps, m, opts.load, {
    embedding: true,
    keepAliveMs: keepAliveMs(input.keep_alive),
    signal,
  });
  try {
    if (!lease.runner.rerank) throw new CapabilityError(m.name, "reranking");
    const record = currentRequest();
    const r = await lease.runner.rerank(input.query, texts, signal);
    const tokens = r.tokens.reduce((n, t) => n + t, 0);
    recordEmbedded(record, tokens);
    return {
      model: m.name,
      object: "list",
      results: rankResults(r.scores, input.documents ?? [], input.top_n, input.return_documents === true),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
      total_duration: nanos(performance.now() - startedAt),
      load_duration: loadNs,
    };
  } finally {
    lease.release();
  }
}
