import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseModelfile } from "../modelfile/parse.ts";
import { TemplateParseError } from "../templates/errors.ts";
import { createModel, type DescribeModel } from "./create.ts";
import { BlobNotFoundError, CorruptManifestError, InvalidNameError, ModelNotFoundError } from "./errors.ts";
import { specFromModelfile } from "./from-modelfile.ts";
import { MediaType } from "./media.ts";
import { ModelStore } from "./store.ts";

const describeModel: DescribeModel = async () => ({
  family: "llama",
  families: ["llama"],
  parameter_size: "8.0B",
  quantization_level: "Q4_0",
});

let root: string;
let store: ModelStore;
let weights: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-store-"));
  store = new ModelStore(join(root, "models"));
  weights = join(root, "model.gguf");
  await writeFile(weights, "GGUF fake weights");
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function createFromText(name: string, text: string) {
  const spec = await specFromModelfile(parseModelfile(text), store.blobs, root);
  const statuses: string[] = [];
  const m = await createModel(store, name, spec, { describeModel, onStatus: (s) => statuses.push(s) });
  return { m, statuses };
}

describe("ModelStore", () => {
  test("create writes blobs, config and a Docker v2 manifest in Ollama's layout", async () => {
    const { m, statuses } = await createFromText(
      "mario",
      'FROM ./model.gguf\nTEMPLATE "{{ .Prompt }}"\nSYSTEM be mario\nPARAMETER temperature 0.5\nPARAMETER stop a\nPARAMETER stop b\nMESSAGE user hi\nLICENSE MIT\n',
    );
    const path = join(store.root, "manifests/registry.ollama.ai/library/mario/latest");
    const raw = await readFile(path, "utf8");
    expect(raw.endsWith("}\n")).toBe(true);
    const manifest = JSON.parse(raw);
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe(MediaType.manifest);
    expect(manifest.config.mediaType).toBe(MediaType.config);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual([
      MediaType.model,
      MediaType.template,
      MediaType.system,
      MediaType.license,
      MediaType.params,
      MediaType.messages,
    ]);
    const config = JSON.parse(await readFile(store.blobs.path(manifest.config.digest), "utf8"));
    expect(config).toEqual({
      model_format: "gguf",
      model_family: "llama",
      model_families: ["llama"],
      model_type: "8.0B",
      file_type: "Q4_0",
      architecture: "amd64",
      os: "linux",
    });
    expect(await readFile(store.blobs.path(manifest.layers[4].digest), "utf8")).toBe(
      '{"stop":["a","b"],"temperature":0.5}\n',
    );
    expect(m.name).toBe("mario:latest");
    expect(m.template).toBe("{{ .Prompt }}");
    expect(m.system).toBe("be mario");
    expect(m.messages).toEqual([{ role: "user", content: "hi" }]);
    expect(m.license).toEqual(["MIT"]);
    expect(m.modelPath).toBe(store.blobs.path(manifest.layers[0].digest));
    expect(m.details).toMatchObject({
      format: "gguf",
      family: "llama",
      parameter_size: "8.0B",
      quantization_level: "Q4_0",
    });
    expect(statuses[0]).toBe("parsing GGUF");
    expect(statuses).toContain(`creating new layer ${manifest.layers[1].digest}`);
    expect(statuses.at(-1)).toBe("writing manifest");
    expect((await readdir(store.blobs.dir)).every((f) => f.startsWith("sha256-"))).toBe(true);
  });

  test("FROM another model inherits layers, replaces system, merges params, appends license", async () => {
    await createFromText(
      "base",
      "FROM ./model.gguf\nSYSTEM old\nPARAMETER temperature 0.5\nPARAMETER top_k 10\nLICENSE A\n",
    );
    const { m } = await createFromText(
      "user/derived:v1",
      "FROM base\nSYSTEM new\nPARAMETER temperature 0.9\nLICENSE B\n",
    );
    expect(m.name).toBe("user/derived:v1");
    expect(m.system).toBe("new");
    expect(m.params).toEqual({ temperature: 0.9, top_k: 10 });
    expect(m.license).toEqual(["A", "B"]);
    expect(m.details.parent_model).toBe("base:latest");
    expect(m.details.family).toBe("llama");
  });

  test("list, get, copy and delete with garbage collection", async () => {
    await createFromText("one", "FROM ./model.gguf\nSYSTEM first\n");
    await createFromText("two", "FROM ./model.gguf\nSYSTEM second\n");
    const onePath = join(store.root, "manifests/registry.ollama.ai/library/one/latest");
    await utimes(onePath, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const rows = await store.list();
    expect(rows.map((r) => r.name)).toEqual(["two:latest", "one:latest"]);
    expect(rows[1]?.digest).toMatch(/^[0-9a-f]{64}$/);
    const one = await store.get("one");
    expect(rows[1]?.size).toBe(
      [one.stored.manifest.config, ...one.stored.manifest.layers].reduce((s, l) => s + l.size, 0),
    );

    await store.copy("one", "ns/copied:tag");
    expect((await store.get("ns/copied:tag")).digest).toBe(one.digest);
    await store.delete("one");
    expect(await store.has("one")).toBe(false);
    // The system blob is still used by the copy; nothing is collected yet.
    expect(await store.blobs.has(one.stored.manifest.layers[1]?.digest as string)).toBe(true);
    await store.delete("ns/copied:tag");
    expect(await store.blobs.has(one.stored.manifest.layers[1]?.digest as string)).toBe(false);
    // Weights are shared with "two" and survive.
    expect(await store.blobs.has(one.stored.manifest.layers[0]?.digest as string)).toBe(true);
    expect(await readdir(join(store.root, "manifests/registry.ollama.ai"))).toEqual(["library"]);
    await store.delete("two");
    expect(await store.blobs.list()).toEqual([]);
    expect(await readdir(join(store.root, "manifests"))).toEqual([]);
  });

  test("get answers from memory while nothing changed, and sees changes from this or another process", async () => {
    await createFromText("one", "FROM ./model.gguf\nSYSTEM first\n");
    await createFromText("two", "FROM ./model.gguf\nSYSTEM second\n");
    const a = await store.get("one");
    expect(await store.get("one")).toBe(a);
    // Re-created by this process.
    await createFromText("one", "FROM ./model.gguf\nSYSTEM changed\n");
    expect((await store.get("one")).system).toBe("changed");
    // Rewritten by another process (another serve, or Ollama itself): the file is not what was read.
    const manifests = join(store.root, "manifests/registry.ollama.ai/library");
    await writeFile(join(manifests, "one/latest"), await readFile(join(manifests, "two/latest")));
    expect((await store.get("one")).system).toBe("second");
    // Its weights removed behind its back: the missing blob is reported, not a stale path.
    const weightsPath = (await store.get("one")).modelPath as string;
    await rm(weightsPath);
    expect(await store.get("one").catch((e) => e.constructor.name)).toBe("MissingBlobError");
  });

  test("lookups ignore case and keep the on-disk spelling", async () => {
    await createFromText("MixedCase", "FROM ./model.gguf\n");
    expect((await store.get("mixedcase")).name).toBe("MixedCase:latest");
    await createFromText("MIXEDCASE", "FROM ./model.gguf\nSYSTEM again\n");
    expect((await store.list()).map((r) => r.name)).toEqual(["MixedCase:latest"]);
  });

  test("errors carry Ollama's wording and status", async () => {
    const notFound = await store.get("ghost").catch((e) => e);
    expect(notFound).toBeInstanceOf(ModelNotFoundError);
    expect(notFound.status).toBe(404);
    expect(notFound.message).toBe("model 'ghost' not found");
    expect((await store.get("ghost", "pull").catch((e) => e)).message).toBe(
      'model "ghost" not found, try pulling it first',
    );
    expect((await store.copy("ghost", "x").catch((e) => e)).message).toBe('model "ghost" not found');
    expect((await store.delete("ghost").catch((e) => e)).message).toBe("model 'ghost' not found");
    expect(await store.get("bad name").catch((e) => e)).toBeInstanceOf(InvalidNameError);
    const badTemplate = await createFromText("t", 'FROM ./model.gguf\nTEMPLATE "{{ if }}"\n').catch((e) => e);
    expect(badTemplate).toBeInstanceOf(TemplateParseError);
    expect(badTemplate.status).toBe(400);
    const missingBlob = await createModel(
      store,
      "x",
      { model: `sha256:${"0".repeat(64)}` },
      { describeModel },
    ).catch((e) => e);
    expect(missingBlob).toBeInstanceOf(BlobNotFoundError);
    expect((await createModel(store, "x", {}, { describeModel }).catch((e) => e)).message).toBe(
      "neither 'from' or 'files' was specified",
    );
  });

  test("reads a store laid out by Ollama (pulled manifest with legacy fields)", async () => {
    const layer = await store.blobs.writeBytes("weights");
    const tmpl = await store.blobs.writeBytes("{{ .Prompt }}");
    const cfg = await store.blobs.writeBytes(
      '{"model_format":"gguf","model_family":"qwen2","model_families":["qwen2"],"model_type":"494.03M","file_type":"Q4_K_M","architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
    );
    const dir = join(store.root, "manifests/registry.ollama.ai/library/qwen2.5");
    await mkdir(dir, { recursive: true });
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: { mediaType: MediaType.config, digest: cfg.digest, size: cfg.size },
      layers: [
        { mediaType: MediaType.model, digest: layer.digest, size: layer.size },
        { mediaType: MediaType.template, digest: tmpl.digest, size: tmpl.size },
      ],
    };
    await writeFile(join(dir, "0.5b"), JSON.stringify(manifest, null, 2));
    await writeFile(join(store.root, "manifests/registry.ollama.ai/library/stray-file"), "x");
    const [row] = await store.list();
    expect(row?.name).toBe("qwen2.5:0.5b");
    expect(row?.details).toEqual({
      parent_model: "",
      format: "gguf",
      family: "qwen2",
      families: ["qwen2"],
      parameter_size: "494.03M",
      quantization_level: "Q4_K_M",
    });
    expect((await store.get("qwen2.5:0.5b")).template).toBe("{{ .Prompt }}");
  });

  test("a corrupt manifest is left out of list; reading it names the model, never a path", async () => {
    await createFromText("good", "FROM ./model.gguf\n");
    const dir = join(store.root, "manifests/registry.ollama.ai/library/bad");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "latest"), "{ nope");
    expect((await store.list()).map((m) => m.name)).toEqual(["good:latest"]);
    const err = await store.get("bad").catch((e) => e);
    expect(err).toBeInstanceOf(CorruptManifestError);
    expect(err.message).toBe("corrupt manifest: registry.ollama.ai/library/bad:latest");
    expect(err.message).not.toContain(root);
  });

  test("a host as long as a file name allows is stored; one longer is an invalid name, not ENAMETOOLONG", async () => {
    await createFromText(`${"h".repeat(255)}/ns/m:t`, "FROM ./model.gguf\n");
    expect(await store.has(`${"h".repeat(255)}/ns/m:t`)).toBe(true);
    const err = await createFromText(`${"h".repeat(256)}/ns/m:t`, "FROM ./model.gguf\n").catch((e) => e);
    expect(err).toBeInstanceOf(InvalidNameError);
    expect(err.status).toBe(400);
    expect(err.message).not.toContain(root);
  });

  test("pinned blobs survive a delete's cleanup (a create in progress uses them)", async () => {
    await createFromText("a", "FROM ./model.gguf\nSYSTEM shared\n");
    const a = await store.get("a");
    const release = store.pin(a.stored.manifest.layers.map((l) => l.digest));
    await store.delete("a");
    for (const l of a.stored.manifest.layers) expect(await store.blobs.has(l.digest)).toBe(true);
    release();
    expect(store.pinned(a.stored.manifest.layers[0]?.digest as string)).toBe(false);
  });
});
