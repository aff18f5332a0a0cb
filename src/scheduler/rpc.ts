/**
 * ggml RPC servers as the planner sees them: the configured list (TSLLM_RPC_SERVERS), their devices as
 * scheduler devices, and which host a runner's device memory lives on. Pure: probing is the caller's job.
 */
import { TsllmError } from "../errors.ts";
import type { DeviceMemory } from "../runner/protocol.ts";
import type { GpuPlacement } from "./layout/plan.ts";
import type { Device } from "./types.ts";

/** TSLLM_RPC_SERVERS does not parse: names the entry, so serve stops at start with a fixable message. */
export class RpcConfigError extends TsllmError {
  constructor(detail: string) {
    super(`TSLLM_RPC_SERVERS: ${detail} (expected host:port,host:port,…)`, {
      code: "rpc_config",
      status: 500,
    });
  }
}

/** What one server reported when probed: each device's free and total bytes, by device index. */
export interface RpcHost {
  endpoint: string;
  devices: { free: number; total: number }[];
}

/** One host's share of a loaded model: "local" or an RPC endpoint, and the bytes held there. */
export interface HostShare {
  host: string;
  size: number;
}

/** The label of memory held by the serving machine itself. */
export const LOCAL_HOST = "local";

/** Parses "host:port,host:port" (spaces and a trailing comma tolerated); "" = none. */
export function parseRpcServers(text: string): string[] {
  const entries = text.split(",").map((e) => e.trim());
  if (entries.length > 0 && entries.at(-1) === "") entries.pop();
  const out: string[] = [];
  entries.forEach((entry, i) => {
    const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535)
      throw new RpcConfigError(`entry ${i + 1} ${JSON.stringify(entry)} is not host:port`);
    const ep = `${m[1]}:${port}`;
    if (out.includes(ep)) throw new RpcConfigError(`entry ${i + 1} ${JSON.stringify(entry)} is listed twice`);
    out.push(ep);
  });
  return out;
}

/**
 * Scheduler devices for probed servers. The id is the name ggml gives the server's buffers
 * ("RPC<index on that server>[host:port]"), which is how runners report memory held there.
 */
export function rpcDevices(hosts: readonly RpcHost[]): Device[] {
  return hosts.flatMap((h) =>
    h.devices.map(
      (d, i): Device => ({
        id: `RPC${i}[${h.endpoint}]`,
        name: `RPC${i}[${h.endpoint}]`,
        type: "gpu",
        free: d.free,
        total: d.total,
        // A remote host's RAM has no driver overhead to keep free, but its OS and rpc-server need some.
        minimum: 256 * 2 ** 20,
        host: h.endpoint,
      }),
    ),
  );
}

/** The endpoint of an RPC device or buffer name ("RPC0[10.0.0.2:50052]"), else null. */
export function hostOfDevice(name: string): string | null {
  return /^RPC\d*\[([^\]]+)\]$/.exec(name)?.[1] ?? null;
}

/** The RPC endpoints a plan places layers on, in first-use order (what the runner must register). */
export function rpcEndpointsOf(gpus: readonly Pick<GpuPlacement, "id">[]): string[] {
  const out: string[] = [];
  for (const g of gpus) {
    const ep = hostOfDevice(g.id);
    if (ep && !out.includes(ep)) out.push(ep);
  }
  return out;
}

/** Bytes per host of a runner's device memory; empty unless some of it is on an RPC server. */
export function hostSplit(memory: readonly DeviceMemory[]): HostShare[] {
  const by = new Map<string, number>();
  for (const d of memory) {
    const host = hostOfDevice(d.device) ?? LOCAL_HOST;
    by.set(host, (by.get(host) ?? 0) + d.weights + d.kv_cache + d.compute);
  }
  if (by.size === 1 && by.has(LOCAL_HOST)) return [];
  return [...by].map(([host, size]) => ({ host, size }));
}
