/**
 * Registers the RPC servers a load names with ggml, on the engine thread (where every libllama call happens)
 * once the backend is initialised, before the model loads: their devices then join the device list that load
 * sees. Each server is probed first (bounded): ggml's own client aborts the process on a dead one.
 */
import { initBackend } from "../../llama/engine/backend.ts";
import { addRpcServer } from "../../llama/ffi/rpc.ts";
import type { BackendInit } from "./messages.ts";

/** Connect-and-answer deadline per server. */
const PROBE_TIMEOUT_MS = 5000;

const registered = new Set<string>();

/** Registers each endpoint not yet registered in this process; throws RpcServerError naming a bad one. */
export async function registerRpcServers(
  endpoints: readonly string[] | undefined,
  backend: BackendInit,
): Promise<void> {
  const fresh = (endpoints ?? []).filter((ep) => !registered.has(ep));
  if (fresh.length === 0) return;
  initBackend(backend);
  for (const ep of fresh) {
    await addRpcServer(ep, { timeoutMs: PROBE_TIMEOUT_MS });
    registered.add(ep);
  }
}
