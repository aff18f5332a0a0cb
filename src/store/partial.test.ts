import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { digestOf } from "./digest.ts";
import { PARTIAL_TTL_MS, PartialBlob, type PartialState, sweepPartials } from "./partial.ts";
import { cleanStore } from "./startup.ts";
import { ModelStore } from "./store.ts";

const data = new TextEncoder().encode("the whole blob, downloaded in parts");
const digest = digestOf(data);
const SIZE = data.length;
const state = (done: number[]): PartialState => ({
  version: 1,
  digest,
  size: SIZE,
  parts: [
    { offset: 0, size: 20, done: done[0] ?? 0 },
    { offset: 20, size: SIZE - 20, done: done[1] ?? 0 },
  ],
});

let root: string;
let store: ModelStore;
let partial: PartialBlob;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-partial-"));
  store = new ModelStore(join(root, "models"));
  partial = new PartialBlob(store.blobs, digest);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("PartialBlob", () => {
  test("names its files after the digest inside blobs/ and refuses a malformed digest", () => {
    const hex = digest.slice(7);
    expect(partial.dataPath).toBe(join(store.blobs.dir, `sha256-${hex}-partial`));
    expect(partial.statePath).toBe(join(store.blobs.dir, `sha256-${hex}-partial.state`));
    expect(() => new PartialBlob(store.blobs, "sha256:../../etc")).toThrow("invalid digest format");
  });

  test("open(fresh) makes a full-size file and removes Ollama's part files; state round-trips", async () => {
    const fh0 = await partial.open(SIZE, true);
    await fh0.close();
    await writeFile(`${partial.dataPath}-0`, '{"N":0}');
    await writeFile(`${partial.dataPath}-1`, '{"N":1}');
    const fh = await partial.open(SIZE, true);
    await fh.write(data, 0, 20, 0);
    await fh.close();
    expect((await stat(partial.dataPath)).size).toBe(SIZE);
    expect((await readdir(store.blobs.dir)).sort()).toEqual([`sha256-${digest.slice(7)}-partial`]);
    expect(await partial.load(SIZE)).toBeUndefined();
    await partial.save(state([20, 0]));
    expect(await partial.load(SIZE)).toEqual(state([20, 0]));
    // Resuming does not empty the file.
    const again = await partial.open(SIZE, false);
    await again.close();
    expect((await readFile(partial.dataPath)).subarray(0, 20)).toEqual(Buffer.from(data.subarray(0, 20)));
  });

  test("a state for another size, digest, or with parts that do not tile the blob is not trusted", async () => {
    await (await partial.open(SIZE, true)).close();
    await partial.save(state([5, 0]));
    expect(await partial.load(SIZE + 1)).toBeUndefined();
    await partial.save({ ...state([5, 0]), digest: digestOf("other") });
    expect(await partial.load(SIZE)).toBeUndefined();
    const gap = state([5, 0]);
    (gap.parts[1] as { offset: number }).offset = 21;
    await partial.save(gap);
    expect(await partial.load(SIZE)).toBeUndefined();
    const over = state([21, 0]);
    await partial.save(over);
    expect(await partial.load(SIZE)).toBeUndefined();
    await writeFile(partial.statePath, "{broken");
    expect(await partial.load(SIZE)).toBeUndefined();
    await partial.save(state([5, 0]));
    await rm(partial.dataPath);
    expect(await partial.load(SIZE)).toBeUndefined();
  });

  test("commit moves the verified file under its digest without reading it and drops the state", async () => {
    const fh = await partial.open(SIZE, true);
    await fh.write(data, 0, SIZE, 0);
    await fh.close();
    await partial.save(state([20, SIZE - 20]));
    await partial.commit(SIZE);
    expect(await readFile(store.blobs.path(digest))).toEqual(Buffer.from(data));
    expect(await readdir(store.blobs.dir)).toEqual([`sha256-${digest.slice(7)}`]);
  });

  test("commitVerified refuses a file whose size is not the blob's", async () => {
    const fh = await partial.open(SIZE - 1, true);
    await fh.close();
    await expect(store.blobs.commitVerified(partial.dataPath, digest, SIZE)).rejects.toThrow(
      /holds \d+ bytes/,
    );
    expect(await store.blobs.has(digest)).toBe(false);
  });
});

describe("stale partials at startup", () => {
  const age = async (ms: number) => {
    const t = new Date(Date.now() - ms);
    for (const f of await readdir(store.blobs.dir)) await utimes(join(store.blobs.dir, f), t, t);
  };

  test("a young partial with its state survives cleanup, prune included; a stale one goes", async () => {
    await (await partial.open(SIZE, true)).close();
    await partial.save(state([5, 0]));
    // Older than the prune grace period but within the TTL.
    await age(2 * 60 * 60 * 1000);
    const r = await cleanStore(store, { prune: true });
    expect(r.prunedBlobs).toBe(0);
    expect(r.stalePartials).toBeUndefined();
    expect(await partial.load(SIZE)).toEqual(state([5, 0]));

    await age(PARTIAL_TTL_MS + 1000);
    const r2 = await cleanStore(store, { prune: false });
    expect(r2.stalePartials).toBe(2);
    expect(await readdir(store.blobs.dir)).toEqual([]);
  });

  test("a state whose data file is gone is removed; a data file without state is left to the prune", async () => {
    await store.blobs.writeBytes("x");
    await writeFile(partial.statePath, JSON.stringify(state([0, 0])));
    const other = new PartialBlob(store.blobs, digestOf("foreign"));
    await writeFile(other.dataPath, "ollama's partial");
    const { removed, kept } = await sweepPartials(store.blobs, Date.now());
    expect(removed).toBe(1);
    expect(kept.size).toBe(0);
    expect(await readdir(store.blobs.dir)).toContain(`sha256-${digestOf("foreign").slice(7)}-partial`);
  });
});
