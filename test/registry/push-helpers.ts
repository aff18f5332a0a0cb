/** Test support for push: a store holding models, the registry client, and a front answering uploads with 307. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { createRegistryClient } from "../../src/registry/client/index.ts";
import { type PushDeps, pushModel } from "../../src/registry/push/index.ts";
import type { Progress, TransferOptions } from "../../src/registry/types.ts";
import { createModel, type DescribeModel, ModelStore } from "../../src/store/index.ts";

const describeModel: DescribeModel = async () => ({
  family: "llama",
  families: ["llama"],
  parameter_size: "1M",
  quantization_level: "F32",
});

/** A temp store plus the client and deps a push needs; `cleanup` removes the temp dirs. */
export interface PushFixture {
  readonly store: ModelStore;
  readonly deps: PushDeps;
  cleanup(): void;
}

/** A fresh store and a real registry client (quiet logger, fast retries). */
export function pushFixture(opts: { chunkSize?: number } = {}): PushFixture {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-push-"));
  const store = new ModelStore(join(dir, "models"));
  const logger = new Logger("error");
  const client = createRegistryClient({ logger, home: join(dir, "home") });
  return {
    store,
    deps: { store, client, logger, chunkSize: opts.chunkSize, backoffMs: 1 },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic pseudo-random bytes (weights stand-in): distinct seeds give distinct blobs. */
export function bytesOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Creates `name` in the store: a weights blob plus system/template/params layers (or FROM another model). */
export async function makeModel(
  store: ModelStore,
  name: string,
  spec: { weights?: Uint8Array; from?: string; system?: string },
): Promise<string> {
  const model = spec.weights ? (await store.blobs.writeBytes(spec.weights)).digest : undefined;
  const created = await createModel(
    store,
    name,
    {
      from: spec.from,
      model,
      system: spec.system ?? "You are a push test.",
      template: "{{ .System }} {{ .Prompt }}",
      parameters: { temperature: 0.5, stop: ["<end>"] },
    },
    { describeModel },
  );
  return created.stored.digest;
}

/** Pushes and collects the progress lines. */
export async function push(
  deps: PushDeps,
  name: string,
  opts: TransferOptions = {},
): Promise<{ lines: Progress[]; error?: unknown }> {
  const lines: Progress[] = [];
  try {
    await pushModel(deps, name, { insecure: true, ...opts, onProgress: (p) => lines.push(p) });
    return { lines };
  } catch (error) {
    return { lines, error };
  }
}

/** A registry's raw manifest bytes for `repo:tag` (null when absent). */
export async function remoteManifest(base: string, repo: string, tag: string): Promise<string | null> {
  const res = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
  });
  return res.status === 200 ? res.text() : null;
}

/** A blob's bytes from the registry. */
export async function remoteBlob(base: string, repo: string, digest: string): Promise<Uint8Array> {
  const res = await fetch(`${base}/v2/${repo}/blobs/${digest}`);
  if (res.status !== 200) throw new Error(`GET blob ${digest}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** One request a front saw. */
export interface SeenRequest {
  /** `front` (the registry's address) or `target` (where its 307s point). */
  readonly listener: "front" | "target";
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Request body bytes. */
  readonly bytesIn: number;
}

/** An answer a front gives instead of forwarding. */
export interface Canned {
  readonly status: number;
  readonly body?: string;
}

/** A test front before a registry: counts requests, injects answers, optionally redirects uploads. */
export interface TestFront {
  /** `127.0.0.1:PORT`, the host part of model names pushed through it. */
  readonly host: string;
  readonly seen: SeenRequest[];
  /** Answers matching requests itself (undefined: forward); `null` removes the hook. */
  intercept(fn: ((method: string, path: string) => Canned | undefined) | null): void;
  stop(): void;
}

const UPLOAD = /^\/v2\/.+\/blobs\/uploads\/[^/]+$/;

/**
 * Starts a front for the registry at `upstream`. With `redirectUploads`, every upload PATCH and PUT is
 * answered 307 to a second listener (same path and query). Both forward to the registry announcing the
 * front's host, so every Location the registry writes leads back to the front. Request bodies are read
 * before any answer: a body left unread on a kept-alive connection would corrupt the next request there.
 */
export function startFront(upstream: string, opts: { redirectUploads?: boolean } = {}): TestFront {
  const seen: SeenRequest[] = [];
  let frontHost = "";
  let hook: ((method: string, path: string) => Canned | undefined) | null = null;
  const forward = async (req: Request, body: ArrayBuffer | undefined, listener: SeenRequest["listener"]) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.set("x-forwarded-host", frontHost);
    headers.set("x-forwarded-proto", "http");
    const up = await fetch(`${upstream}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
      redirect: "manual",
    });
    const bytesIn = body?.byteLength ?? 0;
    seen.push({ listener, method: req.method, path: url.pathname, status: up.status, bytesIn });
    return new Response(req.method === "HEAD" ? null : await up.arrayBuffer(), {
      status: up.status,
      headers: up.headers,
    });
  };
  const bodyOf = async (req: Request) =>
    req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
  const target = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    maxRequestBodySize: 1 << 30,
    fetch: async (req) => forward(req, await bodyOf(req), "target"),
  });
  const front = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    maxRequestBodySize: 1 << 30,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await bodyOf(req);
      const bytesIn = body?.byteLength ?? 0;
      const canned = hook?.(req.method, url.pathname);
      if (canned) {
        seen.push({
          listener: "front",
          method: req.method,
          path: url.pathname,
          status: canned.status,
          bytesIn,
        });
        return new Response(canned.body ?? "", { status: canned.status });
      }
      if (
        opts.redirectUploads &&
        (req.method === "PATCH" || req.method === "PUT") &&
        UPLOAD.test(url.pathname)
      ) {
        seen.push({ listener: "front", method: req.method, path: url.pathname, status: 307, bytesIn });
        const to = `http://127.0.0.1:${target.port}${url.pathname}${url.search}`;
        return new Response(null, { status: 307, headers: { location: to } });
      }
      return forward(req, body, "front");
    },
  });
  frontHost = `127.0.0.1:${front.port}`;
  return {
    host: frontHost,
    seen,
    intercept(fn) {
      hook = fn;
    },
    stop() {
      front.stop(true);
      target.stop(true);
    },
  };
}
