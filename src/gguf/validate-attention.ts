/**
 * Attention shapes against the head hyper-parameters, for architectures with plain multi-head attention
 * (separate Q, K and V projections). llama.cpp checks most projection shapes when it creates the tensors, but
 * some architectures declare Q as n_embd wide and reshape it into heads while building the graph (BERT): a head
 * size that does not match then aborts the runner at the first request instead of failing the load.
 */
import type { GgufFile } from "./reader.ts";
import { perLayer, readInt } from "./validate-values.ts";

/** Architectures whose Q/K/V widths are head size × head count (llama.cpp's llama, bert, qwen, gemma). */
const PLAIN_ATTENTION = new Set(["llama", "bert", "qwen2", "qwen3", "gemma", "gemma2", "gemma3"]);

function optionalInt(file: GgufFile, key: string): bigint | undefined {
  const v = file.metadata[key];
  if (v === undefined) return undefined;
  const r = readInt(key, v);
  return r.ok ? r.value : undefined;
}

/** Q/K/V widths and the rotary dimensions against head size and counts; `layers` is the validated count. */
export function attentionProblems(file: GgufFile, arch: string, layers: number): string[] {
  if (!PLAIN_ATTENTION.has(arch)) return [];
  const ignored: string[] = []; // malformed head counts are reported by the hyper-parameter checks
  const heads = perLayer(
    `${arch}.attention.head_count`,
    file.metadata[`${arch}.attention.head_count`],
    layers,
    ignored,
  );
  const kvKey = `${arch}.attention.head_count_kv`;
  const kv = perLayer(kvKey, file.metadata[kvKey], layers, ignored) ?? heads;
  const nEmbd = optionalInt(file, `${arch}.embedding_length`);
  const first = heads?.[0] ?? 0n;
  if (heads === undefined || kv === undefined || nEmbd === undefined || first <= 0n) return [];
  const headK = optionalInt(file, `${arch}.attention.key_length`) ?? nEmbd / first;
  const headV = optionalInt(file, `${arch}.attention.value_length`) ?? nEmbd / first;
  const problems: string[] = [];
  const rot = optionalInt(file, `${arch}.rope.dimension_count`);
  if (rot !== undefined && rot > headK) {
    problems.push(`${arch}.rope.dimension_count ${rot} is larger than the head size ${headK}`);
  }
  const width = new Map(file.tensors.map((t) => [t.name, BigInt(t.shape[1] ?? 1)]));
  for (let i = 0; i < layers; i++) {
    const want: [string, bigint][] = [
      ["attn_q", headK * (heads[i] as bigint)],
      ["attn_k", headK * (kv[i] as bigint)],
      ["attn_v", headV * (kv[i] as bigint)],
    ];
    for (const [proj, n] of want) {
      const name = `blk.${i}.${proj}.weight`;
      const got = width.get(name);
      if (got !== undefined && got !== n) {
        problems.push(`tensor '${name}' has ${got} outputs, but the head hyper-parameters give ${n}`);
        return problems;
      }
    }
  }
  return problems;
}
