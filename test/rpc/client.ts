/**
 * Child process of the RPC tests: loads the CPU libraries (and the RPC backend), then
 * `info` prints the backend's name/version/file, or `add ENDPOINT` registers a server and prints what ggml sees.
 */
import { ENV, Env } from "../../src/config/env.ts";
import { initBackend, listDevices } from "../../src/llama/engine/backend.ts";
import { addRpcServer, rpcBackendInfo } from "../../src/llama/ffi/rpc.ts";

const env = new Env();
const n = initBackend({ variant: "cpu", cacheDir: env.path(ENV.CACHE_DIR) });
const [cmd, arg] = process.argv.slice(2);
try {
  if (cmd === "info") {
    console.log(JSON.stringify({ ...rpcBackendInfo(), release: n.llamaVersion, libDir: n.lib.dir }));
  } else if (cmd === "add") {
    const added = await addRpcServer(arg as string, { timeoutMs: 3000 });
    console.log(JSON.stringify({ added, devices: listDevices() }));
  }
} catch (e) {
  console.error(`${(e as Error).name}: ${(e as Error).message}`);
  process.exit(1);
}
