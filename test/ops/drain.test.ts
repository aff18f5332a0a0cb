/**
 * Graceful drain of a real `tsllm serve` process (SIGTERM is real): with 4 streams in flight, new requests
 * get 503 and /health 503 while the streams run on; with a long TSLLM_SHUTDOWN_TIMEOUT all 4 finish as the
 * model ends them, with a short one they are ended with the drain's reason (Ollama done_reason "shutdown",
 * OpenAI finish_reason "length", Anthropic stop_reason "max_tokens"). Serve exits 0 and leaves no runner
 * process; a second signal exits at once, runners still closed. The model is the endless tiny one (it never
 * samples </s>), so every stream is still running when the drain reaches it.
 */
import { runnerPids } from "../helpers/runner-pids.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, spawnServe, waitFor } from "../faults/serve-process.ts";
import { models } from "../api/helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary fields
type Json = Record<string, any>;

let dir = "";
let serve: ServeProcess | undefined;

afterEach(() => {
  serve?.proc.kill("SIGKILL");
  serve = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Whether `pid` is still a live (not zombie) runner process. */
function runnerAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("\0runner\0");
  } catch {
    return false;
  }
}

/** Serve with model "tiny" (the endless tiny model) loaded (4 slots); returns its runner pids. */
async function started(env: Record<string, string>): Promise<{ s: ServeProcess; runners: number[] }> {
  dir = mkdtempSync(join(tmpdir(), "tsllm-drain-"));
  const s = await spawnServe(join(dir, "models"), {
    TSLLM_NUM_PARALLEL: "4",
    TSLLM_RUNTIME_DIR: dir,
    ...env,
  });
  serve = s;
  const gguf = await models.endless();
  const bytes = readFileSync(gguf);
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: "POST", body: bytes })).status).toBe(201);
  const made = await post(s, "/api/create", {
    model: "tiny",
    files: { "model.gguf": digest },
    stream: false,
  });
  expect(made.status).toBe(200);
  const warm = await post(s, "/api/generate", {
    model: "tiny",
    prompt: "hi",
    stream: false,
    options: { num_predict: 1 },
  });
  expect(warm.status).toBe(200);
  const runners = runnerPids(s.proc.pid);
  expect(runners).toHaveLength(1);
  return { s, runners };
}

const post = (s: ServeProcess, path: string, body: unknown) =>
  fetch(`${s.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** A streamed answer read record by record (NDJSON objects, or SSE `data:` objects), resolved at its end. */
class Stream {
  readonly records: Json[] = [];
  readonly ended: Promise<void>;
  #first!: () => void;
  /** Resolves once the first record has arrived (the request is in the server). */
  readonly first = new Promise<void>((r) => {
    this.#first = r;
  });

  constructor(res: Response) {
    expect(res.status).toBe(200);
    this.ended = this.#read(res);
    this.ended.catch(() => {}); // awaited by the test; a cut stream (second signal) must not go unhandled
  }

  async #read(res: Response): Promise<void> {
    const dec = new TextDecoder();
    let buf = "";
    try {
      for await (const chunk of res.body as ReadableStream<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          const line = buf.slice(0, nl).replace(/^data: /, "");
          buf = buf.slice(nl + 1);
          if (!line.trim().startsWith("{")) continue;
          this.records.push(JSON.parse(line));
          this.#first();
        }
      }
    } finally {
      this.#first();
    }
  }

  get last(): Json | undefined {
    return this.records.at(-1);
  }
}

const sampled = (seed: number, n: number) => ({ temperature: 1, seed, num_predict: n });

/** Starts an Ollama generate stream. */
async function generate(s: ServeProcess, seed: number, n: number): Promise<Stream> {
  return new Stream(
    await post(s, "/api/generate", { model: "tiny", prompt: `story ${seed}`, options: sampled(seed, n) }),
  );
}

/** Polls /health until it answers 503 (the drain has begun); fails if serve stops answering first. */
async function healthDraining(s: ServeProcess): Promise<Response> {
  for (let i = 0; i < 3000; i++) {
    const res = await fetch(`${s.url}/health`);
    if (res.status === 503) return res;
    await Bun.sleep(5);
  }
  throw new Error("/health never answered 503");
}

/** New requests during the drain: 503 with the shutdown message, in each API's error shape. */
async function expectRefused(s: ServeProcess): Promise<void> {
  const ollama = await post(s, "/api/generate", { model: "tiny", prompt: "late", stream: false });
  expect(ollama.status).toBe(503);
  expect(await ollama.json()).toEqual({ error: "server is shutting down" });
  const openai = await post(s, "/v1/chat/completions", {
    model: "tiny",
    messages: [{ role: "user", content: "x" }],
  });
  expect(openai.status).toBe(503);
  expect(((await openai.json()) as Json).error.message).toBe("server is shutting down");
  expect((await fetch(`${s.url}/api/tags`)).status).toBe(503);
}

async function expectNoRunnerLeft(runners: number[]): Promise<void> {
  await waitFor(() => runners.every((p) => !runnerAlive(p)), "runners to exit", 10_000);
}

describe("SIGTERM with 4 streams in flight", () => {
  test("a long TSLLM_SHUTDOWN_TIMEOUT: new requests get 503, all 4 finish, exit 0, no runner left", async () => {
    const { s, runners } = await started({ TSLLM_SHUTDOWN_TIMEOUT: "5m" });
    const streams = await Promise.all([1, 2, 3, 4].map((seed) => generate(s, seed, 64)));
    await Promise.all(streams.map((st) => st.first));
    s.proc.kill("SIGTERM");
    const health = await healthDraining(s);
    expect(await health.json()).toEqual({ status: "draining" });
    await expectRefused(s);
    await Promise.all(streams.map((st) => st.ended));
    for (const st of streams) {
      expect(st.last).toMatchObject({ done: true, done_reason: "length", eval_count: 64 });
    }
    expect(await s.proc.exited).toBe(0);
    expect(s.log()).toContain("stopped");
    await expectNoRunnerLeft(runners);
  }, 300_000);

  test("a short TSLLM_SHUTDOWN_TIMEOUT: the streams end with the drain's reason in each API", async () => {
    const { s, runners } = await started({ TSLLM_SHUTDOWN_TIMEOUT: "2s" });
    const long = 20_000;
    const streams = [
      await generate(s, 1, long),
      new Stream(
        await post(s, "/api/chat", {
          model: "tiny",
          messages: [{ role: "user", content: "chat" }],
          options: sampled(2, long),
        }),
      ),
      new Stream(
        await post(s, "/v1/chat/completions", {
          model: "tiny",
          stream: true,
          max_tokens: long,
          temperature: 1,
          seed: 3,
          messages: [{ role: "user", content: "openai" }],
        }),
      ),
      new Stream(
        await post(s, "/v1/messages", {
          model: "tiny",
          stream: true,
          max_tokens: long,
          temperature: 1,
          messages: [{ role: "user", content: "anthropic" }],
        }),
      ),
    ];
    await Promise.all(streams.map((st) => st.first));
    s.proc.kill("SIGTERM");
    await healthDraining(s);
    await expectRefused(s);
    await Promise.all(streams.map((st) => st.ended));
    const [gen, chat, openai, anthropic] = streams as [Stream, Stream, Stream, Stream];
    for (const st of [gen, chat]) {
      expect(st.last).toMatchObject({ done: true, done_reason: "shutdown" });
      expect(st.last?.eval_count).toBeGreaterThan(0);
    }
    const finish = openai.records.map((r) => r.choices?.[0]?.finish_reason).filter(Boolean);
    expect(finish).toEqual(["length"]);
    const delta = anthropic.records.find((r) => r.type === "message_delta");
    expect(delta?.delta.stop_reason).toBe("max_tokens");
    expect(anthropic.last?.type).toBe("message_stop");
    expect(await s.proc.exited).toBe(0);
    expect(s.log()).toContain("shutdown timeout");
    await expectNoRunnerLeft(runners);
  }, 300_000);

  test("a second signal exits at once, still closing every runner", async () => {
    const { s, runners } = await started({ TSLLM_SHUTDOWN_TIMEOUT: "10m" });
    const streams = await Promise.all([1, 2, 3, 4].map((seed) => generate(s, seed, 20_000)));
    await Promise.all(streams.map((st) => st.first));
    s.proc.kill("SIGTERM");
    await healthDraining(s);
    s.proc.kill("SIGTERM");
    expect(await s.proc.exited).toBe(0);
    await Promise.allSettled(streams.map((st) => st.ended)); // cut (or ended, if they raced the exit)
    await expectNoRunnerLeft(runners);
  }, 300_000);
});
