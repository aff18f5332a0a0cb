/**
 * A pull test's usual set-up, registered in the calling describe: a registry behind the counting proxy holding
 * one model blob of `size` random bytes as `<repo>:latest`, and a fresh store (proxy counters reset) per test.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "bun:test";
import { MediaType } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { seedModel } from "./harness/seed.ts";
import { type PullRig, startRig, tempStore } from "./pull-helpers.ts";

/** What the hooks set up; read it inside tests. */
export interface SeededRig {
  rig: PullRig;
  /** The model blob's bytes and digest. */
  weights: Uint8Array;
  model: string;
  tmp: Awaited<ReturnType<typeof tempStore>>;
}

/** Registers the hooks; the returned object is filled in before the first test runs. */
export function seededRig(repo: string, size: number): SeededRig {
  const s = {} as SeededRig;
  beforeAll(async () => {
    s.rig = await startRig();
    s.weights = randomBytes(size);
    const seeded = await seedModel(s.rig.registry.url, repo, "latest", [
      { mediaType: MediaType.model, bytes: s.weights },
    ]);
    s.model = seeded.layers[0]?.digest as string;
  });
  afterAll(() => s.rig.stop());
  beforeEach(async () => {
    s.tmp = await tempStore();
    s.rig.proxy.reset();
  });
  afterEach(() => s.tmp.dispose());
  return s;
}
