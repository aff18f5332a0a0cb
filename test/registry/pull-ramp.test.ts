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
import { pullCollect, pullDeps, startRig, tempStore, until } from "./pull-helpers.ts";
import { seededRig } from "./seeded-rig.ts";

const SIZE = 12 << 20;

describe.skipIf(!registryAvailable())("parallel requests of a download", () => {
  const s = seededRig("ns/ramp", SIZE);
  afterEach(() => s.rig.proxy.setBudget(null));

  const open = () =>
    s.rig.proxy.records.filter((r) => r.digest === s.model && r.bytesOut < SIZE && !r.aborted);

  test("a slow link gets more requests, up to the limit; the blob is exact", async () => {
    // Less than a part: the first request stalls too.
    s.rig.proxy.setBudget(256 << 10);
    const pulling = pullCollect(pullDeps(s.tmp.store, s.tmp.root, { parts: 3 }), s.rig.name("ns/ramp"));
    // Nothing moves past the budget: the download adds requests until it runs three at once.
    await until(() => s.rig.proxy.records.filter((r) => r.digest === s.model).length >= 3, "three requests");
    expect(s.rig.proxy.records.filter((r) => r.digest === s.model).length).toBe(3);
    expect(open().length).toBe(3);
    s.rig.proxy.setBudget(null);
    const { error } = await pulling;
    expect(error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
  });
});
