/**
 * How the transfer worker reaches the registry, as the pull's deps say (serve reads them from the env
 * registry): with a proxy configured, through fetch, which honours the proxy (a bare socket would bypass it);
 * else over plain http through splice on Linux, or a bare socket with splice off. Each route fills the blob
 * exactly.
 */
import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { linuxIo } from "../../src/registry/pull/linux-io.ts";
import type { FromTransfer, Route, ToTransfer } from "../../src/registry/pull/transfer-worker.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { pullCollect, pullDeps } from "./pull-helpers.ts";
import { seededRig } from "./seeded-rig.ts";

const SIZE = 5 * (1 << 20) + 17;
const entry = new URL("../../src/registry/pull/transfer-worker.ts", import.meta.url).href;

const cases: { proxied: boolean; splice: boolean; route: Route }[] = [
  { proxied: true, splice: true, route: "fetch" },
  { proxied: false, splice: false, route: "socket" },
  { proxied: false, splice: true, route: linuxIo() ? "splice" : "socket" },
];

describe.skipIf(!registryAvailable())("the transfer worker's route to the registry", () => {
  const s = seededRig("ns/px", SIZE);

  for (const { proxied, splice, route } of cases) {
    test(`proxied: ${proxied}, splice: ${splice} → ${route}, and the blob is exact`, async () => {
      const opens: ToTransfer[] = [];
      const routes: Route[] = [];
      const spawnTransfer = () => {
        const w = new Worker(entry);
        const post = w.postMessage.bind(w);
        w.postMessage = (m: ToTransfer) => {
          if (m.kind === "open") opens.push(m);
          post(m);
        };
        w.addEventListener("message", (ev: MessageEvent<FromTransfer>) => {
          if (ev.data.kind === "answer") routes.push(ev.data.route);
        });
        return w;
      };
      const deps = pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer, proxied, splice });
      const { error } = await pullCollect(deps, s.rig.name("ns/px"));
      expect(error).toBeUndefined();
      expect(opens.length).toBeGreaterThan(0);
      for (const m of opens) expect(m).toMatchObject({ kind: "open", proxied, splice });
      expect(routes.length).toBeGreaterThan(0);
      expect(new Set(routes)).toEqual(new Set([route]));
      expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    });
  }
});
