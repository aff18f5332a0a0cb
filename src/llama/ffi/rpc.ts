/**
 * Typed access to ggml's RPC backend once loaded (see rpc-library.ts): its registry entry ("RPC"), the two
 * functions its proc-address table hands out (serve local devices, add a remote server), and its protocol
 * version. Remote servers are always probed first (rpc-probe.ts): ggml's client aborts the process on a bad one.
 */
import { CFunction } from "bun:ffi";
import { libraryOf, siblingSymbols } from "./loaded-library.ts";
import { addressOf, cstr, type Ptr } from "./memory.ts";
import { native } from "./native.ts";
import { RpcServerError, RpcUnavailableError } from "./rpc-errors.ts";
import { parseEndpoint, probeRpcServer, protoFromNumber, protoText, type RpcProto } from "./rpc-probe.ts";
import { rpcExtraSymbols, rpcProcSymbols } from "./symbols.ts";

/** The loaded RPC backend. */
export interface RpcBackendInfo {
  /** Registry name, "RPC". */
  name: string;
  /** Protocol version the library speaks. */
  proto: RpcProto;
  /** "7.0.0". */
  version: string;
  /** The library file, when it can be told. */
  file: string | null;
}

/** A ggml device served by a remote RPC server, as registered in this process. */
export interface RpcDevice {
  /** ggml's device name ("RPC0", "RPC1", … in registration order). */
  name: string;
  endpoint: string;
  free: number;
  total: number;
}

function rpcReg(): Ptr {
  const reg = native().ggml.ggml_backend_reg_by_name(cstr("RPC"));
  if (!reg) {
    throw new RpcUnavailableError(
      "libggml-rpc.so is neither beside the native libraries nor in the native-extras cache (build it with scripts/build-native-extras.sh)",
    );
  }
  return reg;
}

function proc<K extends keyof typeof rpcProcSymbols>(reg: Ptr, name: K) {
  const ptr = native().ggmlBase.ggml_backend_reg_get_proc_address(reg, cstr(name));
  if (!ptr) throw new RpcUnavailableError(`the RPC backend does not export ${name}`);
  return { ptr, call: CFunction({ ...rpcProcSymbols[name], ptr }) };
}

/** Name, protocol version and file of the loaded RPC backend; throws RpcUnavailableError when not loaded. */
export function rpcBackendInfo(): RpcBackendInfo {
  const reg = rpcReg();
  const { ptr } = proc(reg, "ggml_backend_rpc_add_server");
  const extra = siblingSymbols(ptr, rpcExtraSymbols);
  if (!extra)
    throw new RpcUnavailableError("the RPC backend was not built by build-native-extras.sh (no version)");
  const proto = protoFromNumber(extra.tsllm_rpc_proto_version());
  return {
    name: String(native().ggmlBase.ggml_backend_reg_name(reg)),
    proto,
    version: protoText(proto),
    file: libraryOf(ptr),
  };
}

/**
 * Probes `endpoint` (bounded by `timeoutMs`), then registers it with ggml so its devices join the device list
 * every later model load sees. Idempotent per endpoint. Throws RpcServerError naming the endpoint.
 */
export async function addRpcServer(
  endpoint: string,
  opts: { timeoutMs?: number } = {},
): Promise<RpcDevice[]> {
  const ep = parseEndpoint(endpoint).text;
  const { proto } = rpcBackendInfo();
  await probeRpcServer(ep, proto, opts);
  const { ggml, ggmlBase } = native();
  const reg = proc(rpcReg(), "ggml_backend_rpc_add_server").call(cstr(ep)) as Ptr | null;
  if (!reg) throw new RpcServerError(ep, "serves no devices");
  const known = Array.from({ length: Number(ggml.ggml_backend_reg_count()) }, (_, i) =>
    ggml.ggml_backend_reg_get(i),
  );
  if (!known.includes(reg)) ggml.ggml_backend_register(reg);
  const mem = new BigUint64Array(2);
  const devices: RpcDevice[] = [];
  for (let i = 0; i < Number(ggmlBase.ggml_backend_reg_dev_count(reg)); i++) {
    const dev = ggmlBase.ggml_backend_reg_dev_get(reg, i);
    if (!dev) continue;
    ggmlBase.ggml_backend_dev_memory(dev, addressOf(mem.subarray(0, 1)), addressOf(mem.subarray(1, 2)));
    const name = String(ggmlBase.ggml_backend_dev_name(dev));
    devices.push({ name, endpoint: ep, free: Number(mem[0]), total: Number(mem[1]) });
  }
  return devices;
}

/** Local devices to serve: by ggml name, else every GPU, else the CPU (llama.cpp's rpc-server rule). */
export function rpcServeDevices(names: readonly string[]): { name: string; ptr: Ptr }[] {
  const { ggml, ggmlBase } = native();
  const all = Array.from({ length: Number(ggml.ggml_backend_dev_count()) }, (_, i) => {
    const ptr = ggml.ggml_backend_dev_get(i) as Ptr;
    return {
      ptr,
      name: String(ggmlBase.ggml_backend_dev_name(ptr)),
      type: ggmlBase.ggml_backend_dev_type(ptr),
    };
  });
  if (names.length > 0) {
    return names.map((n) => {
      const found = all.find((d) => d.name === n);
      if (!found)
        throw new RpcUnavailableError(
          `unknown device "${n}" (available: ${all.map((d) => d.name).join(", ")})`,
        );
      return found;
    });
  }
  // ggml_backend_dev_type: 0 CPU, 1 GPU, 2 IGPU, 3 ACCEL.
  const gpus = all.filter((d) => d.type === 1 || d.type === 2);
  return gpus.length > 0 ? gpus : all.filter((d) => d.type === 0).slice(0, 1);
}

/**
 * Serves `devices` on `endpoint` until the process ends: ggml's server loop blocks this thread and returns
 * only when it cannot listen, which is thrown. Connections are served one at a time.
 */
export function serveRpc(opts: {
  endpoint: string;
  devices: { ptr: Ptr }[];
  threads: number;
  cacheDir?: string;
}): never {
  const ep = parseEndpoint(opts.endpoint).text;
  if (opts.devices.length === 0) throw new RpcUnavailableError("no devices to serve");
  const start = proc(rpcReg(), "ggml_backend_rpc_start_server").call;
  const devs = new BigUint64Array(opts.devices.map((d) => BigInt(d.ptr)));
  const cache = opts.cacheDir ? cstr(opts.cacheDir) : null;
  start(cstr(ep), cache ? addressOf(cache) : null, opts.threads, opts.devices.length, addressOf(devs));
  throw new RpcServerError(ep, "cannot listen (address in use, or not an address of this host)");
}
