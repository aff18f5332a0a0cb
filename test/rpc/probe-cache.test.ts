/** serve's RPC probe: servers probed in parallel, concurrent callers share one probe, a down server is remembered briefly. */
import { describe, expect, test } from "bun:test";
import { probeCache } from "../../src/cli/rpc-probe-cache.ts";
import { RpcServerError } from "../../src/llama/ffi/rpc-errors.ts";
import type { Logger } from "../../src/log.ts";

/** A logger that keeps its lines. */
const quiet = () => {
  const lines: string[] = [];
  const keep = (msg: string, fields?: Record<string, unknown>) =>
    lines.push(`${msg} ${JSON.stringify(fields)}`);
  return { log: { info: keep, warn: keep } as unknown as Logger, lines };
};

describe("probeCache", () => {
  test("every configured server in order; one that fails has no devices and is not probed again for a while", async () => {
    let t = 0;
    const calls: string[] = [];
    const up = new Set(["a:1"]);
    const { log, lines } = quiet();
    const rpc = probeCache(
      ["a:1", "b:2"],
      async (ep) => {
        calls.push(ep);
        if (!up.has(ep)) throw new RpcServerError(ep, "cannot connect: refused");
        return { endpoint: ep, devices: [{ free: 5, total: 9 }] };
      },
      log,
      () => t,
    );
    expect(await rpc.probe()).toEqual([
      { endpoint: "a:1", devices: [{ free: 5, total: 9 }] },
      { endpoint: "b:2", devices: [] },
    ]);
    expect(lines.filter((l) => l.includes("b:2"))).toHaveLength(1);
    up.add("b:2");
    t += 1000;
    await rpc.probe();
    expect(calls).toEqual(["a:1", "b:2", "a:1"]); // b:2 still known as down: no second wait on it
    t += 5000;
    expect((await rpc.probe())[1]?.devices).toHaveLength(1); // probed again, and answers
    expect(calls).toEqual(["a:1", "b:2", "a:1", "a:1", "b:2"]);
  });

  test("servers are probed in parallel; callers during a probe share it", async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    const rpc = probeCache(
      ["a:1", "b:2"],
      (ep) =>
        new Promise((resolve) => {
          started.push(ep);
          release.push(() => resolve({ endpoint: ep, devices: [{ free: 1, total: 2 }] }));
        }),
      quiet().log,
    );
    const first = rpc.probe();
    const second = rpc.probe();
    expect(started).toEqual(["a:1", "b:2"]); // both in flight before either answered
    for (const r of release) r();
    expect(await first).toEqual(await second);
    expect(started).toHaveLength(2);
  });
});
