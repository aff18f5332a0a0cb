/**
 * A large request on model A does not hold up small requests on model B: while A tokenizes a 4 MiB prompt,
 * or while serve takes in a 60 MB body for A, small requests on B keep completing. Ordering only: several
 * small requests finish after the large one was fully sent and before its answer ends; no durations are
 * compared. Serve runs as its own process, so the test's own event loop cannot hide a stalled server.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { models } from "../api/helpers.ts";
import { synthModel } from "../fixtures/models.ts";
import { type ServeChild, spawnServe } from "../fuzz/api-server.ts";

const SMALL_DURING = 3;

let server: ServeChild;

beforeAll(async () => {
  server = await spawnServe({ env: { TSLLM_NUM_PARALLEL: "2" }, unset: ["TSLLM_DEBUG"] });
  await server.create("model-a", { gguf: models.chat });
  await server.create("model-b", {
    gguf: () => synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }),
  });
  for (const m of ["model-a", "model-b"]) await small(m); // both loaded before measuring anything
}, 120_000);
afterAll(() => server?.stop());

/** A short generate request; resolves when its whole answer arrived. */
async function small(model: string): Promise<void> {
  const res = await fetch(`${server.url}/api/generate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, prompt: "hi", stream: false, options: { temperature: 0, num_predict: 1 } }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/**
 * POSTs `parts` as a streamed body; `sent` resolves once the last part was handed over, `answered` once the
 * whole answer arrived (with its status).
 */
function postStreamed(path: string, parts: Uint8Array[]) {
  let markSent = () => {};
  const sent = new Promise<void>((r) => {
    markSent = r;
  });
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      const p = parts[i++];
      if (p) ctrl.enqueue(p);
      else {
        ctrl.close();
        markSent();
      }
    },
  });
  const answered = fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  }).then(async (r) => ({ status: r.status, text: await r.text() }));
  return { sent, answered };
}

/** How many small requests on model B complete after `sent` and before `answered` settles. */
async function smallWhile(sent: Promise<void>, answered: Promise<unknown>): Promise<number> {
  await sent;
  let over = false;
  void answered.finally(() => {
    over = true;
  });
  let during = 0;
  while (!over && during < SMALL_DURING) {
    await small("model-b");
    if (!over) during++;
  }
  return during;
}

/** `text` cut into 1 MiB parts. */
function parts(text: string): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 1 << 20) out.push(bytes.subarray(at, at + (1 << 20)));
  return out;
}

test("small requests on B complete while A tokenizes a 4 MiB prompt", async () => {
  const prompt = "the quick brown fox jumps over the lazy dog ".repeat((4 << 20) / 44);
  const body = JSON.stringify({ model: "model-a", prompt, options: { temperature: 0, num_predict: 1 } });
  const large = postStreamed("/api/generate", parts(body));
  expect(await smallWhile(large.sent, large.answered)).toBe(SMALL_DURING);
  expect((await large.answered).status).toBe(200);
}, 120_000);

test("small requests on B complete while serve takes in a 60 MB body for A", async () => {
  // An empty prompt only loads the model: all the large request's work is taking in its body.
  const body = `{"model":"model-a","prompt":"","pad":[${"0,".repeat(30_000_000)}0]}`;
  const large = postStreamed("/api/generate", parts(body));
  expect(await smallWhile(large.sent, large.answered)).toBe(SMALL_DURING);
  expect((await large.answered).status).toBe(200);
}, 120_000);
