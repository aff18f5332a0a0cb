/** Push against Debian's docker-registry (distribution 2.8): uploads, chunking, skips, progress and refusals. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { InsecureProtocolError, RegistryUnreachableError } from "../../src/registry/errors.ts";
import { PushSourceMissingError } from "../../src/registry/push/index.ts";
import type { Progress } from "../../src/registry/types.ts";
import { InvalidNameError, type Manifest } from "../../src/store/index.ts";
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

const CHUNK = 64 * 1024;
const WEIGHTS = 300 * 1024 + 17;

describe.skipIf(!registryAvailable())("push to a real registry", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let fx: PushFixture;
  let name: string;
  let manifest: Manifest;
  let localBytes: string;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    fx = pushFixture({ chunkSize: CHUNK });
    name = `${proxy.host}/ns/m:tag`;
    await makeModel(fx.store, name, { weights: bytesOf(WEIGHTS, 1) });
    const stored = await fx.store.get(name);
    manifest = stored.stored.manifest;
    localBytes = new TextDecoder().decode(stored.stored.bytes);
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    fx?.cleanup();
  });

  test("uploads every blob in parts and the manifest's exact bytes", async () => {
    const r = await push(fx.deps, name);
    expect(r.error).toBeUndefined();
    const weights = manifest.layers[0] as { digest: string; size: number };
    const weightLines = r.lines.filter((p) => p.digest === weights.digest);
    expect(weightLines[0]?.completed).toBe(0);
    expect(weightLines.at(-1)?.completed).toBe(weights.size);
    expect(await remoteManifest(reg.url, "ns/m", "tag")).toBe(localBytes);
    for (const l of [...manifest.layers, manifest.config]) {
      const local = new Uint8Array(await Bun.file(fx.store.blobs.path(l.digest)).arrayBuffer());
      expect(await remoteBlob(reg.url, "ns/m", l.digest)).toEqual(local);
    }
    // The weights went as ceil(WEIGHTS / CHUNK) PATCHes, each answered 202; every small layer as one.
    const patches = proxy.records.filter((x) => x.method === "PATCH");
    expect(patches.every((x) => x.status === 202)).toBe(true);
    const blobs = [...manifest.layers, manifest.config];
    expect(patches.length).toBe(Math.ceil(WEIGHTS / CHUNK) + blobs.length - 1);
    expect(patches.reduce((n, x) => n + x.bytesIn, 0)).toBe(blobs.reduce((n, l) => n + l.size, 0));
    const commits = proxy.records.filter((x) => x.method === "PUT" && x.path.includes("/blobs/uploads/"));
    expect(commits.map((x) => x.status)).toEqual(blobs.map(() => 201));
  });

  test("progress lines follow Ollama's order and shape", async () => {
    const other = `${proxy.host}/ns/progress:latest`;
    await fx.store.copy(name, other);
    const { lines, error } = await push(fx.deps, other);
    expect(error).toBeUndefined();
    expect(lines[0]).toEqual({ status: "retrieving manifest" });
    expect(lines.slice(-2)).toEqual([{ status: "pushing manifest" }, { status: "success" }]);
    const blobs = [...manifest.layers, manifest.config];
    const perBlob = lines.slice(1, -2);
    // Layers in manifest order, then the config; each blob's lines end with completed = total.
    expect([...new Set(perBlob.map((p) => p.digest))]).toEqual(blobs.map((l) => l.digest));
    for (const l of blobs) {
      const mine = perBlob.filter((p) => p.digest === l.digest) as Required<Progress>[];
      expect(mine.every((p) => p.status === `pushing ${l.digest.slice(7, 19)}` && p.total === l.size)).toBe(
        true,
      );
      expect(mine.at(-1)?.completed).toBe(l.size);
    }
  });

  test("a second push finds every blob present: HEAD only, then the manifest", async () => {
    proxy.reset();
    const { lines, error } = await push(fx.deps, name);
    expect(error).toBeUndefined();
    const methods = proxy.records.map((x) => `${x.method} ${x.status}`);
    const blobs = [...manifest.layers, manifest.config];
    expect(methods).toEqual([...blobs.map(() => "HEAD 200"), "PUT 201"]);
    const blobLines = lines.filter((p) => p.digest !== undefined);
    expect(blobLines).toEqual(
      blobs.map((l) => ({
        status: `pushing ${l.digest.slice(7, 19)}`,
        digest: l.digest,
        total: l.size,
        completed: l.size,
      })),
    );
  });

  test("a model missing from the store fails with Ollama's error and status", async () => {
    const { lines, error } = await push(fx.deps, `${proxy.host}/ns/absent:latest`);
    expect(error).toBeInstanceOf(PushSourceMissingError);
    expect((error as PushSourceMissingError).status).toBe(500);
    expect((error as Error).message).toBe(
      `open manifests/${proxy.host}/ns/absent/latest: no such file or directory`,
    );
    expect(lines).toEqual([{ status: "retrieving manifest" }, { status: "couldn't retrieve manifest" }]);
  });

  test("a malformed name is a 400 before any progress line", async () => {
    const { lines, error } = await push(fx.deps, `${proxy.host}/ns/bad name`);
    expect(error).toBeInstanceOf(InvalidNameError);
    expect(lines).toEqual([]);
  });

  test("an http registry without insecure: Ollama's error, or the failed https connection", async () => {
    const explicit = await push(fx.deps, `http://${name}`, { insecure: false });
    expect(explicit.error).toBeInstanceOf(InsecureProtocolError);
    expect((explicit.error as Error).message).toBe("insecure protocol http");
    expect(explicit.lines).toEqual([{ status: "retrieving manifest" }]);

    proxy.reset();
    const implicit = await push(fx.deps, name, { insecure: false });
    expect(implicit.error).toBeInstanceOf(RegistryUnreachableError);
    expect(proxy.records.every((x) => x.method !== "PATCH" && x.method !== "PUT")).toBe(true);
  });
});
