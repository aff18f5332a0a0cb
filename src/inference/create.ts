/**
 * /api/create (JSON form): a model from an existing one (`from`) or uploaded blobs (`files`), with
 * template/system/parameters/messages/license overrides and optional quantization. Progress statuses
 * stream as Ollama sends them; request mistakes are thrown before the stream starts.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { InvalidInputError } from "../errors.ts";
import { type CreateSpec, createModel, parseDigest, parseName } from "../store/index.ts";
import { parseTemplate } from "../templates/index.ts";
import { Channel } from "../channel.ts";
import type { InferenceDeps } from "./deps.ts";
import { describeBlob } from "./describe.ts";

/** A create request. */
export interface CreateInput {
  model?: string;
  name?: string;
  from?: string;
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  template?: string;
  system?: string;
  license?: string | string[];
  parameters?: Record<string, unknown>;
  messages?: { role: string; content: string }[];
  quantize?: string;
  quantization?: string;
}

/** One progress record. */
export interface CreateProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

const QUANT_TYPES = new Set(
  "f32 f16 bf16 q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k_s q3_k_m q3_k_l q4_k_s q4_k_m q5_k_s q5_k_m q6_k".split(
    " ",
  ),
);

// general.file_type values that can be quantized: F32, F16, BF16.
const QUANTIZABLE: Record<number, string> = { 0: "F32", 1: "F16", 32: "BF16" };

function checkFiles(files: Record<string, string> | undefined): [string, string][] {
  const entries = Object.entries(files ?? {});
  for (const [path, digest] of entries) {
    if (path.startsWith("/") || path.split(/[\\/]/).includes("..") || path === "")
      throw new InvalidInputError("file path must be relative");
    if (!digest) throw new InvalidInputError("invalid digest format");
    parseDigest(digest);
  }
  return entries;
}

/** Validates the request, then streams progress while the model is written. */
export async function create(
  deps: InferenceDeps,
  input: CreateInput,
): Promise<AsyncIterable<CreateProgress>> {
  const name = input.model || input.name;
  if (!name) throw new InvalidInputError("model is required");
  parseName(name);
  const files = checkFiles(input.files);
  const adapters = checkFiles(input.adapters);
  if (!input.from && files.length === 0)
    throw new InvalidInputError("neither 'from' or 'files' was specified");
  if (input.template) parseTemplate(input.template);
  const quantize = input.quantize || input.quantization;
  if (quantize && !QUANT_TYPES.has(quantize.toLowerCase()))
    throw new InvalidInputError(`unsupported quantization type ${quantize}`);
  if (quantize && !deps.quantize) throw new InvalidInputError("quantization is not available");
  const weights = files.find(([p]) => p.endsWith(".gguf")) ?? files[0];
  const out = new Channel<CreateProgress>();
  void (async () => {
    try {
      let model = weights?.[1];
      if (model && quantize) model = await quantizeBlob(deps, model, quantize, (p) => out.push(p));
      const spec: CreateSpec = {
        from: model ? undefined : input.from,
        model,
        adapters: adapters.map(([, d]) => d),
        template: input.template,
        system: input.system,
        license: typeof input.license === "string" ? [input.license] : input.license,
        parameters: input.parameters,
        messages: input.messages,
      };
      await createModel(deps.store, name, spec, {
        describeModel: (path) => describeBlob(deps.cache, path),
        onStatus: (status) => out.push({ status }),
      });
      out.push({ status: "success" });
      out.close();
    } catch (e) {
      out.fail(e);
    }
  })();
  return out;
}

/** Quantizes an F32/F16/BF16 GGUF blob into a new blob; returns its digest. */
async function quantizeBlob(
  deps: InferenceDeps,
  digest: string,
  type: string,
  progress: (p: CreateProgress) => void,
): Promise<string> {
  const input = deps.store.blobs.path(digest);
  const from = QUANTIZABLE[Number((await deps.cache.gguf(input)).metadata["general.file_type"] ?? 0)];
  if (!from) throw new InvalidInputError("quantization is only supported for F16 and F32 models");
  progress({ status: `quantizing ${from} model to ${type.toUpperCase()}` });
  const tmp = join(deps.store.blobs.dir, `.tmp-quantize-${randomBytes(6).toString("hex")}`);
  try {
    await (deps.quantize as NonNullable<InferenceDeps["quantize"]>)(input, tmp, type);
    progress({ status: "verifying conversion" });
    const w = await deps.store.blobs.importFile(tmp);
    return w.digest;
  } finally {
    await rm(tmp, { force: true });
  }
}
