/**
 * serve's view of its RPC servers over time: every configured server probed in parallel, callers during a
 * probe sharing it, and a server that did not answer remembered as down for a few seconds.
 */
import { RpcServerError } from "../llama/ffi/rpc-errors.ts";
import type { Logger } from "../log.ts";
import type { RpcHost } from "../scheduler/rpc.ts";

/**
 * How long a server that did not answer stays known as down before it is probed again. A busy or unreachable
 * server costs the whole probe deadline each time; one that answers costs a round trip, so answers are not
 * cached (a load must see current free memory, and a server lost since must not be planned on).
 */
const DOWN_TTL_MS = 5000;

/** What probeCache answers: the endpoints, and every one of them probed (no devices: not answering now). */
export interface ProbedServers {
  endpoints: string[];
  probe(): Promise<RpcHost[]>;
}

/**
 * Probes `endpoints` in parallel: callers that arrive while a probe runs share it, and a server that failed is
 * not probed again for DOWN_TTL_MS. Never rejects.
 */
export function probeCache(
  endpoints: string[],
  probeOne: (ep: string) => Promise<{ endpoint: string; devices: RpcHost["devices"] }>,
  log: Logger,
  now: () => number = () => performance.now(),
): ProbedServers {
  const down = new Map<string, { error: string; until: number }>();
  const one = async (ep: string): Promise<RpcHost> => {
    const known = down.get(ep);
    if (known && known.until > now()) return { endpoint: ep, devices: [] };
    try {
      const a = await probeOne(ep);
      if (down.delete(ep)) log.info("RPC server answers again", { endpoint: ep });
      return { endpoint: ep, devices: a.devices };
    } catch (e) {
      const error = e instanceof RpcServerError ? e.message : new RpcServerError(ep, String(e)).message;
      if (down.get(ep)?.error !== error) log.warn("RPC server unusable, models load without it", { error });
      down.set(ep, { error, until: now() + DOWN_TTL_MS });
      return { endpoint: ep, devices: [] };
    }
  };
  let running: Promise<RpcHost[]> | null = null;
  return {
    endpoints,
    probe() {
      running ??= Promise.all(endpoints.map(one)).finally(() => {
        running = null;
      });
      return running;
    },
  };
}
