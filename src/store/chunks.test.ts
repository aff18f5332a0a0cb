import { expect, test } from "bun:test";
import { readChunks } from "./chunks.ts";
import { UploadStalledError } from "./errors.ts";

/** A stream that delivers `parts` and then neither ends nor sends more (a stalled sender). */
function stalling(...parts: string[]): { stream: ReadableStream<Uint8Array>; cancelled: Promise<unknown> } {
  let onCancel: (r: unknown) => void = () => {};
  const cancelled = new Promise((r) => {
    onCancel = r;
  });
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
    },
    cancel(reason) {
      onCancel(reason ?? "cancelled");
    },
  });
  return { stream, cancelled };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  let s = "";
  for await (const c of it) s += new TextDecoder().decode(c);
  return s;
}

test("a sender that pauses longer than the stall timeout fails with 408 and the stream is cancelled", async () => {
  const { stream, cancelled } = stalling("abc");
  const got: string[] = [];
  const err = await (async () => {
    for await (const c of readChunks(stream, { stallMs: 50 })) got.push(new TextDecoder().decode(c));
  })().catch((e) => e);
  expect(got).toEqual(["abc"]);
  expect(err).toBeInstanceOf(UploadStalledError);
  expect(err.status).toBe(408);
  expect(err.message).toBe("blob upload stalled: no data for 0.05s (TSLLM_BODY_TIMEOUT)");
  await cancelled;
});

test("aborting ends a pending read with the signal's reason", async () => {
  const { stream, cancelled } = stalling();
  const ctl = new AbortController();
  const reading = collect(readChunks(stream, { signal: ctl.signal })).catch((e) => e);
  ctl.abort(new Error("closing"));
  expect(((await reading) as Error).message).toBe("closing");
  await cancelled;
});

test("time the consumer spends between reads is not a stall", async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of ["a", "b", "c"]) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });
  let s = "";
  for await (const c of readChunks(stream, { stallMs: 20 })) {
    s += new TextDecoder().decode(c);
    // A slow disk write: longer than the stall timeout, while the sender has data ready.
    await new Promise((r) => setTimeout(r, 60));
  }
  expect(s).toBe("abc");
});

test("async iterables (local files) are read as they are", async () => {
  async function* parts() {
    yield new TextEncoder().encode("x");
    yield new TextEncoder().encode("y");
  }
  expect(await collect(readChunks(parts(), { stallMs: 1 }))).toBe("xy");
});
