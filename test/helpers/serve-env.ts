/** The environment test servers run with: loopback on a free port, their own store, CPU library, 2 threads. */
import { join } from "node:path";

/** Serve's variables for a test under `root` (store in `root/models`, runner sockets in `root`). */
export function testServeEnv(root: string): Record<string, string> {
  return {
    TSLLM_HOST: "127.0.0.1:0",
    TSLLM_MODELS: join(root, "models"),
    TSLLM_RUNTIME_DIR: root,
    TSLLM_NUM_THREADS: "2",
    TSLLM_NUM_PARALLEL: "2",
    TSLLM_LLM_LIBRARY: "cpu",
  };
}
