/**
 * The server's request limits around its fetch handler: every request is bound to its limits and the JSON
 * parse pool (scope.ts), Bun's idle timer closes idle connections after TSLLM_HEADER_TIMEOUT, and a request
 * that turned that timer off (holdConnection) gets it back when its answer ends, so a kept-alive connection
 * is closed when idle again. A request holds its connection's timer off from the start (a body's reader
 * enforces TSLLM_BODY_TIMEOUT between chunks). A connection whose body was refused half read is closed after
 * the answer.
 *
 * Bun itself closes a new connection that has not sent complete request headers within about 10 s, whatever
 * the idle timeout (Bun 1.3); the idle timeout governs a kept-alive connection between requests (a next
 * request's headers included).
 */
import { watchBodyEnd } from "../body-end.ts";
import type { Server } from "bun";
import type { Env } from "../../config/env.ts";
import { JsonParsePool, type ParsePoolOptions } from "./json-worker.ts";
import { bindScope, holdConnection, type RequestScope } from "./scope.ts";
import { limitsFromEnv, type RequestLimits } from "./settings.ts";

/** A fetch handler as Bun.serve calls it. */
export type FetchHandler = (req: Request, server: Server<unknown>) => Response | Promise<Response>;

/** Bun's idle timeout is whole seconds, at most 255; 0 turns it off. */
const MAX_IDLE_SECONDS = 255;

/** Answers that stream: the connection's timer stays off until their last byte is queued. */
const STREAMING = /^(application\/x-ndjson|text\/event-stream)/i;

/** Whether the request says it sends a body (read from the headers: touching `body` would make a stream). */
function hasBody(req: Request): boolean {
  const length = req.headers.get("content-length");
  return (length !== null && length !== "0") || req.headers.has("transfer-encoding");
}

/** Request limits, read timeouts and big-body parsing for one server. */
export class RequestLimiter {
  /** Bun.serve's `idleTimeout` in seconds (TSLLM_HEADER_TIMEOUT, capped at 255; 0 = none). */
  readonly idleTimeout: number;
  private readonly parser: JsonParsePool;

  constructor(
    readonly limits: RequestLimits,
    pool: ParsePoolOptions = {},
  ) {
    const s = Math.ceil(limits.headerTimeoutMs / 1000);
    this.idleTimeout = Math.min(MAX_IDLE_SECONDS, Math.max(0, s));
    this.parser = new JsonParsePool(pool);
  }

  /** The limits `env` sets. */
  static fromEnv(env: Env): RequestLimiter {
    return new RequestLimiter(limitsFromEnv(env));
  }

  /** `handle` with every request bound to these limits and its connection timer managed. */
  wrap(handle: FetchHandler): FetchHandler {
    return async (req, server) => {
      const scope: RequestScope = {
        limits: this.limits,
        parser: this.parser,
        server,
        held: false,
        closeConnection: false,
      };
      bindScope(req, scope);
      // Bun's timer is for idle connections, not for a request being handled: its answer may take as long as
      // the work does. A body is read by a reader that watches pauses itself (json-body.ts, blob uploads);
      // only without a body timeout does the timer stay on until the body is read.
      if (this.limits.bodyTimeoutMs > 0 || !hasBody(req)) holdConnection(req, scope);
      let res: Response;
      try {
        res = await handle(req, server);
      } catch (e) {
        this.release(req, scope);
        throw e;
      }
      return this.finish(req, scope, res);
    };
  }

  /** Stops the parse workers. */
  dispose(): void {
    this.parser.dispose();
  }

  private finish(req: Request, scope: RequestScope, res: Response): Response {
    if (scope.closeConnection) res.headers.set("connection", "close");
    if (!scope.held) return res;
    const type = res.headers.get("content-type") ?? "";
    if (!STREAMING.test(type) || res.body === null) {
      this.release(req, scope);
      return res;
    }
    return new Response(
      watchBodyEnd(res.body, () => this.release(req, scope), { onCancel: false }),
      { status: res.status, statusText: res.statusText, headers: res.headers },
    );
  }

  /** Turns the connection's idle timer back on (for the next request on a kept-alive connection). */
  private release(req: Request, scope: RequestScope): void {
    if (!scope.held) return;
    scope.held = false;
    try {
      scope.server?.timeout(req, this.idleTimeout);
    } catch {
      // The connection is already gone.
    }
  }
}
