/**
 * Bad GGUF files through the API: create refuses them with a 400 that names the problem and keeps nothing;
 * a bad file that is already in the store answers 500 without a runner ever being started; the server keeps
 * answering throughout.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CraftSpec, craftGguf, tinyLlama, withKey } from "../../src/gguf/testing.ts";
import { gv } from "../../src/gguf/typed.ts";
import { createModel, ModelStore } from "../../src/store/index.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;
const modelsDir = join(mkdtempSync(join(tmpdir(), "tsllm-bad-gguf-")), "models");

beforeAll(async () => {
  s = await startTestServer({ TSLLM_MODELS: modelsDir });
});
afterAll(async () => {
  await s.stop();
  rmSync(join(modelsDir, ".."), { recursive: true, force: true });
});

const digestOf = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function upload(bytes: Uint8Array): Promise<string> {
  const digest = digestOf(bytes);
  const r = await fetch(`${s.url}/api/blobs/${digest}`, { method: "POST", body: bytes });
  expect([200, 201]).toContain(r.status);
  return digest;
}

async function expectServing(): Promise<void> {
  const r = await fetch(`${s.url}/api/version`);
  expect(r.status).toBe(200);
}

/** A crafted file whose first tensor offset (relative to the data section) is moved by one byte. */
function misaligned(): Uint8Array {
  const { bytes, fields } = craftGguf(tinyLlama());
  const f = fields.find((x) => x.kind === "offset" && x.owner === "output_norm.weight");
  if (!f) throw new Error("no offset field");
  const view = new DataView(bytes.buffer);
  view.setBigUint64(f.at, view.getBigUint64(f.at, true) + 1n, true);
  return bytes;
}

const badFiles: [string, () => Uint8Array, string][] = [
  [
    "block_count 2^31",
    () => craftGguf(withKey(tinyLlama(), "llama.block_count", gv.u32(2 ** 31))).bytes,
    "llama.block_count 2147483648 is larger than llama.cpp's limit of 512 layers",
  ],
  [
    "block_count 0",
    () => craftGguf(withKey(tinyLlama(), "llama.block_count", gv.u32(0))).bytes,
    "llama.block_count is 0",
  ],
  ["a misaligned tensor", misaligned, "is not a multiple of the alignment (32)"],
  [
    "not a GGUF at all",
    () => new TextEncoder().encode("this is not a model file, just text"),
    "not a GGUF file",
  ],
];

describe("create refuses bad GGUF files", () => {
  test.each(badFiles)(
    "%s → 400 naming the problem, blob dropped, server answering",
    async (_, make, message) => {
      let digest = "";
      for (const stream of [true, false]) {
        digest = await upload(make());
        const r = await s.request("/api/create", { model: "bad", files: { "model.gguf": digest }, stream });
        expect(r.status).toBe(400);
        expect((await r.json()).error).toContain(message);
        await expectServing();
      }
      // Nothing stored: the rejected upload is gone and no model was written.
      expect((await fetch(`${s.url}/api/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);
      const tags = (await (await fetch(`${s.url}/api/tags`)).json()) as { models: { name: string }[] };
      expect(tags.models.map((m) => m.name)).not.toContain("bad:latest");
    },
  );

  test("the OpenAI and Ollama routes keep answering while a create of block_count 2^31 is refused", async () => {
    const digest = await upload(badFiles[0]?.[1]() as Uint8Array);
    const [create, version, tags] = await Promise.all([
      s.request("/api/create", { model: "bad", files: { "model.gguf": digest } }),
      fetch(`${s.url}/api/version`),
      fetch(`${s.url}/v1/models`),
    ]);
    expect(create.status).toBe(400);
    expect(version.status).toBe(200);
    expect(tags.status).toBe(200);
  });
});

describe("a bad file already in the store", () => {
  /** Stores `spec` as model `name` the way an older server would have: without validation. */
  async function plant(name: string, spec: CraftSpec): Promise<void> {
    const store = new ModelStore(modelsDir);
    const blob = await store.blobs.writeBytes(craftGguf(spec).bytes);
    await createModel(
      store,
      name,
      { model: blob.digest },
      {
        describeModel: async () => ({
          family: "llama",
          families: ["llama"],
          parameter_size: "",
          quantization_level: "F32",
        }),
      },
    );
  }

  test("generate, chat and the OpenAI route answer 500 'model file is invalid' and start no runner", async () => {
    await plant("stored-bad", withKey(tinyLlama(), "llama.block_count", gv.u32(2 ** 31)));
    const gen = await s.request("/api/generate", { model: "stored-bad", prompt: "hi", stream: false });
    expect(gen.status).toBe(500);
    expect((await gen.json()).error).toBe(
      "model file is invalid: llama.block_count 2147483648 is larger than llama.cpp's limit of 512 layers",
    );
    const chat = await s.request("/api/chat", {
      model: "stored-bad",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.status).toBe(500);
    const openai = await s.request("/v1/chat/completions", {
      model: "stored-bad",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(openai.status).toBe(500);
    expect((await openai.json()).error.message).toStartWith("model file is invalid:");
    const ps = (await (await fetch(`${s.url}/api/ps`)).json()) as { models: unknown[] };
    expect(ps.models).toEqual([]);
    await expectServing();
  });

  test("show still describes it", async () => {
    await plant("stored-bad-show", withKey(tinyLlama(), "llama.block_count", gv.u32(0)));
    const r = await s.request("/api/show", { model: "stored-bad-show" });
    expect(r.status).toBe(200);
    expect((await r.json()).model_info["llama.block_count"]).toBe(0);
  });
});
