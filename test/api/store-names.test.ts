/**
 * Over-long and malformed model names on every route that takes one: a 400 naming the problem, never a
 * 500, never ENAMETOOLONG, never the store's path. Error bodies of a damaged store carry no path either.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;
const root = mkdtempSync(join(tmpdir(), "tsllm-names-"));
const models = join(root, "models");

beforeAll(async () => {
  s = await startServerWith(["tiny"], { TSLLM_MODELS: models });
}, 120_000);
afterAll(async () => {
  await s?.stop();
  rmSync(root, { recursive: true, force: true });
});

const long = "a".repeat(300);
const NAMES = [long, `${long}:latest`, `${"h".repeat(300)}/ns/m:t`, `ns/${long}`, `m:${"t".repeat(300)}`];

/** [method, path, body] for every route that takes a model name. */
function routes(name: string): [string, string, unknown][] {
  const user = [{ role: "user", content: "hi" }];
  return [
    ["POST", "/api/create", { model: name, from: "tiny" }],
    ["POST", "/api/create", { model: "fine", from: name }],
    ["POST", "/api/copy", { source: name, destination: "x" }],
    ["POST", "/api/copy", { source: "tiny", destination: name }],
    ["DELETE", "/api/delete", { model: name }],
    ["POST", "/api/show", { model: name }],
    ["POST", "/api/generate", { model: name, prompt: "hi" }],
    ["POST", "/api/chat", { model: name, messages: user }],
    ["POST", "/api/embed", { model: name, input: "hi" }],
    ["POST", "/api/embeddings", { model: name, prompt: "hi" }],
    ["POST", "/api/tokenize", { model: name, content: "hi" }],
    ["POST", "/api/detokenize", { model: name, tokens: [1] }],
    ["POST", "/v1/chat/completions", { model: name, messages: user }],
    ["POST", "/v1/completions", { model: name, prompt: "hi" }],
    ["POST", "/v1/embeddings", { model: name, input: "hi" }],
    ["POST", "/v1/responses", { model: name, input: "hi" }],
    ["POST", "/v1/messages", { model: name, max_tokens: 4, messages: user }],
    ["POST", "/v1/messages/count_tokens", { model: name, messages: user }],
    ["GET", `/v1/models/${encodeURIComponent(name)}`, undefined],
  ];
}

describe("model names", () => {
  test("an over-long name is a 400 on every route, with no path and no errno in the answer", async () => {
    const failures: string[] = [];
    for (const name of NAMES) {
      for (const [method, path, body] of routes(name)) {
        const res = await s.request(path, body, method);
        const text = await res.text();
        const what = `${method} ${path.slice(0, 40)} ${name.slice(0, 12)}…: ${res.status} ${text.slice(0, 120)}`;
        if (res.status !== 400) failures.push(what);
        if (/ENAMETOOLONG|\/tmp\/|\/models\//.test(text)) failures.push(`path or errno in ${what}`);
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  test("Ollama's texts for invalid names", async () => {
    const create = await s.request("/api/create", { model: long, from: "tiny" });
    expect(await create.json()).toEqual({ error: "invalid model name" });
    const show = await s.request("/api/show", { model: long });
    expect(await show.json()).toEqual({ error: "invalid model name" });
  });

  test("a damaged store answers without its path", async () => {
    const library = join(models, "manifests", "registry.ollama.ai", "library");
    mkdirSync(join(library, "broken"), { recursive: true });
    writeFileSync(join(library, "broken", "latest"), "{ not json");
    const tiny = JSON.parse(readFileSync(join(library, "tiny", "latest"), "utf8"));
    const missing = `sha256:${"0".repeat(64)}`;
    const layers = tiny.layers.map((l: { mediaType: string }) =>
      l.mediaType.endsWith(".model") ? { ...l, digest: missing } : l,
    );
    mkdirSync(join(library, "hollow"), { recursive: true });
    writeFileSync(join(library, "hollow", "latest"), JSON.stringify({ ...tiny, layers }));

    const answers: [string, number, string][] = [];
    for (const [path, body] of [
      ["/api/show", { model: "broken" }],
      ["/api/generate", { model: "broken", prompt: "hi" }],
      ["/api/show", { model: "hollow" }],
      ["/api/generate", { model: "hollow", prompt: "hi" }],
      ["/v1/chat/completions", { model: "hollow", messages: [{ role: "user", content: "hi" }] }],
    ] as const) {
      const res = await s.request(path, body);
      answers.push([path, res.status, await res.text()]);
    }
    for (const [, , text] of answers) expect(text).not.toContain(root);
    expect(answers[0]?.[2]).toContain("corrupt manifest: registry.ollama.ai/library/broken:latest");
    expect(answers[2]?.[2]).toContain(
      `model \\"registry.ollama.ai/library/hollow:latest\\" is missing its blob ${missing}; create or pull it again`,
    );
    const tags = await (await s.request("/api/tags", undefined, "GET")).json();
    expect(tags.models.map((m: { name: string }) => m.name).sort()).toEqual(["hollow:latest", "tiny:latest"]);
  });
});
