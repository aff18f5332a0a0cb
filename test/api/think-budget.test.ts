/**
 * Anthropic's `thinking.budget_tokens` is enforced: once the budget is spent inside the thinking block, the
 * block is closed and the model answers, all within max_tokens.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Json, models, startTestServer, type TestServer } from "./helpers.ts";

let s: TestServer;

// Opens the thinking block itself when thinking is on, so every token of a random model is thinking until the
// block is closed for it.
const PREFILL_THINK = `{{- range .Messages }}<|{{ .Role }}|>
{{ if .Thinking }}<think>{{ .Thinking }}</think>
{{ end }}{{ .Content }}
{{ end }}<|assistant|>
{{ if .Think }}<think>
{{ end }}`;

beforeAll(async () => {
  s = await startTestServer();
  await s.createFrom("budget-thinker", await models.chat(), { template: PREFILL_THINK });
});
afterAll(() => s.stop());

/** A non-streamed /v1/messages answer's thinking and text. */
async function ask(thinking: Json): Promise<{ thinking: string; text: string; usage: Json; stop: string }> {
  const r = await fetch(`${s.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model: "budget-thinker",
      max_tokens: 24,
      temperature: 0,
      top_k: 1,
      thinking,
      messages: [{ role: "user", content: "Think, then answer." }],
    }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as Json;
  const blocks = body.content as Json[];
  return {
    thinking: blocks
      .filter((b) => b.type === "thinking")
      .map((b) => b.thinking)
      .join(""),
    text: blocks
      .filter((b) => b.type === "text")
      .map((b) => b.text)
      .join(""),
    usage: body.usage,
    stop: body.stop_reason,
  };
}

describe("thinking.budget_tokens", () => {
  test("a budget larger than max_tokens changes nothing: all 24 tokens are thinking", async () => {
    const free = await ask({ type: "enabled", budget_tokens: 1024 });
    expect(free.thinking.length).toBeGreaterThan(0);
    expect(free.text).toBe("");
    expect(free.usage.output_tokens).toBe(24);
    expect(free.stop).toBe("max_tokens");
  });

  test("a spent budget closes the block: thinking is the unbudgeted thinking's first tokens, then an answer", async () => {
    const free = await ask({ type: "enabled", budget_tokens: 1024 });
    const capped = await ask({ type: "enabled", budget_tokens: 6 });
    // Greedy sampling: the first pass generates exactly the unbudgeted run's first 6 tokens.
    expect(capped.thinking.length).toBeGreaterThan(0);
    expect(capped.thinking.length).toBeLessThan(free.thinking.length);
    expect(free.thinking.startsWith(capped.thinking.trimEnd())).toBe(true);
    expect(capped.text.length).toBeGreaterThan(0);
    // The closing tag is not the model's output: output_tokens counts what it generated, within max_tokens.
    expect(capped.usage.output_tokens).toBeLessThanOrEqual(24);
    expect(capped.usage.output_tokens).toBeGreaterThan(6);
  });
});
