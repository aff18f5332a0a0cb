/**
 * `tsllm runner --model <gguf> --socket <path>`: one loaded model in its own process. This thread serves
 * the control API on a Unix socket; the engine Worker does all native work. The runner exits when its
 * parent goes away (stdin EOF or re-parenting), so no runner outlives `serve`.
 */
import { parseArgs } from "node:util";
import { ENV, type Env } from "../../config/env.ts";
import { InvalidInputError } from "../../errors.ts";
import { streamSocketPath } from "../protocol.ts";
import { SharedCell } from "../../llama/ffi/memory.ts";
import { workerEntry } from "../../worker-entry.ts";
import { RunnerControl } from "./control.ts";
import { routes } from "./routes.ts";

/** Entry point of the hidden `runner` subcommand. */
export async function runnerMain(args: string[], env: Env): Promise<number> {
  const { values } = parseArgs({ args, options: { model: { type: "string" }, socket: { type: "string" } } });
  if (!values.model || !values.socket) throw new InvalidInputError("runner needs --model and --socket");
  const entry = workerEntry("runner/server/engine-worker.ts", new URL("./engine-worker.ts", import.meta.url));
  const worker = new Worker(entry);
  const tokenizer = new Worker(entry, { workerData: { role: "tokenizer" } } as WorkerOptions);
  const control = new RunnerControl(
    worker,
    values.model,
    new SharedCell(),
    {
      variant: env.get(ENV.LLM_LIBRARY) || undefined,
      libDir: env.path(ENV.LIB_DIR) || undefined,
      cacheDir: env.path(ENV.CACHE_DIR),
      verbose: env.bool(ENV.DEBUG),
    },
    tokenizer,
  );
  const handle = routes(control);
  control.serveStreams(streamSocketPath(values.socket));
  const server = Bun.serve({
    unix: values.socket,
    // Loads and prefills can be silent for long stretches: no idle timeout on control requests.
    fetch: (req, srv) => {
      srv.timeout(req, 0);
      return handle(req);
    },
  });
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await control.shutdown();
    server.stop(true);
    process.exit(code);
  };
  process.on("SIGTERM", () => void exit(0));
  process.on("SIGINT", () => void exit(0));
  watchParent(() => void exit(0));
  await new Promise(() => {});
  return 0;
}

/** Calls `gone` when the parent process dies: stdin closes, or we get re-parented. */
function watchParent(gone: () => void): void {
  const parent = process.ppid;
  process.stdin.on("end", gone);
  process.stdin.on("error", gone);
  process.stdin.resume();
  setInterval(() => {
    if (process.ppid !== parent) gone();
  }, 200).unref();
}
