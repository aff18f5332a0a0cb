import { afterAll, beforeAll, expect, test } from "bun:test";
import { models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "1", TSLLM_MAX_QUEUE: "1" });
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

test("a full queue answers 503 with Ollama's text; the queued request runs once the slot frees", async () => {
  const body = (n: number) => JSON.stringify({ model: "tiny", prompt: "go", options: { num_predict: n } });
  const ctl = new AbortController();
  const busy = await fetch(`${s.url}/api/generate`, {
    method: "POST",
    body: body(100_000),
    signal: ctl.signal,
  });
  await (busy.body as ReadableStream<Uint8Array>).getReader().read(); // the only slot is now taken
  const waiting = [1, 2, 3].map(() => fetch(`${s.url}/api/generate`, { method: "POST", body: body(1) }));
  // Two of the three cannot even queue; they answer at once while the slot is still held.
  const settled = await Promise.all(waiting.map((p) => Promise.race([p, Bun.sleep(3000).then(() => null)])));
  const rejected = settled.filter((r): r is Response => r !== null && r.status === 503);
  expect(rejected.length).toBe(2);
  expect(await rejected[0]?.json()).toEqual({
    error: "server busy, please try again.  maximum pending requests exceeded",
  });
  ctl.abort();
  const statuses = await Promise.all(waiting.map(async (p) => (await p).status));
  expect(statuses.filter((x) => x === 200).length).toBe(1);
}, 30_000);
