// The runner's two completion transports: the stream socket (multiplexed NDJSON, served by the engine
// thread) and POST /completion (NDJSON per request on the control socket).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import type { RunnerClient } from "../../src/runner/client.ts";
import { type StreamFrame, streamSocketPath } from "../../src/runner/protocol.ts";
import { endlessModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "./helpers.ts";

let runner: RunnerClient;

// The endless tiny model (never samples </s>): every stream here ends at its limit or by a cancel.
beforeAll(async () => {
  runner = await startRunner(await endlessModel(), { num_parallel: 2 });
});
afterAll(closeAll);

/** A raw connection to the stream socket that records every line it receives. */
async function connect(r: RunnerClient) {
  const frames: StreamFrame[] = [];
  let buf = "";
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let closed = false;
  const socket: Socket = await Bun.connect({
    unix: streamSocketPath(r.socket),
    socket: {
      data(_s, bytes) {
        buf += new TextDecoder().decode(bytes);
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          frames.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
        wake();
      },
      close() {
        closed = true;
        wake();
      },
    },
  });
  const records = (rid: number) => frames.flatMap((f) => f.filter(([r]) => r === rid).map(([, c]) => c));
  return {
    frames,
    records,
    send: (line: string) => socket.write(`${line}\n`),
    close: () => socket.end(),
    /** Waits until `rid` has its final record. */
    async finished(rid: number) {
      for (;;) {
        const last = records(rid).at(-1);
        if (last && (last.done || last.error !== undefined)) return records(rid);
        if (closed) throw new Error("stream socket closed");
        await new Promise<void>((res) => waiters.push(res));
      }
    },
  };
}

const tokensOf = (recs: Record<string, unknown>[]) => recs.flatMap((c) => (c.tokens as number[]) ?? []);

describe("runner stream socket", () => {
  test("hold_ms: the same tokens and text, in fewer records, the first piece at once", async () => {
    const c = await connect(runner);
    const req = (hold?: number) => ({
      prompt: "A held answer",
      options: { ...GREEDY, num_predict: 48 },
      ...(hold === undefined ? {} : { hold_ms: hold }),
    });
    c.send(JSON.stringify({ op: "completion", rid: 7, req: req() }));
    c.send(JSON.stringify({ op: "completion", rid: 8, req: req(1000) }));
    const [plain, held] = await Promise.all([c.finished(7), c.finished(8)]);
    const text = (recs: Record<string, unknown>[]) => recs.map((r) => r.content ?? "").join("");
    expect(tokensOf(held)).toEqual(tokensOf(plain));
    expect(text(held)).toBe(text(plain));
    expect(held.at(-1)).toMatchObject({ done: true, done_reason: "length" });
    // One record per token without holding; held, the first piece comes alone and the rest are merged.
    expect(plain.length).toBeGreaterThan(40);
    expect(held.length).toBeLessThan(plain.length / 4);
    expect(tokensOf(held.slice(0, 1))).toHaveLength(1);
    c.close();
  });

  test("two completions multiplexed on one connection; one line per step carries both", async () => {
    const c = await connect(runner);
    const req = (prompt: string) => ({ prompt, options: { ...GREEDY, num_predict: 16 } });
    c.send(JSON.stringify({ op: "completion", rid: 1, req: req("Once upon a time") }));
    c.send(JSON.stringify({ op: "completion", rid: 2, req: req("The weather today is") }));
    const [a, b] = await Promise.all([c.finished(1), c.finished(2)]);
    expect(a.at(-1)).toMatchObject({ done: true, done_reason: "length" });
    expect(b.at(-1)).toMatchObject({ done: true, done_reason: "length" });
    expect(tokensOf(a)).toHaveLength(16);
    // Same tokens as each alone through the client.
    expect(tokensOf(a)).toEqual((await collect(runner, req("Once upon a time"))).tokens);
    expect(tokensOf(b)).toEqual((await collect(runner, req("The weather today is"))).tokens);
    expect(c.frames.some((f) => f.some(([r]) => r === 1) && f.some(([r]) => r === 2))).toBe(true);
    c.close();
  });

  test("bad lines get an error record, and the connection keeps working", async () => {
    const c = await connect(runner);
    c.send("{not json");
    c.send(JSON.stringify({ op: "completion", rid: 7, req: { options: {} } }));
    c.send(JSON.stringify({ op: "launch", rid: 8 }));
    expect((await c.finished(-1))[0]).toMatchObject({ code: "bad_request", status: 400 });
    expect((await c.finished(7))[0]).toMatchObject({ code: "bad_request", status: 400 });
    expect(String((await c.finished(7))[0]?.error)).toContain("invalid request");
    expect((await c.finished(8))[0]).toMatchObject({ code: "bad_request" });
    c.send(JSON.stringify({ op: "completion", rid: 9, req: { prompt: "Hi", options: { num_predict: 2 } } }));
    expect((await c.finished(9)).at(-1)).toMatchObject({ done: true });
    c.close();
  });

  test("cancel ends a stream with done_reason cancel; a closed connection frees its slots", async () => {
    const c = await connect(runner);
    const long = { prompt: "go", options: { temperature: 1, num_predict: 100000 } };
    c.send(JSON.stringify({ op: "completion", rid: 1, req: long }));
    c.send(JSON.stringify({ op: "completion", rid: 2, req: long }));
    while (c.records(1).length < 3) await Bun.sleep(5);
    c.send(JSON.stringify({ op: "cancel", rid: 1 }));
    expect((await c.finished(1)).at(-1)).toMatchObject({ done: true, done_reason: "cancel" });
    c.close(); // rid 2 is still running: closing the connection must stop it
    const t0 = performance.now();
    while ((await runner.health()).slots_processing > 0 && performance.now() - t0 < 2000) await Bun.sleep(10);
    expect((await runner.health()).slots_processing).toBe(0);
  });

  test("POST /completion streams the same records as NDJSON", async () => {
    const body = { prompt: "Once upon a time", options: { ...GREEDY, num_predict: 8 } };
    const res = await fetch("http://runner/completion", {
      method: "POST",
      body: JSON.stringify(body),
      unix: runner.socket,
    } as RequestInit);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "length" });
    expect(tokensOf(lines)).toEqual((await collect(runner, body)).tokens);
  });
});
