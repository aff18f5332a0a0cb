/**
 * Slow and vanished clients free what they hold. With TSLLM_BODY_TIMEOUT=1s and TSLLM_HEADER_TIMEOUT=1s,
 * clients that stall inside their headers, half-way through a JSON body or a blob upload are cut off (a 4xx
 * or a closed connection, never a hang); clients that vanish mid-body, while queued or mid-stream release
 * their slot. Afterwards both slots serve at once, fresh requests all succeed, and the model unloads when
 * asked (it would not while any lease were stuck).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { GREEDY, startServerWith, type TestServer } from "../api/helpers.ts";
import { postHead, type RawClient, rawClient } from "./raw-client.ts";
import { waitFor } from "./wait.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startServerWith(["tiny"], {
    TSLLM_NUM_PARALLEL: "2",
    TSLLM_BODY_TIMEOUT: "1s",
    TSLLM_HEADER_TIMEOUT: "1s",
  });
  await s.request("/api/generate", { model: "tiny" });
}, 60_000);
afterAll(() => s?.stop());

const user = (content: string) => [{ role: "user", content }];
const LONG = { num_predict: 100_000 };

/** Long streaming requests on every API; each holds a slot until its client goes away. */
const STREAMS: [string, unknown][] = [
  ["/api/generate", { model: "tiny", prompt: "once", options: LONG }],
  ["/api/chat", { model: "tiny", messages: user("hi"), options: LONG }],
  ["/v1/chat/completions", { model: "tiny", stream: true, max_tokens: 100_000, messages: user("hi") }],
  ["/v1/completions", { model: "tiny", stream: true, max_tokens: 100_000, prompt: "once" }],
  ["/v1/messages", { model: "tiny", stream: true, max_tokens: 100_000, messages: user("hi") }],
  ["/v1/responses", { model: "tiny", stream: true, max_output_tokens: 100_000, input: "hi" }],
];

function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(`${s.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
    signal,
  });
}

/** Starts a long stream and resolves once its first chunk arrived; abort `ctl` to vanish. */
async function started(path: string, body: unknown, ctl: AbortController): Promise<void> {
  const res = await post(path, body, ctl.signal);
  expect(res.status).toBe(200);
  await (res.body as ReadableStream<Uint8Array>).getReader().read();
}

/** A raw client the server dealt with: it answered (with a 4xx) or closed the connection. */
function cutOff(c: RawClient): boolean {
  return c.closed() || c.status() !== undefined;
}

test("clients stalling in headers, JSON bodies and blob uploads are cut off, not waited for", async () => {
  const body = JSON.stringify({ model: "tiny", prompt: "x".repeat(1000), options: GREEDY });
  const half = body.slice(0, body.length / 2);
  const blob = new Uint8Array(1 << 20).fill(7);
  const digest = `sha256:${createHash("sha256").update(blob).digest("hex")}`;
  const clients = await Promise.all([
    rawClient(s.url, `POST /api/generate HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\nContent-Ty`),
    rawClient(s.url, postHead(s.url, "/api/generate", body.length) + half),
    rawClient(s.url, postHead(s.url, "/api/chat", 5000) + '{"model":"tiny","messages":['),
    rawClient(s.url, postHead(s.url, "/v1/chat/completions", body.length) + half),
    rawClient(s.url, postHead(s.url, "/v1/messages", body.length) + half),
    rawClient(s.url, postHead(s.url, `/api/blobs/${digest}`, blob.length, "application/octet-stream")),
  ]);
  clients.at(-1)?.write(blob.subarray(0, blob.length / 2));
  await waitFor(() => clients.every(cutOff), "every stalled client to be cut off", 30_000);
  for (const c of clients) {
    const status = c.status();
    if (status !== undefined) expect(status >= 400 && status < 500).toBe(true);
  }
  // Nothing of the stalled upload was kept: the blob is absent and a whole upload of it succeeds.
  expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);
  expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: "POST", body: blob })).status).toBe(201);
}, 60_000);

test("clients vanishing mid-body, while queued and mid-stream free their slots", async () => {
  // Mid-body: half a body, then the connection closes.
  const body = JSON.stringify({ model: "tiny", prompt: "hello", options: LONG });
  const gone = await rawClient(s.url, postHead(s.url, "/api/generate", body.length) + body.slice(0, 20));
  gone.end();
  // Mid-stream on every API: both slots taken, the rest queued; then every client vanishes.
  const ctls = STREAMS.map(() => new AbortController());
  let streaming = 0;
  const starts = STREAMS.map(([path, b], i) =>
    started(path, b, ctls[i] as AbortController).then(
      () => streaming++,
      () => {},
    ),
  );
  await waitFor(() => streaming >= 2, "both slots to stream");
  for (const c of ctls) c.abort();
  await Promise.allSettled(starts);

  // Both slots serve at once again.
  const fresh = [new AbortController(), new AbortController()];
  await Promise.all(
    fresh.map((c, i) => started("/api/generate", { model: "tiny", prompt: `again ${i}`, options: LONG }, c)),
  );
  for (const c of fresh) c.abort();
  // Short requests all succeed.
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      post("/api/generate", {
        model: "tiny",
        prompt: `short ${i}`,
        stream: false,
        options: { ...GREEDY, num_predict: 4 },
      }),
    ),
  );
  expect(answers.map((r) => r.status)).toEqual(new Array(8).fill(200));
  // No lease is stuck: the model unloads when asked (it waits for in-flight work otherwise).
  expect((await post("/api/generate", { model: "tiny", keep_alive: 0 })).status).toBe(200);
  const loaded = async () =>
    ((await (await fetch(`${s.url}/api/ps`)).json()) as { models: unknown[] }).models;
  await waitFor(async () => (await loaded()).length === 0, "the model to unload", 30_000);
}, 90_000);
