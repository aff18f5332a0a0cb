/**
 * The OpenAI-compatible routes over plain HTTP: wire shapes (ids, objects, chunks, usage, [DONE]), the
 * parameters each route maps, and the 400s and 404s for what it refuses, in OpenAI's error body.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Json, startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;

// Output of the tiny model is its greedy continuation; sampling is pinned for determinism.
const greedy = { temperature: 0, seed: 1 };
const user = (content: unknown) => [{ role: "user", content }];

// "thinker" opens a <think> block when thinking is on: a random model's whole output is then thinking.
beforeAll(async () => {
  s = await startServerWith(["tiny", "thinker", "embed"]);
});
afterAll(() => s.stop());

/** The data payloads of an SSE body (`[DONE]` kept as a string). */
async function sse(r: Response): Promise<unknown[]> {
  expect(r.headers.get("content-type")).toContain("text/event-stream");
  const text = await r.text();
  return text
    .split("\n\n")
    .filter((b) => b.trim())
    .map((b) => {
      const data = b
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return data === "[DONE]" ? data : JSON.parse(data);
    });
}

async function openaiError(r: Response, status: number): Promise<Json["error"]> {
  expect(r.status).toBe(status);
  const body = (await r.json()) as Json;
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return body.error;
}

describe("/v1/chat/completions", () => {
  test("answers a chat.completion with usage and finish_reason length", async () => {
    const r = await s.request("/v1/chat/completions", {
      model: "tiny",
      messages: [{ role: "developer", content: "Be brief." }, ...user("Hello")],
      max_tokens: 4,
      ...greedy,
    });
    expect(r.status).toBe(200);
    const c = await r.json();
    expect(c.id).toMatch(/^chatcmpl-/);
    expect(c.object).toBe("chat.completion");
    expect(Number.isInteger(c.created)).toBe(true);
    expect(c.model).toBe("tiny");
    expect(c.system_fingerprint).toBe("fp_ollama");
    expect(c.choices).toHaveLength(1);
    expect(c.choices[0]).toMatchObject({ index: 0, finish_reason: "length", logprobs: null });
    expect(c.choices[0].message.role).toBe("assistant");
    expect(typeof c.choices[0].message.content).toBe("string");
    expect(c.usage.completion_tokens).toBe(4);
    expect(c.usage.total_tokens).toBe(c.usage.prompt_tokens + 4);
  });

  test("streams a role chunk, deltas, a finish chunk, a usage chunk and [DONE]", async () => {
    const body = { model: "tiny", messages: user("Hello"), max_completion_tokens: 5, ...greedy };
    const whole = await (await s.request("/v1/chat/completions", body)).json();
    const events = await sse(
      await s.request("/v1/chat/completions", {
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Json[];
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    for (const c of chunks) expect(c.object).toBe("chat.completion.chunk");
    expect(chunks[0]?.choices[0].delta.role).toBe("assistant");
    const usage = chunks.at(-1) as Json;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toEqual(whole.usage);
    const finish = chunks.at(-2) as Json;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: "length" });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(whole.choices[0].message.content);
  });

  test("without include_usage the stream has no usage chunk", async () => {
    const events = await sse(
      await s.request("/v1/chat/completions", {
        model: "tiny",
        messages: user("Hi"),
        max_tokens: 2,
        stream: true,
      }),
    );
    expect(events.at(-1)).toBe("[DONE]");
    for (const c of events.slice(0, -1) as Json[]) {
      expect(c.usage).toBeUndefined();
      expect(c.choices).toHaveLength(1);
    }
  });

  test("content parts are joined text; a stop string ends generation with finish_reason stop", async () => {
    const parts = [
      { type: "text", text: "Hello" },
      { type: "text", text: "there" },
    ];
    const base = { model: "tiny", max_tokens: 8, ...greedy };
    const asParts = await (
      await s.request("/v1/chat/completions", { ...base, messages: user(parts) })
    ).json();
    const asText = await (
      await s.request("/v1/chat/completions", { ...base, messages: user("Hello\nthere") })
    ).json();
    expect(asParts.choices[0].message.content).toBe(asText.choices[0].message.content);
    expect(asParts.usage.prompt_tokens).toBe(asText.usage.prompt_tokens);
    const full: string = asText.choices[0].message.content;
    const stop = full.slice(3, 6);
    const stopped = await (
      await s.request("/v1/chat/completions", { ...base, messages: user("Hello\nthere"), stop })
    ).json();
    expect(stopped.choices[0].finish_reason).toBe("stop");
    expect(stopped.choices[0].message.content).toBe(full.slice(0, full.indexOf(stop)));
  });

  test("seed makes sampling repeatable at temperature 1", async () => {
    const body = { model: "tiny", messages: user("Once"), max_tokens: 6, temperature: 1, seed: 42 };
    const a = await (await s.request("/v1/chat/completions", body)).json();
    const b = await (await s.request("/v1/chat/completions", body)).json();
    expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
  });

  test("logprobs come in OpenAI's shape", async () => {
    const c = await (
      await s.request("/v1/chat/completions", {
        model: "tiny",
        messages: user("Hi"),
        max_tokens: 3,
        logprobs: true,
        top_logprobs: 2,
        ...greedy,
      })
    ).json();
    const content = c.choices[0].logprobs.content as Json[];
    expect(content).toHaveLength(3);
    expect(content.map((l) => l.token).join("")).toBe(c.choices[0].message.content);
    for (const l of content) {
      expect(l.logprob).toBeLessThanOrEqual(0);
      expect(l.bytes).toEqual([...new TextEncoder().encode(l.token)]);
      expect(l.top_logprobs).toHaveLength(2);
      for (const t of l.top_logprobs) expect(typeof t.token).toBe("string");
    }
  });

  test("json_object and json_schema response formats constrain the output to JSON", async () => {
    const base = { model: "tiny", messages: user("Give JSON"), max_tokens: 40, ...greedy };
    const obj = await (
      await s.request("/v1/chat/completions", { ...base, response_format: { type: "json_object" } })
    ).json();
    if (obj.choices[0].finish_reason === "stop") JSON.parse(obj.choices[0].message.content);
    const schema = {
      type: "object",
      properties: { ok: { type: "boolean" }, kind: { enum: ["a", "b"] } },
      required: ["ok", "kind"],
      additionalProperties: false,
    };
    const typed = await (
      await s.request("/v1/chat/completions", {
        ...base,
        response_format: { type: "json_schema", json_schema: { name: "t", schema, strict: true } },
      })
    ).json();
    expect(typed.choices[0].finish_reason).toBe("stop");
    const v = JSON.parse(typed.choices[0].message.content);
    expect(typeof v.ok).toBe("boolean");
    expect(["a", "b"]).toContain(v.kind);
  });

  test("thinking streams as reasoning and reasoning_content deltas (think or reasoning.effort)", async () => {
    for (const extra of [{ think: true }, { reasoning: { effort: "low" } }]) {
      const events = await sse(
        await s.request("/v1/chat/completions", {
          model: "thinker",
          messages: user("Hi"),
          max_tokens: 4,
          stream: true,
          ...greedy,
          ...extra,
        }),
      );
      const deltas = (events.slice(0, -1) as Json[]).map((c) => c.choices[0]?.delta ?? {});
      const thinking = deltas.map((d) => d.reasoning_content ?? "").join("");
      expect(thinking.length).toBeGreaterThan(0);
      expect(deltas.map((d) => d.reasoning ?? "").join("")).toBe(thinking);
      expect(deltas[0]?.role).toBe("assistant");
    }
    const off = await (
      await s.request("/v1/chat/completions", {
        model: "thinker",
        messages: user("Hi"),
        max_tokens: 4,
        reasoning_effort: "none",
        ...greedy,
      })
    ).json();
    expect(off.choices[0].message.reasoning_content).toBeUndefined();
  });

  test("Ollama options pass through the `options` extension field", async () => {
    const r = await (
      await s.request("/v1/chat/completions", {
        model: "tiny",
        messages: user("Hi"),
        options: { num_predict: 2, num_ctx: 512, temperature: 0.5 },
        temperature: 0,
      })
    ).json();
    expect(r.usage.completion_tokens).toBe(2);
  });
});

describe("/v1/chat/completions refusals", () => {
  const ask = (extra: Record<string, unknown>) =>
    s.request("/v1/chat/completions", { model: "tiny", messages: user("Hi"), max_tokens: 1, ...extra });

  test("unsupported or invalid values are a 400 naming the parameter", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ n: 2 }, "'n'"],
      [{ temperature: 3 }, "'temperature'"],
      [{ top_logprobs: 30, logprobs: true }, "'top_logprobs'"],
      [{ logit_bias: { abc: 1 } }, "'logit_bias'"],
      [{ reasoning_effort: "extreme" }, "'reasoning_effort'"],
      [{ response_format: { type: "xml" } }, "response_format.type"],
      [{ tools: [{ type: "web_search" }] }, "tools[0].type"],
      [{ tool_choice: "required" }, "'tool_choice'"],
      [{ modalities: ["text", "audio"] }, "modalities"],
      [{ messages: [] }, "'messages'"],
      [{ messages: [{ role: "robot", content: "x" }] }, "messages[0].role"],
      [{ messages: user([{ type: "input_audio", input_audio: {} }]) }, "messages[0].content[0].type"],
      [
        {
          messages: [
            { role: "assistant", tool_calls: [{ id: "c", function: { name: "f", arguments: "{" } }] },
          ],
        },
        "messages[0].tool_calls[0].function.arguments",
      ],
    ];
    for (const [extra, named] of cases) {
      const e = await openaiError(await ask(extra), 400);
      expect(e.type).toBe("invalid_request_error");
      expect(e.message).toContain(named);
    }
  });

  test("a remote image URL is refused with a clear message; a data URL needs a vision model", async () => {
    const part = (url: string) =>
      user([
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url } },
      ]);
    const remote = await openaiError(await ask({ messages: part("https://example.com/cat.png") }), 400);
    expect(remote.message).toContain("base64 data URL");
    const png =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const local = await openaiError(await ask({ messages: part(png) }), 400);
    expect(local.message).toContain("vision");
  });

  test("an unknown model is a 404 not_found_error; a wrong type is a 400 naming the field", async () => {
    const nf = await openaiError(await ask({ model: "nope" }), 404);
    expect(nf.type).toBe("not_found_error");
    expect(nf.message).toContain("nope");
    const bad = await openaiError(await ask({ max_tokens: "many" }), 400);
    expect(bad.message).toContain("max_tokens");
  });

  test("an unknown /v1 path is a 404 in OpenAI's shape", async () => {
    await openaiError(await s.request("/v1/nothing-here", {}), 404);
  });
});

describe("/v1/completions", () => {
  test("a text_completion with legacy logprobs, echo and usage", async () => {
    const base = { model: "tiny", prompt: "Once upon", max_tokens: 3, ...greedy };
    const c = await (await s.request("/v1/completions", { ...base, logprobs: 2 })).json();
    expect(c.id).toMatch(/^cmpl-/);
    expect(c.object).toBe("text_completion");
    const choice = c.choices[0];
    expect(choice.finish_reason).toBe("length");
    expect(choice.logprobs.tokens.join("")).toBe(choice.text);
    expect(choice.logprobs.token_logprobs).toHaveLength(3);
    expect(choice.logprobs.text_offset[0]).toBe(0);
    expect(c.usage.completion_tokens).toBe(3);
    const echoed = await (await s.request("/v1/completions", { ...base, echo: true })).json();
    expect(echoed.choices[0].text).toBe(`Once upon${choice.text}`);
  });

  test("streams text chunks, usage and [DONE]; a one-prompt list is a prompt", async () => {
    const events = await sse(
      await s.request("/v1/completions", {
        model: "tiny",
        prompt: ["Once upon"],
        max_tokens: 3,
        stream: true,
        stream_options: { include_usage: true },
        ...greedy,
      }),
    );
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Json[];
    expect(chunks.at(-1)?.usage.completion_tokens).toBe(3);
    expect(chunks.at(-2)?.choices[0].finish_reason).toBe("length");
  });

  test("several prompts, token prompts, n > 1 and suffix on a model without insert are refused", async () => {
    for (const [body, named] of [
      [{ prompt: ["a", "b"] }, "'prompt'"],
      [{ prompt: [1, 2, 3] }, "'prompt'"],
      [{ prompt: "a", n: 3 }, "'n'"],
      [{ prompt: "a", best_of: 2 }, "'best_of'"],
    ] as const) {
      const e = await openaiError(await s.request("/v1/completions", { model: "tiny", ...body }), 400);
      expect(e.message).toContain(named);
    }
    const insert = await openaiError(
      await s.request("/v1/completions", { model: "tiny", prompt: "a", suffix: "b" }),
      400,
    );
    expect(insert.message).toContain("insert");
  });
});

describe("/v1/embeddings", () => {
  test("float and base64 encodings carry the same unit vectors; dimensions cuts them", async () => {
    const f = await (await s.request("/v1/embeddings", { model: "embed", input: ["a cat", "a dog"] })).json();
    expect(f.object).toBe("list");
    expect(f.data.map((d: Json) => [d.object, d.index])).toEqual([
      ["embedding", 0],
      ["embedding", 1],
    ]);
    const v = f.data[0].embedding as number[];
    expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    expect(f.usage.prompt_tokens).toBeGreaterThan(0);
    expect(f.usage.total_tokens).toBe(f.usage.prompt_tokens);
    const b = await (
      await s.request("/v1/embeddings", { model: "embed", input: "a cat", encoding_format: "base64" })
    ).json();
    const bytes = Buffer.from(b.data[0].embedding, "base64");
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
    expect(decoded).toHaveLength(v.length);
    decoded.forEach((x, i) => expect(x).toBeCloseTo(v[i] as number, 5));
    const cut = await (
      await s.request("/v1/embeddings", { model: "embed", input: "a cat", dimensions: 8 })
    ).json();
    expect(cut.data[0].embedding).toHaveLength(8);
  });

  test("token-id input embeds the text those tokens spell", async () => {
    const ids = (await (await s.request("/api/tokenize", { model: "embed", text: "a cat" })).json()).tokens;
    const byIds = await (await s.request("/v1/embeddings", { model: "embed", input: [ids] })).json();
    const byText = await (await s.request("/v1/embeddings", { model: "embed", input: "a cat" })).json();
    expect(byIds.data).toHaveLength(1);
    expect(byIds.data[0].embedding.length).toBe(byText.data[0].embedding.length);
  });

  test("bad encoding_format and empty input are 400s", async () => {
    const e = await openaiError(
      await s.request("/v1/embeddings", { model: "embed", input: "x", encoding_format: "int8" }),
      400,
    );
    expect(e.message).toContain("encoding_format");
    await openaiError(await s.request("/v1/embeddings", { model: "embed", input: [] }), 400);
  });
});

describe("/v1/models", () => {
  test("lists models in Ollama's shape and retrieves one by name", async () => {
    const list = await (await s.request("/v1/models", undefined, "GET")).json();
    expect(list.object).toBe("list");
    const tiny = list.data.find((m: Json) => m.id === "tiny:latest");
    expect(tiny).toMatchObject({ object: "model", owned_by: "library" });
    expect(Number.isInteger(tiny.created)).toBe(true);
    const one = await (await s.request("/v1/models/tiny", undefined, "GET")).json();
    expect(one).toEqual({ id: "tiny", object: "model", created: tiny.created, owned_by: "library" });
    await openaiError(await s.request("/v1/models/missing", undefined, "GET"), 404);
  });
});
