import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type JsonResponse, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  // One slot per model: a leaked lease or a runner slot that kept generating would block the next request.
  s = await startTestServer({ TSLLM_NUM_PARALLEL: "1" });
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

async function errorOf(r: JsonResponse): Promise<[number, string]> {
  return [r.status, (await r.json()).error];
}

describe("client mistakes", () => {
  test("an unknown model is a 404 with Ollama's text", async () => {
    expect(await errorOf(await s.request("/api/generate", { model: "nope", prompt: "x" }))).toEqual([
      404,
      'model "nope" not found, try pulling it first',
    ]);
    expect(await errorOf(await s.request("/api/chat", { model: "nope", messages: [] }))).toEqual([
      404,
      'model "nope" not found, try pulling it first',
    ]);
    expect(await errorOf(await s.request("/api/show", { model: "nope" }))).toEqual([
      404,
      "model 'nope' not found",
    ]);
    await expect(s.client.generate({ model: "nope", prompt: "x" })).rejects.toMatchObject({
      status_code: 404,
    });
  });

  test("malformed or missing JSON is a 400", async () => {
    const [status, error] = await errorOf(await s.request("/api/generate", "{not json"));
    expect(status).toBe(400);
    expect(error).toContain("invalid JSON");
    expect(await errorOf(await s.request("/api/chat", ""))).toEqual([400, "missing request body"]);
  });

  test("wrong types are a 400 naming the field", async () => {
    const cases: [string, unknown, string][] = [
      ["/api/generate", { model: 7, prompt: "x" }, '"model"'],
      ["/api/generate", { model: "tiny", prompt: ["x"] }, '"prompt"'],
      ["/api/chat", { model: "tiny", messages: "hi" }, '"messages"'],
      ["/api/chat", { model: "tiny", messages: [{ role: 1, content: "x" }] }, '"messages.0.role"'],
      ["/api/embed", { model: "tiny", truncate: "yes" }, '"truncate"'],
      ["/api/generate", { model: "tiny", prompt: "x", stream: "no" }, '"stream"'],
    ];
    for (const [path, body, field] of cases) {
      const [status, error] = await errorOf(await s.request(path, body));
      expect(status).toBe(400);
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

  test("invalid model names and digests are a 400", async () => {
    for (const model of ["a/b/c/d/e", "bad name", ":tag", "x:"]) {
      const [status] = await errorOf(await s.request("/api/show", { model }));
      expect(status).toBe(400);
    }
    const [status, error] = await errorOf(
      await s.request("/api/copy", { source: "tiny", destination: "-bad" }),
    );
    expect(status).toBe(400);
    expect(error).toContain("invalid model name");
    const create = await s.request("/api/create", { model: "x", files: { "m.gguf": "sha256:123" } });
    expect(create.status).toBe(400);
    const upload = await fetch(`${s.url}/api/blobs/md5:abc`, { method: "POST", body: "x" });
    expect(upload.status).toBe(400);
  });

  test("unknown routes are a 404", async () => {
    const r = await fetch(`${s.url}/api/nothing-here`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: "404 page not found" });
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
