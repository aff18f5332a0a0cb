import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModel } from "./create.ts";
import { digestOf, digestToFileName } from "./digest.ts";
import { cleanStore, noPrune, PRUNE_GRACE_MS } from "./startup.ts";
import { ModelStore } from "./store.ts";
import { describeModel, memoryLogger } from "./testing.ts";

let root: string;
let store: ModelStore;
const old = new Date(Date.now() - 2 * PRUNE_GRACE_MS);

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-startup-"));
  store = new ModelStore(join(root, "models"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function model(name: string, weights: string): Promise<string> {
  const w = await store.blobs.writeBytes(weights);
  await createModel(store, name, { model: w.digest, system: `${name} system` }, { describeModel });
  return w.digest;
}

async function ageAll(): Promise<void> {
  for (const f of await readdir(store.blobs.dir)) await utimes(join(store.blobs.dir, f), old, old);
}

describe("startup cleanup", () => {
  test("removes temp files in blobs/ and at any depth in manifests/, and empty manifest dirs", async () => {
    await model("kept", "weights");
    await writeFile(join(store.blobs.dir, ".tmp-0123456789abcdef"), "half an upload");
    await writeFile(join(store.blobs.dir, ".tmp-quantize-0011223344556677"), "half a quantize");
    const nested = join(store.manifests.dir, "registry.ollama.ai", "library", "kept");
    await writeFile(join(nested, ".tmp-aaaaaaaaaaaaaaaa"), "half a manifest");
    await mkdir(join(store.manifests.dir, "registry.ollama.ai", "library", "gone"), { recursive: true });
    await writeFile(join(store.manifests.dir, "registry.ollama.ai", "library", "gone", ".tmp-b"), "x");
    const { logger, lines } = memoryLogger();
    const r = await cleanStore(store, { prune: false, logger });
    expect(r.temps).toBe(4);
    expect((await readdir(store.blobs.dir)).some((f) => f.startsWith(".tmp-"))).toBe(false);
    expect(await readdir(nested)).toEqual(["latest"]);
    expect(await readdir(join(store.manifests.dir, "registry.ollama.ai", "library"))).toEqual(["kept"]);
    expect(lines.some((l) => l.includes("removed temp files") && l.includes('"count":4'))).toBe(true);
    expect((await store.get("kept")).system).toBe("kept system");
  });

  test("prunes old unreferenced blobs and Ollama partials; keeps referenced, young and pinned ones", async () => {
    const used = await model("used", "used weights");
    const orphan = (await store.blobs.writeBytes("orphan blob")).digest;
    const pinned = (await store.blobs.writeBytes("a create in progress")).digest;
    await writeFile(join(store.blobs.dir, `${digestToFileName(orphan).slice(0, 20)}-partial`), "ollama");
    await ageAll();
    const young = (await store.blobs.writeBytes("uploaded a second ago")).digest;
    const release = store.pin([pinned]);
    const { logger, lines } = memoryLogger();
    const r = await cleanStore(store, { prune: true, logger });
    release();
    expect(r.prunedBlobs).toBe(2);
    expect(r.freedBytes).toBe("orphan blob".length + "ollama".length);
    const left = await store.blobs.list();
    expect(left).toContain(used);
    expect(left).toContain(young);
    expect(left).toContain(pinned);
    expect(left).not.toContain(orphan);
    expect((await store.blobs.entries()).some((f) => f.endsWith("-partial"))).toBe(false);
    expect(lines.some((l) => l.includes("pruned unused blobs") && l.includes('"removed":2'))).toBe(true);
    expect((await store.get("used")).system).toBe("used system");
  });

  test("a corrupt manifest skips the prune (its blobs cannot be known) with a warning", async () => {
    await model("fine", "w1");
    const orphan = (await store.blobs.writeBytes("orphan")).digest;
    await ageAll();
    const bad = join(store.manifests.dir, "registry.ollama.ai", "library", "broken");
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, "latest"), "{not json");
    const { logger, lines } = memoryLogger();
    const r = await cleanStore(store, { prune: true, logger });
    expect(r.pruneSkipped).toBe("corrupt manifests");
    expect(await store.blobs.has(orphan)).toBe(true);
    expect(lines.some((l) => l.startsWith("warn corrupt manifests") && l.includes("broken"))).toBe(true);
    expect(lines.join("\n")).not.toContain(root);
  });

  test("an empty or missing store is fine", async () => {
    expect(await cleanStore(store, { prune: true })).toEqual({ temps: 0, prunedBlobs: 0, freedBytes: 0 });
  });

  test("TSLLM_NOPRUNE values", () => {
    for (const v of ["1", "true", "TRUE", "yes", "on"]) expect(noPrune(v)).toBe(true);
    for (const v of ["", "0", "false", "no"]) expect(noPrune(v)).toBe(false);
    expect(digestOf("x")).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
