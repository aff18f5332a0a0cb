/**
 * Pulls into a store on a 40 MiB tmpfs: a model larger than the free space is refused up front with the
 * needed and free bytes; a disk that fills up mid-download fails cleanly too. Neither leaves a manifest,
 * serve stays up, and later pulls that fit (including the interrupted one, once space is back) work. Needs
 * `mount` (root); skipped with the reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { storeProblems, waitFor } from "../faults/serve-process.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import { seedModel } from "./harness/seed.ts";
import { pull, type RegistryServe, startServe, storedBlob, storedManifest } from "./harness/serve.ts";
import { mountTmpfs, type Tmpfs } from "./harness/tmpfs.ts";

const MiB = 1 << 20;
const available = registryAvailable();
const fs: Tmpfs | undefined = available ? mountTmpfs("40m") : undefined;
const ready = available && fs?.mounted === true;
if (!available) console.log("skipping registry disk-full tests: /usr/bin/docker-registry is not installed");
else if (!ready) console.log(`skipping registry disk-full tests: cannot mount a tmpfs (${fs?.reason})`);

const model = (bytes: Uint8Array) => [{ mediaType: "application/vnd.ollama.image.model", bytes }];

describe.skipIf(!ready)("pull into a full disk", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let serve: RegistryServe;
  const models = join(fs?.dir ?? "", "models");

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    await Promise.all([
      seedModel(reg.url, "ns/huge", "1", model(randomBytes(64 * MiB))),
      seedModel(reg.url, "ns/small", "1", model(randomBytes(4 * MiB))),
      seedModel(reg.url, "ns/fits", "1", model(randomBytes(24 * MiB))),
    ]);
    serve = await startServe(models);
  });
  afterAll(async () => {
    await serve?.stop();
    await proxy?.stop();
    await reg?.stop();
    fs?.dispose();
  });

  const alive = async () => (await fetch(`${serve.url}/api/version`)).status;

  test("a model larger than the free space: a clear error up front, no manifest, serve stays up", async () => {
    const name = `${proxy.host}/ns/huge:1`;
    proxy.reset();
    const r = await pull(serve.url, name, { stream: false });
    expect(r.status).toBe(507);
    expect(r.error).toMatch(/disk space/i);
    expect(r.error).toMatch(/needs \d+ bytes.*\d+ bytes.*free/);
    expect(r.error).not.toContain(models);
    expect(proxy.blobBytes()).toBeLessThan(MiB);
    expect(storedManifest(models, name)).toBeUndefined();
    expect(await alive()).toBe(200);

    const small = await pull(serve.url, `${proxy.host}/ns/small:1`);
    expect(small.error).toBeUndefined();
    expect(small.ok).toBe(true);
    expect(await storeProblems(models)).toEqual([]);
  });

  test("the disk filling up mid-download: a clear error, no manifest; with space back the pull completes", async () => {
    const name = `${proxy.host}/ns/fits:1`;
    proxy.reset();
    proxy.setBudget(8 * MiB);
    const pulling = pull(serve.url, name);
    await waitFor(() => proxy.blobBytes() >= 8 * MiB, "the first 8 MiB to be sent", 60_000);
    // Something else takes the space the free-space check saw.
    const filler = join(fs?.dir ?? "", "filler");
    try {
      writeFileSync(filler, new Uint8Array(20 * MiB));
    } catch {
      // ENOSPC while filling is fine: the disk is as full as it gets.
    }
    proxy.setBudget(null);
    const r = await pulling;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/disk space|no space/i);
    expect(storedManifest(models, name)).toBeUndefined();
    expect(await alive()).toBe(200);

    rmSync(filler, { force: true });
    const again = await pull(serve.url, name);
    expect(again.error).toBeUndefined();
    expect(again.ok).toBe(true);
    expect(storedManifest(models, name)).toBeDefined();
    const digest = (JSON.parse(storedManifest(models, name) as string) as { layers: { digest: string }[] })
      .layers[0]?.digest as string;
    expect(storedBlob(models, digest)).toBe(true);
    expect(await storeProblems(models)).toEqual([]);
  });
});
