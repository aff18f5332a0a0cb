import { readFile } from "node:fs/promises";
import { InvalidInputError } from "../errors.ts";
import { parseTemplate } from "../templates/go-template.ts";
import { digestOf, parseDigest } from "./digest.ts";
import { BlobNotFoundError } from "./errors.ts";
import { storageOp } from "./fs-errors.ts";
import { MediaType } from "./media.ts";
import { shortName } from "./names.ts";
import { encodeConfig, type Layer, type ModelConfig, type StoredMessage } from "./schema.ts";
import type { ModelStore, StoredModel } from "./store.ts";

/** What the GGUF reader says about a weights file. */
export interface DescribedModel {
  family: string;
  families: string[];
  /** Human parameter count, e.g. "8.0B". */
  parameter_size: string;
  /** GGUF file type, e.g. "Q4_0". */
  quantization_level: string;
}

/** Reads a weights blob's details; injected so the store does not depend on the GGUF reader. */
export type DescribeModel = (blobPath: string) => Promise<DescribedModel>;

/**
 * A create request: a base (`from` model name or `model` blob digest; both: the base with `model` as its
 * weights) plus Modelfile overrides.
 */
export interface CreateSpec {
  from?: string;
  /** Digest of a GGUF blob already in the store (with `from`: replaces the base's weights). */
  model?: string;
  projectors?: string[];
  adapters?: string[];
  /** Digest of a draft-model GGUF (speculative decoding); replaces the base's. */
  draft?: string;
  template?: string;
  system?: string;
  license?: string[];
  parameters?: Record<string, unknown>;
  messages?: StoredMessage[];
  renderer?: string;
  parser?: string;
  requires?: string;
}

/** Dependencies and progress callback for createModel. */
export interface CreateOptions {
  describeModel: DescribeModel;
  /** Throws a 400 error for a bad TEMPLATE; defaults to the Go-template parser. */
  validateTemplate?: (template: string) => void;
  /** Receives Ollama's create statuses ("creating new layer sha256:…", "writing manifest"). */
  onStatus?: (status: string) => void;
}

/**
 * Writes layers, config and manifest for `name`, then drops blobs only the replaced manifest used. Every blob
 * the new manifest will reference is pinned until the manifest is written, so a concurrent delete's cleanup
 * cannot remove it in between.
 */
export async function createModel(
  store: ModelStore,
  name: string,
  spec: CreateSpec,
  opts: CreateOptions,
): Promise<StoredModel> {
  const releases: (() => void)[] = [];
  try {
    return await writeModel(store, name, spec, opts, (ds) => releases.push(store.pin(ds)));
  } finally {
    for (const release of releases) release();
  }
}

async function writeModel(
  store: ModelStore,
  name: string,
  spec: CreateSpec,
  opts: CreateOptions,
  hold: (digests: string[]) => void,
): Promise<StoredModel> {
  if (spec.model) hold([parseDigest(spec.model)]);
  for (const d of [...(spec.projectors ?? []), ...(spec.adapters ?? []), ...(spec.draft ? [spec.draft] : [])])
    hold([parseDigest(d)]);
  const status = opts.onStatus ?? (() => {});
  const validate = opts.validateTemplate ?? ((t: string) => void parseTemplate(t));
  const target = await store.resolveName(name);
  const old = await store.manifests.read(target);
  const config: ModelConfig = {
    model_format: "",
    model_family: "",
    model_families: null,
    model_type: "",
    file_type: "",
    renderer: spec.renderer,
    parser: spec.parser,
    requires: spec.requires,
    architecture: "amd64",
    os: "linux",
  };
  let layers: Layer[] = [];
  if (spec.from) {
    const base = await store.get(spec.from, "pull");
    hold(base.stored.manifest.layers.map((l) => l.digest));
    const from = shortName(base.fullName);
    layers = base.stored.manifest.layers.map((l) => ({ ...l, from }));
    config.renderer ||= base.config.renderer;
    config.parser ||= base.config.parser;
    config.requires ||= base.config.requires;
    config.model_format ||= base.config.model_format;
    if (!config.capabilities?.length) config.capabilities = base.config.capabilities;
    // A `model` blob given with `from` (its weights re-quantized) replaces the base's weights layer.
    if (spec.model) {
      const weights = await existing(store, spec.model, MediaType.model);
      layers = layers.map((l) => (l.mediaType === MediaType.model ? weights : l));
    }
  } else if (spec.model) {
    status("parsing GGUF");
    layers.push(await existing(store, spec.model, MediaType.model));
  } else {
    throw new InvalidInputError("neither 'from' or 'files' was specified");
  }
  // New projectors replace the base's (a model has one vision projector).
  if (spec.projectors?.length) layers = layers.filter((l) => l.mediaType !== MediaType.projector);
  for (const d of spec.projectors ?? []) layers.push(await existing(store, d, MediaType.projector));
  for (const d of spec.adapters ?? []) layers.push(await existing(store, d, MediaType.adapter));
  if (spec.draft) {
    layers = layers.filter((l) => l.mediaType !== MediaType.draft);
    layers.push(await existing(store, spec.draft, MediaType.draft));
  }
  for (const l of layers) status(`using existing layer ${l.digest}`);

  for (const l of layers.filter((x) => x.mediaType === MediaType.model)) {
    const d = await opts.describeModel(store.blobs.path(l.digest));
    config.model_format ||= "gguf";
    config.model_family ||= d.family;
    config.model_type ||= d.parameter_size;
    config.file_type ||= d.quantization_level;
    config.model_families = [
      ...(config.model_families ?? []),
      ...(d.families.length ? d.families : [d.family]),
    ];
  }

  const put = async (mediaType: string, data: string): Promise<Layer> => {
    hold([digestOf(data)]);
    const w = await store.blobs.writeBytes(data);
    status(`${w.created ? "creating new layer" : "using existing layer"} ${w.digest}`);
    return { mediaType, digest: w.digest, size: w.size };
  };
  const replace = async (mediaType: string, data: string) => {
    layers = layers.filter(
      (l) =>
        l.mediaType !== mediaType && !(mediaType === MediaType.template && l.mediaType === MediaType.prompt),
    );
    layers.push(await put(mediaType, data));
  };
  if (spec.template) {
    validate(spec.template);
    await replace(MediaType.template, spec.template);
  }
  if (spec.system) await replace(MediaType.system, spec.system);
  for (const l of spec.license ?? []) if (l !== "") layers.push(await put(MediaType.license, l));
  const params = await mergeParams(store, layers, spec.parameters ?? {});
  if (Object.keys(params).length > 0) await replace(MediaType.params, `${JSON.stringify(params)}\n`);
  if (spec.messages?.length) await replace(MediaType.messages, `${JSON.stringify(spec.messages)}\n`);

  const configBytes = encodeConfig(config);
  hold([digestOf(configBytes)]);
  const cfg = await store.blobs.writeBytes(configBytes);
  status("writing manifest");
  await store.manifests.write(
    target,
    { mediaType: MediaType.config, digest: cfg.digest, size: cfg.size },
    layers,
  );
  if (old) {
    await store.removeUnreferenced([old.manifest.config.digest, ...old.manifest.layers.map((l) => l.digest)]);
  }
  return store.get(`${target.host}/${target.namespace}/${target.model}:${target.tag}`);
}

async function existing(store: ModelStore, digest: string, mediaType: string): Promise<Layer> {
  if (!(await store.blobs.has(digest))) throw new BlobNotFoundError(digest);
  return { mediaType, digest: parseDigest(digest), size: await store.blobs.size(digest) };
}

/** New parameters over the inherited params layer; keys sorted as Go encodes maps. */
async function mergeParams(
  store: ModelStore,
  layers: readonly Layer[],
  fresh: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const merged: Record<string, unknown> = {};
  for (const l of layers.filter((x) => x.mediaType === MediaType.params)) {
    const text = await storageOp("read a params layer", () => readFile(store.blobs.path(l.digest), "utf8"));
    Object.assign(merged, JSON.parse(text));
  }
  Object.assign(merged, fresh);
  return Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k]]),
  );
}
