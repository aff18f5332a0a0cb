// A runner killed with SIGKILL mid-stream takes down only its own requests, each ended with Ollama's
// "model runner has unexpectedly stopped" error; serve keeps serving, and the next request reloads the model.
import { runnerPids } from "../helpers/runner-pids.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type Json, startTestServer, type TestServer, models } from "./helpers.ts";

let s: TestServer;
let tinyBlob = "";

beforeAll(async () => {
  s = await startTestServer();
  tinyBlob = (await s.createFrom("tiny", await models.chat())).replace("sha256:", "sha256-");
  await s.createFrom("embed", await models.embed());
});
afterAll(() => s.stop());

const STOPPED =
  "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error";

/** NDJSON lines of a streaming response, as they arrive. */
async function* lines(res: Response): AsyncGenerator<Json> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) yield JSON.parse(line);
    }
  }
  if (buf.trim()) yield JSON.parse(buf);
}

// Sampled, not greedy: a greedy reply on random weights can repeat one token until the engine's repetition
// guard ends it, finishing a request before the kill it is meant to witness.
const long = { temperature: 1, seed: 7, num_predict: 2000 };
const short = { ...GREEDY, num_predict: 2 };

/** A two-token, non-streaming generate on the tiny model (loads it when needed). */
const generateShort = () =>
  s.request("/api/generate", { model: "tiny", prompt: "hi", stream: false, options: short });

describe("a runner killed mid-stream", () => {
  test("its streams end with the error, its non-streaming requests get a 500, serve and other models go on", async () => {
    const warm = await generateShort();
    expect(warm.status).toBe(200);
    const [pid] = runnerPids(process.pid, tinyBlob);
    expect(pid).toBeGreaterThan(0);

    // The non-streaming request goes first, so it is in the runner by the time the stream has sent pieces
    // (sent second, it could still be on its way when the runner dies, and a reloaded runner would serve it).
    const whole = s.request("/api/chat", {
      model: "tiny",
      messages: [{ role: "user", content: "Tell me a story" }],
      stream: false,
      options: long,
    });
    const streaming = await s.request("/api/generate", {
      model: "tiny",
      prompt: "Once upon a time",
      options: long,
    });
    const chunks: Json[] = [];
    for await (const c of lines(streaming)) {
      chunks.push(c);
      if (chunks.length === 3) process.kill(pid as number, "SIGKILL");
    }
    const last = chunks.at(-1) as Json;
    expect(last.done).not.toBe(true);
    expect(String(last.error)).toStartWith(STOPPED);
    expect(String(last.error)).toContain("signal SIGKILL");
    expect(String(last.error)).not.toMatch(/(^|\s)\/\w+\//); // no absolute paths

    const w = await whole;
    expect(w.status).toBe(500);
    expect(String((await w.json()).error)).toStartWith(STOPPED);

    expect((await s.request("/api/version", undefined, "GET")).status).toBe(200);
    const e = await s.request("/api/embed", { model: "embed", input: "still here" });
    expect(e.status).toBe(200);
  });

  test("the next request for the model loads it again in a new runner", async () => {
    const r = await generateShort();
    expect(r.status).toBe(200);
    expect((await r.json()).done).toBe(true);
    expect(runnerPids(process.pid, tinyBlob)).toHaveLength(1);
  });

  test("requests queued behind a killed runner are served by a reloaded one or fail with the error", async () => {
    expect((await generateShort()).status).toBe(200);
    const [pid] = runnerPids(process.pid, tinyBlob);
    // Both slots generating (each stream has sent a piece), then two more requests behind them.
    const busy = await Promise.all(
      [0, 1].map(async () => {
        const res = await s.request("/api/generate", {
          model: "tiny",
          prompt: "Once upon a time",
          options: long,
        });
        const it = lines(res);
        await it.next();
        return it;
      }),
    );
    const queued = [0, 1].map(() => generateShort());
    process.kill(pid as number, "SIGKILL");
    for (const it of busy) {
      let last: Json = {};
      for await (const c of it) last = c;
      expect(String(last.error)).toStartWith(STOPPED);
    }
    for (const r of await Promise.all(queued)) {
      const body = await r.json();
      if (r.status === 200) expect(body.done).toBe(true);
      else
        expect({ status: r.status, error: String(body.error).slice(0, STOPPED.length) }).toEqual({
          status: 500,
          error: STOPPED,
        });
    }
    const after = await generateShort();
    expect(after.status).toBe(200);
    expect(runnerPids(process.pid, tinyBlob)).toHaveLength(1);
  });
});
