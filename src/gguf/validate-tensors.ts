/**
 * Tensor-table checks beyond what the reader enforces (it already bounds every shape, type and offset by the
 * file): llama.cpp's gguf loader also requires the tensors to be stored in table order, each at the previous
 * one's end rounded up to the alignment; the model loader refuses tensors for blocks the model lacks; and ggml
 * aborts on tensors mapped off its 32-byte boundary or vectors that are not F32.
 */
import type { GgufFile, GgufTensorInfo } from "./reader.ts";
import { TENSOR_ALIGNMENT } from "./limits.ts";
import { GgmlType, ggmlTypeName } from "./types.ts";

/** The `N` of a `blk.N.` tensor name, or undefined. */
function blockOf(name: string): number | undefined {
  const m = /^blk\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Block tensors must match the block count: llama.cpp builds every block 0…n-1 from its `blk.N.*` tensors and
 * refuses a file with tensors it did not ask for. A file without any tensors (a vocabulary) is left alone.
 */
function blockProblems(file: GgufFile, blockCount: number): string[] {
  if (file.tensors.length === 0) return [];
  const seen = new Array<boolean>(blockCount).fill(false);
  for (const t of file.tensors) {
    const n = blockOf(t.name);
    if (n === undefined) continue;
    if (n >= blockCount) {
      return [`tensor '${t.name}' belongs to block ${n}, but the model has ${blockCount} blocks`];
    }
    seen[n] = true;
  }
  const missing = seen.indexOf(false);
  return missing < 0 ? [] : [`block ${missing} has no tensors, but the model has ${blockCount} blocks`];
}

/** True for tensors llama.cpp adds or multiplies into the F32 activations: vectors, norms, BERT token types. */
function combinedWithActivations(t: GgufTensorInfo): boolean {
  const vector = t.shape.slice(1).every((ne) => ne === 1);
  return vector || t.name.endsWith("_norm.weight") || t.name === "token_types.weight";
}

/**
 * Such tensors must be F32: ggml's CPU add/mul has no kernel for F32 activations with a BF16, F16 or quantized
 * operand and aborts mid-inference (converters and the quantizer always keep them F32).
 */
function typeProblem(file: GgufFile): string | undefined {
  const t = file.tensors.find((x) => x.type !== GgmlType.F32 && combinedWithActivations(x));
  if (!t) return undefined;
  return `tensor '${t.name}' is stored as ${ggmlTypeName(t.type)}, but llama.cpp only computes with F32 norms, biases and vectors`;
}

/** Projection weights: every architecture multiplies activations by them. */
const PROJECTION = /(^|\.)(attn_(q|k|v|qkv|output)|ffn_(up|down|gate)(_exps|_shexp)?|output)\.weight$/;

/** Integer and F64 tensors have no matrix-multiply kernel in ggml: a projection of such a type crashes. */
const NO_MATMUL = new Set<number>([GgmlType.I8, GgmlType.I16, GgmlType.I32, GgmlType.I64, GgmlType.F64]);

function matmulProblem(file: GgufFile): string | undefined {
  const t = file.tensors.find((x) => NO_MATMUL.has(x.type) && PROJECTION.test(x.name));
  if (!t) return undefined;
  return `tensor '${t.name}' is stored as ${ggmlTypeName(t.type)}, which ggml cannot multiply matrices with`;
}

/**
 * Tensor placement and type problems, and tensors of blocks at or past `blockCount` (when it is known).
 */
export function tensorProblems(file: GgufFile, blockCount: number | undefined): string[] {
  const problems: string[] = [];
  const type = typeProblem(file) ?? matmulProblem(file);
  if (type) problems.push(type);
  // The file is memory-mapped and each tensor used where it lies, so the alignment the file claims is not
  // enough: ggml asserts that every tensor starts on a TENSOR_ALIGNMENT boundary of the file.
  const unaligned = file.tensors.find((t) => t.offset % TENSOR_ALIGNMENT !== 0);
  if (unaligned) {
    problems.push(
      `tensor '${unaligned.name}' starts at byte ${unaligned.offset} of the file, not a multiple of ${TENSOR_ALIGNMENT} (general.alignment ${file.alignment} is too small)`,
    );
  }
  let expected = 0;
  for (const t of file.tensors) {
    const rel = t.offset - file.dataOffset;
    if (rel !== expected) {
      problems.push(
        `tensor '${t.name}' data starts at offset ${rel} of the data section, expected ${expected} (tensors must be stored in order, each aligned to ${file.alignment} bytes)`,
      );
      break;
    }
    expected += Math.ceil(t.byteSize / file.alignment) * file.alignment;
  }
  if (blockCount !== undefined) problems.push(...blockProblems(file, blockCount));
  return problems;
}
