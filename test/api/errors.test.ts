import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type JsonResponse, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  // One slot per model: a leaked lease or a runner slot that kept generating would block the next request.
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "1" });
  await s.createFrom("tiny", await models.chat());
  await s.createFrom("bge", await models.embed());
});
afterAll(() => s.stop());

async function errorOf(r: JsonResponse): Promise<[number, string]> {
  return [r.status, (await r.json()).error];
}

const zero = `sha256:${"0".repeat(64)}`;

/**
 * [method, path, body, status, error] as Ollama's handlers answer (server/routes.go, server/create.go):
 * each handler words an empty, invalid or unknown model its own way.
 */
const TABLE: [string, string, unknown, number, string][] = [
  ["POST", "/api/generate", {}, 404, "model '' not found"],
  ["POST", "/api/generate", { model: "nope", prompt: "x" }, 404, "model 'nope' not found"],
  ["POST", "/api/generate", { model: "bad name" }, 400, "invalid model name"],
  [
    "POST",
    "/api/generate",
    { model: "tiny", top_logprobs: 21 },
    400,
    "top_logprobs must be between 0 and 20",
  ],
  [
    "POST",
    "/api/generate",
    { model: "tiny", prompt: "x", raw: true, system: "s" },
    400,
    "raw mode does not support template, system, or context",
  ],
  [
    "POST",
    "/api/generate",
    { model: "tiny", prompt: "x", suffix: "y" },
    400,
    "registry.ollama.ai/library/tiny:latest does not support insert",
  ],
  ["POST", "/api/generate", { model: "bge", prompt: "x" }, 400, '"bge" does not support generate'],
  ["POST", "/api/chat", {}, 400, "model is required"],
  ["POST", "/api/chat", { model: "nope", messages: [] }, 404, "model 'nope' not found"],
  ["POST", "/api/chat", { model: "bad name" }, 400, "invalid model name"],
  [
    "POST",
    "/api/chat",
    { model: "bge", messages: [{ role: "user", content: "x" }] },
    400,
    '"bge" does not support chat',
  ],
  ["POST", "/api/embed", {}, 404, "model '' not found"],
  ["POST", "/api/embed", { model: "nope", input: "x" }, 404, "model 'nope' not found"],
  ["POST", "/api/embed", { model: "nope", input: 5 }, 400, "invalid input type"],
  ["POST", "/api/embeddings", {}, 400, "model is required"],
  ["POST", "/api/embeddings", { model: "nope" }, 404, 'model "nope" not found, try pulling it first'],
  ["POST", "/api/show", {}, 400, "model is required"],
  ["POST", "/api/show", { model: "nope" }, 404, "model 'nope:latest' not found"],
  ["POST", "/api/show", { name: "bad name" }, 400, "invalid model name"],
  ["POST", "/api/copy", {}, 400, 'source "" is invalid'],
  ["POST", "/api/copy", { source: "tiny", destination: "-bad" }, 400, 'destination "-bad" is invalid'],
  ["POST", "/api/copy", { source: "nope", destination: "x" }, 404, 'model "nope" not found'],
  ["DELETE", "/api/delete", {}, 400, "model is required"],
  ["DELETE", "/api/delete", { model: "bad name" }, 400, 'name "bad name" is invalid'],
  ["DELETE", "/api/delete", { name: "nope" }, 404, "model 'nope' not found"],
  ["POST", "/api/create", {}, 400, "invalid model name"],
  ["POST", "/api/create", { model: "x" }, 400, "neither 'from' or 'files' was specified"],
  ["POST", "/api/create", { model: "x", files: { "../m.gguf": zero } }, 400, "file path must be relative"],
  ["POST", "/api/create", { model: "x", files: { "m.gguf": "" } }, 400, "invalid digest format"],
  ["POST", "/api/create", { model: "x", files: { "m.gguf": "sha256:123" } }, 400, "invalid digest format"],
  ["POST", "/api/create", { model: "x", from: "bad name" }, 400, "invalid model name"],
];

describe("client mistakes", () => {
  test("every route answers with Ollama's status and text", async () => {
    const got = [];
    for (const [method, path, body] of TABLE) {
      const r = await s.request(path, body, method);
      got.push([method, path, body, r.status, (await r.json()).error]);
    }
    expect(got).toEqual(TABLE);
    await expect(s.client.generate({ model: "nope", prompt: "x" })).rejects.toMatchObject({
      status_code: 404,
    });
  });

  test("a missing body is Ollama's 400 on every JSON route; malformed JSON is a 400", async () => {
    for (const [method, path] of [
      ["POST", "/api/generate"],
      ["POST", "/api/chat"],
      ["POST", "/api/embed"],
      ["POST", "/api/embeddings"],
      ["POST", "/api/show"],
      ["POST", "/api/copy"],
      ["DELETE", "/api/delete"],
      ["POST", "/api/create"],
    ] as const) {
      expect([path, ...(await errorOf(await s.request(path, "", method)))]).toEqual([
        path,
        400,
        "missing request body",
      ]);
    }
    const [status, error] = await errorOf(await s.request("/api/generate", "{not json"));
    expect(status).toBe(400);
    expect(error).toContain("invalid JSON");
  });

  test("wrong types are a 400 naming the field", async () => {
    const cases: [string, unknown, string][] = [
      ["/api/generate", { model: 7, prompt: "x" }, '"model"'],
      ["/api/generate", { model: "tiny", prompt: ["x"] }, '"prompt"'],
      ["/api/generate", { model: "tiny", context: ["1"] }, '"context.0"'],
      ["/api/chat", { model: "tiny", messages: "hi" }, '"messages"'],
      ["/api/chat", { model: "tiny", messages: [{ role: 1, content: "x" }] }, '"messages.0.role"'],
      ["/api/chat", { model: "tiny", messages: [{ role: "user", content: [] }] }, '"messages.0.content"'],
      ["/api/embed", { model: "tiny", truncate: "yes" }, '"truncate"'],
      ["/api/embed", { model: "tiny", dimensions: "5" }, '"dimensions"'],
      ["/api/generate", { model: "tiny", prompt: "x", stream: "no" }, '"stream"'],
      ["/api/show", { model: "tiny", verbose: 1 }, '"verbose"'],
    ];
    for (const [path, body, field] of cases) {
      const [status, error] = await errorOf(await s.request(path, body));
      expect([path, status]).toEqual([path, 400]);
      expect(error).toContain(field);
    }
    const [status, error] = await errorOf(
      await s.request("/api/generate", { model: "tiny", prompt: "x", options: { temperature: "hot" } }),
    );
    expect([status, error]).toEqual([400, 'option "temperature" must be of type float32']);
  });

  test("unknown options are ignored", async () => {
    const r = await s.client.generate({
      model: "tiny",
      prompt: "x",
      options: { ...GREEDY, num_predict: 1, not_an_option: 3 } as never,
    });
    expect(r.eval_count).toBe(1);
  });

  test("blobs: a bad digest is a 400, a missing blob a 404, both with Ollama's text", async () => {
    const head = await fetch(`${s.url}/api/blobs/sha256:xyz`, { method: "HEAD" });
    expect(head.status).toBe(400);
    expect((await fetch(`${s.url}/api/blobs/${zero}`, { method: "HEAD" })).status).toBe(404);
    const upload = await fetch(`${s.url}/api/blobs/md5:abc`, { method: "POST", body: "x" });
    expect([upload.status, ((await upload.json()) as { error: string }).error]).toEqual([
      400,
      "invalid digest format",
    ]);
  });
});

describe("routing as gin answers it", () => {
  test("an unknown path is a plain-text 404", async () => {
    for (const path of ["/api/nothing-here", "/nothing", "/api"]) {
      const r = await fetch(`${s.url}${path}`);
      expect([path, r.status, await r.text()]).toEqual([path, 404, "404 page not found"]);
      expect(r.headers.get("content-type")).toStartWith("text/plain");
    }
  });

  test("a known path with another method is a plain-text 405 with Allow", async () => {
    const cases: [string, string, string][] = [
      ["GET", "/api/chat", "POST"],
      ["GET", "/api/generate", "POST"],
      ["PUT", "/api/tags", "GET, HEAD"],
      ["POST", "/api/tags", "GET, HEAD"],
      ["HEAD", "/api/ps", "GET"],
      ["POST", "/api/version", "GET, HEAD"],
      ["GET", "/api/delete", "DELETE"],
      ["POST", "/api/delete", "DELETE"],
      ["DELETE", "/api/show", "POST"],
      ["GET", `/api/blobs/${zero}`, "HEAD, POST"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await fetch(`${s.url}${path}`, { method });
      const body = method === "HEAD" ? "" : "405 method not allowed";
      expect([method, path, r.status, await r.text(), r.headers.get("allow")]).toEqual([
        method,
        path,
        405,
        body,
        allow,
      ]);
    }
  });

  test("HEAD is answered where Ollama registers it", async () => {
    for (const path of ["/", "/api/version", "/api/tags", `/api/blobs/${zero}`]) {
      const r = await fetch(`${s.url}${path}`, { method: "HEAD" });
      expect([path, r.status]).toEqual([path, path.startsWith("/api/blobs") ? 404 : 200]);
    }
  });
});

describe("client aborts", () => {
  test("aborting a stream mid-way frees the slot; the server keeps serving", async () => {
    const stream = await s.client.generate({
      model: "tiny",
      prompt: "Tell me everything",
      stream: true,
      options: { ...GREEDY, num_predict: 100_000 },
    });
    let seen = 0;
    try {
      for await (const _ of stream) {
        if (++seen === 3) {
          stream.abort();
          break;
        }
      }
    } catch (e) {
      expect((e as Error).name).toBe("AbortError");
    }
    expect(seen).toBe(3);
    const next = await s.client.generate({
      model: "tiny",
      prompt: "Hi",
      options: { ...GREEDY, num_predict: 3 },
    });
    expect(next.eval_count).toBe(3);
  }, 20_000);

  test("a raw fetch dropped mid-stream does not hang the next request", async () => {
    const ctl = new AbortController();
    const res = await fetch(`${s.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({
        model: "tiny",
        messages: [{ role: "user", content: "go" }],
        options: { num_predict: 100_000 },
      }),
      signal: ctl.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    ctl.abort();
    const next = await s.client.chat({
      model: "tiny",
      messages: [{ role: "user", content: "again" }],
      options: { ...GREEDY, num_predict: 2 },
    });
    expect(next.done).toBe(true);
  }, 20_000);
});
