/** Upload redirects: a front answering 307 to every PATCH and PUT, and Ollama's registry-style part uploads. */
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
  startFront,
  type TestFront,
} from "./push-helpers.ts";

const CHUNK = 32 * 1024;
const WEIGHTS = bytesOf(100 * 1024 + 5, 3);

describe.skipIf(!registryAvailable())("push follows upload redirects", () => {
  let reg: TestRegistry;
  let front: TestFront;
  let ollamaLike: FrontProxy;
  let fx: PushFixture;

  beforeAll(async () => {
    reg = await startRegistry();
    front = startFront(reg.url, { redirectUploads: true });
    ollamaLike = await startFrontProxy(reg.url, { mode: "pass", redirectUploads: true });
    fx = pushFixture({ chunkSize: CHUNK });
  });
  afterAll(async () => {
    front?.stop();
    await ollamaLike?.stop();
    await reg?.stop();
    fx?.cleanup();
  });

  test("a 307 to each PATCH and PUT is followed with the body re-sent", async () => {
    const name = `${front.host}/ns/r:latest`;
    await makeModel(fx.store, name, { weights: WEIGHTS });
    const { error } = await push(fx.deps, name);
    expect(error).toBeUndefined();
    const redirected = front.seen.filter((s) => s.listener === "front" && s.status === 307);
    const landed = front.seen.filter((s) => s.listener === "target");
    // Every upload request was redirected once and then accepted at the target.
    expect(redirected.map((s) => s.method)).toEqual(landed.map((s) => s.method));
    expect(landed.filter((s) => s.method === "PATCH").every((s) => s.status === 202)).toBe(true);
    expect(landed.filter((s) => s.method === "PUT").every((s) => s.status === 201)).toBe(true);
    expect(landed.filter((s) => s.method === "PATCH").length).toBeGreaterThanOrEqual(
      Math.ceil(WEIGHTS.length / CHUNK),
    );
    const stored = (await fx.store.get(name)).stored;
    expect(await remoteManifest(reg.url, "ns/r", "latest")).toBe(new TextDecoder().decode(stored.bytes));
    expect(await remoteBlob(reg.url, "ns/r", stored.manifest.layers[0]?.digest as string)).toEqual(WEIGHTS);
  });

  test("a 307 naming Docker-Upload-Location sends the part by PUT to the target (Ollama's registry)", async () => {
    const name = `${ollamaLike.host}/ns/o:latest`;
    await makeModel(fx.store, name, { weights: WEIGHTS, system: "ollama-like" });
    const { error } = await push(fx.deps, name);
    expect(error).toBeUndefined();
    const parts = ollamaLike.records.filter((r) => r.listener === "cdn" && r.method === "PUT");
    expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(WEIGHTS.length / CHUNK));
    expect(parts.every((r) => r.status === 200 && !r.authorization)).toBe(true);
    const stored = (await fx.store.get(name)).stored;
    expect(await remoteManifest(reg.url, "ns/o", "latest")).toBe(new TextDecoder().decode(stored.bytes));
    expect(await remoteBlob(reg.url, "ns/o", stored.manifest.layers[0]?.digest as string)).toEqual(WEIGHTS);
  });
});
