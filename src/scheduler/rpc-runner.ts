/**
 * A runner that uses RPC servers, with failures blamed on the right host. ggml's RPC client aborts the runner
 * process when a server goes away mid-request, and the abort message names no server; so when a runner with
 * RPC servers fails, each server is checked and the unreachable ones are named in the error.
 */
import { Socket } from "node:net";
import { TsllmError } from "../errors.ts";
import type { LoadOptions } from "../runner/protocol.ts";
import type { Runner } from "../runner/types.ts";

/** A runner failed because these RPC servers went away; the next load plans without them. */
export class RpcServerLostError extends TsllmError {
  /** The servers that no longer answer. */
  readonly endpoints: string[];

  constructor(endpoints: string[], cause: unknown) {
    const what = endpoints.length === 1 ? "RPC server" : "RPC servers";
    super(
      `${what} ${endpoints.join(", ")} stopped answering, so the model runner ended (${(cause as Error)?.message ?? cause}); the next request loads the model without it`,
      { code: "rpc_server_lost", status: 502, cause },
    );
    this.endpoints = endpoints;
  }
}

/** Resolves true when a TCP connection to `endpoint` opens within `timeoutMs`. */
export function reachable(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  const i = endpoint.lastIndexOf(":");
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.removeAllListeners();
      sock.on("error", () => {});
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
    sock.connect(Number(endpoint.slice(i + 1)), endpoint.slice(0, i));
  });
}

/** Re-throws `err` as RpcServerLostError when some of `endpoints` no longer accept connections. */
async function blame(
  err: unknown,
  endpoints: readonly string[],
  check: (ep: string) => Promise<boolean>,
): Promise<never> {
  const alive = await Promise.all(endpoints.map((ep) => check(ep)));
  const lost = endpoints.filter((_, i) => !alive[i]);
  throw lost.length > 0 ? new RpcServerLostError(lost, err) : err;
}

/** Wraps `runner` so load and completion failures name the RPC servers that went away. */
export function blamingRpcServers(
  runner: Runner,
  endpoints: readonly string[],
  check: (ep: string) => Promise<boolean> = reachable,
): Runner {
  if (endpoints.length === 0) return runner;
  const { fit, slots, rerank } = runner;
  const guard = <T>(p: Promise<T>) => p.catch((e) => blame(e, endpoints, check));
  // Every member delegates explicitly: the runner's methods may rely on its private fields.
  return {
    get pid() {
      return runner.pid;
    },
    spec: runner.spec,
    waitUntilRunning: (signal, options) => guard(runner.waitUntilRunning(signal, options)),
    ...(fit
      ? { fit: (options: LoadOptions, signal?: AbortSignal) => guard(fit.call(runner, options, signal)) }
      : {}),
    completion: (req, signal, stop) => ({
      async *[Symbol.asyncIterator]() {
        try {
          yield* runner.completion(req, signal, stop);
        } catch (e) {
          if (signal?.aborted) throw e;
          await blame(e, endpoints, check);
        }
      },
    }),
    embedding: (input, signal) => guard(runner.embedding(input, signal)),
    ...(rerank
      ? {
          rerank: (query: string, documents: string[], signal?: AbortSignal) =>
            guard(rerank.call(runner, query, documents, signal)),
        }
      : {}),
    tokenize: (content, opts) => runner.tokenize(content, opts),
    detokenize: (tokens) => runner.detokenize(tokens),
    health: () => runner.health(),
    ...(slots ? { slots: (signal?: AbortSignal) => slots.call(runner, signal) } : {}),
    memory: () => runner.memory(),
    hasExited: () => runner.hasExited(),
    close: () => runner.close(),
  };
}
