/**
 * A real `tsllm serve` process for registry end-to-end tests, isolated from the machine's own files (its
 * TSLLM_HOME and DOCKER_CONFIG are fresh temp dirs unless a test sets them), and the API calls those tests
 * make: pull and push as NDJSON streams, create, copy, and a look into the store.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModelStore, parseName } from "../../../src/store/index.ts";
import { type ServeProcess, spawnServe } from "../../faults/serve-process.ts";
import { sha256 } from "./seed.ts";

/** A serve process with its own store and home. */
export interface RegistryServe extends ServeProcess {
  /** The store root (TSLLM_MODELS). */
  readonly models: string;
  /** TSLLM_HOME and DOCKER_CONFIG live under here. */
  readonly home: string;
  /** SIGKILL (no cleanup), for crash tests. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

/** Starts serve on `models` (a fresh temp store when omitted); `env` adds variables. */
export async function startServe(models?: string, env: Record<string, string> = {}): Promise<RegistryServe> {
  const home = mkdtempSync(join(tmpdir(), "tsllm-reg-home-"));
  const store = models ?? join(home, "models");
  mkdirSync(join(home, "docker"), { recursive: true });
  const p = await spawnServe(store, {
    TSLLM_HOME: join(home, "tsllm"),
    DOCKER_CONFIG: join(home, "docker"),
    TSLLM_RUNTIME_DIR: home,
    ...env,
  });
  const end = async (signal: "SIGKILL" | "SIGTERM") => {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill(signal);
    await p.proc.exited;
  };
  return {
    ...p,
    models: store,
    home,
    kill: () => end("SIGKILL"),
    async stop() {
      await end("SIGTERM");
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Writes a docker `config.json` with Basic credentials per registry host (`user:password`) into a fresh dir. */
export function dockerConfigDir(auths: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-docker-"));
  const entries = Object.entries(auths).map(([host, cred]) => [
    host,
    { auth: Buffer.from(cred).toString("base64") },
  ]);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ auths: Object.fromEntries(entries) }));
  return dir;
}

/** One NDJSON (or single JSON) answer: the HTTP status and every object it held. */
export interface Streamed {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary progress fields
  readonly lines: Record<string, any>[];
  /** The `error` of the last line, if any. */
  readonly error: string | undefined;
  /** Whether the last line is `{"status":"success"}`. */
  readonly ok: boolean;
}

/** POSTs JSON and reads the whole NDJSON answer; `onLine` sees each object as it arrives. */
export async function postStream(
  url: string,
  path: string,
  body: Record<string, unknown>,
  opts: { signal?: AbortSignal; onLine?: (line: Record<string, unknown>) => void } = {},
): Promise<Streamed> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: opts.signal,
  });
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  const take = (text: string) => {
    if (text.trim() === "") return;
    const obj = JSON.parse(text) as Record<string, unknown>;
    lines.push(obj);
    opts.onLine?.(obj);
  };
  const dec = new TextDecoder();
  for await (const chunk of res.body as ReadableStream<Uint8Array>) {
    buf += dec.decode(chunk, { stream: true });
    for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
      take(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  take(buf);
  const last = lines.at(-1);
  return {
    status: res.status,
    lines,
    error: typeof last?.error === "string" ? last.error : undefined,
    ok: last?.status === "success",
  };
}

/** `/api/pull` of `model` (insecure unless told otherwise). */
export function pull(url: string, model: string, extra: Record<string, unknown> = {}, signal?: AbortSignal) {
  return postStream(url, "/api/pull", { model, insecure: true, ...extra }, { signal });
}

/** `/api/push` of `model` (insecure unless told otherwise). */
export function push(url: string, model: string, extra: Record<string, unknown> = {}) {
  return postStream(url, "/api/push", { model, insecure: true, ...extra });
}

/** Uploads a GGUF and creates `name` from it, with extra create fields (system, template, parameters…). */
export async function createModel(
  url: string,
  name: string,
  gguf: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const bytes = readFileSync(gguf);
  const digest = sha256(bytes);
  const up = await fetch(`${url}/api/blobs/${digest}`, { method: "POST", body: bytes });
  if (up.status !== 201 && up.status !== 200) throw new Error(`blob upload: ${up.status} ${await up.text()}`);
  const r = await postStream(url, "/api/create", {
    model: name,
    files: { "model.gguf": digest },
    stream: false,
    ...extra,
  });
  if (!r.ok) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.lines)}`);
}

/** `/api/copy`. */
export async function copyModel(url: string, source: string, destination: string): Promise<void> {
  const r = await fetch(`${url}/api/copy`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ source, destination }),
  });
  if (r.status !== 200) throw new Error(`copy: ${r.status} ${await r.text()}`);
}

/** The raw manifest bytes the store holds for `name`, or undefined. */
export function storedManifest(models: string, name: string): string | undefined {
  try {
    return readFileSync(new ModelStore(models).manifests.path(parseName(name))).toString();
  } catch {
    return undefined;
  }
}

/** Whether the store holds a complete blob file for `digest`. */
export function storedBlob(models: string, digest: string): boolean {
  return existsSync(new ModelStore(models).blobs.path(digest));
}
