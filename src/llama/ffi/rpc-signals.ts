/**
 * Clean exit for `tsllm rpc-server`: ggml's server loop holds the JavaScript thread for good, so a JavaScript
 * signal handler would never run. A native SIGTERM/SIGINT handler (compiled by bun:ffi's TinyCC, a few
 * milliseconds) ends the process with status 0 instead; the kernel closes the listening socket and any client
 * connection as the process exits. Nothing else needs flushing: the server keeps no state of its own.
 */
import { cc } from "bun:ffi";
import { createHash } from "node:crypto";
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// No headers (TinyCC in a compiled executable has none): libc's signal() and _exit() are declared here.
// Signal numbers are the same on Linux and macOS.
const SOURCE = `
typedef void (*handler_t)(int);
handler_t signal(int sig, handler_t handler);
void _exit(int status);
static void on_stop(int sig) { (void)sig; _exit(0); }
int tsllm_exit_zero_on_stop(void) {
  return signal(15, on_stop) == (handler_t)-1 || signal(2, on_stop) == (handler_t)-1 ? -1 : 0;
}
`;

/** Makes SIGTERM and SIGINT end this process with exit status 0, even while native code holds the thread. */
export function exitZeroOnStop(): void {
  const hash = createHash("sha256").update(SOURCE).digest("hex").slice(0, 12);
  const path = join(tmpdir(), `tsllm-rpc-signals-${hash}.c`);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, SOURCE);
    renameSync(tmp, path);
  }
  const lib = cc({ source: path, symbols: { tsllm_exit_zero_on_stop: { args: [], returns: "int" } } });
  if (lib.symbols.tsllm_exit_zero_on_stop() !== 0)
    throw new Error("cannot install the SIGTERM/SIGINT handler");
  // The compiled code must outlive this call: the handler lives in it.
  kept.push(lib);
}

const kept: unknown[] = [];
