import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("tiny", await models.chat());
});
afterAll(() => s.stop());

const messages = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Name a colour." },
];

describe("/api/chat", () => {
  test("streams assistant message pieces with a system message, then metrics", async () => {
    const stream = await s.client.chat({
      model: "tiny",
      messages,
      stream: true,
      options: { ...GREEDY, num_predict: 6 },
    });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const last = chunks.at(-1);
    for (const c of chunks) expect(c.message.role).toBe("assistant");
    expect(last?.done).toBe(true);
    expect(last?.done_reason).toBe("length");
    expect(last?.eval_count).toBe(6);
    expect(Number.isInteger(last?.prompt_eval_duration)).toBe(true);
    expect((last as unknown as Record<string, unknown>).context).toBeUndefined();
  });

  test("stream:false concatenates the same content", async () => {
    const req = { model: "tiny", messages, options: { ...GREEDY, num_predict: 10 } };
    let text = "";
    for await (const c of await s.client.chat({ ...req, stream: true })) text += c.message.content;
    const whole = await s.client.chat({ ...req, stream: false });
    expect(whole.message).toEqual({ role: "assistant", content: text });
    expect(whole.done).toBe(true);
  });

  test("the system message reaches the prompt (more prompt tokens than without it)", async () => {
    const opts = { ...GREEDY, num_predict: 1 };
    const withSys = await s.client.chat({ model: "tiny", messages, options: opts });
    const without = await s.client.chat({ model: "tiny", messages: messages.slice(1), options: opts });
    expect(withSys.prompt_eval_count).toBeGreaterThan(without.prompt_eval_count);
  });

  test("empty messages load the model, keep_alive 0 unloads it", async () => {
    const load = await (await s.request("/api/chat", { model: "tiny", messages: [] })).json();
    expect(load).toMatchObject({
      message: { role: "assistant", content: "" },
      done: true,
      done_reason: "load",
    });
    const unload = await (await s.request("/api/chat", { model: "tiny", keep_alive: "0s" })).json();
    expect(unload.done_reason).toBe("unload");
    expect((await s.client.ps()).models).toEqual([]);
  });

  test("tools need a template that uses them; with one they reach the prompt", async () => {
    const tools = [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Weather in a city",
          parameters: { type: "object", required: ["city"], properties: { city: { type: "string" } } },
        },
      },
    ];
    const refused = await s.request("/api/chat", { model: "tiny", messages, tools });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toBe(
      "registry.ollama.ai/library/tiny:latest does not support tools",
    );
    await s.createFrom("tooly", await models.chat(), {
      template:
        "{{ if .Tools }}Tools: {{ json .Tools }}\n{{ end }}{{ range .Messages }}{{ .Role }}: {{ .Content }}\n{{ end }}assistant:",
    });
    const opts = { ...GREEDY, num_predict: 2 };
    const withTools = await s.client.chat({ model: "tooly", messages, tools, options: opts });
    const plain = await s.client.chat({ model: "tooly", messages, options: opts });
    expect(withTools.prompt_eval_count).toBeGreaterThan(plain.prompt_eval_count + 10);
    const show = await s.client.show({ model: "tooly" });
    expect(show.capabilities).toContain("tools");
  });

  test("long histories are cut to fit num_ctx, keeping system and last message", async () => {
    const long = Array.from({ length: 40 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `turn ${i} ${"word ".repeat(20)}`,
    }));
    const r = await s.client.chat({
      model: "tiny",
      messages: [
        messages[0] as { role: string; content: string },
        ...long,
        { role: "user", content: "last" },
      ],
      options: { ...GREEDY, num_predict: 1, num_ctx: 256 },
    });
    expect(r.prompt_eval_count).toBeLessThanOrEqual(256);
    expect(r.prompt_eval_count).toBeGreaterThan(10);
  });
});
