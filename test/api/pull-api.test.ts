/**
 * POST /api/pull and /api/push against Debian's docker-registry on loopback, through an in-process server:
 * Ollama's progress lines in order, `stream: false`, name checks, Ollama's texts for a missing model and an
 * http registry without `insecure`, create FROM a registry name, and an Ollama-written model with every
 * layer type through push and pull unchanged.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppDeps, createApp } from "../../src/api/app.ts";
import { Logger } from "../../src/log.ts";
import { RegistryAuthError, type TransferOptions } from "../../src/registry/index.ts";
import { MediaType } from "../../src/store/index.ts";
import { synthModel } from "../fixtures/models.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "../registry/harness/docker-registry.ts";
import { seedModel } from "../registry/harness/seed.ts";
import { GREEDY, type Json, models as fixtures, startTestServer, type TestServer } from "./helpers.ts";
import { file, json, sha256, text, type WrittenModel, writeOllamaModel } from "./ollama-store.ts";

const available = registryAvailable();
if (!available) console.log("skipping /api/pull tests: /usr/bin/docker-registry is not installed");

const enc = new TextEncoder();
const SYSTEM = "You are pulled.";
const TEMPLATE = "{{ .System }} {{ .Prompt }}";

/** POSTs JSON; the status and every NDJSON object of the answer (one for a plain JSON answer). */
async function post(url: string, path: string, body: unknown): Promise<{ status: number; lines: Json[] }> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  const lines = raw
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Json);
  return { status: res.status, lines };
}

/** The statuses of a stream with consecutive repeats folded (byte progress repeats a layer's line). */
const statuses = (lines: Json[]) =>
  lines.map((l) => l.status ?? `error: ${l.error}`).filter((st, i, all) => st !== all[i - 1]);

describe.skipIf(!available)("/api/pull and /api/push", () => {
  let reg: TestRegistry;
  let home: string;
  let s: TestServer;
  let weights: Uint8Array;
  let seeded: Awaited<ReturnType<typeof seedModel>>;
  let full: WrittenModel;
  let host: string;

  beforeAll(async () => {
    reg = await startRegistry();
    host = reg.host;
    home = mkdtempSync(join(tmpdir(), "tsllm-pull-api-"));
    weights = new Uint8Array(readFileSync(await fixtures.chat()));
    seeded = await seedModel(reg.url, "ns/seeded", "v1", [
      { mediaType: MediaType.model, bytes: weights },
      { mediaType: MediaType.template, bytes: enc.encode(TEMPLATE) },
      { mediaType: MediaType.system, bytes: enc.encode(SYSTEM) },
      { mediaType: MediaType.params, bytes: enc.encode('{"temperature":0.5}\n') },
    ]);
    // An Ollama-written model with every layer type, in the server's store before it starts.
    const models = join(home, "models");
    const chat = await fixtures.chat();
    const projector = await synthModel({ preset: "embed", quant: "f32", vocab: "bert-bge" });
    full = writeOllamaModel(models, { host, namespace: "ollama", model: "full", tag: "v1" }, [
      file(MediaType.model, chat),
      file(MediaType.projector, projector),
      text(MediaType.adapter, "adapter weights"),
      text(MediaType.template, TEMPLATE),
      text(MediaType.system, SYSTEM),
      json(MediaType.params, { stop: ["<|end|>"], temperature: 0.25 }),
      json(MediaType.messages, [{ role: "user", content: "hi" }]),
      text(MediaType.license, "MIT License"),
      text(MediaType.prompt, "legacy {{ .Prompt }}"),
    ]);
    s = await startTestServer({
      TSLLM_MODELS: models,
      TSLLM_HOME: join(home, "tsllm"),
      DOCKER_CONFIG: join(home, "docker"),
    });
  }, 120_000);

  afterAll(async () => {
    await s?.stop();
    await reg?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("pull streams Ollama's lines in order; the model is listed, shown and runs", async () => {
    const name = `${host}/ns/seeded:v1`;
    const r = await post(s.url, "/api/pull", { model: name, insecure: true });
    expect(r.status).toBe(200);
    const blobs = [...seeded.layers.map((l) => l.digest), seeded.config];
    expect(statuses(r.lines)).toEqual([
      "pulling manifest",
      ...blobs.map((d) => `pulling ${d.slice(7, 19)}`),
      "verifying sha256 digest",
      "writing manifest",
      "success",
    ]);
    for (const l of r.lines.filter((x) => x.digest)) {
      const size = seeded.layers.find((x) => x.digest === l.digest)?.size;
      if (size !== undefined) expect(l.total).toBe(size);
      expect(Object.keys(l).sort()).toEqual(
        l.completed ? ["completed", "digest", "status", "total"] : ["digest", "status", "total"],
      );
    }
    const tags = await (await s.request("/api/tags", undefined, "GET")).json();
    const row = tags.models.find((m: Json) => m.name === name);
    expect(row?.digest).toBe(seeded.manifestDigest.slice(7));
    const show = await (await s.request("/api/show", { model: name })).json();
    expect([show.system, show.template]).toEqual([SYSTEM, TEMPLATE]);
    const gen = await post(s.url, "/api/generate", {
      model: name,
      prompt: "hi",
      stream: false,
      options: { ...GREEDY, num_predict: 2 },
    });
    expect([gen.status, gen.lines[0]?.done]).toEqual([200, true]);
  }, 120_000);

  test("stream: false answers the last line alone; a present model skips every download", async () => {
    const r = await post(s.url, "/api/pull", { name: `${host}/ns/seeded:v1`, insecure: true, stream: false });
    expect(r).toEqual({ status: 200, lines: [{ status: "success" }] });
  });

  test("bad names are a 400 before anything starts", async () => {
    for (const body of [{}, { model: "" }, { model: "  " }, { model: "a b" }, { model: "ns/" }]) {
      expect(await post(s.url, "/api/pull", body)).toEqual({
        status: 400,
        lines: [{ error: "invalid model name" }],
      });
    }
    expect(await post(s.url, "/api/push", {})).toEqual({
      status: 400,
      lines: [{ error: "model is required" }],
    });
    expect(await post(s.url, "/api/push", { model: "a b" })).toEqual({
      status: 400,
      lines: [{ error: "invalid model name" }],
    });
    expect((await post(s.url, "/api/pull", { model: "m", insecure: "yes" })).status).toBe(400);
  });

  test("an unknown model: Ollama's text, as a stream line or (stream: false) with status 500", async () => {
    const name = `${host}/ns/nothing:here`;
    const streamed = await post(s.url, "/api/pull", { model: name, insecure: true });
    expect(streamed).toEqual({
      status: 200,
      lines: [{ status: "pulling manifest" }, { error: "pull model manifest: file does not exist" }],
    });
    const plain = await post(s.url, "/api/pull", { model: name, insecure: true, stream: false });
    expect(plain).toEqual({ status: 500, lines: [{ error: "pull model manifest: file does not exist" }] });
    expect((await s.request("/api/show", { model: name })).status).toBe(404);
  });

  test("an http:// registry without insecure is Ollama's error, and nothing is written", async () => {
    const name = `http://${host}/ns/seeded:v2`;
    const r = await post(s.url, "/api/pull", { model: name });
    expect(r.lines.at(-1)).toEqual({ error: "insecure protocol http" });
    expect((await s.request("/api/show", { model: `${host}/ns/seeded:v2` })).status).toBe(404);
  });

  test("create FROM a registry name pulls it first, its progress inside the create stream", async () => {
    const from = `http://${host}/ns/seeded:v1`;
    // Not in the store yet under this tag: copy the seeded manifest to a new tag in the registry.
    const put = await fetch(`${reg.url}/v2/ns/seeded/manifests/base`, {
      method: "PUT",
      body: seeded.manifest,
      headers: { "content-type": MediaType.manifest },
    });
    expect(put.status).toBe(201);
    const base = from.replace(":v1", ":base");
    const r = await post(s.url, "/api/create", { model: "derived", from: base, system: "Derived." });
    expect(r.status).toBe(200);
    const st = statuses(r.lines);
    expect(st[0]).toBe("pulling manifest");
    expect(st.indexOf("writing manifest")).toBeGreaterThan(0);
    expect(st.at(-1)).toBe("success");
    expect(r.lines.some((l) => l.error)).toBe(false);
    const show = await (await s.request("/api/show", { model: "derived" })).json();
    expect([show.system, show.template]).toEqual(["Derived.", TEMPLATE]);
    expect((await s.request("/api/show", { model: `${host}/ns/seeded:base` })).status).toBe(200);
  }, 120_000);

  test("an Ollama-written model with every layer type goes through push and pull unchanged", async () => {
    const name = `${host}/ollama/full:v1`;
    const pushed = await post(s.url, "/api/push", { model: name, insecure: true });
    expect(statuses(pushed.lines).at(-1)).toBe("success");
    expect(statuses(pushed.lines)[0]).toBe("retrieving manifest");
    const remote = await fetch(`${reg.url}/v2/ollama/full/manifests/v1`, {
      headers: { accept: MediaType.manifest },
    });
    expect(await remote.text()).toBe(full.manifest);

    // Delete it locally (its blobs go too), then pull it back.
    expect(
      (await fetch(`${s.url}/api/delete`, { method: "DELETE", body: JSON.stringify({ model: name }) }))
        .status,
    ).toBe(200);
    const pulled = await post(s.url, "/api/pull", { model: name, insecure: true });
    expect(statuses(pulled.lines).at(-1)).toBe("success");
    const models = join(home, "models");
    const manifestPath = join(models, "manifests", host, "ollama", "full", "v1");
    expect(readFileSync(manifestPath, "utf8")).toBe(full.manifest);
    for (const l of [...full.layers, { digest: full.config }]) {
      const bytes = readFileSync(join(models, "blobs", l.digest.replace(":", "-")));
      expect(sha256(bytes)).toBe(l.digest);
    }
    const show = await (await s.request("/api/show", { model: name })).json();
    expect([show.system, show.license, show.messages]).toEqual([
      SYSTEM,
      "MIT License",
      [{ role: "user", content: "hi" }],
    ]);
  }, 120_000);
});

describe("the routes over a fake registry", () => {
  type Call = { name: string; opts: TransferOptions };

  /** An app whose registry records each call and runs `body` for it. */
  function appWith(body: (c: Call) => Promise<void>, registry = true) {
    const calls: Call[] = [];
    const run = (name: string, opts: TransferOptions = {}) => {
      const c = { name, opts };
      calls.push(c);
      return body(c);
    };
    const deps = {
      store: { blobs: {} },
      logger: new Logger("error"),
      ...(registry ? { registry: { pull: run, push: run } } : {}),
    } as unknown as AppDeps;
    const app = createApp(deps);
    const call = (path: string, json: unknown, signal?: AbortSignal) =>
      app.handle(
        new Request(`http://localhost${path}`, {
          method: "POST",
          body: JSON.stringify(json),
          headers: { "content-type": "application/json" },
          signal,
        }),
      );
    return { calls, call };
  }

  test("insecure and the request's credentials reach the transfer", async () => {
    const { calls, call } = appWith(async (c) => c.opts.onProgress?.({ status: "success" }));
    const res = await call("/api/pull", { model: "m", insecure: true, username: "u", password: "p" });
    expect(await res.text()).toBe('{"status":"success"}\n');
    expect(calls[0]?.name).toBe("m");
    expect(calls[0]?.opts.insecure).toBe(true);
    expect(calls[0]?.opts.credentials).toEqual({ username: "u", password: "p" });
    await call("/api/push", { name: "m" });
    expect(calls[1]?.opts.credentials).toBeUndefined();
    expect(calls[1]?.opts.insecure).toBe(false);
  });

  test("a failure before the first line keeps its status; a later one is an error line", async () => {
    const early = appWith(async () => {
      throw new RegistryAuthError("127.0.0.1:5000");
    });
    const res = await early.call("/api/pull", { model: "m" });
    expect([res.status, await res.json()]).toEqual([
      401,
      { error: "unauthorized: access denied to 127.0.0.1:5000" },
    ]);
    const late = appWith(async (c) => {
      c.opts.onProgress?.({ status: "retrieving manifest" });
      throw new RegistryAuthError("127.0.0.1:5000");
    });
    const streamed = await late.call("/api/push", { model: "m" });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toBe(
      '{"status":"retrieving manifest"}\n{"error":"unauthorized: access denied to 127.0.0.1:5000"}\n',
    );
  });

  test("a client that goes away aborts its transfer", async () => {
    let aborted: () => void = () => {};
    const gone = new Promise<void>((r) => {
      aborted = r;
    });
    const { call } = appWith(
      (c) =>
        new Promise((_, reject) => {
          c.opts.onProgress?.({ status: "pulling manifest" });
          c.opts.signal?.addEventListener("abort", () => {
            aborted();
            reject(c.opts.signal?.reason);
          });
        }),
    );
    const client = new AbortController();
    const res = await call("/api/pull", { model: "m" }, client.signal);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"status":"pulling manifest"}\n');
    client.abort();
    await reader.cancel();
    await gone;
  });

  test("a server built without a registry answers 501", async () => {
    const { call } = appWith(async () => {}, false);
    const res = await call("/api/pull", { model: "m" });
    expect(res.status).toBe(501);
  });
});
