/**
 * A runner started straight from a checkout's own RunnerClient (no serve), loaded as serve loads the tiny
 * bench model on 2 CPU threads, and one timed completion through it: the "runner directly" side of the
 * serve-overhead measures. `root` may be another checkout (a baseline worktree), whose modules are imported.
 */
import { join } from "node:path";

/** The RunnerClient calls the benches use. */
export interface DirectRunner {
  completion(req: { prompt: string; options: object }): AsyncIterable<unknown>;
  close(): Promise<void>;
}

/** Starts a runner of the checkout at `root` for `gguf` with `numParallel` slots; resolves once it runs. */
export async function directRunner(root: string, gguf: string, numParallel: number): Promise<DirectRunner> {
  const { RunnerClient } = await import(join(root, "src/runner/client.ts"));
  const { Env } = await import(join(root, "src/config/env.ts"));
  const { loadOptions } = await import(join(root, "test/runner/helpers.ts"));
  const options = loadOptions({ num_ctx: 4096, num_parallel: numParallel, num_thread: 2 });
  const runner = new RunnerClient({ model: gguf, options, variant: "cpu" }, { env: new Env() });
  await runner.waitUntilRunning();
  return runner;
}

/** Milliseconds one completion of `prompt` takes through `runner`, to its last record. */
export async function timedCompletion(
  runner: DirectRunner,
  prompt: string,
  options: object,
): Promise<number> {
  const t0 = performance.now();
  for await (const _ of runner.completion({ prompt, options })) {
  }
  return performance.now() - t0;
}
