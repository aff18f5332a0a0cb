/**
 * A real serve for the vision API tests: its own store, a logger that keeps every line (the runner's image
 * cache counts are logged at debug, as Ollama's wire has no field for them), and the synthetic vision model
 * created from its two files (model + projector) as a Modelfile with two FROM lines creates it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningServer, startServer } from "../../src/cli/serve.ts";
import { Env } from "../../src/config/env.ts";
import { type Level, Logger } from "../../src/log.ts";
import { fileDigest, type JsonResponse } from "../api/helpers.ts";
import { testServeEnv } from "../helpers/serve-env.ts";

/** One captured log line. */
export interface LogLine {
  level: Level;
  scope: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** A Logger that records lines instead of writing them (children share the record). */
class CapturingLogger extends Logger {
  constructor(
    readonly lines: LogLine[],
    private readonly at: string,
  ) {
    super("debug", at);
  }
  override child(scope: string): Logger {
    return new CapturingLogger(this.lines, this.at ? `${this.at}.${scope}` : scope);
  }
  override log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level, scope: this.at, msg, fields });
  }
}

/** A running vision test server. */
export interface VisionServer {
  url: string;
  server: RunningServer;
  lines: LogLine[];
  request(
    path: string,
    body?: unknown,
    method?: string,
    headers?: Record<string, string>,
  ): Promise<JsonResponse>;
  /** Uploads a file as a blob; returns its digest. */
  upload(path: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts serve with a fresh store; `env` adds or overrides variables. */
export async function startVisionServer(env: Record<string, string> = {}): Promise<VisionServer> {
  const root = mkdtempSync(join(tmpdir(), "tsllm-vision-"));
  const lines: LogLine[] = [];
  const server = await startServer(
    new Env({ ...process.env, ...testServeEnv(root), ...env }),
    new CapturingLogger(lines, ""),
  );
  const request = (path: string, body?: unknown, method = "POST", headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    }) as Promise<JsonResponse>;
  return {
    url: server.url,
    server,
    lines,
    request,
    async upload(path) {
      const digest = fileDigest(path);
      const r = await fetch(`${server.url}/api/blobs/${digest}`, {
        method: "POST",
        body: await Bun.file(path).bytes(),
      });
      if (r.status !== 201 && r.status !== 200) throw new Error(`blob upload: ${r.status} ${await r.text()}`);
      return digest;
    },
    async stop() {
      await server.stop(2000);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The runner's image counts logged for each completion with images, oldest first. */
export function imageCounts(lines: readonly LogLine[]): { encoded: number; cached: number }[] {
  return lines
    .filter((l) => l.msg === "images")
    .map((l) => ({ encoded: Number(l.fields?.encoded), cached: Number(l.fields?.cached) }));
}

/** Reads an NDJSON create stream; throws unless it ends with success. */
export async function created(r: Response): Promise<void> {
  const text = await r.text();
  if (r.status !== 200 || !text.trim().endsWith('{"status":"success"}'))
    throw new Error(`create: ${r.status} ${text}`);
}
