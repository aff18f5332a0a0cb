/**
 * Interrupted pulls: a caller's abort or a SIGKILL mid-blob resumes from the saved state and re-fetches
 * almost nothing; cut and stalled transfers are retried from where they stopped and never accepted short.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { downloadsFor } from "../../src/registry/pull/downloads.ts";
import { MediaType, PartialBlob, type PartialState } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { type Seeded, seedModel } from "./harness/seed.ts";
import {
  type PullRig,
  pullCollect,
  pullDeps,
  startRig,
  storeFiles,
  tempStore,
  until,
} from "./pull-helpers.ts";

const SIZE = 16 << 20;
const BUDGET = 6 << 20;

async function savedBytes(partial: PartialBlob): Promise<number> {
  try {
    const state = JSON.parse(await readFile(partial.statePath, "utf8")) as PartialState;
    return state.parts.reduce((s, p) => s + p.done, 0);
  } catch {
    return 0;
  }
}

describe.skipIf(!registryAvailable())("pull resume and retries", () => {
  let rig: PullRig;
  let seeded: Seeded;
  let weights: Uint8Array;
  let model: string;
  let tmp: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    rig = await startRig();
    weights = randomBytes(SIZE);
    seeded = await seedModel(rig.registry.url, "ns/big", "latest", [
      { mediaType: MediaType.model, bytes: weights },
    ]);
    model = seeded.layers[0]?.digest as string;
  });
  afterAll(() => rig.stop());
  beforeEach(async () => {
    tmp = await tempStore();
    rig.proxy.reset();
  });
  afterEach(async () => {
    rig.proxy.setBudget(null);
    await tmp.dispose();
  });

  const expectPulled = async () => {
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
    expect((await storeFiles(tmp.store)).filter((f) => f.includes("partial"))).toEqual([]);
  };

  test("aborted mid-blob by its caller, then pulled again: continues where it stopped", async () => {
    // The model's bytes are capped (the config, fetched early, is not).
    rig.proxy.setBudget(BUDGET, model);
    const abort = new AbortController();
    let completed = 0;
    const first = pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/big"), {
      signal: abort.signal,
      onProgress: (p) => {
        if (p.digest === model) completed = p.completed ?? 0;
      },
    });
    // Every byte the proxy let through is on disk (gathered bytes are written after a short pause).
    await until(() => completed === BUDGET, "the budget's bytes to be written");
    abort.abort();
    const { error } = await first;
    expect(error?.name).toBe("AbortError");
    await until(() => downloadsFor(tmp.store).size === 0, "the abandoned download to stop");
    const saved = await savedBytes(new PartialBlob(tmp.store.blobs, model));
    expect(saved).toBe(BUDGET);
    expect(await tmp.store.manifests.read(await tmp.store.resolveName(rig.name("ns/big")))).toBeUndefined();

    rig.proxy.setBudget(null);
    rig.proxy.reset();
    const again = await pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/big"));
    expect(again.error).toBeUndefined();
    const refetched = rig.proxy.blobBytes(model) - (SIZE - saved);
    expect(refetched).toBeLessThan(saved * 0.1);
    // The resumed pull reports the saved bytes as completed from its first line on.
    const firstLine = again.progress.find((p) => p.digest === model);
    expect(firstLine?.completed ?? 0).toBeGreaterThanOrEqual(saved);
    await expectPulled();
  });

  test("a pulling process killed with SIGKILL: the next pull resumes from the state file", async () => {
    rig.proxy.setBudget(BUDGET, model);
    const root = join(tmp.root, "models");
    const child = Bun.spawn(
      ["bun", join(import.meta.dir, "pull-helpers.ts"), root, rig.name("ns/big"), tmp.root],
      {
        stdout: "ignore",
        stderr: "pipe",
      },
    );
    const partial = new PartialBlob(tmp.store.blobs, model);
    let saved = 0;
    const poll = setInterval(async () => {
      saved = await savedBytes(partial);
    }, 20);
    try {
      await until(
        () => saved === BUDGET || child.exitCode !== null,
        "the child's state file to record the budget",
      );
    } finally {
      clearInterval(poll);
    }
    expect(child.exitCode).toBeNull();
    child.kill("SIGKILL");
    await child.exited;

    rig.proxy.setBudget(null);
    rig.proxy.reset();
    const again = await pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/big"));
    expect(again.error).toBeUndefined();
    const refetched = rig.proxy.blobBytes(model) - (SIZE - saved);
    expect(refetched).toBeLessThan(saved * 0.1);
    await expectPulled();
  });

  test("a transfer cut short is retried from the byte it stopped at, never accepted short", async () => {
    rig.proxy.fault({ kind: "truncate", after: 300_000, digest: model, times: 3 });
    const { error } = await pullCollect(pullDeps(tmp.store, tmp.root), rig.name("ns/big"));
    expect(error).toBeUndefined();
    await expectPulled();
    const ranges = rig.proxy.records.filter((r) => r.digest === model).map((r) => r.range);
    // Retries ask for the rest of a part (from the first byte that did not arrive), not the whole part again.
    const starts = ranges.map((r) => Number(/^bytes=(\d+)-/.exec(r ?? "")?.[1]));
    expect(starts.some((s) => s % (1 << 20) !== 0)).toBe(true);
    expect(rig.proxy.blobBytes(model)).toBeLessThan(SIZE + 3 * 300_000);
  });

  test("a stalled transfer is aborted after TSLLM_DOWNLOAD_STALL and retried", async () => {
    rig.proxy.fault({ kind: "stall", after: 100_000, digest: model });
    const { error } = await pullCollect(pullDeps(tmp.store, tmp.root, { stallMs: 300 }), rig.name("ns/big"));
    expect(error).toBeUndefined();
    await expectPulled();
    expect(rig.proxy.records.some((r) => r.digest === model && r.aborted)).toBe(true);
  });

  test("a registry that never sends a byte: max retries exceeded, naming the blob; nothing kept", async () => {
    const s = await seedModel(rig.registry.url, "ns/mute", "latest", [
      { mediaType: MediaType.model, bytes: randomBytes(1 << 20) },
    ]);
    const mute = s.layers[0]?.digest as string;
    // Every download of this blob (only this test's) is cut before its first byte.
    rig.proxy.fault({ kind: "truncate", after: 0, digest: mute, times: 1_000_000 });
    const { error } = await pullCollect(pullDeps(tmp.store, tmp.root, { parts: 1 }), rig.name("ns/mute"));
    expect(error?.message).toMatch(new RegExp(`^max retries exceeded: pull blob ${mute}: `));
    expect(await storeFiles(tmp.store)).toEqual([]);
  });
});
