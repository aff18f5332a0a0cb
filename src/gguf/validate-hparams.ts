/**
 * Hyper-parameter checks: the `<arch>.*` keys llama.cpp's load_hparams reads, against its own limits. Many of
 * these are GGML_ASSERTs there (block_count, expert counts, rope scaling type): a file breaking them aborts
 * the process that loads it instead of failing the load, so they must never reach a runner.
 */
import { LLAMA_MAX_EXPERTS, LLAMA_MAX_LAYERS, U32_MAX } from "./limits.ts";
import type { GgufFile } from "./reader.ts";
import { maxOf, perLayer, readInt } from "./validate-values.ts";

/** llama.cpp's LLAMA_ROPE_SCALING_TYPES names. */
const ROPE_SCALING_TYPES = new Set(["none", "linear", "yarn", "longrope"]);

/** What the hyper-parameter checks found, with the numbers later checks use when they are sound. */
export interface HparamsResult {
  problems: string[];
  /** The validated block count, undefined when missing or out of range. */
  blockCount?: number;
}

/**
 * `<arch>.block_count` as a layer count in 1…LLAMA_MAX_LAYERS, or a problem. Exported for the planner, which
 * sizes per-layer arrays by it and must refuse before it allocates.
 */
export function blockCount(
  metadata: Record<string, unknown>,
  arch: string,
): { count: number; problem?: undefined } | { count?: undefined; problem: string } {
  const key = `${arch}.block_count`;
  const v = metadata[key];
  if (v === undefined) return { problem: `${key} is missing` };
  const r = readInt(key, v);
  if (!r.ok) return { problem: r.problem };
  if (r.value < 0n) return { problem: `${key} ${r.value} is negative` };
  if (r.value === 0n) return { problem: `${key} is 0; a model needs at least one layer` };
  if (r.value > BigInt(LLAMA_MAX_LAYERS)) {
    return { problem: `${key} ${r.value} is larger than llama.cpp's limit of ${LLAMA_MAX_LAYERS} layers` };
  }
  return { count: Number(r.value) };
}

/** A required or optional integer key within [min, max]; pushes a problem and returns undefined otherwise. */
function bounded(
  file: GgufFile,
  key: string,
  min: bigint,
  max: bigint,
  problems: string[],
  required: boolean,
): bigint | undefined {
  const v = file.metadata[key];
  if (v === undefined) {
    if (required) problems.push(`${key} is missing`);
    return undefined;
  }
  const r = readInt(key, v);
  if (!r.ok) {
    problems.push(r.problem);
    return undefined;
  }
  if (r.value < min || r.value > max) {
    problems.push(`${key} ${r.value} is out of range (${min}…${max})`);
    return undefined;
  }
  return r.value;
}

const U32 = BigInt(U32_MAX);

function headProblems(file: GgufFile, arch: string, layers: number, nEmbd: bigint | undefined): string[] {
  const problems: string[] = [];
  const headKey = `${arch}.attention.head_count`;
  const kvKey = `${arch}.attention.head_count_kv`;
  const heads = perLayer(headKey, file.metadata[headKey], layers, problems);
  const kv = perLayer(kvKey, file.metadata[kvKey], layers, problems) ?? heads;
  if (heads === undefined) return problems;
  if (heads.some((h) => h < 0n || h > U32)) problems.push(`${headKey} is out of range (0…${U32})`);
  if (kv?.some((h) => h < 0n || h > U32)) problems.push(`${kvKey} is out of range (0…${U32})`);
  if (problems.length > 0) return problems;
  for (let i = 0; i < layers; i++) {
    const h = heads[i] as bigint;
    const k = kv?.[i] ?? h;
    // Grouped-query attention broadcasts each KV head over a whole group of query heads.
    if (h > 0n && k > 0n && h % k !== 0n) {
      problems.push(`layer ${i} has ${h} attention heads, not a multiple of its ${k} KV heads (${kvKey})`);
      break;
    }
  }
  // Without an explicit key length, llama.cpp derives the head size as n_embd / n_head (layer 0's).
  const first = heads[0] ?? 0n;
  const explicit = file.metadata[`${arch}.attention.key_length`] !== undefined;
  if (nEmbd !== undefined && first > 0n && !explicit && nEmbd % first !== 0n) {
    problems.push(`${arch}.embedding_length ${nEmbd} is not divisible by ${headKey} ${first}`);
  }
  return problems;
}

function expertProblems(file: GgufFile, arch: string, layers: number): string[] {
  const problems: string[] = [];
  const nExpert = bounded(file, `${arch}.expert_count`, 0n, BigInt(LLAMA_MAX_EXPERTS), problems, false) ?? 0n;
  const usedKey = `${arch}.expert_used_count`;
  const used = perLayer(usedKey, file.metadata[usedKey], layers, problems);
  const groups = bounded(file, `${arch}.expert_group_count`, 0n, U32, problems, false) ?? 0n;
  const groupUsed = bounded(file, `${arch}.expert_group_used_count`, 0n, U32, problems, false) ?? 0n;
  if (problems.length > 0) return problems;
  const usedMax = used === undefined ? 0n : maxOf(used);
  if (usedMax > nExpert)
    problems.push(`${usedKey} ${usedMax} is larger than ${arch}.expert_count ${nExpert}`);
  else if (nExpert > 0n) {
    if (usedMax === 0n) problems.push(`${arch}.expert_count is ${nExpert} but ${usedKey} is 0`);
    if (groups >= nExpert)
      problems.push(`${arch}.expert_group_count ${groups} is not below the expert count`);
    else if (groups > 1n) {
      if (nExpert % groups !== 0n) problems.push(`${arch}.expert_count is not a multiple of the group count`);
      if (groupUsed === 0n || groupUsed >= groups) {
        problems.push(`${arch}.expert_group_used_count ${groupUsed} must be in 1…${groups - 1n}`);
      }
    }
  } else if (groups !== 0n) {
    problems.push(`${arch}.expert_group_count is ${groups} in a model without experts`);
  }
  return problems;
}

/** Checks the architecture's hyper-parameters; `arch` is general.architecture. */
export function hparamProblems(file: GgufFile, arch: string): HparamsResult {
  const problems: string[] = [];
  const blocks = blockCount(file.metadata, arch);
  if (blocks.problem !== undefined) problems.push(blocks.problem);
  const nEmbd = bounded(file, `${arch}.embedding_length`, 1n, U32, problems, true);
  bounded(file, `${arch}.context_length`, 1n, U32, problems, true);
  const layers = blocks.count;
  if (layers !== undefined) {
    problems.push(...headProblems(file, arch, layers, nEmbd));
    problems.push(...expertProblems(file, arch, layers));
    bounded(file, `${arch}.nextn_predict_layers`, 0n, BigInt(layers), problems, false);
  }
  // llama_pooling_type: NONE, MEAN, CLS, LAST, RANK. Other values abort the embedding graph.
  bounded(file, `${arch}.pooling_type`, 0n, 4n, problems, false);
  const rope = file.metadata[`${arch}.rope.scaling.type`];
  if (rope !== undefined && (typeof rope !== "string" || !ROPE_SCALING_TYPES.has(rope))) {
    problems.push(
      `${arch}.rope.scaling.type ${JSON.stringify(rope)} is not one of ${[...ROPE_SCALING_TYPES].join(", ")}`,
    );
  }
  return { problems, blockCount: layers };
}
