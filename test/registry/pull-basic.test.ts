/**
 * Pull against a real docker-registry: exact bytes and progress, present layers skipped, Ollama's error for
 * a missing tag, registries that ignore Range or redirect blobs, and pruning of the previous manifest's layers.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { MediaType, type ModelStore, parseName } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { type SeedLayer, seedModel } from "./harness/seed.ts";
import {
  type PullRig,
  pullCollect,
  pullDeps,
  startRig,
  statusSequence,
  storeFiles,
  tempStore,
} from "./pull-helpers.ts";

const enc = new TextEncoder();
const layers = (weights: Uint8Array): SeedLayer[] => [
  { mediaType: MediaType.model, bytes: weights },
  { mediaType: MediaType.template, bytes: enc.encode("{{ .Prompt }}") },
  { mediaType: MediaType.system, bytes: enc.encode("You are a test.") },
  { mediaType: MediaType.params, bytes: enc.encode('{"temperature":0}') },
];

describe.skipIf(!registryAvailable())("pull", () => {
  let rig: PullRig;
  let tmp: Awaited<ReturnType<typeof tempStore>>;
  let store: ModelStore;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.stop());
  beforeEach(async () => {
    tmp = await tempStore();
    store = tmp.store;
    rig.proxy.reset();
    rig.proxy.intercept(null);
  });
  afterEach(() => tmp.dispose());

  test("into an empty store: the registry's exact bytes, Ollama's progress lines", async () => {
    const weights = randomBytes(3 * 1024 * 1024 + 17);
    const seeded = await seedModel(rig.registry.url, "ns/exact", "v1", layers(weights));
    const { progress, error } = await pullCollect(pullDeps(store, tmp.root), rig.name("ns/exact", "v1"));
    expect(error).toBeUndefined();

    const stored = await store.manifests.read(parseName(rig.name("ns/exact", "v1")));
    expect(new TextDecoder().decode(stored?.bytes)).toBe(seeded.manifest);
    for (const l of seeded.layers) {
      const bytes = await readFile(store.blobs.path(l.digest));
      expect(bytes.length).toBe(l.size);
      expect(`sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`).toBe(l.digest);
    }
    expect((await readFile(store.blobs.path(seeded.layers[0]?.digest as string))).equals(weights)).toBe(true);
    expect(await store.blobs.has(seeded.config)).toBe(true);

    const expected = [
      "pulling manifest",
      ...[...seeded.layers.map((l) => l.digest), seeded.config].map((d) => `pulling ${d.slice(7, 19)}`),
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ];
    expect(statusSequence(progress)).toEqual(expected);
    for (const l of seeded.layers) {
      const lines = progress.filter((p) => p.digest === l.digest);
      expect(lines.at(-1)).toEqual({
        status: `pulling ${l.digest.slice(7, 19)}`,
        digest: l.digest,
        total: l.size,
        completed: l.size,
      });
      for (const p of lines) expect(p.completed ?? 0).toBeLessThanOrEqual(l.size);
    }
    expect(progress[0]).toEqual({ status: "pulling manifest" });
    expect((await store.get(rig.name("ns/exact", "v1"))).system).toBe("You are a test.");
    // No partial or state file is left behind.
    expect((await storeFiles(store)).filter((f) => f.includes("partial") || f.includes(".tmp-"))).toEqual([]);
  });

  test("an empty layer is stored too (no request needed for zero bytes)", async () => {
    const seeded = await seedModel(rig.registry.url, "ns/empty", "latest", [
      ...layers(randomBytes(1024)),
      { mediaType: MediaType.license, bytes: new Uint8Array(0) },
    ]);
    const { error } = await pullCollect(pullDeps(store, tmp.root), rig.name("ns/empty"));
    expect(error).toBeUndefined();
    const empty = seeded.layers.at(-1)?.digest as string;
    expect(await store.blobs.size(empty)).toBe(0);
    expect((await store.get(rig.name("ns/empty"))).license).toEqual([""]);
  });

  test("layers already present are not fetched again", async () => {
    const seeded = await seedModel(rig.registry.url, "ns/present", "latest", layers(randomBytes(1 << 20)));
    const deps = pullDeps(store, tmp.root);
    expect((await pullCollect(deps, rig.name("ns/present"))).error).toBeUndefined();
    rig.proxy.reset();
    const again = await pullCollect(deps, rig.name("ns/present"));
    expect(again.error).toBeUndefined();
    expect(rig.proxy.blobBytes()).toBe(0);
    for (const l of seeded.layers) {
      expect(again.progress).toContainEqual({
        status: `pulling ${l.digest.slice(7, 19)}`,
        digest: l.digest,
        total: l.size,
        completed: l.size,
      });
    }
    expect(again.progress.at(-1)).toEqual({ status: "success" });
  });

  test("a missing tag or model: Ollama's error, status 500, nothing written", async () => {
    await seedModel(rig.registry.url, "ns/tagged", "v1", layers(randomBytes(1024)));
    for (const name of [rig.name("ns/tagged", "nope"), rig.name("ns/never-pushed")]) {
      const { progress, error } = await pullCollect(pullDeps(store, tmp.root), name);
      expect(error?.message).toBe("pull model manifest: file does not exist");
      expect(error?.status).toBe(500);
      expect(progress).toEqual([{ status: "pulling manifest" }]);
    }
    expect(await storeFiles(store)).toEqual([]);
  });

  test("a registry that ignores Range (200 with the whole blob) still works, as one stream", async () => {
    const weights = randomBytes(2 * 1024 * 1024 + 5);
    const seeded = await seedModel(rig.registry.url, "ns/norange", "latest", layers(weights));
    const model = seeded.layers[0]?.digest as string;
    rig.proxy.intercept((method, path) =>
      method === "GET" && path.endsWith(`/blobs/${model}`)
        ? { status: 200, headers: { "content-type": "application/octet-stream" }, body: weights }
        : undefined,
    );
    const { error } = await pullCollect(pullDeps(store, tmp.root), rig.name("ns/norange"));
    expect(error).toBeUndefined();
    expect((await readFile(store.blobs.path(model))).equals(weights)).toBe(true);
    // One stream served the whole blob: one request, not one per part.
    expect(rig.proxy.records.filter((r) => r.digest === model).length).toBe(1);
  });

  test("the previous manifest's layers nothing else uses are pruned; prune:false keeps them", async () => {
    const first = await seedModel(rig.registry.url, "ns/prune", "latest", layers(randomBytes(4096)));
    const deps = pullDeps(store, tmp.root);
    expect((await pullCollect(deps, rig.name("ns/prune"))).error).toBeUndefined();
    const oldModel = first.layers[0]?.digest as string;

    const second = await seedModel(rig.registry.url, "ns/prune", "latest", layers(randomBytes(4096)));
    const { progress, error } = await pullCollect(deps, rig.name("ns/prune"));
    expect(error).toBeUndefined();
    expect(statusSequence(progress).slice(-3)).toEqual([
      "writing manifest",
      "removing unused layers",
      "success",
    ]);
    expect(await store.blobs.has(oldModel)).toBe(false);
    expect(await store.blobs.has(second.layers[0]?.digest as string)).toBe(true);
    // Shared layers (template, system, params, config) stay.
    expect(await store.blobs.has(first.layers[1]?.digest as string)).toBe(true);

    const third = await seedModel(rig.registry.url, "ns/prune", "latest", layers(randomBytes(4096)));
    const keep = await pullCollect({ ...deps, prune: false }, rig.name("ns/prune"));
    expect(keep.error).toBeUndefined();
    expect(statusSequence(keep.progress)).not.toContain("removing unused layers");
    expect(await store.blobs.has(second.layers[0]?.digest as string)).toBe(true);
    expect(await store.blobs.has(third.layers[0]?.digest as string)).toBe(true);
  });

  test("a layer of the previous manifest another model uses, or a pinned one, is never pruned", async () => {
    const first = await seedModel(rig.registry.url, "ns/shared", "latest", layers(randomBytes(4096)));
    const deps = pullDeps(store, tmp.root);
    expect((await pullCollect(deps, rig.name("ns/shared"))).error).toBeUndefined();
    await store.copy(rig.name("ns/shared"), "other:latest");
    const pinnedSeed = await seedModel(rig.registry.url, "ns/pinned", "latest", layers(randomBytes(4096)));
    expect((await pullCollect(deps, rig.name("ns/pinned"))).error).toBeUndefined();
    const release = store.pin([pinnedSeed.layers[0]?.digest as string]);

    await seedModel(rig.registry.url, "ns/shared", "latest", layers(randomBytes(4096)));
    await seedModel(rig.registry.url, "ns/pinned", "latest", layers(randomBytes(4096)));
    expect((await pullCollect(deps, rig.name("ns/shared"))).error).toBeUndefined();
    expect((await pullCollect(deps, rig.name("ns/pinned"))).error).toBeUndefined();
    release();
    expect(await store.blobs.has(first.layers[0]?.digest as string)).toBe(true);
    expect(await store.blobs.has(pinnedSeed.layers[0]?.digest as string)).toBe(true);
  });
});

describe.skipIf(!registryAvailable())("pull through a redirecting front (307 to a CDN)", () => {
  let rig: PullRig;
  let tmp: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    rig = await startRig("redirect");
    tmp = await tempStore();
  });
  afterAll(async () => {
    await rig.stop();
    await tmp.dispose();
  });

  test("parts go straight to the redirect target the first answer revealed", async () => {
    const weights = randomBytes(3 * 1024 * 1024);
    const seeded = await seedModel(rig.registry.url, "ns/cdn", "latest", layers(weights));
    const model = seeded.layers[0]?.digest as string;
    const { error } = await pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/cdn"));
    expect(error).toBeUndefined();
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
    const front = rig.proxy.records.filter((r) => r.listener === "front" && r.digest === model);
    const cdn = rig.proxy.records.filter((r) => r.listener === "cdn" && r.digest === model);
    expect(front.length).toBe(1);
    expect(cdn.length).toBeGreaterThan(1);
    // The registry's credentials never travel to another host.
    expect(cdn.every((r) => !r.authorization)).toBe(true);
  });
});
