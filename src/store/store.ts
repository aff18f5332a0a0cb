import { readFile } from "node:fs/promises";
import { parseDurationMs } from "../config/duration.ts";
import { ENV, type Env } from "../config/env.ts";
import { BlobStore, type BlobStoreOptions } from "./blobs.ts";
import { MissingBlobError, ModelNotFoundError } from "./errors.ts";
import { isErrno, storageError } from "./fs-errors.ts";
import { ManifestStore, referencedDigests, type StoredManifest } from "./manifests.ts";
import { MediaType } from "./media.ts";
import { ResolvedCache } from "./resolved-cache.ts";
import { formatName, type ModelName, parseName, shortName } from "./names.ts";
import { type ModelConfig, normalizeConfig, type StoredMessage } from "./schema.ts";

/** `details` as /api/tags and /api/show report them. */
export interface ModelDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[] | null;
  parameter_size: string;
  quantization_level: string;
}

/** One row of /api/tags. */
export interface ListedModel {
  /** Short display name, e.g. `llama3:latest`. */
  readonly name: string;
  readonly fullName: ModelName;
  readonly modifiedAt: Date;
  /** Sum of layer sizes plus the config size. */
  readonly size: number;
  /** Hex sha256 of the manifest file. */
  readonly digest: string;
  readonly details: ModelDetails;
}

/** Everything a model's manifest resolves to: blob paths plus the small text/JSON layers read in. */
export interface StoredModel extends ListedModel {
  readonly config: ModelConfig;
  readonly modelPath?: string;
  readonly projectorPaths: string[];
  readonly adapterPaths: string[];
  readonly draftPath?: string;
  /** Go TEMPLATE from the template layer; undefined when the model has none. */
  readonly template?: string;
  readonly system?: string;
  /** The params layer (Modelfile PARAMETERs), `{}` when absent. */
  readonly params: Record<string, unknown>;
  readonly messages: StoredMessage[];
  readonly license: string[];
  readonly stored: StoredManifest;
}

/** The model store: Ollama's on-disk layout (`manifests/…`, `blobs/…`) under one root directory. */
export class ModelStore {
  readonly blobs: BlobStore;
  readonly manifests: ManifestStore;
  /** Digests a create in progress uses before its manifest exists: never removed as unreferenced. */
  readonly #pins = new Map<string, number>();
  readonly #resolved = new ResolvedCache<StoredModel>();

  constructor(
    readonly root: string,
    opts: BlobStoreOptions = {},
  ) {
    this.blobs = new BlobStore(root, opts);
    this.manifests = new ManifestStore(root);
  }

  /** A store at `TSLLM_MODELS`; blob uploads stall out after TSLLM_BODY_TIMEOUT. */
  static fromEnv(env: Env): ModelStore {
    const stall = parseDurationMs(env.get(ENV.BODY_TIMEOUT)) ?? parseDurationMs(ENV.BODY_TIMEOUT.default);
    return new ModelStore(env.path(ENV.MODELS), { stallTimeoutMs: Math.max(0, stall ?? 0) });
  }

  /** Keeps `digests` from being removed as unreferenced until the returned release is called. */
  pin(digests: readonly string[]): () => void {
    for (const d of digests) this.#pins.set(d, (this.#pins.get(d) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const d of digests) {
        const n = (this.#pins.get(d) ?? 1) - 1;
        if (n > 0) this.#pins.set(d, n);
        else this.#pins.delete(d);
      }
    };
  }

  /** Ends streamed blob writes in progress (shutdown); each removes its partial file. */
  async close(): Promise<void> {
    await this.blobs.close();
  }

  /** Parses `name` (400 when invalid) and maps it to the casing already on disk. */
  async resolveName(name: string | ModelName): Promise<ModelName> {
    return this.manifests.existingName(typeof name === "string" ? parseName(name) : name);
  }

  /** All models, newest first; a manifest that cannot be parsed is left out (as Ollama's list does). */
  async list(): Promise<ListedModel[]> {
    const all = (await this.manifests.scan()).manifests;
    const rows = await Promise.all(all.map(async (m) => listed(m, await this.readConfig(m))));
    return rows.sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
  }

  /** Resolves a model; ModelNotFoundError (`model 'x' not found`) when it has no manifest. */
  async get(name: string, wording: "single" | "pull" = "single"): Promise<StoredModel> {
    const generation = this.manifests.generation;
    const cached = this.#resolved.get(name, generation);
    if (cached) return cached;
    const m = await this.#read(name, wording);
    const files = [m.modelPath, ...m.projectorPaths, ...m.adapterPaths, m.draftPath];
    const present = files.filter((f): f is string => f !== undefined);
    this.#resolved.set(name, m, generation, this.manifests.path(m.stored.name), present);
    return m;
  }

  async #read(name: string, wording: "single" | "pull"): Promise<StoredModel> {
    const stored = await this.manifests.read(await this.resolveName(name));
    if (!stored) throw new ModelNotFoundError(name, wording);
    const config = await this.readConfig(stored);
    const model = formatName(stored.name);
    const text = (digest: string) => this.#readText(model, digest);
    const m: {
      -readonly [K in keyof StoredModel]?: StoredModel[K];
    } = { projectorPaths: [], adapterPaths: [], params: {}, messages: [], license: [] };
    let parent = "";
    for (const layer of stored.manifest.layers) {
      const path = this.blobs.path(layer.digest);
      if (FILE_LAYERS.has(layer.mediaType) && !(await this.blobs.has(layer.digest)))
        throw new MissingBlobError(model, layer.digest);
      switch (layer.mediaType) {
        case MediaType.model:
          m.modelPath = path;
          parent = layer.from ?? "";
          break;
        case MediaType.projector:
          m.projectorPaths?.push(path);
          break;
        case MediaType.adapter:
          m.adapterPaths?.push(path);
          break;
        case MediaType.draft:
          m.draftPath = path;
          break;
        case MediaType.template:
        case MediaType.prompt:
          m.template = await text(layer.digest);
          break;
        case MediaType.system:
          m.system = await text(layer.digest);
          break;
        case MediaType.params:
          m.params = JSON.parse(await text(layer.digest)) ?? {};
          break;
        case MediaType.messages:
          m.messages = JSON.parse(await text(layer.digest)) ?? [];
          break;
        case MediaType.license:
          m.license?.push(await text(layer.digest));
          break;
      }
    }
    const base = listed(stored, config);
    return {
      ...(m as StoredModel),
      ...base,
      details: { ...base.details, parent_model: parent },
      config,
      stored,
    };
  }

  /** True when `name` is valid and has a manifest. */
  async has(name: string): Promise<boolean> {
    try {
      return (await this.manifests.read(await this.resolveName(name))) !== undefined;
    } catch {
      return false;
    }
  }

  /** Copies the manifest byte for byte; `model "src" not found` (404) when the source is missing. */
  async copy(source: string, destination: string): Promise<void> {
    const dst = await this.resolveName(destination);
    const stored = await this.manifests.read(await this.resolveName(source));
    if (!stored) throw new ModelNotFoundError(source, "quoted");
    await this.manifests.writeRaw(dst, stored.bytes);
  }

  /** Removes the manifest, prunes empty dirs, then deletes blobs no remaining manifest references. */
  async delete(name: string): Promise<void> {
    const n = await this.resolveName(name);
    const stored = await this.manifests.read(n);
    if (!stored) throw new ModelNotFoundError(name, "single");
    await this.manifests.remove(n);
    await this.removeUnreferenced(referencedDigests(stored.manifest));
  }

  /** Deletes those of `candidates` that no manifest references; does nothing if any manifest is unreadable. */
  async removeUnreferenced(candidates: readonly string[]): Promise<string[]> {
    let manifests: StoredManifest[];
    try {
      manifests = await this.manifests.list();
    } catch {
      return [];
    }
    const inUse = new Set(manifests.flatMap((m) => referencedDigests(m.manifest)));
    const removed = [...new Set(candidates)].filter((d) => !inUse.has(d) && !this.#pins.has(d));
    for (const d of removed) await this.blobs.remove(d);
    return removed;
  }

  /** Digests a create in progress holds (see pin). */
  pinned(digest: string): boolean {
    return this.#pins.has(digest);
  }

  async #readText(model: string, digest: string): Promise<string> {
    try {
      return await readFile(this.blobs.path(digest), "utf8");
    } catch (err) {
      if (isErrno(err, "ENOENT")) throw new MissingBlobError(model, digest);
      throw storageError(err, "read a blob");
    }
  }

  private async readConfig(m: StoredManifest): Promise<ModelConfig> {
    if (!m.manifest.config.digest) return normalizeConfig({});
    try {
      return normalizeConfig(JSON.parse(await readFile(this.blobs.path(m.manifest.config.digest), "utf8")));
    } catch {
      return normalizeConfig({});
    }
  }
}

/** Layers handed to runners as file paths: their blobs must exist. */
const FILE_LAYERS = new Set<string>([
  MediaType.model,
  MediaType.projector,
  MediaType.adapter,
  MediaType.draft,
]);

function listed(m: StoredManifest, config: ModelConfig): ListedModel {
  const size = [m.manifest.config, ...m.manifest.layers].reduce((s, l) => s + l.size, 0);
  return {
    name: shortName(m.name),
    fullName: m.name,
    modifiedAt: m.modifiedAt,
    size,
    digest: m.digest,
    details: {
      parent_model: "",
      format: config.model_format,
      family: config.model_family,
      families: config.model_families,
      parameter_size: config.model_type,
      quantization_level: config.file_type,
    },
  };
}
