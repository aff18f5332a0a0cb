/**
 * `tsllm serve` as a child process (`bun src/main.ts serve`, as users run it) on a free loopback port with
 * its own temp store and its log captured: the fuzzers, load tests and the log-privacy test need a server
 * whose crash does not take the test down, whose log they can read, and whose liveness they can check.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { fileDigest, type ModelRecipe } from "../api/helpers.ts";
import { testServeEnv } from "../helpers/serve-env.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");

/** A running serve process. */
export interface ServeChild {
  url: string;
  pid: number;
  /** The temp directory holding its store and runtime dir (no answer or log line should name it). */
  root: string;
  /** Every log line so far. */
  lines(): readonly string[];
  /** Log lines from index `from` on. */
  since(from: number): string[];
  /** The whole log. */
  log(): string;
  /** True while the process runs. */
  alive(): boolean;
  /** Uploads the recipe's GGUF and creates `name` from it; returns the blob digest. */
  create(name: string, recipe: ModelRecipe, headers?: Record<string, string>): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the temp directory. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Options: extra environment (replaces the test defaults), variables to remove. */
export interface ServeChildOptions {
  env?: Record<string, string>;
  unset?: readonly string[];
}

async function* linesOf(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += dec.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      yield buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
    }
  }
  if (buf) yield buf;
}

/** Uploads `recipe`'s GGUF to the server at `url` and creates `name` from it; returns the blob digest. */
export async function createModel(
  url: string,
  name: string,
  recipe: ModelRecipe,
  headers: Record<string, string> = {},
): Promise<string> {
  const gguf = await recipe.gguf();
  const digest = fileDigest(gguf);
  const up = await fetch(`${url}/api/blobs/${digest}`, { method: "POST", headers, body: readFileSync(gguf) });
  if (up.status !== 201 && up.status !== 200) throw new Error(`blob upload: ${up.status} ${await up.text()}`);
  const res = await fetch(`${url}/api/create`, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ model: name, files: { "model.gguf": digest }, stream: false, ...recipe.extra }),
  });
  if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${await res.text()}`);
  return digest;
}

/** Starts serve with the test defaults (CPU library, 2 threads, 2 slots) and waits until it listens. */
export async function spawnServe(opts: ServeChildOptions = {}): Promise<ServeChild> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-fuzz-"));
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...testServeEnv(root),
    ...opts.env,
  };
  for (const k of opts.unset ?? []) delete env[k];
  const proc: Subprocess<"ignore", "ignore", "pipe"> = Bun.spawn([process.execPath, MAIN, "serve"], {
    env,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const lines: string[] = [];
  let onLine: (() => void) | undefined;
  const pump = (async () => {
    for await (const l of linesOf(proc.stderr)) {
      lines.push(l);
      onLine?.();
    }
  })();
  const port = await new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = lines.map((l) => /Listening on \S*?:(\d+)/.exec(l)).find(Boolean);
      if (m) resolve(Number(m[1]));
    };
    onLine = check;
    void proc.exited.then(() => reject(new Error(`serve exited (${proc.exitCode}): ${lines.join("\n")}`)));
  });
  onLine = undefined;
  const url = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: proc.pid,
    root,
    lines: () => lines,
    since: (from) => lines.slice(from),
    log: () => lines.join("\n"),
    alive: () => proc.exitCode === null && proc.signalCode === null,
    create: (name, recipe, headers) => createModel(url, name, recipe, headers),
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        proc.kill("SIGTERM");
        const killed = setTimeout(() => proc.kill("SIGKILL"), graceMs);
        await proc.exited;
        clearTimeout(killed);
        await pump.catch(() => {});
        rmSync(root, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
