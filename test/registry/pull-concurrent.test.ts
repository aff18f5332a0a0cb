/**
 * Concurrent pulls in one process: one download per blob however many pulls (of one model or of models that
 * share a layer) wait for it; a caller that goes away stops only its own wait; the last one leaving stops the
 * download and keeps its partial file for the next pull.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { downloadsFor } from "../../src/registry/pull/downloads.ts";
import type { Progress } from "../../src/registry/types.ts";
import { MediaType, PartialBlob } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { seedModel } from "./harness/seed.ts";
import { type PullRig, pullCollect, pullDeps, startRig, tempStore, until } from "./pull-helpers.ts";

const SIZE = 8 << 20;

describe.skipIf(!registryAvailable())("concurrent pulls", () => {
  let rig: PullRig;
  let weights: Uint8Array;
  let model: string;
  let tmp: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    rig = await startRig();
    weights = randomBytes(SIZE);
    const layers = [{ mediaType: MediaType.model, bytes: weights }];
    model = (await seedModel(rig.registry.url, "ns/one", "latest", layers)).layers[0]?.digest as string;
    await seedModel(rig.registry.url, "ns/two", "latest", [
      ...layers,
      { mediaType: MediaType.system, bytes: new TextEncoder().encode("two") },
    ]);
  });
  afterAll(() => rig.stop());
  beforeEach(async () => {
    tmp = await tempStore();
    rig.proxy.reset();
    rig.proxy.setBudget(1 << 20);
  });
  afterEach(async () => {
    rig.proxy.setBudget(null);
    await tmp.dispose();
  });

  /** Starts a pull and resolves once it is waiting on the model blob (a progress line for it arrived). */
  const start = async (name: string, signal?: AbortSignal) => {
    let seen = false;
    const result = pullCollect(pullDeps(tmp.store, tmp.root), name, {
      signal,
      onProgress: (p: Progress) => {
        if (p.digest === model) seen = true;
      },
    });
    await until(() => seen, `${name} to wait on the model blob`);
    // Wrapped: returning the promise itself from an async function would wait for the pull to end.
    return { result };
  };

  test("two pulls of one model, and a pull of another model sharing its layer: one download", async () => {
    const { result: a } = await start(rig.name("ns/one"));
    const { result: b } = await start(rig.name("ns/one"));
    const { result: c } = await start(rig.name("ns/two"));
    expect(downloadsFor(tmp.store).size).toBe(1);
    rig.proxy.setBudget(null);
    for (const r of await Promise.all([a, b, c])) {
      expect(r.error).toBeUndefined();
      expect(r.progress.at(-1)).toEqual({ status: "success" });
    }
    expect(rig.proxy.blobBytes(model)).toBe(SIZE);
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
    expect(await tmp.store.has(rig.name("ns/one"))).toBe(true);
    expect(await tmp.store.has(rig.name("ns/two"))).toBe(true);
  });

  test("a caller that goes away stops waiting; the other pull completes the shared download", async () => {
    const gone = new AbortController();
    const { result: a } = await start(rig.name("ns/one"), gone.signal);
    const { result: b } = await start(rig.name("ns/one"));
    gone.abort();
    expect((await a).error?.name).toBe("AbortError");
    rig.proxy.setBudget(null);
    const rb = await b;
    expect(rb.error).toBeUndefined();
    expect(rig.proxy.blobBytes(model)).toBe(SIZE);
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
  });

  test("when every caller has gone the download stops, its partial kept; the next pull resumes it", async () => {
    const one = new AbortController();
    const two = new AbortController();
    const { result: a } = await start(rig.name("ns/one"), one.signal);
    const { result: b } = await start(rig.name("ns/two"), two.signal);
    one.abort();
    expect(downloadsFor(tmp.store).size).toBe(1);
    two.abort();
    expect((await a).error?.name).toBe("AbortError");
    expect((await b).error?.name).toBe("AbortError");
    await until(() => downloadsFor(tmp.store).size === 0, "the download to stop");
    const partial = new PartialBlob(tmp.store.blobs, model);
    const saved = (await partial.load(SIZE))?.parts.reduce((s, p) => s + p.done, 0) ?? 0;
    expect(saved).toBeGreaterThan(0);
    expect(await tmp.store.blobs.has(model)).toBe(false);

    rig.proxy.setBudget(null);
    rig.proxy.reset();
    const c = await pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/one"));
    expect(c.error).toBeUndefined();
    expect(rig.proxy.blobBytes(model)).toBeLessThanOrEqual(SIZE - saved + saved * 0.1);
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
  });
});
