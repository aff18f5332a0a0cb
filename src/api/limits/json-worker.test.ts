import { afterEach, describe, expect, test } from "bun:test";
import { InvalidInputError } from "../../errors.ts";
import { BodyCollector } from "./body-collector.ts";
import { JsonTooDeepError, ParseWorkerError } from "./errors.ts";
import { JsonParsePool } from "./json-worker.ts";

/** `v` as JSON in chunks of at most 7 bytes (so joining is exercised). */
function chunksOf(v: unknown): Uint8Array[] {
  const all = new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
  const out: Uint8Array[] = [];
  for (let i = 0; i < all.length; i += 7) out.push(all.slice(i, i + 7));
  return out;
}

/** Parses `v` through a collector on `pool`; bodies of `threshold` bytes or more go to a worker. */
function parse(pool: JsonParsePool, v: unknown, maxDepth = 8, threshold = 64): Promise<unknown> {
  const c = new BodyCollector(pool, threshold);
  for (const chunk of chunksOf(v)) c.push(chunk);
  return c.finish(maxDepth);
}

/** The error `p` rejects with. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("resolved");
    },
    (e) => e as Error & { status: number },
  );
const script = (code: string) => URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
const realWorker = () => new Worker(new URL("./json-parse-worker.ts", import.meta.url));

let pool: JsonParsePool | undefined;
afterEach(() => pool?.dispose());

describe("BodyCollector and JsonParsePool", () => {
  test("small bodies are parsed in place, big ones in a reused worker", async () => {
    pool = new JsonParsePool();
    expect(await parse(pool, { a: 1 })).toEqual({ a: 1 });
    expect(pool.workers).toBe(0);
    const big = { prompt: "x".repeat(1000), options: { n: [1, 2] } };
    expect(await parse(pool, big)).toEqual(big);
    expect(await parse(pool, big)).toEqual(big);
    expect(pool.workers).toBe(1);
    // Big strings come back as flat fields and are put back in place.
    const huge = { prompt: "y".repeat(100_000), images: ["z".repeat(70_000), "s"], n: null };
    expect(await parse(pool, huge)).toEqual(huge);
  });

  test("a declared length over the threshold streams from the first chunk", async () => {
    pool = new JsonParsePool();
    const c = new BodyCollector(pool, 64, 1000);
    expect(pool.workers).toBe(1);
    for (const chunk of chunksOf([1, 2])) c.push(chunk);
    expect(await c.finish(8)).toEqual([1, 2]);
  });

  test("many bodies at once share the workers; one still arriving holds none", async () => {
    pool = new JsonParsePool({ size: 1 });
    const slow = new BodyCollector(pool, 1);
    slow.push(new TextEncoder().encode('{"slow":'));
    const all = await Promise.all(
      Array.from({ length: 5 }, (_, i) => parse(pool as JsonParsePool, { i }, 8, 1)),
    );
    expect(all).toEqual(Array.from({ length: 5 }, (_, i) => ({ i })));
    slow.push(new TextEncoder().encode("true}"));
    expect(await slow.finish(8)).toEqual({ slow: true });
    expect(pool.workers).toBe(1);
  });

  test("an aborted body is dropped; the worker goes on", async () => {
    pool = new JsonParsePool({ size: 1 });
    const c = new BodyCollector(pool, 1);
    c.push(new TextEncoder().encode('{"a":'));
    c.abort();
    expect(await parse(pool, { b: 2 }, 8, 1)).toEqual({ b: 2 });
  });

  test("a worker refuses deep, malformed and empty bodies with the same errors as in place", async () => {
    pool = new JsonParsePool();
    const deep = await failure(parse(pool, "[".repeat(100_000), 64, 1));
    expect(deep).toBeInstanceOf(JsonTooDeepError);
    expect(deep.message).toBe("JSON nesting deeper than 64 levels (TSLLM_MAX_JSON_DEPTH)");
    const bad = await failure(parse(pool, "{nope", 8, 1));
    expect(bad).toBeInstanceOf(InvalidInputError);
    expect(bad.message).toStartWith("invalid JSON in request body: ");
    const empty = await failure(parse(pool, "  \n ", 8, 1));
    expect(empty.message).toBe("missing request body");
    expect(pool.workers).toBe(1);
  });

  test("a worker that cannot start makes bodies parse in place", async () => {
    pool = new JsonParsePool({
      spawn: () => {
        throw new Error("no entry point");
      },
    });
    expect(await parse(pool, { a: 1 }, 8, 1)).toEqual({ a: 1 });
    pool = new JsonParsePool({ spawn: () => new Worker(script("throw new Error('broken')")) });
    // This body waits for the worker, which fails: its chunks come back and it is parsed in place.
    expect(await parse(pool, { b: [1, 2, 3] }, 8, 1)).toEqual({ b: [1, 2, 3] });
    expect(await parse(pool, { c: 3 }, 8, 1)).toEqual({ c: 3 });
    expect(pool.workers).toBe(0);
  });

  test("a worker dying mid-body fails that body only; the next gets a new worker", async () => {
    let spawned = 0;
    const dies = script(
      "self.onmessage = (e) => { if (e.data.kind === 'end') process.exit(1); }; self.postMessage({ ready: true });",
    );
    pool = new JsonParsePool({ spawn: () => (spawned++ === 0 ? new Worker(dies) : realWorker()) });
    const err = await failure(parse(pool, { a: 1 }, 8, 1));
    expect(err).toBeInstanceOf(ParseWorkerError);
    expect(err.status).toBe(500);
    expect(await parse(pool, { a: 2 }, 8, 1)).toEqual({ a: 2 });
    expect(spawned).toBe(2);
  });

  test("dispose stops the workers; later bodies are parsed in place", async () => {
    pool = new JsonParsePool();
    await parse(pool, [1], 8, 1);
    pool.dispose();
    expect(pool.workers).toBe(0);
    expect(await parse(pool, [2], 8, 1)).toEqual([2]);
    expect(pool.workers).toBe(0);
  });
});
