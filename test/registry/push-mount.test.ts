/** Cross-repository mounts: a blob another repository of the same registry holds is linked, not uploaded. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import {
  bytesOf,
  makeModel,
  type PushFixture,
  push,
  pushFixture,
  remoteBlob,
  remoteManifest,
} from "./push-helpers.ts";

describe.skipIf(!registryAvailable())("push mounts shared blobs", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let fx: PushFixture;
  let weights: string;
  const WEIGHTS = bytesOf(200 * 1024, 7);

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    fx = pushFixture();
    await makeModel(fx.store, `${proxy.host}/ns/a:latest`, { weights: WEIGHTS, system: "model a" });
    weights = (await fx.store.get(`${proxy.host}/ns/a:latest`)).stored.manifest.layers[0]?.digest as string;
    const first = await push(fx.deps, `${proxy.host}/ns/a:latest`);
    expect(first.error).toBeUndefined();
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    fx?.cleanup();
  });

  /** Pushes and returns the uploads it started: [POST status, PATCHed bytes]. */
  async function pushCounting(name: string) {
    proxy.reset();
    const r = await push(fx.deps, name);
    expect(r.error).toBeUndefined();
    const posts = proxy.records.filter((x) => x.method === "POST").map((x) => x.status);
    const patched = proxy.records.filter((x) => x.method === "PATCH").reduce((n, x) => n + x.bytesIn, 0);
    return { posts, patched, lines: r.lines };
  }

  test("a model created FROM a pushed one mounts the shared weights from its repository", async () => {
    const name = `${proxy.host}/other/b:latest`;
    await makeModel(fx.store, name, { from: `${proxy.host}/ns/a:latest`, system: "model b" });
    const { posts, patched, lines } = await pushCounting(name);
    // 201 = mounted: the weights (and the shared template and params) never crossed the wire again.
    expect(posts.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(patched).toBeLessThan(WEIGHTS.length);
    expect(lines.filter((p) => p.digest === weights)).toEqual([
      {
        status: `pushing ${weights.slice(7, 19)}`,
        digest: weights,
        total: WEIGHTS.length,
        completed: WEIGHTS.length,
      },
    ]);
    expect(await remoteBlob(reg.url, "other/b", weights)).toEqual(WEIGHTS);
    const local = (await fx.store.get(name)).stored.bytes;
    expect(await remoteManifest(reg.url, "other/b", "latest")).toBe(new TextDecoder().decode(local));
  });

  test("another local model of the same host that lists the digest is a mount source too", async () => {
    const name = `${proxy.host}/third/c:v1`;
    await makeModel(fx.store, name, { weights: WEIGHTS, system: "model c" });
    const { posts, patched } = await pushCounting(name);
    expect(posts.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(patched).toBeLessThan(WEIGHTS.length);
    expect(await remoteBlob(reg.url, "third/c", weights)).toEqual(WEIGHTS);
  });

  test("a mount source the registry lacks falls back to the upload it started (202)", async () => {
    const fresh = bytesOf(50 * 1024, 99);
    await makeModel(fx.store, `${proxy.host}/never/pushed:latest`, { weights: fresh });
    const name = `${proxy.host}/fourth/d:latest`;
    await makeModel(fx.store, name, { from: `${proxy.host}/never/pushed:latest`, system: "model d" });
    const { posts, patched } = await pushCounting(name);
    expect(posts).toContain(202);
    expect(patched).toBeGreaterThanOrEqual(fresh.length);
    const digest = (await fx.store.get(name)).stored.manifest.layers[0]?.digest as string;
    expect(await remoteBlob(reg.url, "fourth/d", digest)).toEqual(fresh);
  });
});
