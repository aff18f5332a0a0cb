import { describe, expect, test } from "bun:test";
import { BodyTimeoutError, BodyTooLargeError } from "./errors.ts";
import { declaredLength, joinChunks, readAll } from "./read-body.ts";

const chunk = (n: number, byte = 0x61) => new Uint8Array(n).fill(byte);

/** A stream that yields `chunks` and then stays open or ends; records cancellation. */
function source(chunks: Uint8Array[], end: "close" | "hang" | "error" = "close") {
  const state = { cancelled: false, pulls: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      const next = chunks[state.pulls++];
      if (next) return ctrl.enqueue(next);
      if (end === "close") return ctrl.close();
      if (end === "error") return ctrl.error(Object.assign(new Error("gone"), { name: "AbortError" }));
      return new Promise<void>(() => {}); // never delivers
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

const limits = { maxBytes: 100, pauseMs: 0 };

describe("readBody (through readAll)", () => {
  test("joins the chunks", async () => {
    const { stream } = source([chunk(10), chunk(20, 0x62)]);
    const body = await readAll(stream, limits);
    expect(body.size).toBe(30);
    const out = joinChunks(body);
    expect(out.byteLength).toBe(30);
    expect(out[9]).toBe(0x61);
    expect(out[10]).toBe(0x62);
  });

  test("a body of many chunks is read whole (the loop yields between them)", async () => {
    const { stream } = source(Array.from({ length: 40 }, () => chunk(256 * 1024)));
    const body = await readAll(stream, { maxBytes: 64 * 1024 * 1024, pauseMs: 1000 });
    expect([body.chunks.length, body.size]).toEqual([40, 10 * 1024 * 1024]);
  });

  test("a body exactly at the limit is read", async () => {
    const { stream } = source([chunk(60), chunk(40)]);
    expect((await readAll(stream, limits)).size).toBe(100);
  });

  test("Content-Length over the limit is refused before reading", async () => {
    const { stream } = source([chunk(10)]);
    const err = await readAll(stream, limits, 101).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err.status).toBe(413);
    expect(err.message).toBe("request body is 101 bytes, larger than the 100 bytes limit (TSLLM_MAX_BODY)");
    expect(stream.locked).toBe(false);
  });

  test("a body growing past the limit is cut off and cancelled", async () => {
    const { stream, state } = source([chunk(60), chunk(60), chunk(60)], "hang");
    const err = await readAll(stream, limits).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err.message).toBe("request body is larger than the 100 bytes limit (TSLLM_MAX_BODY)");
    expect(state.cancelled).toBe(true);
    expect(state.pulls).toBeLessThanOrEqual(3);
  });

  test("a pause longer than the body timeout is a 408 and cancels the stream", async () => {
    const { stream, state } = source([chunk(5)], "hang");
    const err = await readAll(stream, { maxBytes: 100, pauseMs: 50 }).catch((e) => e);
    expect(err).toBeInstanceOf(BodyTimeoutError);
    expect(err.status).toBe(408);
    expect(err.message).toBe("request body not received within 50ms (TSLLM_BODY_TIMEOUT)");
    expect(state.cancelled).toBe(true);
  });

  test("a client gone mid-body rejects the read", async () => {
    const { stream } = source([chunk(5)], "error");
    const err = await readAll(stream, { maxBytes: 100, pauseMs: 10_000 }).catch((e) => e);
    expect(err.name).toBe("AbortError");
  });

  test("no body is empty", async () => {
    expect(await readAll(null, limits)).toEqual({ chunks: [], size: 0 });
  });

  test("declaredLength takes plain integers only", () => {
    expect(declaredLength(new Headers({ "content-length": "42" }))).toBe(42);
    expect(declaredLength(new Headers({ "content-length": "-1" }))).toBeUndefined();
    expect(declaredLength(new Headers({ "content-length": "1e9" }))).toBeUndefined();
    expect(declaredLength(new Headers())).toBeUndefined();
  });
});
