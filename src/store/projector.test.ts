import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModel } from "./create.ts";
import { MediaType } from "./media.ts";
import { ModelStore } from "./store.ts";
import { describeModel } from "./testing.ts";

let root: string;
let store: ModelStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-projector-"));
  store = new ModelStore(join(root, "models"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("vision projector layers", () => {
  test("a pulled manifest with a projector layer gives the model its projector", async () => {
    const weights = await store.blobs.writeBytes("weights");
    const proj = await store.blobs.writeBytes("mmproj");
    const cfg = await store.blobs.writeBytes('{"model_format":"gguf","model_family":"llama"}');
    const dir = join(store.root, "manifests/registry.ollama.ai/library/llava");
    await mkdir(dir, { recursive: true });
    const layer = (mediaType: string, b: { digest: string; size: number }) => ({ mediaType, ...b });
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config: layer(MediaType.config, cfg),
      layers: [layer(MediaType.model, weights), layer(MediaType.projector, proj)],
    };
    await writeFile(join(dir, "7b"), JSON.stringify(manifest));
    const m = await store.get("llava:7b");
    expect(m.projectorPaths).toEqual([store.blobs.path(proj.digest)]);
    expect(m.modelPath).toBe(store.blobs.path(weights.digest));
  });

  test("create: projectors become projector layers; new ones replace the base's", async () => {
    const weights = await store.blobs.writeBytes("weights");
    const [a, b] = [await store.blobs.writeBytes("mmproj a"), await store.blobs.writeBytes("mmproj b")];
    await createModel(store, "base", { model: weights.digest, projectors: [a.digest] }, { describeModel });
    const base = await store.get("base");
    expect(base.projectorPaths).toEqual([store.blobs.path(a.digest)]);
    await createModel(store, "derived", { from: "base", projectors: [b.digest] }, { describeModel });
    expect((await store.get("derived")).projectorPaths).toEqual([store.blobs.path(b.digest)]);
    await createModel(store, "same", { from: "base", system: "hi" }, { describeModel });
    expect((await store.get("same")).projectorPaths).toEqual([store.blobs.path(a.digest)]);
  });
});
