/** Test doubles for the CLI: a fake Ollama-compatible server on port 0 and an in-memory terminal. */
import { Env } from "../../src/config/env.ts";
import type { CliIO } from "../../src/cli/io.ts";

/** One request the fake server received. */
export interface Recorded {
  method: string;
  path: string;
  body: unknown;
  bytes: Uint8Array;
}

/** A route answer: a Response, or a value sent as JSON. */
export type Handler = (req: Recorded) => Response | unknown | Promise<Response | unknown>;

/** An NDJSON streaming response of the given objects. */
export function ndjsonResponse(objects: unknown[]): Response {
  return new Response(objects.map((o) => `${JSON.stringify(o)}\n`).join(""), {
    headers: { "Content-Type": "application/x-ndjson" },
  });
}

/** Ollama's error body with a status. */
export function errorResponse(status: number, error: string): Response {
  return Response.json({ error }, { status });
}

/** A fake server: routes keyed by "METHOD /path"; unknown routes answer 404 (recorded all the same). */
export function fakeServer(routes: Record<string, Handler>) {
  const requests: Recorded[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const bytes = new Uint8Array(await req.arrayBuffer());
      let body: unknown;
      try {
        body = bytes.length ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
      } catch {
        body = undefined;
      }
      const rec: Recorded = { method: req.method, path: url.pathname, body, bytes };
      requests.push(rec);
      const handler =
        routes[`${req.method} ${url.pathname}`] ??
        Object.entries(routes).find(
          ([k]) => k.endsWith("*") && `${req.method} ${url.pathname}`.startsWith(k.slice(0, -1)),
        )?.[1];
      if (!handler) return errorResponse(404, `no route ${req.method} ${url.pathname}`);
      const out = await handler(rec);
      return out instanceof Response ? out : Response.json(out ?? {});
    },
  });
  return {
    host: `127.0.0.1:${server.port}`,
    requests,
    /** Requests to one path, in order. */
    to: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
    stop: () => server.stop(true),
  };
}

/** An in-memory terminal: captured stdout/stderr, piped stdin, TTY flags; `env` replaces TSLLM_HOST=host. */
export function memoryIO(
  host: string,
  opts: { stdin?: string; tty?: boolean; columns?: number; env?: Record<string, string> } = {},
) {
  let out = "";
  let err = "";
  const tty = opts.tty ?? false;
  const columns = opts.columns ?? 80;
  const io: CliIO = {
    env: new Env({ ...(opts.env ?? { TSLLM_HOST: host }), HOME: "/nonexistent" }),
    out: { write: (s) => void (out += s), isTTY: tty, columns },
    err: { write: (s) => void (err += s), isTTY: false, columns },
    stdin: { isTTY: opts.stdin === undefined, readAll: async () => opts.stdin ?? "" },
    onInterrupt: () => () => {},
  };
  return { io, out: () => out, err: () => err };
}

/** A port nothing listens on (a server started and stopped). */
export function deadHost(): string {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const host = `127.0.0.1:${s.port}`;
  s.stop(true);
  return host;
}
