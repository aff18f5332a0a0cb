import { describe, expect, test } from "bun:test";
import { fitHistory } from "./fit.ts";
import { GO_TEMPLATES } from "./fixtures/go.ts";
import { parseTemplate, renderTemplate } from "./go-template.ts";
import type { ChatMessage } from "./messages.ts";

const t = parseTemplate(GO_TEMPLATES.chatml);
const render = (messages: ChatMessage[]) => renderTemplate(t, { messages });
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

const history: ChatMessage[] = [
  { role: "system", content: "be brief" },
  { role: "user", content: "one two three four five" },
  { role: "assistant", content: "six seven eight nine ten" },
  { role: "user", content: "eleven twelve" },
];

describe("fitHistory", () => {
  test("keeps everything when it fits", async () => {
    const r = await fitHistory(history, 1000, render, words);
    expect(r.dropped).toBe(0);
    expect(r.messages).toEqual(history);
    expect(r.prompt).toBe(render(history));
  });

  test("drops the oldest non-system messages first, keeping system and the last message", async () => {
    const full = words(render(history));
    const r = await fitHistory(history, full - 1, render, words);
    expect(r.dropped).toBe(1);
    expect(r.messages.map((m) => m.role)).toEqual(["system", "assistant", "user"]);
    const tight = await fitHistory(history, 1, render, words);
    expect(tight.messages).toEqual([history[0] as ChatMessage, history[3] as ChatMessage]);
    expect(tight.tokens).toBeGreaterThan(1);
  });

  test("counts extra per-message tokens (images)", async () => {
    const withImage = [{ ...history[1], images: ["x"] } as ChatMessage, history[3] as ChatMessage];
    const r = await fitHistory(withImage, 100, render, words, (m) => 768 * (m.images?.length ?? 0));
    expect(r.messages).toEqual([history[3] as ChatMessage]);
  });

  test("empty history renders the bare template", async () => {
    const r = await fitHistory([], 10, render, words);
    expect(r.messages).toEqual([]);
    expect(r.prompt).toBe("<|im_start|>assistant\n");
  });
});
