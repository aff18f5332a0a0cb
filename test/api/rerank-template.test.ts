import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufTyped } from "../../src/gguf/reader.ts";
import { gv } from "../../src/gguf/typed.ts";
import type { GgufTypedValue } from "../../src/gguf/value.ts";
import { writeGguf } from "../../src/gguf/writer.ts";
import { rerankModel } from "../fixtures/models.ts";
import { type Json, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;
const dir = mkdtempSync(join(tmpdir(), "tsllm-rerank-template-"));

/** The synthetic reranker with a `tokenizer.chat_template.rerank` added (same weights). */
async function withRerankTemplate(template: string): Promise<string> {
  const src = await rerankModel();
  const { file, types } = await readGgufTyped(src);
  const metadata: Record<string, GgufTypedValue> = {};
  for (const [key, value] of Object.entries(file.metadata)) {
    const t = types.get(key);
    if (t !== undefined && key !== "general.alignment") metadata[key] = { ...t, value };
  }
  metadata["tokenizer.chat_template.rerank"] = gv.str(template);
  const out = join(dir, "rerank-template.gguf");
  await writeGguf(out, {
    metadata,
    tensors: file.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      type: t.type,
      data: async function* () {
        yield await Bun.file(src)
          .slice(t.offset, t.offset + t.byteSize)
          .bytes();
      },
    })),
  });
  return out;
}

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("plain", await rerankModel());
  // One more [SEP] than the plain pairing ([CLS] query [SEP] document), written as text: parsed as special.
  await s.createFrom("templated", await withRerankTemplate("[CLS]{query}[SEP]{document}[SEP]"));
});
afterAll(async () => {
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rerank(model: string, documents: string[]): Promise<Json> {
  const r = await s.request("/api/rerank", { model, query: "what is the capital of france?", documents });
  expect(r.status).toBe(200);
  return r.json();
}

describe("rerank template", () => {
  test("tokenizer.chat_template.rerank builds the sequence: {query} and {document} replaced, specials parsed", async () => {
    const docs = ["paris is the capital of france", "the cat sat on the mat"];
    const plain = await rerank("plain", docs);
    const templated = await rerank("templated", docs);
    expect(templated.usage.prompt_tokens).toBe(plain.usage.prompt_tokens + docs.length);
    const score = (r: Json, i: number) => r.results.find((x: Json) => x.index === i).relevance_score;
    expect(score(templated, 0)).not.toBe(score(plain, 0));
  });
});
