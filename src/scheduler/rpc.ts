/**
 * ggml RPC servers as the planner sees them: the configured list (TSLLM_RPC_SERVERS), their devices as
 * scheduler devices, and which host a runner's device memory lives on. Pure: probing is the caller's job.
 */
import { parseSize } from "../config/env.ts";
import { TsllmError } from "../errors.ts";
import type { DeviceMemory } from "../runner/protocol.ts";
import type { GpuPlacement } from "./layout/plan.ts";
import type { Device } from "./types.ts";

/** TSLLM_RPC_SERVERS does not parse: names the entry, so serve stops at start with a fixable message. */
export class RpcConfigError extends TsllmError {
  constructor(detail: string) {
    super(`TSLLM_RPC_SERVERS: ${detail} (expected host:port[@size],host:port[@size],…)`, {
      code: "rpc_config",
      status: 500,
    });
  }
}

/** One TSLLM_RPC_SERVERS entry: "host:port", and at most how many bytes models may take there ("@4GiB"). */
export interface RpcServerEntry {
  endpoint: string;
  /** Bytes this serve may use on that server, all its devices and loaded models together; absent = no cap. */
  cap?: number;
}

/** What one server reported when probed: each device's free and total bytes, by device index (none: no answer). */
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

/** Parses "host:port[@size],…" (spaces and a trailing comma tolerated; size as 512MiB, 4GiB, 2G); "" = none. */
export function parseRpcServers(text: string): RpcServerEntry[] {
  const entries = text.split(",").map((e) => e.trim());
  if (entries.length > 0 && entries.at(-1) === "") entries.pop();
  const out: RpcServerEntry[] = [];
  entries.forEach((entry, i) => {
    const m = /^([A-Za-z0-9.-]+):(\d{1,5})(?:@(.+))?$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    const what = `entry ${i + 1} ${JSON.stringify(entry)}`;
    if (!m || port < 1 || port > 65535) throw new RpcConfigError(`${what} is not host:port`);
    const cap = m[3] === undefined ? undefined : parseSize(m[3]);
    if (cap === 0 || (m[3] !== undefined && cap === undefined))
      throw new RpcConfigError(`${what}: the cap after @ must be a size such as 512MiB or 4GiB`);
    const endpoint = `${m[1]}:${port}`;
    if (out.some((e) => e.endpoint === endpoint)) throw new RpcConfigError(`${what} is listed twice`);
    out.push(cap === undefined ? { endpoint } : { endpoint, cap });
  });
  return out;
}

/**
 * Scheduler devices for probed servers. The id is the name ggml gives the server's buffers
 * ("RPC<index on that server>[host:port]"), which is how runners report memory held there. A server that does
 * not answer now (no devices) is listed with no memory, so a pin can tell it from a server nobody configured;
 * the planner never sees it (pinDevices).
 */
export function rpcDevices(
  hosts: readonly RpcHost[],
  caps: ReadonlyMap<string, number> = new Map(),
): Device[] {
  return hosts.flatMap((h) => {
    // A cap shrinks the devices' totals (first device first): what loaded models hold there counts against it.
    let left = caps.get(h.endpoint) ?? Number.POSITIVE_INFINITY;
    return (h.devices.length > 0 ? h.devices : [{ free: 0, total: 0 }]).map((d, i): Device => {
      const share = Math.min(Math.max(0, d.total - RPC_MINIMUM), left);
      left -= share;
      const total = Math.min(d.total, RPC_MINIMUM + share);
      return {
        id: `RPC${i}[${h.endpoint}]`,
        name: `RPC${i}[${h.endpoint}]`,
        type: "gpu",
        free: Math.min(d.free, total),
        total,
        minimum: RPC_MINIMUM,
        host: h.endpoint,
      };
    });
  });
}

/** A remote host's RAM has no driver overhead to keep free, but its OS and rpc-server need some. */
const RPC_MINIMUM = 256 * 2 ** 20;

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
