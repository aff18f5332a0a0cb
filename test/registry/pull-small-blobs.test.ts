/**
 * A pull's small blobs (template, params, license, config) are asked for while its large blob downloads, but
 * written only when the pull reaches them: every blob lands exact, a small blob the registry serves wrong
 * fails the pull naming it, and a pull whose large blob fails leaves none of the small ones behind.
 */
import { describe, expect, test } from "bun:test";
import { readFile, writeFile } from "node:fs/promises";
import { SMALL_BLOB_BYTES } from "../../src/registry/pull/small-blobs.ts";
import { MediaType } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { type Seeded, seedModel } from "./harness/seed.ts";
import { pullCollect, pullDeps, storeFiles } from "./pull-helpers.ts";
import { rigAndStore } from "./seeded-rig.ts";

const enc = new TextEncoder();
const BIG = 12 << 20;

describe.skipIf(!registryAvailable())("small blobs fetched early", () => {
  const s = rigAndStore();
  const weights = randomBytes(BIG);
  const layers = [
    { mediaType: MediaType.model, bytes: weights },
    { mediaType: MediaType.template, bytes: enc.encode("{{ .System }} {{ .Prompt }}") },
    { mediaType: MediaType.params, bytes: enc.encode('{"temperature":0.3}') },
    { mediaType: MediaType.license, bytes: randomBytes(SMALL_BLOB_BYTES) },
  ];

  const seed = (repo: string): Promise<Seeded> => seedModel(s.rig.registry.url, repo, "latest", layers);

  test("asked for before the large blob's last request; every blob exact, in Ollama's order", async () => {
    const seeded = await seed("ns/small");
    const { error, progress } = await pullCollect(pullDeps(s.tmp.store, s.tmp.root), s.rig.name("ns/small"));
    expect(error).toBeUndefined();
    const [big, ...small] = seeded.layers.map((l) => l.digest);
    const gets = s.rig.proxy.records.filter((r) => r.method === "GET" && r.digest !== null);
    const lastBig = gets.findLastIndex((r) => r.digest === big);
    for (const d of [...small, seeded.config]) {
      const i = gets.findIndex((r) => r.digest === d);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(lastBig);
    }
    for (const [i, l] of seeded.layers.entries())
      expect((await readFile(s.tmp.store.blobs.path(l.digest))).equals(layers[i]?.bytes as Uint8Array)).toBe(
        true,
      );
    expect(await s.tmp.store.blobs.has(seeded.config)).toBe(true);
    // Each blob's last progress line comes in the manifest's order, then the config.
    const order = [...seeded.layers.map((l) => l.digest), seeded.config].map(
      (d) => `pulling ${d.slice(7, 19)}`,
    );
    const finished = progress
      .filter((p) => p.total !== undefined && p.completed === p.total)
      .map((p) => p.status);
    expect([...new Set(finished)]).toEqual(order);
  });

  test("a small blob the registry serves wrong fails the pull naming it; nothing is kept", async () => {
    const seeded = await seed("ns/small-bad");
    const template = seeded.layers[1]?.digest as string;
    await writeFile(s.rig.registry.blobDataPath(template), enc.encode("{{ .Prompt }} tampered!"));
    const { error, progress } = await pullCollect(
      pullDeps(s.tmp.store, s.tmp.root),
      s.rig.name("ns/small-bad"),
    );
    expect(error?.message).toContain(template);
    expect(progress.map((p) => p.status)).not.toContain("writing manifest");
    expect(await s.tmp.store.blobs.has(template)).toBe(false);
    // The large blob came first and is kept for the next pull; nothing else is.
    const kept = await storeFiles(s.tmp.store);
    expect(kept.every((f) => f.includes(seeded.layers[0]?.digest.slice(7) as string))).toBe(true);
  });

  test("a pull whose large blob fails leaves none of its small blobs", async () => {
    const seeded = await seed("ns/big-bad");
    const big = seeded.layers[0]?.digest as string;
    await writeFile(s.rig.registry.blobDataPath(big), randomBytes(BIG));
    const { error } = await pullCollect(pullDeps(s.tmp.store, s.tmp.root), s.rig.name("ns/big-bad"));
    expect(error?.message).toContain(big);
    for (const l of seeded.layers) expect(await s.tmp.store.blobs.has(l.digest)).toBe(false);
    expect(await s.tmp.store.blobs.has(seeded.config)).toBe(false);
    expect(await storeFiles(s.tmp.store)).toEqual([]);
  });
});
