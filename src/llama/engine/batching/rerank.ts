/**
 * Reranking with a cross-encoder (a context with rank pooling): each (query, document) pair becomes one
 * sequence, built as llama-server's format_prompt_rerank builds it, and its classification head's first
 * output is the document's score. Pairs are scored in batches of several sequences per decode (embedAll).
 */
import { TsllmError } from "../../../errors.ts";
import { native } from "../../ffi/native.ts";
import type { Context } from "../context.ts";
import { POOLING } from "../context.ts";
import type { Model } from "../model.ts";
import { embedAll } from "./embed.ts";

/** llama.h's LLAMA_TOKEN_NULL. */
const NO_TOKEN = -1;

/**
 * How a model pairs a query with a document: its `tokenizer.chat_template.rerank` (`{query}` and
 * `{document}` replaced, special tokens parsed), else `[BOS] query [EOS] [SEP] document [EOS]` with each
 * special token only where the vocabulary adds it (EOS falls back to SEP when the vocabulary has none).
 */
export type RerankFormat =
  | { kind: "template"; template: string }
  | { kind: "pair"; bos: number | null; eos: number | null; sep: number | null };

/** A tokenizer without BOS/EOS added; `parseSpecial` maps special-token text to its token. */
export type PlainTokenizer = (text: string, parseSpecial: boolean) => number[] | Promise<number[]>;

/** A query and document that do not fit one sequence (400), as llama-server refuses them. */
export class RerankInputTooLongError extends TsllmError {
  constructor(index: number, tokens: number, limit: number) {
    super(
      `document ${index} with the query is ${tokens} tokens, more than the context size (${limit} tokens)`,
      { code: "input_too_long", status: 400 },
    );
  }
}

/** A model without rank pooling asked to rerank (400). */
export class NotRerankerError extends TsllmError {
  constructor() {
    super("this model does not support reranking (no rank pooling)", { code: "not_reranker", status: 400 });
  }
}

/** The pairing `model` uses (see RerankFormat). */
export function rerankFormat(model: Model): RerankFormat {
  const template = model.meta("tokenizer.chat_template.rerank");
  if (template !== null && template !== "") return { kind: "template", template };
  const { llama } = native();
  const v = model.vocab.handle;
  const sepId = llama.llama_vocab_sep(v);
  const sep = sepId === NO_TOKEN ? null : sepId;
  const eosId = llama.llama_vocab_eos(v);
  const eos = eosId === NO_TOKEN ? sep : eosId;
  return {
    kind: "pair",
    bos: model.vocab.addBos && model.vocab.bos !== NO_TOKEN ? model.vocab.bos : null,
    eos: llama.llama_vocab_get_add_eos(v) ? eos : null,
    sep: llama.llama_vocab_get_add_sep(v) ? sep : null,
  };
}

/** The token sequence of each (query, document) pair. */
export async function rerankInputs(
  f: RerankFormat,
  query: string,
  documents: readonly string[],
  tokenize: PlainTokenizer,
): Promise<number[][]> {
  if (f.kind === "template") {
    // Replacers as functions: a `$&` in a query or document is text, not a replacement pattern.
    const prompt = (doc: string) =>
      f.template.replaceAll("{query}", () => query).replaceAll("{document}", () => doc);
    const out: number[][] = [];
    for (const doc of documents) out.push(await tokenize(prompt(doc), true));
    return out;
  }
  const some = (t: number | null) => (t === null ? [] : [t]);
  const head = [...some(f.bos), ...(await tokenize(query, false)), ...some(f.eos), ...some(f.sep)];
  const out: number[][] = [];
  for (const doc of documents) out.push([...head, ...(await tokenize(doc, false)), ...some(f.eos)]);
  return out;
}

/**
 * Scores each input with a rank-pooling context; throws when one does not fit a batch or the trained
 * context (a BERT's position table has that many rows: a later position would read past it).
 */
export function rankAll(ctx: Context, inputs: number[][]): number[] {
  if (ctx.pooling !== POOLING.rank) throw new NotRerankerError();
  const trained = ctx.model.nCtxTrain;
  const limit = Math.min(ctx.nCtx, ctx.nBatch, trained > 0 ? trained : ctx.nCtx);
  for (const [i, t] of inputs.entries())
    if (t.length > limit) throw new RerankInputTooLongError(i, t.length, limit);
  return embedAll(ctx, inputs, limit).map((v) => v[0] ?? Number.NaN);
}
