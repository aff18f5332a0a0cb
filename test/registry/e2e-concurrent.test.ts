/**
 * Concurrent pulls of one model share one download (the proxy sends each blob about once); a client that
 * disconnects mid-pull cancels only its own interest, and never leaves a corrupt store behind.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { storeProblems, waitFor } from "../faults/serve-process.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import { seedModel } from "./harness/seed.ts";
import {
  postStream,
  pull,
  type RegistryServe,
  startServe,
  storedBlob,
  storedManifest,
} from "./harness/serve.ts";

const available = registryAvailable();
if (!available) console.log("skipping concurrent pull tests: /usr/bin/docker-registry is not installed");

const MiB = 1 << 20;
const model = (bytes: Uint8Array) => [{ mediaType: "application/vnd.ollama.image.model", bytes }];

describe.skipIf(!available)("concurrent pulls", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let serve: RegistryServe;
  const digests: Record<string, string> = {};
  const SIZE = 40 * MiB;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    for (const repo of ["twice", "shared", "gone"]) {
      const s = await seedModel(reg.url, `ns/${repo}`, "1", model(randomBytes(SIZE)));
      digests[repo] = s.layers[0]?.digest as string;
    }
    serve = await startServe();
  });
  afterAll(async () => {
    await serve?.stop();
    await proxy?.stop();
    await reg?.stop();
  });

  test("two pulls of one model at once: both succeed, each blob is downloaded once", async () => {
    const name = `${proxy.host}/ns/twice:1`;
    proxy.reset();
    const [x, y] = await Promise.all([pull(serve.url, name), pull(serve.url, name)]);
    expect([x.error, y.error]).toEqual([undefined, undefined]);
    expect([x.ok, y.ok]).toEqual([true, true]);
    expect(proxy.blobBytes(digests.twice)).toBeLessThan(SIZE * 1.05);
    expect(storedBlob(serve.models, digests.twice as string)).toBe(true);
    expect(await storeProblems(serve.models)).toEqual([]);
  });

  test("one of two clients disconnects: the other's pull completes on the same download", async () => {
    const name = `${proxy.host}/ns/shared:1`;
    const digest = digests.shared as string;
    proxy.reset();
    proxy.setBudget(12 * MiB);
    const leaving = new AbortController();
    const first = postStream(
      serve.url,
      "/api/pull",
      { model: name, insecure: true },
      { signal: leaving.signal },
    );
    first.catch(() => {});
    await waitFor(() => proxy.blobBytes(digest) > 0, "the first pull to start downloading", 60_000);
    let joined = false;
    const second = postStream(
      serve.url,
      "/api/pull",
      { model: name, insecure: true },
      { onLine: (l) => (joined ||= l.digest === digest) },
    );
    await waitFor(() => joined, "the second pull to report the shared layer", 60_000);
    leaving.abort();
    await first.catch(() => undefined);
    proxy.setBudget(null);

    const r = await second;
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(proxy.blobBytes(digest)).toBeLessThan(SIZE * 1.05);
    expect(storedManifest(serve.models, name)).toBeDefined();
    expect(await storeProblems(serve.models)).toEqual([]);
  });

  test("the only client disconnects mid-pull: nothing is corrupted and pulling again succeeds", async () => {
    const name = `${proxy.host}/ns/gone:1`;
    const digest = digests.gone as string;
    proxy.reset();
    proxy.setBudget(10 * MiB);
    const ac = new AbortController();
    const gone = pull(serve.url, name, {}, ac.signal).catch(() => undefined);
    await waitFor(() => proxy.blobBytes(digest) >= 10 * MiB, "10 MiB of the blob to be sent", 60_000);
    ac.abort();
    await gone;
    expect(storedManifest(serve.models, name)).toBeUndefined();
    proxy.setBudget(null);

    const r = await pull(serve.url, name);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(storedBlob(serve.models, digest)).toBe(true);
    expect(await storeProblems(serve.models)).toEqual([]);
  });
});
