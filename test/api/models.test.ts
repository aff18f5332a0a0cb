import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { OLLAMA_VERSION, VERSION } from "../../src/version.ts";
import { fileDigest, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;
let digest: string;

beforeAll(async () => {
  s = await startTestServer();
  digest = await s.createFrom("tiny", await models.chat(), {
    system: "Be brief.",
    parameters: { temperature: 0.5, stop: ["</s>", "User:"] },
    license: "MIT",
  });
});
afterAll(() => s.stop());

describe("model management", () => {
  test("version is the Ollama API version clients gate on, plus tsllm's own; / and HEAD /", async () => {
    expect((await s.client.version()).version).toBe(OLLAMA_VERSION);
    expect(OLLAMA_VERSION).toBe("0.32.15");
    expect(await (await fetch(`${s.url}/api/version`)).json()).toEqual({
      version: OLLAMA_VERSION,
      tsllm_version: VERSION,
    });
    expect((await fetch(`${s.url}/api/version`, { method: "HEAD" })).status).toBe(200);
    const root = await fetch(`${s.url}/`);
    expect(await root.text()).toBe("Ollama is running");
    expect((await fetch(`${s.url}/`, { method: "HEAD" })).status).toBe(200);
  });

  test("tags lists created models with details and capabilities, in Ollama's field order", async () => {
    const { models: list } = await s.client.list();
    const tiny = list.find((m) => m.name === "tiny:latest") as unknown as Record<string, unknown>;
    expect(tiny).toMatchObject({
      model: "tiny:latest",
      details: {
        parent_model: "",
        format: "gguf",
        family: "llama",
        families: ["llama"],
        quantization_level: "F32",
        context_length: 4096,
        embedding_length: 128,
      },
      capabilities: ["completion"],
    });
    expect(Object.keys(tiny)).toEqual([
      "name",
      "model",
      "modified_at",
      "size",
      "digest",
      "details",
      "capabilities",
    ]);
    expect(tiny?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(tiny?.size).toBeGreaterThan(30_000_000);
  });

  test("show reports Modelfile, parameters, system, model_info and capabilities", async () => {
    const r = await s.client.show({ model: "tiny" });
    expect(r.modelfile).toContain("# FROM tiny:latest");
    expect(r.modelfile).toContain("SYSTEM Be brief.");
    expect(r.parameters).toContain('stop                           "User:"');
    expect(r.system).toBe("Be brief.");
    expect(r.license).toBe("MIT");
    expect(r.capabilities).toEqual(["completion"]);
    expect(r.template).toContain("[INST]");
    const info = r.model_info as unknown as Record<string, unknown>;
    expect(info["general.architecture"]).toBe("llama");
    expect(info["tokenizer.ggml.tokens"]).toEqual([]);
    expect(info["general.name"]).toBeUndefined();
    expect(Object.keys(info)).toEqual(Object.keys(info).sort());
    // Tensors are listed without verbose too (Ollama's GetModelInfo); the parameter count is their size.
    const tensors = (r as unknown as { tensors: { name: string; type: string; shape: number[] }[] }).tensors;
    expect(tensors[0]).toMatchObject({ type: "F32" });
    const elements = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(info["general.parameter_count"]).toBe(elements);
    expect(Object.keys(r)).toEqual([
      "license",
      "modelfile",
      "parameters",
      "template",
      "system",
      "details",
      "model_info",
      "tensors",
      "capabilities",
      "modified_at",
    ]);
    const verbose = await s.client.show({ model: "tiny", verbose: true } as never);
    expect(
      (verbose.model_info as unknown as Record<string, unknown[]>)["tokenizer.ggml.tokens"]?.length,
    ).toBe(32000);
    expect((verbose as unknown as { tensors: unknown[] }).tensors.length).toBeGreaterThan(5);
  });

  test("ps shows a loaded model with its context length", async () => {
    await s.client.generate({ model: "tiny", prompt: "" });
    const { models: loaded } = await s.client.ps();
    expect(loaded[0]).toMatchObject({ name: "tiny:latest", size_vram: 0, context_length: 4096 });
    expect(loaded[0]?.details.parent_model).toBe("");
    expect(new Date(loaded[0]?.expires_at ?? 0).getTime()).toBeGreaterThan(Date.now());
  });

  test("copy, then delete, keep shared blobs until the last user goes", async () => {
    expect((await s.client.copy({ source: "tiny", destination: "tiny2:v1" })).status).toBe("success");
    expect((await s.client.list()).models.map((m) => m.name)).toContain("tiny2:v1");
    await s.client.delete({ model: "tiny2:v1" });
    expect((await s.client.list()).models.map((m) => m.name)).not.toContain("tiny2:v1");
    expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
    const gone = await s.request("/api/delete", { model: "tiny2:v1" }, "DELETE");
    expect(gone.status).toBe(404);
    expect((await gone.json()).error).toBe("model 'tiny2:v1' not found");
    const missing = await s.request("/api/copy", { source: "nope", destination: "x" });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe('model "nope" not found');
  });

  test("create from an existing model streams Ollama's statuses and overrides layers", async () => {
    const stream = await s.client.create({ model: "derived", from: "tiny", system: "Other.", stream: true });
    const statuses: string[] = [];
    for await (const p of stream) statuses.push(p.status);
    expect(statuses[0]).toMatch(/^using existing layer sha256:/);
    expect(statuses).toContain("writing manifest");
    expect(statuses.at(-1)).toBe("success");
    const r = await s.client.show({ model: "derived" });
    expect(r.system).toBe("Other.");
    expect(r.details.parent_model).toBe("tiny:latest");
    const bad = await s.request("/api/create", { model: "x" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("neither 'from' or 'files' was specified");
  });

  test("blobs: HEAD 404 for a missing blob, 400 for a bad digest, digest mismatch rejected", async () => {
    const zero = `sha256:${"0".repeat(64)}`;
    expect((await fetch(`${s.url}/api/blobs/${zero}`, { method: "HEAD" })).status).toBe(404);
    expect((await fetch(`${s.url}/api/blobs/sha256:xyz`, { method: "HEAD" })).status).toBe(400);
    const r = await fetch(`${s.url}/api/blobs/${zero}`, { method: "POST", body: "hello" });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toContain("digest mismatch");
    expect(fileDigest(await models.chat())).toBe(digest);
  });

  test("tokenize and detokenize round-trip through the model's vocabulary", async () => {
    const t = await (await s.request("/api/tokenize", { model: "tiny", text: "Hello world" })).json();
    expect(t.tokens[0]).toBe(1); // BOS
    expect(t.tokens.length).toBeGreaterThan(2);
    const d = await (await s.request("/api/detokenize", { model: "tiny", tokens: t.tokens.slice(1) })).json();
    expect(d.text.trim()).toBe("Hello world");
  });

  test("create with quantize turns an F32 model into Q8_0", async () => {
    const r = await s.client.create({
      model: "tiny-q8",
      files: { "model.gguf": digest },
      quantize: "q8_0",
      stream: true,
    } as never);
    const statuses: string[] = [];
    for await (const p of r as unknown as AsyncIterable<{ status: string }>) statuses.push(p.status);
    expect(statuses).toContain("quantizing F32 model to Q8_0");
    expect(statuses.at(-1)).toBe("success");
    const show = await s.client.show({ model: "tiny-q8" });
    expect(show.details.quantization_level).toBe("Q8_0");
    const g = await s.client.generate({ model: "tiny-q8", prompt: "Hi", options: { num_predict: 2 } });
    expect(g.eval_count).toBe(2);
  }, 60_000);

  test("create from a model with quantize quantizes its weights and keeps its other layers", async () => {
    const progress: { status: string }[] = [];
    const r = await s.client.create({
      model: "tiny-from-q8",
      from: "tiny",
      quantize: "q8_0",
      stream: true,
    } as never);
    for await (const p of r as unknown as AsyncIterable<{ status: string }>) progress.push(p);
    const statuses = progress.map((p) => p.status);
    expect(statuses).toContain("quantizing F32 model to Q8_0");
    expect(statuses).toContain("verifying conversion");
    expect(statuses.at(-1)).toBe("success");
    const show = await s.client.show({ model: "tiny-from-q8" });
    expect(show.details.quantization_level).toBe("Q8_0");
    expect(show.system).toBe("Be brief.");
    expect(show.license).toBe("MIT");
    expect(show.parameters).toContain("temperature");
    const tensors = (show as unknown as { tensors: { type: string }[] }).tensors;
    expect(tensors.some((t) => t.type === "Q8_0")).toBe(true);
    const g = await s.client.generate({ model: "tiny-from-q8", prompt: "Hi", options: { num_predict: 2 } });
    expect(g.eval_count).toBe(2);
    // The base is untouched.
    expect((await s.client.show({ model: "tiny" })).details.quantization_level).toBe("F32");
  }, 60_000);

  test("a quantized model is not quantized again; an unknown type is refused (Ollama's texts)", async () => {
    const again = await s.request("/api/create", {
      model: "twice",
      from: "tiny-from-q8",
      quantize: "q4_K_M",
    });
    expect([again.status, (await again.json()).error]).toEqual([
      400,
      "quantization is only supported for F16, BF16 and F32 models",
    ]);
    const unknown = await s.request("/api/create", { model: "odd", from: "tiny", quantize: "q9_z" });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error).toStartWith(
      "unsupported quantization type Q9_Z - supported types are F32, F16, BF16, ",
    );
    expect(await s.client.list().then((l) => l.models.map((m) => m.name))).not.toContain("twice:latest");
    // Asking for the type the model already has is no conversion (Ollama skips it too).
    const same = await s.client.create({
      model: "same-f32",
      from: "tiny",
      quantize: "f32",
      stream: true,
    } as never);
    const statuses: string[] = [];
    for await (const p of same as unknown as AsyncIterable<{ status: string }>) statuses.push(p.status);
    expect(statuses.some((x) => x.startsWith("quantizing"))).toBe(false);
    expect(statuses.at(-1)).toBe("success");
  }, 60_000);
});
