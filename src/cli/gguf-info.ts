/** `tsllm info --model FILE`: what a GGUF file holds, read with the pure-TS reader (no libllama needed). */
import { existsSync, statSync } from "node:fs";
import { TsllmError } from "../errors.ts";
import { architecture, archNumber, getArray, getString, readGguf } from "../gguf/index.ts";
import { GgufError } from "../gguf/errors.ts";
import { fileTypeName } from "../scheduler/layout/file-type.ts";

/** The file is missing, unreadable, or not a model. */
export class ModelFileError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "model_file", status: 400 });
  }
}

/** Prints a summary of a GGUF model file; throws ModelFileError naming what is wrong. */
export async function ggufInfo(path: string): Promise<string> {
  if (!existsSync(path)) throw new ModelFileError(`model file not found: ${path}`);
  if (!statSync(path).isFile()) throw new ModelFileError(`not a file: ${path}`);
  let file: Awaited<ReturnType<typeof readGguf>>;
  try {
    file = await readGguf(path);
  } catch (e) {
    if (e instanceof GgufError) throw new ModelFileError(`${path}: ${e.message}`);
    throw new ModelFileError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const params = file.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const rows: [string, string | number | undefined][] = [
    ["file", path],
    ["gguf version", file.version],
    ["architecture", architecture(file)],
    ["name", getString(file, "general.name")],
    ["parameters", `${(params / 1e6).toFixed(1)}M`],
    ["file type", fileType(file)],
    ["context length", archNumber(file, "context_length")],
    ["embedding length", archNumber(file, "embedding_length")],
    ["layers", archNumber(file, "block_count")],
    ["tensors", file.tensors.length],
    ["vocab size", getArray(file, "tokenizer.ggml.tokens")?.length],
    ["chat template", getString(file, "tokenizer.chat_template") ? "yes" : "no"],
  ];
  return `${rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k.padEnd(18)}${v}`)
    .join("\n")}\n`;
}

function fileType(file: Awaited<ReturnType<typeof readGguf>>): string | undefined {
  const ft = file.metadata["general.file_type"];
  return typeof ft === "number" ? fileTypeName(ft) : undefined;
}
