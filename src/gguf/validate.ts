/**
 * GGUF validation: everything a runner would trip over, found before one is started. The reader already
 * refuses a file whose counts, lengths, shapes, types or offsets do not fit the file; this adds what llama.cpp
 * checks once the header is parsed (tensor placement, hyper-parameters, vocabulary). Linear in the header.
 */
import { GgufError, InvalidModelFileError, InvalidStoredModelError } from "./errors.ts";
import { type GgufFile, readGguf } from "./reader.ts";
import { attentionProblems } from "./validate-attention.ts";
import { hparamProblems } from "./validate-hparams.ts";
import { tensorProblems } from "./validate-tensors.ts";
import { typeProblems } from "./validate-types.ts";
import { vocabProblems } from "./validate-vocab.ts";

export { blockCount } from "./validate-hparams.ts";

/** What a GGUF holds, as far as validation cares. */
export type GgufKind = "model" | "adapter" | "projector";

/** A LoRA adapter says so in general.type; a vision projector uses the "clip" architecture. */
export function ggufKind(file: GgufFile): GgufKind {
  if (file.metadata["general.type"] === "adapter") return "adapter";
  if (file.metadata["general.architecture"] === "clip") return "projector";
  return "model";
}

/** Every problem found in a parsed GGUF, in check order; empty when llama.cpp should load it. */
export function ggufProblems(file: GgufFile): string[] {
  if (ggufKind(file) !== "model") return tensorProblems(file, undefined);
  const arch = file.metadata["general.architecture"];
  if (typeof arch !== "string" || arch === "") {
    return ["general.architecture is missing", ...tensorProblems(file, undefined)];
  }
  const hparams = hparamProblems(file, arch);
  return [
    ...hparams.problems,
    ...typeProblems(file, arch),
    ...(hparams.blockCount === undefined ? [] : attentionProblems(file, arch, hparams.blockCount)),
    ...tensorProblems(file, hparams.blockCount),
    ...vocabProblems(file),
  ];
}

// Parsed headers are immutable and the model cache hands out the same object for a blob, so a verdict is
// kept per object: a load checks a file once, not on every request. Weak keys: nothing outlives its header.
const verdicts = new WeakMap<GgufFile, readonly string[]>();

/** Throws InvalidModelFileError (400) naming the problems of a parsed GGUF; remembered per parsed file. */
export function validateGguf(file: GgufFile): void {
  let problems = verdicts.get(file);
  if (problems === undefined) {
    problems = ggufProblems(file);
    verdicts.set(file, problems);
  }
  if (problems.length > 0) throw new InvalidModelFileError(problems);
}

/** Reads and validates the GGUF at `path`; every failure is a GgufError (400). */
export async function readValidGguf(path: string): Promise<GgufFile> {
  const file = await readGguf(path);
  validateGguf(file);
  return file;
}

/**
 * A reader or validation failure of a file already in the store, as the server's error: InvalidStoredModelError
 * (500). Anything else is returned unchanged.
 */
export function storedModelError(e: unknown): unknown {
  return e instanceof GgufError ? new InvalidStoredModelError(e.message, { cause: e }) : e;
}

/** validateGguf for a model file already in the store: its problems are InvalidStoredModelError (500). */
export function validateStoredGguf(file: GgufFile): void {
  try {
    validateGguf(file);
  } catch (e) {
    throw storedModelError(e);
  }
}
