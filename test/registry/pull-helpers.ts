/**
 * Test support for pull: a real docker-registry behind the counting front proxy, an empty store, and pull
 * deps built on the real registry client. Run as a script (`bun test/registry/pull-helpers.ts <store> <name>
 * <parts>`), it pulls with small parts and prints each progress line as JSON, for the SIGKILL resume test.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { createRegistryClient } from "../../src/registry/client/index.ts";
import { type PullDeps, pullModel } from "../../src/registry/pull/index.ts";
import type { Progress } from "../../src/registry/types.ts";
import { ModelStore } from "../../src/store/index.ts";
import { type FrontProxy, type FrontProxyOptions, startFrontProxy } from "./harness/front-proxy.ts";
import { startRegistry, type TestRegistry } from "./harness/docker-registry.ts";

/** Small parts so test blobs of a few MiB are fetched in several parallel ranges. */
export const TEST_PART_SIZES = { min: 256 << 10, max: 1 << 20 };

/** A registry with the proxy in front of it. */
export interface PullRig {
  readonly registry: TestRegistry;
  readonly proxy: FrontProxy;
  /** `127.0.0.1:PORT/<repo>:<tag>` through the proxy. */
  name(repo: string, tag?: string): string;
  stop(): Promise<void>;
}

/** Starts a registry and a proxy in front of it. */
export async function startRig(mode: FrontProxyOptions["mode"] = "pass"): Promise<PullRig> {
  const registry = await startRegistry();
  const proxy = await startFrontProxy(registry.url, { mode });
  return {
    registry,
    proxy,
    name: (repo, tag = "latest") => `${proxy.host}/${repo}:${tag}`,
    async stop() {
      await proxy.stop();
      await registry.stop();
    },
  };
}

/** A fresh store in a temp dir. */
export async function tempStore(): Promise<{ root: string; store: ModelStore; dispose(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "tsllm-pull-"));
  const store = new ModelStore(join(root, "models"));
  return { root, store, dispose: () => rm(root, { recursive: true, force: true }) };
}

/** Pull deps over the real registry client: small parts, short retry delays, quiet logs. */
export function pullDeps(store: ModelStore, home: string, over: Partial<PullDeps> = {}): PullDeps {
  const logger = new Logger("error");
  return {
    store,
    client: createRegistryClient({ logger, home }),
    logger,
    parts: 4,
    stallMs: 30_000,
    prune: true,
    partSizes: TEST_PART_SIZES,
    retryDelayMs: 20,
    ...over,
  };
}

/** Runs a pull collecting its progress lines; resolves to the error (if any) rather than throwing. */
export async function pullCollect(
  deps: PullDeps,
  name: string,
  opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void } = {},
): Promise<{ progress: Progress[]; error?: Error & { status?: number } }> {
  const progress: Progress[] = [];
  try {
    await pullModel(deps, name, {
      insecure: true,
      signal: opts.signal,
      onProgress: (p) => {
        progress.push(p);
        opts.onProgress?.(p);
      },
    });
    return { progress };
  } catch (err) {
    return { progress, error: err as Error & { status?: number } };
  }
}

/** Statuses with consecutive repeats collapsed (blob ticks repeat at the tick rate). */
export function statusSequence(progress: readonly Progress[]): string[] {
  return progress.map((p) => p.status).filter((s, i, all) => i === 0 || all[i - 1] !== s);
}

/** Every file name under the store's `blobs/` and every manifest path, for "nothing written" checks. */
export async function storeFiles(store: ModelStore): Promise<string[]> {
  const blobs = await readdir(store.blobs.dir).catch(() => [] as string[]);
  const manifests = await readdir(store.manifests.dir, { recursive: true }).catch(() => [] as string[]);
  return [...blobs.map((b) => `blobs/${b}`), ...manifests.map((m) => `manifests/${m}`)];
}

/** Resolves once `check()` holds, polling the event loop (no fixed sleeps). */
export async function until(check: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

if (import.meta.main) {
  const [root, name, home] = process.argv.slice(2) as [string, string, string];
  const deps = pullDeps(new ModelStore(root), home);
  await pullModel(deps, name, {
    insecure: true,
    onProgress: (p) => process.stdout.write(`${JSON.stringify(p)}\n`),
  });
}
