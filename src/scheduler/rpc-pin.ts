/**
 * Pinning a model to RPC servers (option / Modelfile PARAMETER `rpc_servers`). The operator's
 * TSLLM_RPC_SERVERS is the allow list: a pin can only narrow it, so no client can make serve connect to a host
 * the operator did not name (ggml's RPC protocol has no authentication, and the model's weights would go there).
 * A pinned model's layers are spread over every device it may use, in proportion to free memory; unpinned
 * models use as few devices as hold them.
 */
import { TsllmError } from "../errors.ts";
import { hostOfDevice } from "./rpc.ts";
import type { Device } from "./types.ts";

/** A pin that names a server TSLLM_RPC_SERVERS does not list, or does not parse (400). */
export class RpcPinError extends TsllmError {
  constructor(detail: string) {
    super(`option "rpc_servers": ${detail}`, { code: "invalid_option", status: 400 });
  }
}

/** Words that pin a model to no RPC server (this host only). */
const NONE = new Set(["", "none", "local"]);

/**
 * Parses a pin: "host:port,host:port"; "" / "none" / "local" = no RPC server. Returns the endpoints in
 * order, without repeats; throws RpcPinError naming a malformed entry.
 */
export function parseRpcPin(text: string): string[] {
  if (NONE.has(text.trim().toLowerCase())) return [];
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535)
      throw new RpcPinError(
        `${JSON.stringify(entry)} is not host:port (expected host:port,host:port or none)`,
      );
    const ep = `${m[1]}:${port}`;
    if (!out.includes(ep)) out.push(ep);
  }
  return out;
}

/**
 * The devices a load may plan on. RPC devices of servers that do not answer now (reported with total 0) are
 * dropped. With a pin, RPC devices of other servers are dropped too, and every pinned endpoint must be a
 * configured server (one `devices` names, answering or not) — else RpcPinError.
 */
export function pinDevices(devices: readonly Device[], pin: readonly string[] | undefined): Device[] {
  if (pin !== undefined) {
    const configured = new Set(devices.flatMap((d) => (d.host ? [d.host] : [])));
    const foreign = pin.filter((ep) => !configured.has(ep));
    if (foreign.length > 0) {
      const list = [...configured].join(", ") || "none";
      throw new RpcPinError(
        `${foreign.join(", ")} ${foreign.length === 1 ? "is" : "are"} not in TSLLM_RPC_SERVERS (configured: ${list})`,
      );
    }
  }
  return devices.filter((d) => {
    const host = d.host ?? hostOfDevice(d.id);
    if (host === null) return true;
    return d.total > 0 && (pin === undefined || pin.includes(host));
  });
}

/** True when a load's layers should be spread over all its devices: the model is pinned to some server. */
export function spreadsLayers(pin: readonly string[] | undefined): boolean {
  return pin !== undefined && pin.length > 0;
}
