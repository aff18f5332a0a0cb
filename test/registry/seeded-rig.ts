/**
 * A pull test's usual set-up, registered in the calling describe: a registry behind the counting proxy and a
 * fresh store (proxy counters reset) per test; seededRig also holds one model blob of `size` random bytes as
 * `<repo>:latest`.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "bun:test";
import { MediaType } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { seedModel } from "./harness/seed.ts";
import { type PullRig, startRig, tempStore } from "./pull-helpers.ts";

/** What the hooks set up; read it inside tests. */
export interface RigAndStore {
  rig: PullRig;
  tmp: Awaited<ReturnType<typeof tempStore>>;
}

/** What seededRig sets up. */
export interface SeededRig extends RigAndStore {
  /** The model blob's bytes and digest. */
  weights: Uint8Array;
  model: string;
}

/** Registers the hooks; the returned object is filled in before the first test runs. */
export function rigAndStore(): RigAndStore {
  const s = {} as RigAndStore;
  beforeAll(async () => {
    s.rig = await startRig();
  });
  afterAll(() => s.rig.stop());
  beforeEach(async () => {
    s.tmp = await tempStore();
    s.rig.proxy.reset();
  });
  afterEach(() => s.tmp.dispose());
  return s;
}

/** rigAndStore, with the model seeded once the registry is up. */
export function seededRig(repo: string, size: number): SeededRig {
  const s = rigAndStore() as SeededRig;
  beforeAll(async () => {
    s.weights = randomBytes(size);
    const seeded = await seedModel(s.rig.registry.url, repo, "latest", [
      { mediaType: MediaType.model, bytes: s.weights },
    ]);
    s.model = seeded.layers[0]?.digest as string;
  });
  return s;
}
