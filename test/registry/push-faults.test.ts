/** Push under faults: transient errors retried, lost sessions restarted, refusals reported, cancellation. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RegistryResponseError } from "../../src/registry/errors.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import {
  bytesOf,
  type Canned,
  makeModel,
  type PushFixture,
  push,
  pushFixture,
  remoteBlob,
  remoteManifest,
  startFront,
  type TestFront,
} from "./push-helpers.ts";

const CHUNK = 16 * 1024;
const UPLOAD = /\/blobs\/uploads\/[^/]+$/;
const BUSY: Canned = { status: 503, body: "busy" };

/** Waits (bounded) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await Bun.sleep(5);
}

describe.skipIf(!registryAvailable())("push under faults", () => {
  let reg: TestRegistry;
  let proxy: TestFront;
  let fx: PushFixture;
  let n = 0;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = startFront(reg.url);
    fx = pushFixture({ chunkSize: CHUNK });
  });
  afterEach(() => {
    proxy.intercept(null);
    proxy.seen.length = 0;
  });
  afterAll(async () => {
    proxy?.stop();
    await reg?.stop();
    fx?.cleanup();
  });

  /** A fresh model (its own repository and weights) and its weights. */
  async function model(size = 40 * 1024): Promise<{ name: string; repo: string; weights: Uint8Array }> {
    n++;
    const weights = bytesOf(size, 1000 + n);
    const name = `${proxy.host}/faults/m${n}:latest`;
    await makeModel(fx.store, name, { weights, system: `fault model ${n}` });
    return { name, repo: `faults/m${n}`, weights };
  }

  /** The first `count` PATCHes are answered with `answer`. */
  function failPatches(count: number, answer: Canned): void {
    let left = count;
    proxy.intercept((method, path) =>
      method === "PATCH" && UPLOAD.test(path) && left-- > 0 ? answer : undefined,
    );
  }

  async function expectPushed(name: string, repo: string, weights: Uint8Array): Promise<void> {
    const stored = (await fx.store.get(name)).stored;
    expect(await remoteManifest(reg.url, repo, "latest")).toBe(new TextDecoder().decode(stored.bytes));
    expect(await remoteBlob(reg.url, repo, stored.manifest.layers[0]?.digest as string)).toEqual(weights);
  }

  test("a 503 on a part is retried where the registry says the upload stands", async () => {
    const m = await model();
    failPatches(1, BUSY);
    const { error } = await push(fx.deps, m.name);
    expect(error).toBeUndefined();
    const trail = proxy.seen.filter((r) => UPLOAD.test(r.path)).map((r) => `${r.method} ${r.status}`);
    expect(trail.slice(0, 3)).toEqual(["PATCH 503", "GET 204", "PATCH 202"]);
    await expectPushed(m.name, m.repo, m.weights);
  });

  test("a session the registry lost is restarted from the first byte", async () => {
    const m = await model();
    let patches = 0;
    let lost = true;
    proxy.intercept((method, path) => {
      if (!UPLOAD.test(path)) return undefined;
      if (method === "PATCH" && ++patches === 2) return BUSY;
      if (method === "GET" && lost) {
        lost = false;
        return {
          status: 404,
          body: '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown"}]}',
        };
      }
      return undefined;
    });
    const { error } = await push(fx.deps, m.name);
    expect(error).toBeUndefined();
    const starts = proxy.seen.filter((r) => r.method === "POST");
    const blobs = (await fx.store.get(m.name)).stored.manifest.layers.length + 1;
    expect(starts.length).toBe(blobs + 1);
    await expectPushed(m.name, m.repo, m.weights);
  });

  test("a 4xx is final: one attempt, the registry's message in the error", async () => {
    const m = await model();
    const denied = '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}';
    failPatches(100, { status: 403, body: denied });
    const { error, lines } = await push(fx.deps, m.name);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect((error as Error).message).toBe(`403: ${denied}`);
    expect(proxy.seen.filter((r) => r.method === "PATCH").length).toBe(1);
    expect(lines.some((p) => p.status === "success")).toBe(false);
    expect(await remoteManifest(reg.url, m.repo, "latest")).toBeNull();
  });

  test("retries are bounded: six attempts, then the last error", async () => {
    const m = await model();
    failPatches(100, BUSY);
    const { error } = await push(fx.deps, m.name);
    expect(error).toBeInstanceOf(RegistryResponseError);
    expect((error as RegistryResponseError).registryStatus).toBe(503);
    expect(proxy.seen.filter((r) => r.method === "PATCH").length).toBe(6);
  });

  test("aborting the signal stops the upload, abandons the session and writes no manifest", async () => {
    const m = await model(256 * 1024);
    const ctl = new AbortController();
    let patches = 0;
    proxy.intercept((method, path) => {
      // The client leaves while its second part is on the wire; that part never reaches the registry.
      if (method !== "PATCH" || !UPLOAD.test(path) || ++patches !== 2) return undefined;
      ctl.abort();
      return BUSY;
    });
    const tick = setInterval(
      () => console.log(proxy.seen.slice(-3).map((r) => `${r.method} ${r.status}`)),
      1000,
    );
    const { error } = await push(fx.deps, m.name, { signal: ctl.signal });
    console.log("pushed", error);
    clearInterval(tick);
    expect((error as Error).name).toBe("AbortError");
    await until(() => proxy.seen.some((r) => r.method === "DELETE"));
    expect(proxy.seen.find((r) => r.method === "DELETE")?.status).toBe(204);
    expect(proxy.seen.filter((r) => r.method === "PATCH").length).toBeLessThan(256 / 16);
    expect(await remoteManifest(reg.url, m.repo, "latest")).toBeNull();
  });
});
