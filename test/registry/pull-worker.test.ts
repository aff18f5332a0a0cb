/**
 * Pull's transfer worker: bodies are fetched and written on it (in development and inside the compiled
 * executable), the server's thread only hears of written bytes, and a worker that fails or dies fails the pull
 * with a clear error, keeping the partial download for the next pull.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planParts } from "../../src/registry/pull/plan.ts";
import { transferWorkers } from "../../src/registry/pull/transfer.ts";
import type { ToTransfer } from "../../src/registry/pull/transfer-worker.ts";
import { hashWorkers } from "../../src/registry/pull/worker-hasher.ts";
import { FIRST_BYTES } from "../../src/registry/pull/worker-part.ts";
import { MediaType } from "../../src/store/index.ts";
import { buildExecutable } from "../helpers/compiled.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { seedModel } from "./harness/seed.ts";
import { postStream } from "./harness/serve.ts";
import {
  type PullRig,
  pullCollect,
  pullDeps,
  startRig,
  storeFiles,
  TEST_PART_SIZES,
  tempStore,
} from "./pull-helpers.ts";
import { seededRig } from "./seeded-rig.ts";

const SIZE = 5 * (1 << 20) + 123;
const entry = new URL("../../src/registry/pull/transfer-worker.ts", import.meta.url).href;

/** A real transfer worker whose every message from the download is recorded. */
function recordingWorker(kinds: string[]): () => Worker {
  return () => {
    const w = new Worker(entry);
    const post = w.postMessage.bind(w);
    w.postMessage = (m: ToTransfer) => {
      kinds.push(m.kind);
      post(m);
    };
    return w;
  };
}

/** A worker made of `code` (a script that misbehaves on some message). */
function scriptWorker(code: string): () => Worker {
  const url = URL.createObjectURL(new Blob([code]));
  return () => new Worker(url);
}

describe.skipIf(!registryAvailable())("pull's transfer worker", () => {
  const s = seededRig("ns/w", SIZE);

  test("every part is fetched and written on the worker; the blob is exact", async () => {
    const kinds: string[] = [];
    const deps = pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer: recordingWorker(kinds) });
    const { error } = await pullCollect(deps, s.rig.name("ns/w"));
    expect(error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    // The first request goes through the registry client; this registry answered it with the bytes, read on
    // the server's thread. Every other part is asked for and filled on the worker, then the worker is closed
    // (the config blob gets a worker of its own after it).
    const parts = planParts(SIZE, deps.parts, TEST_PART_SIZES).length;
    const first = kinds.slice(0, kinds.indexOf("close") + 1);
    expect(first.filter((k) => k === "get").length).toBe(parts - 1);
    expect(first.filter((k) => k === "fill").length).toBe(parts - 1);
    expect(first.at(-1)).toBe("close");
    // Nothing asked the registry from this thread: one request per part reached the proxy.
    expect(s.rig.proxy.records.filter((r) => r.digest === s.model).length).toBe(parts);
  });

  test("the client's first request asks for FIRST_BYTES; the rest of that part comes to the worker", async () => {
    const big = randomBytes(FIRST_BYTES + (3 << 20) + 5);
    const seeded = await seedModel(s.rig.registry.url, "ns/first", "latest", [
      { mediaType: MediaType.model, bytes: big },
    ]);
    const digest = seeded.layers[0]?.digest as string;
    const kinds: string[] = [];
    const partSizes = { min: 64 << 20, max: 64 << 20 };
    const deps = pullDeps(s.tmp.store, s.tmp.root, {
      parts: 1,
      partSizes,
      spawnTransfer: recordingWorker(kinds),
    });
    const { error } = await pullCollect(deps, s.rig.name("ns/first"));
    expect(error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(digest))).equals(big)).toBe(true);
    const ranges = s.rig.proxy.records.filter((r) => r.digest === digest).map((r) => r.range);
    expect(ranges).toEqual([`bytes=0-${FIRST_BYTES - 1}`, `bytes=${FIRST_BYTES}-${big.byteLength - 1}`]);
    expect(kinds.slice(0, kinds.indexOf("close")).filter((k) => k === "fill").length).toBe(1);
  });

  test("the worker starts with the download; one that cannot start leaves the pull to the server's thread", async () => {
    const kinds: string[] = [];
    const record = recordingWorker(kinds);
    let spawned = 0;
    const spawnTransfer = () => {
      spawned++;
      // Started before the client's first request was answered: nothing was asked of it yet.
      expect(s.rig.proxy.records.filter((r) => r.digest === s.model && r.method === "GET")).toEqual([]);
      return record();
    };
    const ok = await pullCollect(pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer }), s.rig.name("ns/w"));
    expect(ok.error).toBeUndefined();
    expect(spawned).toBeGreaterThan(0);
    expect(kinds[0]).toBe("open");

    await s.tmp.store.blobs.remove(s.model);
    let tries = 0;
    const refuse = () => {
      tries++;
      throw new Error("no workers here");
    };
    const { error } = await pullCollect(
      pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer: refuse }),
      s.rig.name("ns/w"),
    );
    expect(error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    // Refused once per download (the model blob; the config blob is too small to want one), not per request.
    expect(tries).toBe(1);
  });

  test("pulls in a row reuse the pooled transfer and hash workers; every blob is exact", async () => {
    const big = randomBytes((9 << 20) + 17);
    const seeded = await seedModel(s.rig.registry.url, "ns/pool", "latest", [
      { mediaType: MediaType.model, bytes: big },
    ]);
    const digest = seeded.layers[0]?.digest as string;
    transferWorkers.clear();
    hashWorkers.clear();
    const deps = pullDeps(s.tmp.store, s.tmp.root);
    expect((await pullCollect(deps, s.rig.name("ns/pool"))).error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(digest))).equals(big)).toBe(true);
    expect([transferWorkers.idle, hashWorkers.idle]).toEqual([1, 1]);
    const [transfer, hash] = [transferWorkers.take(), hashWorkers.take()];
    transferWorkers.give(transfer);
    hashWorkers.give(hash);

    // The same workers, fresh state: a second download into the same store, then another model's.
    await s.tmp.store.blobs.remove(digest);
    expect((await pullCollect(deps, s.rig.name("ns/pool"))).error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(digest))).equals(big)).toBe(true);
    expect((await pullCollect(deps, s.rig.name("ns/w"))).error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    expect([transferWorkers.take(), hashWorkers.take()]).toEqual([transfer, hash]);
    transferWorkers.give(transfer);
    hashWorkers.give(hash);
  });

  test("an error thrown inside the worker fails the pull with a clear error", async () => {
    const spawnTransfer = scriptWorker(`
      self.onmessage = (e) => { if (e.data.kind === "get") throw new Error("boom in transfer"); };
    `);
    const { error } = await pullCollect(
      pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer }),
      s.rig.name("ns/w"),
    );
    expect(error?.message).toBe("download worker failed: boom in transfer");
    expect(error?.status).toBe(500);
    expect(await s.tmp.store.blobs.has(s.model)).toBe(false);
  });

  test("a worker that exits mid-body fails the pull instead of hanging; the next pull completes", async () => {
    const spawnTransfer = scriptWorker(`
      self.onmessage = (e) => {
        if (e.data.kind === "get") self.postMessage({ kind: "answer", id: e.data.id, status: 206,
          url: e.data.url, headers: { "content-range": "bytes " + e.data.headers.Range.slice(6) + "/${SIZE}" } });
        if (e.data.kind === "fill") process.exit(3);
      };
    `);
    const first = await pullCollect(pullDeps(s.tmp.store, s.tmp.root, { spawnTransfer }), s.rig.name("ns/w"));
    expect(first.error?.message).toStartWith("download worker failed");
    expect(await s.tmp.store.blobs.has(s.model)).toBe(false);
    const again = await pullCollect(pullDeps(s.tmp.store, s.tmp.root), s.rig.name("ns/w"));
    expect(again.error).toBeUndefined();
    expect((await readFile(s.tmp.store.blobs.path(s.model))).equals(s.weights)).toBe(true);
    expect((await storeFiles(s.tmp.store)).filter((f) => f.includes("partial"))).toEqual([]);
  });
});

describe.skipIf(!registryAvailable())("the compiled executable pulls through its embedded worker", () => {
  let rig: PullRig;
  let exe: string;
  let home: string;
  beforeAll(async () => {
    [rig, exe] = await Promise.all([startRig(), buildExecutable()]);
    home = mkdtempSync(join(tmpdir(), "tsllm-pull-exe-"));
  });
  afterAll(async () => {
    await rig.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test("a pull through ./tsllm serve stores the exact blob, never reading on the server thread", async () => {
    const weights = randomBytes(SIZE);
    const seeded = await seedModel(rig.registry.url, "ns/exe", "latest", [
      { mediaType: MediaType.model, bytes: weights },
    ]);
    const proc = Bun.spawn([exe, "serve"], {
      env: {
        HOME: home,
        PATH: "/usr/bin:/bin",
        TSLLM_HOST: "127.0.0.1:0",
        TSLLM_HOME: join(home, "tsllm"),
        TSLLM_MODELS: join(home, "models"),
        TSLLM_RUNTIME_DIR: home,
      },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    let log = "";
    try {
      const reader = proc.stderr.getReader();
      const dec = new TextDecoder();
      let addr: string | undefined;
      while (!addr) {
        const r = await reader.read();
        if (r.done) throw new Error(`serve exited: ${log}`);
        log += dec.decode(r.value);
        addr = /Listening on (\S+?:\d+)/.exec(log)?.[1];
      }
      void (async () => {
        for (;;) {
          const r = await reader.read();
          if (r.done) return;
          log += dec.decode(r.value);
        }
      })();
      const res = await postStream(`http://${addr}`, "/api/pull", {
        model: rig.name("ns/exe"),
        insecure: true,
      });
      expect(res.error).toBeUndefined();
      expect(res.ok).toBe(true);
      const digest = seeded.layers[0]?.digest as string;
      const stored = await readFile(join(home, "models", "blobs", digest.replace(":", "-")));
      expect(stored.equals(weights)).toBe(true);
      expect(log).not.toContain("download worker");
      expect(log).not.toContain("reading it on the server thread");
    } finally {
      proc.kill();
      await proc.exited;
    }
  });
});
