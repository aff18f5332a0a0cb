/** TSLLM_RPC_SERVERS parsing and the per-host bookkeeping of a split model (pure, no servers needed). */
import { describe, expect, test } from "bun:test";
import { hostSplit, parseRpcServers, rpcDevices, rpcEndpointsOf } from "../../src/scheduler/rpc.ts";

describe("TSLLM_RPC_SERVERS", () => {
  test("parses host:port lists; empty means none", () => {
    expect(parseRpcServers("")).toEqual([]);
    expect(parseRpcServers(" 10.0.0.2:50052 , gpu-box:1,")).toEqual(["10.0.0.2:50052", "gpu-box:1"]);
  });

  test("a malformed or repeated entry is named", () => {
    expect(() => parseRpcServers("a:1,b")).toThrow(/entry 2 "b" is not host:port/);
    expect(() => parseRpcServers("a:70000")).toThrow(/entry 1 "a:70000"/);
    expect(() => parseRpcServers("a:1,,b:2")).toThrow(/entry 2 ""/);
    expect(() => parseRpcServers("a:1,a:1")).toThrow(/listed twice/);
  });
});

describe("devices and hosts", () => {
  test("devices are named as ggml names their buffers; a plan's endpoints follow its layers", () => {
    const devs = rpcDevices([
      {
        endpoint: "h:1",
        devices: [
          { free: 5, total: 9 },
          { free: 1, total: 2 },
        ],
      },
    ]);
    expect(devs.map((d) => [d.id, d.type, d.host])).toEqual([
      ["RPC0[h:1]", "gpu", "h:1"],
      ["RPC1[h:1]", "gpu", "h:1"],
    ]);
    expect(
      rpcEndpointsOf([{ id: "Vulkan0" }, { id: "RPC0[b:2]" }, { id: "RPC1[b:2]" }, { id: "RPC0[a:1]" }]),
    ).toEqual(["b:2", "a:1"]);
  });

  test("memory per host; nothing when all of it is local", () => {
    const m = (device: string, weights: number) => ({ device, weights, kv_cache: 1, compute: 1 });
    expect(hostSplit([m("CPU", 10), m("Vulkan0", 5)])).toEqual([]);
    expect(hostSplit([m("CPU", 10), m("RPC0[a:1]", 5), m("RPC1[a:1]", 3)])).toEqual([
      { host: "local", size: 12 },
      { host: "a:1", size: 12 },
    ]);
  });
});
