/**
 * With a proxy configured (read through the env registry by serve, passed down in the pull's deps), the
 * transfer worker makes its requests with fetch, which honours the proxy; a bare socket would bypass it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import type { ToTransfer } from "../../src/registry/pull/transfer-worker.ts";
import { MediaType } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { seedModel } from "./harness/seed.ts";
import { pullCollect, pullDeps, startRig, tempStore } from "./pull-helpers.ts";
import { seededRig } from "./seeded-rig.ts";

const SIZE = 5 * (1 << 20) + 17;
const entry = new URL("../../src/registry/pull/transfer-worker.ts", import.meta.url).href;

describe.skipIf(!registryAvailable())("pull with a proxy configured", () => {
  const s = seededRig("ns/px", SIZE);

  for (const proxied of [true, false]) {
    test(`proxied: ${proxied} reaches the worker, whose requests then fill the blob exactly`, async () => {
      const opens: ToTransfer[] = [];
      const spawnTransfer = () => {
        const w = new Worker(entry);
        const post = w.postMessage.bind(w);
        w.postMessage = (m: ToTransfer) => {
          if (m.kind === "open") opens.push(m);
          post(m);
        };
        return w;
      };
      const deps = pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer, proxied });
      const { error } = await pullCollect(deps, s.rig.name("ns/px"));
      expect(error).toBeUndefined();
      expect(opens.length).toBeGreaterThan(0);
      for (const m of opens) expect(m).toMatchObject({ kind: "open", proxied });
      expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    });
  }
});
