/**
 * How many requests a download runs: one while the transfer is fast, more (up to TSLLM_DOWNLOAD_PARTS) while
 * it is slow. Here the proxy's byte budget makes the link slow (every download stalls once it is spent).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { MediaType } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { seedModel } from "./harness/seed.ts";
import { type PullRig, pullCollect, pullDeps, startRig, tempStore, until } from "./pull-helpers.ts";

const SIZE = 12 << 20;

describe.skipIf(!registryAvailable())("parallel requests of a download", () => {
  let rig: PullRig;
  let weights: Uint8Array;
  let model: string;
  let tmp: Awaited<ReturnType<typeof tempStore>>;

  beforeAll(async () => {
    rig = await startRig();
    weights = randomBytes(SIZE);
    const seeded = await seedModel(rig.registry.url, "ns/ramp", "latest", [
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

  const open = () => rig.proxy.records.filter((r) => r.digest === model && r.bytesOut < SIZE && !r.aborted);

  test("a slow link gets more requests, up to the limit; the blob is exact", async () => {
    // Less than a part: the first request stalls too.
    rig.proxy.setBudget(256 << 10);
    const pulling = pullCollect(pullDeps(tmp.store, tmp.root, { parts: 3 }), rig.name("ns/ramp"));
    // Nothing moves past the budget: the download adds requests until it runs three at once.
    await until(() => rig.proxy.records.filter((r) => r.digest === model).length >= 3, "three requests");
    expect(rig.proxy.records.filter((r) => r.digest === model).length).toBe(3);
    expect(open().length).toBe(3);
    rig.proxy.setBudget(null);
    const { error } = await pulling;
    expect(error).toBeUndefined();
    expect((await readFile(tmp.store.blobs.path(model))).equals(weights)).toBe(true);
  });
});
