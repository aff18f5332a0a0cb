/**
 * The parent side of a runner: spawns `tsllm runner` (the same executable), waits for the model to load
 * while watching progress, and exposes completion/embedding/tokenize over the runner's Unix socket. The
 * runner's stderr tail is kept so a crash is reported with its real cause.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { parseDurationMs } from "../config/duration.ts";
import { ENV, type Env } from "../config/env.ts";
import { TsllmError } from "../errors.ts";
import { childExit } from "./child-exit.ts";
import { RunnerExitedError, RunnerLoadError, RunnerLoadTimeoutError } from "./errors.ts";
import {
  type CompletionRequest,
  type DeviceMemory,
  type EmbeddingResponse,
  type RerankResponse,
  type Health,
  type LoadOptions,
  type LoadResponse,
  type RunnerSlots,
  streamSocketPath,
} from "./protocol.ts";
import { StderrTail } from "./stderr-tail.ts";
import { CompletionStream } from "./stream-client.ts";
import { remoteError } from "./remote-error.ts";
import type { CompletionChunk, Runner, RunnerSpec } from "./types.ts";

/** How to start runners. */
export interface RunnerClientOptions {
  env: Env;
  /** Poll interval while loading. */
  pollMs?: number;
}

/** The command line that starts this executable again (the compiled binary, or bun + src/main.ts). */
export function selfCommand(): string[] {
  const compiled = import.meta.path.startsWith("/$bunfs");
  return compiled ? [process.execPath] : [process.execPath, resolve(import.meta.dir, "../main.ts")];
}

/** The command line that starts this executable as a runner. */
export function runnerCommand(): string[] {
  return [...selfCommand(), "runner"];
}

/** A live runner process. */
export class RunnerClient implements Runner {
  readonly pid: number;
  /** The runner's control socket (its stream socket is streamSocketPath of it). */
  readonly socket: string;
  readonly spec: RunnerSpec;
  readonly #proc: Subprocess<"pipe", "ignore", "pipe">;
  readonly #dir: string;
  readonly #tail = new StderrTail();
  readonly #stream: CompletionStream;
  readonly #loadTimeoutMs: number;
  readonly #pollMs: number;
  #memory: DeviceMemory[] = [];
  #exited = false;
  readonly #exit: Promise<RunnerExitedError>;

  constructor(spec: RunnerSpec, opts: RunnerClientOptions) {
    this.spec = spec;
    const env = opts.env;
    const base = env.path(ENV.RUNTIME_DIR) || env.raw("XDG_RUNTIME_DIR") || tmpdir();
    this.#dir = mkdtempSync(join(base, "tsllm-runner-"));
    chmodSync(this.#dir, 0o700);
    this.socket = join(this.#dir, "runner.sock");
    this.#loadTimeoutMs =
      parseDurationMs(env.get(ENV.LOAD_TIMEOUT)) ?? (parseDurationMs(ENV.LOAD_TIMEOUT.default) as number);
    this.#pollMs = opts.pollMs ?? 50;
    const childEnv = env.snapshot();
    if (spec.variant) childEnv[ENV.LLM_LIBRARY.name] = spec.variant;
    this.#proc = Bun.spawn([...runnerCommand(), "--model", spec.model, "--socket", this.socket], {
      stdin: "pipe", // never written: its EOF tells the runner we are gone
      stdout: "ignore",
      stderr: "pipe",
      env: childEnv,
    });
    this.pid = this.#proc.pid;
    this.#stream = new CompletionStream(streamSocketPath(this.socket), () => this.#streamLost());
    void this.#tail.consume(this.#proc.stderr);
    this.#exit = childExit(this.#proc).then(() => {
      this.#exited = true;
      rmSync(this.#dir, { recursive: true, force: true });
      return new RunnerExitedError(this.#proc.exitCode, this.#proc.signalCode ?? null, this.#tail.text());
    });
  }

  /** The runner's stderr tail. */
  stderrTail(): string {
    return this.#tail.text();
  }

  hasExited(): boolean {
    return this.#exited;
  }

  memory(): DeviceMemory[] {
    return this.#memory;
  }

  async #fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`http://runner${path}`, { ...init, unix: this.socket } as RequestInit);
  }

  async #post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.#guard(
      this.#fetch(path, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
        signal,
      }),
    );
    const data = (await res.json()) as T & { error?: string; code?: string };
    if (!res.ok) throw remoteError(data.error ?? res.statusText, data.code ?? "runner_error", res.status);
    return data;
  }

  /** Turns a transport failure into RunnerExitedError when the process is gone (waits up to 1 s to know). */
  async #guard<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if ((e as Error).name === "AbortError" || (e as Error).name === "TimeoutError") throw e;
      throw (await this.#exitedWithin(1000)) ?? e;
    }
  }

  /** Why a stream ended without its final record: the runner's exit if it is dying, else a stream error. */
  async #streamLost(): Promise<Error> {
    return (
      (await this.#exitedWithin(1000)) ??
      new TsllmError("runner closed the stream early", { code: "runner_stream", status: 500 })
    );
  }

  /** The exit error if the process ends within `ms` (a dropped connection usually means it is dying), else null. */
  #exitedWithin(ms: number): Promise<RunnerExitedError | null> {
    return Promise.race([this.#exit, Bun.sleep(ms).then(() => null)]);
  }

  async health(signal?: AbortSignal): Promise<Health> {
    const res = await this.#guard(this.#fetch("/health", { signal }));
    return (await res.json()) as Health;
  }

  async slots(signal?: AbortSignal): Promise<RunnerSlots> {
    // No #guard: a scrape asking a dying runner fails at once instead of waiting to learn why.
    const res = await this.#fetch("/slots", { signal });
    if (!res.ok) throw remoteError(`runner /slots: ${res.status}`, "runner_error", res.status);
    return (await res.json()) as RunnerSlots;
  }

  async waitUntilRunning(signal?: AbortSignal, options: LoadOptions = this.spec.options): Promise<void> {
    // One watchdog for the whole start: no sign of progress (socket up, load progress moving) for
    // TSLLM_LOAD_TIMEOUT means the runner is stuck; it is killed and the error names where it stopped.
    const watch = { progress: -1, lastChange: Date.now(), error: undefined as string | undefined };
    const stalled = () => Date.now() - watch.lastChange > this.#loadTimeoutMs;
    const fail = () => {
      this.#proc.kill("SIGKILL");
      return new RunnerLoadTimeoutError(this.#loadTimeoutMs, Math.max(0, watch.progress), watch.error);
    };
    await this.#waitForSocket(signal, () => {
      if (stalled()) throw fail();
    });
    watch.lastChange = Date.now();
    const load = this.#post<LoadResponse>("/load", { operation: "commit", options });
    const state: { settled: LoadResponse | Error | null } = { settled: null };
    load.then(
      (r) => {
        state.settled = r;
      },
      (e) => {
        state.settled = e;
      },
    );
    while (state.settled === null) {
      if (signal?.aborted) throw signal.reason;
      const h = await this.health(AbortSignal.timeout(Math.max(250, this.#pollMs * 4))).catch(() => null);
      if (h && h.progress !== watch.progress) {
        watch.progress = h.progress;
        watch.lastChange = Date.now();
      }
      if (h?.error) watch.error = h.error;
      if (state.settled === null && stalled()) throw fail();
      await Promise.race([load.catch(() => {}), Bun.sleep(this.#pollMs)]);
    }
    const settled = state.settled as LoadResponse | Error;
    if (settled instanceof Error) {
      if (settled instanceof TsllmError && settled.code === "model_load")
        throw new RunnerLoadError(settled.message);
      throw settled;
    }
    this.#memory = settled.memory;
  }

  /** Reports what the spec's layout would need per device, allocating nothing (libllama's no_alloc). */
  async fit(options: LoadOptions = this.spec.options, signal?: AbortSignal): Promise<LoadResponse> {
    await this.#waitForSocket(signal);
    return this.#post<LoadResponse>("/load", { operation: "fit", options }, signal);
  }

  async #waitForSocket(signal?: AbortSignal, check?: () => void): Promise<void> {
    for (;;) {
      if (this.#exited) throw await this.#exit;
      if (signal?.aborted) throw signal.reason;
      check?.();
      try {
        await this.#fetch("/health", { signal: AbortSignal.timeout(1000) });
        return;
      } catch {
        await Promise.race([this.#exit, Bun.sleep(20)]);
      }
    }
  }

  async *completion(
    req: CompletionRequest,
    signal?: AbortSignal,
    stop?: AbortSignal,
  ): AsyncIterable<CompletionChunk> {
    signal?.throwIfAborted();
    const run = await this.#guard(this.#stream.start(req));
    const abort = () => run.cancel(signal?.reason);
    const halt = () => run.stop();
    signal?.addEventListener("abort", abort);
    stop?.addEventListener("abort", halt);
    if (stop?.aborted) halt();
    try {
      for await (const msg of run.chunks) {
        if (msg.error !== undefined)
          throw remoteError(String(msg.error), String(msg.code), Number(msg.status ?? 500));
        yield msg as CompletionChunk;
        if (msg.done) return;
      }
      throw await this.#streamLost();
    } finally {
      signal?.removeEventListener("abort", abort);
      stop?.removeEventListener("abort", halt);
      run.cancel(); // a consumer that stops early frees the slot
    }
  }

  async embedding(input: (string | number[])[], signal?: AbortSignal): Promise<EmbeddingResponse> {
    return this.#post<EmbeddingResponse>("/embedding", { input }, signal);
  }

  async rerank(query: string, documents: string[], signal?: AbortSignal): Promise<RerankResponse> {
    return this.#post<RerankResponse>("/rerank", { query, documents }, signal);
  }

  async tokenize(
    content: string,
    opts: { addSpecial?: boolean; parseSpecial?: boolean } = {},
  ): Promise<number[]> {
    const r = await this.#post<{ tokens: number[] }>("/tokenize", {
      content,
      add_special: opts.addSpecial,
      parse_special: opts.parseSpecial,
    });
    return r.tokens;
  }

  async detokenize(tokens: number[]): Promise<string> {
    return (await this.#post<{ content: string }>("/detokenize", { tokens })).content;
  }

  /** SIGTERM, then SIGKILL after 3 s. Idempotent. */
  async close(): Promise<void> {
    if (this.#exited) return;
    this.#proc.kill("SIGTERM");
    const killer = setTimeout(() => this.#proc.kill("SIGKILL"), 3000);
    await this.#exit;
    clearTimeout(killer);
  }

  /** Resolves with the exit error when the process ends. */
  exited(): Promise<RunnerExitedError> {
    return this.#exit;
  }
}
