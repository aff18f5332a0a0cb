/**
 * 64 concurrent clients against 2 slots and a queue of 4: every client gets a 200 stream or an immediate 503
 * with Ollama's "server busy" text (in its API's error shape), nothing else, and nobody waits forever. The
 * running streams never end on their own (num_predict is huge), so every 503 provably arrived while the
 * slots were still held; the test then cancels the streams one by one and the queued clients get their turn.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { QUEUE_FULL } from "../fuzz/api-oracle.ts";
import { startServerWith, type TestServer } from "../api/helpers.ts";
import { waitFor } from "./wait.ts";

const CLIENTS = 64;
const SLOTS = 2;
const QUEUE = 4;

let s: TestServer;

beforeAll(async () => {
  s = await startServerWith(["tiny"], { TSLLM_NUM_PARALLEL: String(SLOTS), TSLLM_MAX_QUEUE: String(QUEUE) });
  await s.request("/api/generate", { model: "tiny" }); // loaded before the rush
}, 60_000);
afterAll(() => s?.stop());

/** A request that holds its slot until cancelled: sampling (not greedy) keeps the token-repeat guard quiet. */
function longRequest(i: number): { path: string; body: unknown } {
  const options = { num_predict: 100_000, seed: i };
  if (i % 3 === 0) return { path: "/api/generate", body: { model: "tiny", prompt: `story ${i}`, options } };
  if (i % 3 === 1)
    return {
      path: "/api/chat",
      body: { model: "tiny", messages: [{ role: "user", content: `hi ${i}` }], options },
    };
  return {
    path: "/v1/chat/completions",
    body: { model: "tiny", stream: true, messages: [{ role: "user", content: `hi ${i}` }], options },
  };
}

/** The error message of a 503 body in Ollama's or OpenAI's shape. */
function busyMessage(body: { error?: string | { message?: string } }): string | undefined {
  return typeof body.error === "string" ? body.error : body.error?.message;
}

interface Client {
  status?: number;
  body?: unknown;
  ctl: AbortController;
  /** The first chunk of a 200 stream was read. */
  streaming: boolean;
}

test(`${CLIENTS} clients, ${SLOTS} slots, queue ${QUEUE}: 200 streams and immediate 503s only`, async () => {
  const clients: Client[] = Array.from({ length: CLIENTS }, () => ({
    ctl: new AbortController(),
    streaming: false,
  }));
  const done = clients.map(async (c, i) => {
    const { path, body } = longRequest(i);
    const res = await fetch(`${s.url}${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
      signal: c.ctl.signal,
    });
    c.status = res.status;
    if (res.status !== 200) {
      c.body = await res.json();
      return;
    }
    await (res.body as ReadableStream<Uint8Array>).getReader().read();
    c.streaming = true;
  });
  const answered = () => clients.filter((c) => c.body !== undefined || c.streaming);

  // Everyone but the queued ones is answered while the slots are still busy.
  await waitFor(() => answered().length >= CLIENTS - QUEUE, "the immediate answers");
  const early = answered();
  expect(early.filter((c) => c.streaming).length).toBeLessThanOrEqual(SLOTS);
  for (const c of early.filter((x) => !x.streaming)) {
    expect(c.status).toBe(503);
    expect(busyMessage(c.body as never)).toBe(QUEUE_FULL);
  }

  // Cancelling a running stream lets a queued client in; in the end every client was answered.
  while (answered().length < CLIENTS) {
    const before = answered().length;
    clients.find((c) => c.streaming && !c.ctl.signal.aborted)?.ctl.abort();
    await waitFor(() => answered().length > before, "a queued client to get the freed slot");
  }
  for (const c of clients) if (!c.ctl.signal.aborted) c.ctl.abort();
  await Promise.allSettled(done);
  const statuses = clients.map((c) => c.status);
  expect(statuses.filter((x) => x !== 200 && x !== 503)).toEqual([]);
  expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(SLOTS + QUEUE);
  expect(statuses.filter((x) => x === 200).length).toBeGreaterThanOrEqual(SLOTS);
}, 120_000);
