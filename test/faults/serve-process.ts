/** Fault-test helpers: `tsllm serve` as a child process on its own store and port, and a store audit. */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { ModelStore, referencedDigests } from "../../src/store/index.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

/** A running `bun src/main.ts serve`. */
export interface ServeProcess {
  url: string;
  proc: Subprocess<"ignore", "ignore", "pipe">;
  /** Everything serve wrote to stderr so far. */
  log(): string;
  /** Resolves once the log matches `re`. */
  waitForLog(re: RegExp): Promise<void>;
}

/** Starts serve on a free port with `models` as its store; resolves once it listens. */
export async function spawnServe(models: string, env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = Bun.spawn([process.execPath, MAIN, "serve"], {
    env: {
      ...process.env,
      TSLLM_HOST: "127.0.0.1:0",
      TSLLM_MODELS: models,
      TSLLM_LLM_LIBRARY: "cpu",
      TSLLM_NUM_THREADS: "2",
      ...env,
    },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let text = "";
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  let ended = false;
  const endWaiters: ((e: Error) => void)[] = [];
  void (async () => {
    const dec = new TextDecoder();
    for await (const chunk of proc.stderr) {
      text += dec.decode(chunk);
      for (const w of waiters.splice(0)) {
        if (w.re.test(text)) w.resolve();
        else waiters.push(w);
      }
    }
    ended = true;
    for (const f of endWaiters.splice(0)) f(new Error(`serve exited: ${text}`));
  })();
  const waitForLog = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (re.test(text)) return resolve();
      if (ended) return reject(new Error(`serve exited: ${text}`));
      waiters.push({ re, resolve });
      endWaiters.push(reject);
    });
  await waitForLog(/Listening on \S+?:\d+/);
  const addr = (/Listening on (\S+?:\d+)/.exec(text) as RegExpExecArray)[1] as string;
  return { url: `http://${addr}`, proc, log: () => text, waitForLog };
}

/** Waits (polling the filesystem) until `cond` holds; fails after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Names of temp files anywhere under the store. */
export function tempFiles(models: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.startsWith(".tmp-")) out.push(join(dir, e.name));
    }
  };
  walk(models);
  return out;
}

/**
 * What is wrong with a store: temp files, unparsable manifests, manifests naming missing blobs or blobs of
 * another size, blobs that do not hash to their names. Empty when consistent.
 */
export async function storeProblems(models: string): Promise<string[]> {
  const problems = tempFiles(models).map((f) => `temp file ${f}`);
  const store = new ModelStore(models);
  const { manifests, corrupt } = await store.manifests.scan();
  problems.push(...corrupt.map((n) => `corrupt manifest ${n}`));
  for (const m of manifests) {
    const layers = [m.manifest.config, ...m.manifest.layers];
    for (const l of layers) {
      const path = store.blobs.path(l.digest);
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        problems.push(`${m.name.model}: missing blob ${l.digest}`);
        continue;
      }
      if (size !== l.size)
        problems.push(`${m.name.model}: blob ${l.digest} has ${size} bytes, not ${l.size}`);
    }
    if (referencedDigests(m.manifest).length === 0) problems.push(`${m.name.model}: no layers`);
  }
  for (const d of await store.blobs.list()) {
    const actual = `sha256:${createHash("sha256")
      .update(readFileSync(store.blobs.path(d)))
      .digest("hex")}`;
    if (actual !== d) problems.push(`blob ${d} hashes to ${actual}`);
  }
  return problems;
}
