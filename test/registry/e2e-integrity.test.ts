/**
 * What a pull trusts: only bytes that hash to the manifest's digest. A blob corrupted in the registry's own
 * storage fails the pull with an error naming the digest and leaves no manifest and nothing under that digest;
 * a transfer cut short or stalled mid-blob is resumed from where it stopped and never accepted short.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { storeProblems } from "../faults/serve-process.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import { seedModel } from "./harness/seed.ts";
import { pull, type RegistryServe, startServe, storedBlob, storedManifest } from "./harness/serve.ts";

const available = registryAvailable();
if (!available) console.log("skipping registry integrity tests: /usr/bin/docker-registry is not installed");

const MiB = 1 << 20;
/** Where the proxy cuts or stalls a transfer. */
const CUT = 5 * MiB;
const model = (bytes: Uint8Array) => [{ mediaType: "application/vnd.ollama.image.model", bytes }];

/** Files in the store's blobs dir whose names start with the digest's file name (blob, partial, state). */
function filesUnder(models: string, digest: string): string[] {
  const prefix = digest.replace(":", "-");
  try {
    return readdirSync(join(models, "blobs")).filter((f) => f.startsWith(prefix));
  } catch {
    return [];
  }
}

/** The first interrupted download of `digest` was retried from a point past its start. */
function resumedAfterCut(proxy: FrontProxy, digest: string): boolean {
  const gets = proxy.records.filter((x) => x.digest === digest && x.method === "GET");
  const cut = gets.find((x) => x.aborted && x.bytesOut > 0);
  const start = (r: string | null) => Number(/bytes=(\d+)-/.exec(r ?? "")?.[1] ?? 0);
  if (cut === undefined) return false;
  const from = start(cut.range);
  return gets.some((x) => x !== cut && start(x.range) > from && start(x.range) <= from + cut.bytesOut);
}

describe.skipIf(!available)("pull integrity", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let serve: RegistryServe;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    // A short stall timeout lets the stall case retry within the test; nothing else here waits that long.
    serve = await startServe(undefined, { TSLLM_DOWNLOAD_STALL: "2s" });
  });
  afterAll(async () => {
    await serve?.stop();
    await proxy?.stop();
    await reg?.stop();
  });

  test("a blob corrupted in the registry: the error names it, no manifest, nothing kept under its digest", async () => {
    const good = randomBytes(6 * MiB);
    const seeded = await seedModel(reg.url, "ns/corrupt", "1", model(good));
    const digest = seeded.layers[0]?.digest as string;
    const path = reg.blobDataPath(digest);
    const bad = Uint8Array.from(readFileSync(path));
    for (let i = 3 * MiB; i < 3 * MiB + 64; i++) bad[i] = (bad[i] as number) ^ 0xff;
    writeFileSync(path, bad);

    const name = `${proxy.host}/ns/corrupt:1`;
    const r = await pull(serve.url, name);
    expect(r.ok).toBe(false);
    expect(r.error).toContain(digest.slice(7, 19));
    expect(storedManifest(serve.models, name)).toBeUndefined();
    expect(storedBlob(serve.models, digest)).toBe(false);
    expect(filesUnder(serve.models, digest)).toEqual([]);
    expect(await storeProblems(serve.models)).toEqual([]);

    // serve is still up, and once the registry holds the right bytes again the same pull succeeds.
    writeFileSync(path, good);
    const again = await pull(serve.url, name);
    expect(again.error).toBeUndefined();
    expect(again.ok).toBe(true);
    expect(storedBlob(serve.models, digest)).toBe(true);
  });

  test("a transfer cut mid-blob is resumed where it stopped, and the blob verifies", async () => {
    const bytes = randomBytes(48 * MiB);
    const seeded = await seedModel(reg.url, "ns/cut", "1", model(bytes));
    const digest = seeded.layers[0]?.digest as string;
    proxy.reset();
    proxy.fault({ kind: "truncate", after: CUT, digest });

    const name = `${proxy.host}/ns/cut:1`;
    const r = await pull(serve.url, name);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(storedBlob(serve.models, digest)).toBe(true);
    expect(await storeProblems(serve.models)).toEqual([]);

    // Resumed, not restarted: the retry of the cut range starts past what arrived before the cut.
    expect(resumedAfterCut(proxy, digest)).toBe(true);
    expect(proxy.blobBytes(digest) - bytes.length).toBeLessThan(CUT);
  });

  test("a transfer that stalls is abandoned after TSLLM_DOWNLOAD_STALL and resumed", async () => {
    const bytes = randomBytes(20 * MiB);
    const seeded = await seedModel(reg.url, "ns/stall", "1", model(bytes));
    const digest = seeded.layers[0]?.digest as string;
    proxy.reset();
    proxy.fault({ kind: "stall", after: CUT, digest });

    const r = await pull(serve.url, `${proxy.host}/ns/stall:1`);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(storedBlob(serve.models, digest)).toBe(true);
    expect(resumedAfterCut(proxy, digest)).toBe(true);
    expect(proxy.blobBytes(digest) - bytes.length).toBeLessThan(CUT);
    expect(await storeProblems(serve.models)).toEqual([]);
  });
});
