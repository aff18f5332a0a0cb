/** TSLLM_RPC_SERVERS parsing, pins, spreading and the per-host bookkeeping of a split model (pure, no servers needed). */
import { describe, expect, test } from "bun:test";
import { mergeOptions } from "../../src/inference/options.ts";
import { assignLayers } from "../../src/scheduler/layout/assign.ts";
import { hostSplit, parseRpcServers, rpcDevices, rpcEndpointsOf } from "../../src/scheduler/rpc.ts";
import { parseRpcPin, pinDevices, RpcPinError, spreadsLayers } from "../../src/scheduler/rpc-pin.ts";
import type { Device } from "../../src/scheduler/types.ts";

describe("TSLLM_RPC_SERVERS", () => {
  test("parses host:port lists; empty means none", () => {
    expect(parseRpcServers("")).toEqual([]);
    expect(parseRpcServers(" 10.0.0.2:50052 , gpu-box:1,")).toEqual([
      { endpoint: "10.0.0.2:50052" },
      { endpoint: "gpu-box:1" },
    ]);
  });

  test("a per-server cap: host:port@size", () => {
    expect(parseRpcServers("a:1@4GiB,b:2@512m,c:3")).toEqual([
      { endpoint: "a:1", cap: 4 * 2 ** 30 },
      { endpoint: "b:2", cap: 512 * 2 ** 20 },
      { endpoint: "c:3" },
    ]);
    expect(() => parseRpcServers("a:1@lots")).toThrow(/entry 1 "a:1@lots": the cap after @ must be a size/);
    expect(() => parseRpcServers("a:1@0")).toThrow(/the cap after @/);
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

  test("a cap shrinks what the planner sees on that server (first device first)", () => {
    const GiB = 2 ** 30;
    const min = 256 * 2 ** 20;
    const host = {
      endpoint: "h:1",
      devices: [
        { free: 6 * GiB, total: 8 * GiB },
        { free: 8 * GiB, total: 8 * GiB },
      ],
    };
    const capped = rpcDevices([host], new Map([["h:1", 10 * GiB]]));
    expect(capped.map((d) => [d.free, d.total])).toEqual([
      [6 * GiB, 8 * GiB],
      [2.25 * GiB + min, 2.25 * GiB + min],
    ]);
    const small = rpcDevices([host], new Map([["h:1", GiB]]));
    expect(small.map((d) => [d.free, d.total])).toEqual([
      [GiB + min, GiB + min],
      [min, min],
    ]);
    expect(rpcDevices([host]).map((d) => d.total)).toEqual([8 * GiB, 8 * GiB]);
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

describe("pinning a model to RPC servers (option rpc_servers)", () => {
  const gpu = (id: string, host?: string, total = 8): Device => ({
    id,
    name: id,
    type: "gpu",
    free: total,
    total,
    ...(host ? { host } : {}),
  });
  const cpu: Device = { id: "cpu", name: "CPU", type: "cpu", free: 9, total: 9 };
  // a:1 answers, b:2 answers, c:3 is configured but down (listed with no memory).
  const devices = [
    gpu("Vulkan0"),
    gpu("RPC0[a:1]", "a:1"),
    gpu("RPC0[b:2]", "b:2"),
    gpu("RPC0[c:3]", "c:3", 0),
    cpu,
  ];
  const ids = (ds: Device[]) => ds.map((d) => d.id);

  test("parses host:port lists; none, local and empty mean this host only", () => {
    expect(parseRpcPin(" a:1, b:2 ,a:1")).toEqual(["a:1", "b:2"]);
    for (const none of ["", "none", "Local", " NONE "]) expect(parseRpcPin(none)).toEqual([]);
    expect(() => parseRpcPin("a:1,http://x")).toThrow(/"http:\/\/x" is not host:port/);
    expect(() => parseRpcPin("a:0")).toThrow(RpcPinError);
  });

  test("unpinned: every answering server; a pin keeps its servers only; down servers never planned", () => {
    expect(ids(pinDevices(devices, undefined))).toEqual(["Vulkan0", "RPC0[a:1]", "RPC0[b:2]", "cpu"]);
    expect(ids(pinDevices(devices, ["b:2"]))).toEqual(["Vulkan0", "RPC0[b:2]", "cpu"]);
    expect(ids(pinDevices(devices, ["c:3"]))).toEqual(["Vulkan0", "cpu"]);
    expect(ids(pinDevices(devices, []))).toEqual(["Vulkan0", "cpu"]);
  });

  test("a pin naming a server TSLLM_RPC_SERVERS does not list is refused (400), naming it", () => {
    const err = (() => {
      try {
        pinDevices(devices, ["a:1", "evil.example:50052"]);
      } catch (e) {
        return e as RpcPinError;
      }
    })();
    expect(err).toBeInstanceOf(RpcPinError);
    expect(err?.status).toBe(400);
    expect(err?.message).toContain(
      "evil.example:50052 is not in TSLLM_RPC_SERVERS (configured: a:1, b:2, c:3)",
    );
    expect(() => pinDevices([gpu("Vulkan0"), cpu], ["a:1"])).toThrow(/configured: none/);
  });

  test("a down server is listed with no memory, so a pin still recognises it", () => {
    expect(rpcDevices([{ endpoint: "c:3", devices: [] }])).toMatchObject([
      { id: "RPC0[c:3]", host: "c:3", free: 0, total: 0 },
    ]);
    expect(spreadsLayers(undefined)).toBe(false);
    expect(spreadsLayers([])).toBe(false);
    expect(spreadsLayers(["a:1"])).toBe(true);
  });

  test("spread: layers go over every device by free memory instead of the fewest that hold them", () => {
    const costs = [10, 10, 10, 10, 10, 10];
    expect(assignLayers(costs, [1000, 1000], false, -1).map((a) => a.gpu)).toEqual([0]);
    const spread = assignLayers(costs, [1000, 1000], false, -1, true);
    expect(spread.map((a) => [a.gpu, a.layers.length])).toEqual([
      [0, 3],
      [1, 3],
    ]);
    // With a layer count, the rest stays on this host (the output head, index 5, too: as llama.cpp offloads).
    const some = assignLayers(costs, [1000, 1000], false, 4, true);
    expect(some.flatMap((a) => a.layers)).toEqual([1, 2, 3, 4]);
    expect(some.map((a) => a.layers.length)).toEqual([2, 2]);
  });
});

describe("the rpc_servers option", () => {
  test("a Modelfile or request value becomes a load option: the pinned endpoints", () => {
    expect(mergeOptions({ rpc_servers: "a:1, b:2" }, undefined).load.rpc_servers).toEqual(["a:1", "b:2"]);
    expect(mergeOptions({ rpc_servers: "a:1" }, { rpc_servers: "none" }).load.rpc_servers).toEqual([]);
    expect(mergeOptions({}, {}).load.rpc_servers).toBeUndefined();
  });

  test("a malformed value or a non-string is a 400 naming the option", () => {
    expect(() => mergeOptions({}, { rpc_servers: "a:1;b:2" })).toThrow(/option "rpc_servers": "a:1;b:2"/);
    expect(() => mergeOptions({}, { rpc_servers: 7 })).toThrow(/option "rpc_servers" must be of type string/);
  });
});
