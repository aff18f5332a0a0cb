/**
 * /api/create (JSON form): a model from an existing one (`from`) or uploaded blobs (`files`), with
 * template/system/parameters/messages/license overrides and optional quantization. Progress statuses
 * stream as Ollama sends them; request mistakes are thrown before the stream starts.
 */
import { rm } from "node:fs/promises";
import { InvalidInputError } from "../errors.ts";
import { GgufError } from "../gguf/errors.ts";
import { validateGguf } from "../gguf/validate.ts";
import {
  BlobNotFoundError,
  type CreateSpec,
  createModel,
  InvalidNameError,
  isValidName,
  MediaType,
  parseDigest,
} from "../store/index.ts";
import { parseTemplate } from "../templates/index.ts";
import { Channel } from "../channel.ts";
import { checkDraft } from "./create-draft.ts";
import { sortFiles } from "./create-files.ts";
import { needsPull, pullBase } from "./create-from.ts";
import type { InferenceDeps } from "./deps.ts";
import { describeBlob } from "./describe.ts";

/** A create request. */
export interface CreateInput {
  model?: string;
  name?: string;
  from?: string;
  files?: Record<string, string>;
  adapters?: Record<string, string>;
  /** Ollama's draft_files: the draft model for speculative decoding (Modelfile DRAFT), one GGUF. */
  draft_files?: Record<string, string>;
  template?: string;
  system?: string;
  license?: string | string[];
  parameters?: Record<string, unknown>;
  messages?: { role: string; content: string }[];
  quantize?: string;
  quantization?: string;
  renderer?: string;
  parser?: string;
  requires?: string;
}

/** One progress record. */
export interface CreateProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/** Quantization types the quantizer takes, by Ollama's upper-case names (Q4_K is Q4_K_M, as in Ollama). */
const QUANT_TYPES = new Set(
  "F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K".split(
    " ",
  ),
);

// general.file_type values that can be quantized: F32 (also when unset), F16, BF16.
const QUANTIZABLE: Record<number, string> = { 0: "F32", 1: "F16", 32: "BF16" };

/** Ollama's texts (server/create.go CreateHandler) for a bad file map. */
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

/** The requested quantization as Ollama spells it, or "" for none; 400 for a type the quantizer lacks. */
function quantizeType(deps: InferenceDeps, input: CreateInput): string {
  const q = (input.quantize || input.quantization || "").toUpperCase();
  if (!q) return "";
  const type = q === "Q4_K" ? "Q4_K_M" : q;
  if (!QUANT_TYPES.has(type))
    throw new InvalidInputError(
      `unsupported quantization type ${q} - supported types are ${[...QUANT_TYPES].join(", ")}`,
    );
  if (!deps.quantize) throw new InvalidInputError("quantization is not available");
  return type;
}

/** The weights blob a quantization starts from, or undefined when it already has the requested type. */
async function quantizeSource(
  deps: InferenceDeps,
  digest: string,
  type: string,
): Promise<{ digest: string; from: string } | undefined> {
  const path = deps.store.blobs.path(digest);
  // A missing blob would surface as the reader's ENOENT, which names the store's path.
  if (!(await deps.store.blobs.has(digest))) throw new BlobNotFoundError(digest);
  const file = await deps.cache.gguf(path);
  // The quantizer runs llama.cpp inside the server process: a file it would abort on must not reach it.
  validateGguf(file);
  const from = QUANTIZABLE[Number(file.metadata["general.file_type"] ?? 0)];
  // Ollama refuses to quantize what is already quantized (server/create.go createModel).
  if (!from) throw new InvalidInputError("quantization is only supported for F16, BF16 and F32 models");
  return from === type ? undefined : { digest, from };
}

/**
 * Refuses (400) an uploaded blob that is not a GGUF llama.cpp can load, and drops it from the store unless a
 * model already uses it, so a rejected upload leaves nothing behind. A missing blob is createModel's to report.
 */
async function checkGgufBlob(deps: InferenceDeps, digest: string): Promise<void> {
  if (!(await deps.store.blobs.has(digest))) return;
  try {
    validateGguf(await deps.cache.gguf(deps.store.blobs.path(digest)));
  } catch (e) {
    if (e instanceof GgufError) await deps.store.removeUnreferenced([parseDigest(digest)]).catch(() => {});
    throw e;
  }
}

/** The digest of a stored model's weights layer (404 when the model is unknown). */
async function weightsOf(deps: InferenceDeps, name: string): Promise<string> {
  const base = await deps.store.get(name, "pull");
  const layer = base.stored.manifest.layers.find((l) => l.mediaType === MediaType.model);
  if (!layer) throw new InvalidInputError("no base model was found");
  return layer.digest;
}

/**
 * Validates the request, then streams progress while the model is written. With `quantize`, the weights
 * (uploaded in `files`, or those of the `from` model) are quantized into a new layer; every other layer of
 * the base is kept. A `from` model missing from the store is pulled first (its progress is part of the stream);
 * `signal` (the client gone) cancels that pull.
 */
export async function create(
  deps: InferenceDeps,
  input: CreateInput,
  signal?: AbortSignal,
): Promise<AsyncIterable<CreateProgress>> {
  const files = checkFiles(input.files);
  const adapters = checkFiles(input.adapters);
  const drafts = checkFiles(input.draft_files);
  const name = input.model || input.name || "";
  if (!isValidName(name)) throw new InvalidNameError("invalid model name");
  if (!input.from && files.length === 0)
    throw new InvalidInputError("neither 'from' or 'files' was specified");
  if (input.from && !isValidName(input.from)) throw new InvalidNameError("invalid model name");
  if (input.template) parseTemplate(input.template);
  const quantize = quantizeType(deps, input);
  // A second FROM (an mmproj GGUF) arrives among the files: it becomes the projector layer.
  const { weights, projectors } = await sortFiles(deps, files);
  // Every uploaded GGUF a runner would load is checked before anything is written: a bad one is a 400 here.
  for (const digest of [
    ...(weights ? [weights[1]] : []),
    ...projectors,
    ...adapters.map(([, d]) => d),
    ...drafts.map(([, d]) => d),
  ])
    await checkGgufBlob(deps, digest);
  // The draft is checked against the weights it will serve (a base still to be pulled: at load instead).
  const stored = input.from && (await deps.store.has(input.from)) ? input.from : undefined;
  const draft = await checkDraft(deps, drafts, weights?.[1] ?? (stored && (await weightsOf(deps, stored))));
  const pull = !weights && (await needsPull(deps, input.from));
  const sourceOf = async () =>
    quantize
      ? await quantizeSource(deps, weights?.[1] ?? (await weightsOf(deps, input.from as string)), quantize)
      : undefined;
  // A base still to be pulled is checked for quantization once it is in the store.
  const checked = pull ? undefined : await sourceOf();
  const out = new Channel<CreateProgress>();
  void (async () => {
    try {
      if (pull) await pullBase(deps, input.from as string, (p) => out.push(p), signal);
      const source = pull ? await sourceOf() : checked;
      let model = weights?.[1];
      if (source) model = await quantizeBlob(deps, source, quantize, (p) => out.push(p));
      const spec: CreateSpec = {
        from: weights ? undefined : input.from,
        model,
        ...(projectors.length ? { projectors } : {}),
        adapters: adapters.map(([, d]) => d),
        ...(draft ? { draft } : {}),
        template: input.template,
        system: input.system,
        license: typeof input.license === "string" ? [input.license] : input.license,
        parameters: input.parameters,
        messages: input.messages,
        renderer: input.renderer,
        parser: input.parser,
        requires: input.requires,
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
  source: { digest: string; from: string },
  type: string,
  progress: (p: CreateProgress) => void,
): Promise<string> {
  progress({ status: `quantizing ${source.from} model to ${type}` });
  // The output is written inside blobs/ (one filesystem, removed at startup if a crash leaves it) and then
  // hashed and renamed in place: no copy of a multi-gigabyte file.
  const tmp = deps.store.blobs.tempPath("quantize");
  try {
    await (deps.quantize as NonNullable<InferenceDeps["quantize"]>)(
      deps.store.blobs.path(source.digest),
      tmp,
      type.toLowerCase(),
    );
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  progress({ status: "verifying conversion" });
  return (await deps.store.blobs.adopt(tmp)).digest;
}
