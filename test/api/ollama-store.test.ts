/**
 * tsllm on a models directory Ollama wrote: every layer type Ollama writes (model, projector, adapter,
 * template, system, params, messages, license, and the legacy prompt), built by hand in Ollama's encoding,
 * is listed, shown and served, and nothing in the store is rewritten.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MediaType } from "../../src/store/index.ts";
import { synthModel } from "../fixtures/models.ts";
import { GREEDY, models as fixtures, startTestServer, type TestServer } from "./helpers.ts";
import { file, json, text, type WrittenModel, writeOllamaModel } from "./ollama-store.ts";

const TEMPLATE =
  "{{ if .System }}<|system|>{{ .System }}<|end|>{{ end }}<|user|>{{ .Prompt }}<|end|><|assistant|>";
const PARAMS = { num_ctx: 512, stop: ["<|end|>", "<|user|>"], temperature: 0.25 };
const MESSAGES = [
  { role: "user", content: "Is this an Ollama store?" },
  { role: "assistant", content: "It is." },
];

let root = "";
let s: TestServer;
let full: WrittenModel;
let legacy: WrittenModel;
let hf: WrittenModel;
let blobsBefore: string[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "tsllm-ollama-store-"));
  const store = join(root, "models");
  const chat = await fixtures.chat();
  const projector = await synthModel({ preset: "embed", quant: "f32", vocab: "bert-bge" });
  const library = (model: string) => ({
    host: "registry.ollama.ai",
    namespace: "library",
    model,
    tag: "latest",
  });
  full = writeOllamaModel(store, library("ollama-full"), [
    { ...file(MediaType.model, chat), from: "registry.ollama.ai/library/base:latest" },
    file(MediaType.projector, projector),
    text(MediaType.adapter, "adapter weights"),
    text(MediaType.template, TEMPLATE),
    text(MediaType.system, "You answer briefly."),
    json(MediaType.params, PARAMS),
    json(MediaType.messages, MESSAGES),
    text(MediaType.license, "MIT License"),
    text(MediaType.license, "Apache License 2.0"),
  ]);
  legacy = writeOllamaModel(store, library("ollama-legacy"), [
    file(MediaType.model, chat),
    text(MediaType.prompt, TEMPLATE),
    text(MediaType.system, "You answer briefly."),
    json(MediaType.params, PARAMS),
  ]);
  hf = writeOllamaModel(store, { host: "hf.co", namespace: "someone", model: "tiny-GGUF", tag: "Q4_K_M" }, [
    file(MediaType.model, chat),
  ]);
  blobsBefore = readdirSync(join(store, "blobs")).sort();
  s = await startTestServer({ TSLLM_MODELS: store });
}, 120_000);

afterAll(async () => {
  await s?.stop();
  rmSync(root, { recursive: true, force: true });
});

const manifestBytes = (...path: string[]) => readFileSync(join(root, "models", "manifests", ...path), "utf8");

describe("an Ollama-written store", () => {
  test("list shows every model with Ollama's id (the manifest's sha256) and size", async () => {
    const tags = await (await s.request("/api/tags", undefined, "GET")).json();
    const byName = Object.fromEntries(tags.models.map((m: { name: string }) => [m.name, m]));
    for (const [name, m] of [
      ["ollama-full:latest", full],
      ["ollama-legacy:latest", legacy],
      ["hf.co/someone/tiny-GGUF:Q4_K_M", hf],
    ] as const) {
      expect(byName[name]?.digest).toBe(m.digest.slice(7));
      const size = JSON.parse(m.manifest).config.size + m.layers.reduce((n, l) => n + l.size, 0);
      expect(byName[name]?.size).toBe(size);
    }
    expect(byName["ollama-full:latest"].details.family).toBe("llama");
  });

  test("show reads template, system, params, messages, both licenses, projector and adapter", async () => {
    const r = await (await s.request("/api/show", { model: "ollama-full" })).json();
    expect(r.template).toBe(TEMPLATE);
    expect(r.system).toBe("You answer briefly.");
    expect(r.messages).toEqual(MESSAGES);
    expect(r.license).toBe("MIT License\nApache License 2.0");
    expect(r.parameters).toContain('stop                           "<|end|>"');
    expect(r.parameters).toContain("temperature                    0.25");
    expect(r.projector_info).toBeDefined();
    expect(r.modelfile).toContain("ADAPTER ");
    expect(r.details.parent_model).toBe("registry.ollama.ai/library/base:latest");
  });

  test("the legacy prompt layer is the template", async () => {
    const r = await (await s.request("/api/show", { model: "ollama-legacy" })).json();
    expect(r.template).toBe(TEMPLATE);
  });

  test("models from the store generate (the legacy prompt as their template, a non-default host)", async () => {
    for (const model of ["ollama-legacy", "hf.co/someone/tiny-GGUF:Q4_K_M"]) {
      const r = await s.request("/api/generate", {
        model,
        prompt: "hi",
        stream: false,
        raw: false,
        options: { ...GREEDY, num_predict: 3 },
      });
      const body = await r.json();
      expect([model, r.status, body.done]).toEqual([model, 200, true]);
    }
  }, 120_000);

  test("copy keeps the manifest byte for byte; nothing in the store was rewritten or pruned", async () => {
    const copied = await s.request("/api/copy", { source: "ollama-full", destination: "copied:v1" });
    expect(copied.status).toBe(200);
    expect(manifestBytes("registry.ollama.ai", "library", "copied", "v1")).toBe(full.manifest);
    expect(manifestBytes("registry.ollama.ai", "library", "ollama-full", "latest")).toBe(full.manifest);
    expect(manifestBytes("registry.ollama.ai", "library", "ollama-legacy", "latest")).toBe(legacy.manifest);
    expect(manifestBytes("hf.co", "someone", "tiny-GGUF", "Q4_K_M")).toBe(hf.manifest);
    expect(readdirSync(join(root, "models", "blobs")).sort()).toEqual(blobsBefore);
  });
});
