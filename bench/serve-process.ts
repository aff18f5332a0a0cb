/** `tsllm serve` as its own process (`bun src/main.ts serve`, as users run it), for the benchmarks. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A running serve process on a loopback port with its own model store. */
export interface ServeProcess {
  url: string;
  /** The server process id (for reading its memory use). */
  pid: number;
  /** Uploads `gguf` as a blob and creates `name` from it. */
  create(name: string, gguf: string): Promise<void>;
  /** SIGTERM, wait for the exit, remove the model store. */
  stop(): Promise<void>;
}

/** Optional: extra environment, another checkout's entry point, headers every request needs (an API key). */
export interface SpawnOptions {
  env?: Record<string, string>;
  /** The `src/main.ts` to run (default: this checkout's). */
  entry?: string;
  headers?: Record<string, string>;
}

/** Spawns serve with `numParallel` slots (2 threads, CPU build) and resolves once it answers on its URL. */
export async function spawnServe(numParallel: number, opts: SpawnOptions = {}): Promise<ServeProcess> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-bench-"));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const url = `http://127.0.0.1:${port}`;
  const entry = opts.entry ?? join(import.meta.dir, "../src/main.ts");
  const headers = opts.headers ?? {};
  const proc = Bun.spawn(["bun", entry, "serve"], {
    env: {
      ...process.env,
      TSLLM_HOST: `127.0.0.1:${port}`,
      TSLLM_MODELS: join(root, "models"),
      TSLLM_NUM_PARALLEL: String(numParallel),
      TSLLM_NUM_THREADS: "2",
      TSLLM_LLM_LIBRARY: "cpu",
      ...opts.env,
    },
    stdout: "ignore",
    stderr: "ignore",
  });
  const answers = () =>
    fetch(url).then(
      (r) => r.ok,
      () => false,
    );
  for (let i = 0; i < 200 && !(await answers()); i++) await Bun.sleep(50);
  return {
    url,
    pid: proc.pid,
    async create(name, gguf) {
      const digest = `sha256:${createHash("sha256").update(readFileSync(gguf)).digest("hex")}`;
      await fetch(`${url}/api/blobs/${digest}`, { method: "POST", headers, body: readFileSync(gguf) });
      await (
        await fetch(`${url}/api/create`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: name, files: { "m.gguf": digest }, stream: false }),
        })
      ).text();
    },
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(root, { recursive: true, force: true });
    },
  };
}
