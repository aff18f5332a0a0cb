import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Env } from "../config/env.ts";
import { Logger } from "../log.ts";
import { ModelStore } from "../store/index.ts";
import { Registry, RegistryClosedError, settingsFromEnv, type TransferFn } from "./registry.ts";
import type { RegistryClient } from "./types.ts";

let root = "";
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-registry-facade-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const client: RegistryClient = {
  ref: () => {
    throw new Error("unused");
  },
  send: () => Promise.reject(new Error("unused")),
};

/** A transfer that reports one line, then waits until its signal aborts (and rejects with the reason). */
function waitingTransfer(seen: { name: string; signal?: AbortSignal }[]): TransferFn {
  return (_deps, name, opts) => {
    seen.push({ name, signal: opts.signal });
    opts.onProgress?.({ status: "pulling manifest" });
    return new Promise((_, reject) => {
      const abort = () => reject(opts.signal?.reason ?? new Error("aborted"));
      if (opts.signal?.aborted) abort();
      else opts.signal?.addEventListener("abort", abort);
    });
  };
}

function registry(pullModel: TransferFn, pushModel: TransferFn = pullModel) {
  const store = new ModelStore(join(root, "models"));
  const settings = { parts: 2, stallMs: 1000, prune: true };
  return new Registry({ store, client, logger: new Logger("error"), settings, pullModel, pushModel });
}

describe("Registry", () => {
  test("close() aborts every transfer, waits for them, and refuses new ones", async () => {
    const seen: { name: string; signal?: AbortSignal }[] = [];
    const r = registry(waitingTransfer(seen));
    const lines: string[] = [];
    const a = r.pull("m", { onProgress: (p) => lines.push(p.status) });
    const b = r.push("ns/other:v1");
    const aDone = a.catch((e) => e);
    const bDone = b.catch((e) => e);
    while (seen.length < 2) await Bun.sleep(0);
    await r.close();
    expect(await aDone).toBeInstanceOf(RegistryClosedError);
    expect(await bDone).toBeInstanceOf(RegistryClosedError);
    expect(lines).toEqual(["pulling manifest"]);
    await expect(r.pull("m")).rejects.toBeInstanceOf(RegistryClosedError);
    await r.close(); // idempotent
  });

  test("a caller's signal aborts its own transfer only", async () => {
    const seen: { name: string; signal?: AbortSignal }[] = [];
    const r = registry(waitingTransfer(seen));
    const gone = new AbortController();
    const mine = r.pull("a", { signal: gone.signal }).catch((e) => e);
    const other = r.pull("b").catch((e) => e);
    while (seen.length < 2) await Bun.sleep(0);
    gone.abort(new Error("client gone"));
    expect(((await mine) as Error).message).toBe("client gone");
    expect(seen.find((s) => s.name.includes("/b:"))?.signal?.aborted).toBe(false);
    await r.close();
    expect(await other).toBeInstanceOf(RegistryClosedError);
  });

  test("names reach the transfer fully qualified, in the store's casing, with an explicit scheme kept", async () => {
    await mkdir(join(root, "models/manifests/registry.ollama.ai/library/Llama3"), { recursive: true });
    await writeFile(join(root, "models/manifests/registry.ollama.ai/library/Llama3/Latest"), "{}");
    const names: string[] = [];
    const r = registry(async (_d, name) => void names.push(name));
    await r.pull("llama3");
    await r.pull("hf.co/user/repo:Q4_K_M");
    await r.push("http://127.0.0.1:5000/ns/m:t");
    expect(names).toEqual([
      "registry.ollama.ai/library/Llama3:Latest",
      "hf.co/user/repo:Q4_K_M",
      "http://127.0.0.1:5000/ns/m:t",
    ]);
    await expect(r.pull("bad name")).rejects.toThrow("invalid model name");
  });

  test("the transfer gets the store, the client and the settings", async () => {
    let got: unknown;
    const r = registry(async (deps) => {
      got = { parts: deps.parts, stallMs: deps.stallMs, prune: deps.prune, client: deps.client === client };
    });
    await r.pull("m");
    expect(got).toEqual({ parts: 2, stallMs: 1000, prune: true, client: true });
  });
});

describe("settingsFromEnv", () => {
  test("defaults: 8 parts, 30 s stall, pruning on", () => {
    expect(settingsFromEnv(new Env({}))).toEqual({
      parts: 8,
      stallMs: 30_000,
      prune: true,
      proxied: false,
      splice: true,
    });
  });

  test("TSLLM_DOWNLOAD_PARTS/STALL and either NOPRUNE", () => {
    const env = new Env({ TSLLM_DOWNLOAD_PARTS: "3", TSLLM_DOWNLOAD_STALL: "1m30s", OLLAMA_NOPRUNE: "1" });
    expect(settingsFromEnv(env)).toEqual({
      parts: 3,
      stallMs: 90_000,
      prune: false,
      proxied: false,
      splice: true,
    });
    expect(settingsFromEnv(new Env({ TSLLM_NOPRUNE: "true" })).prune).toBe(false);
  });

  test("nonsense falls back: at least one part, a positive stall", () => {
    const env = new Env({ TSLLM_DOWNLOAD_PARTS: "0", TSLLM_DOWNLOAD_STALL: "soon" });
    expect(settingsFromEnv(env)).toEqual({
      parts: 1,
      stallMs: 30_000,
      prune: true,
      proxied: false,
      splice: true,
    });
  });
});
