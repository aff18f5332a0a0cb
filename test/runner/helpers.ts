/** Test helpers: start real runner processes on synthetic models and collect their output. */
import { Env } from "../../src/config/env.ts";
import { RunnerClient } from "../../src/runner/client.ts";
import type { CompletionRequest, LoadOptions } from "../../src/runner/protocol.ts";
import type { CompletionChunk } from "../../src/runner/types.ts";

/** Load options for tests: small context, CPU, 2 threads. */
export function loadOptions(o: Partial<LoadOptions> = {}): LoadOptions {
  return {
    num_ctx: 4096,
    num_batch: 512,
    num_gpu: 0,
    main_gpu: 0,
    use_mmap: true,
    use_mlock: false,
    num_thread: 2,
    flash_attention: false,
    kv_cache_type: "f16",
    num_parallel: 4,
    embedding: false,
    ...o,
  };
}

const live = new Set<RunnerClient>();

/** Starts a runner and waits until the model is loaded. */
export async function startRunner(
  model: string,
  o: Partial<LoadOptions> = {},
  env: Record<string, string> = {},
): Promise<RunnerClient> {
  const r = new RunnerClient(
    { model, options: loadOptions(o), variant: env.TSLLM_LLM_LIBRARY ?? "cpu" },
    { env: new Env({ ...process.env, ...env }) },
  );
  live.add(r);
  await r.waitUntilRunning();
  return r;
}

/** Closes every runner a test started. */
export async function closeAll(): Promise<void> {
  await Promise.all([...live].map((r) => r.close()));
  live.clear();
}

/** Runs a completion to its end. */
export async function collect(r: RunnerClient, req: CompletionRequest, signal?: AbortSignal) {
  const pieces: string[] = [];
  const tokens: number[] = [];
  let done: Extract<CompletionChunk, { done: true }> | null = null;
  for await (const c of r.completion(req, signal)) {
    if (c.done) {
      done = c;
      if (c.content) pieces.push(c.content);
    } else {
      pieces.push(c.content);
      tokens.push(...(c.tokens ?? []));
    }
  }
  return { text: pieces.join(""), pieces, tokens, done: done as NonNullable<typeof done> };
}

/** Greedy, no penalties: deterministic. */
export const GREEDY = { temperature: 0, repeat_penalty: 1, seed: 1 };

/** The error a request ends with, or null when it ran to its end. */
export async function failure(p: Promise<unknown>): Promise<{ status: number; message: string } | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return { status: (e as { status: number }).status, message: (e as Error).message };
  }
}
