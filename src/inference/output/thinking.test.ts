import { describe, expect, test } from "bun:test";
import type { ThinkingTags } from "../../templates/index.ts";
import { compose, type OutputParser } from "./parser.ts";
import { ThinkingParser, type ThinkingOptions, thinkingParser } from "./thinking.ts";

const THINK: ThinkingTags = { open: "<think>", close: "</think>" };

/** Feeds the chunks, then finishes; returns everything released, and the releases one by one. */
function feed(o: Partial<ThinkingOptions>, chunks: string[]) {
  const p = new ThinkingParser({ tags: THINK, prefilled: false, keep: true, ...o });
  const steps = [...chunks.map((c) => p.add(c)), p.finish()];
  return {
    content: steps.map((s) => s.content).join(""),
    thinking: steps.map((s) => s.thinking).join(""),
    steps,
  };
}

/** Every way of cutting `text` in two, plus one character at a time. */
function splits(text: string): string[][] {
  const out: string[][] = [[text], Array.from(text)];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

interface Case {
  name: string;
  text: string;
  options?: Partial<ThinkingOptions>;
  content: string;
  thinking: string;
}

const CASES: Case[] = [
  {
    name: "a block, then content",
    text: "<think>\nStep one.\nStep two.\n</think>\n\nThe answer.",
    content: "The answer.",
    thinking: "Step one.\nStep two.\n",
  },
  {
    name: "whitespace before the opening tag",
    text: " \n<think>why</think>so",
    content: "so",
    thinking: "why",
  },
  {
    name: "tags absent: all content, whitespace kept",
    text: "  Just an answer.",
    content: "  Just an answer.",
    thinking: "",
  },
  {
    name: "text that merely starts like the tag",
    text: "<thinly veiled>",
    content: "<thinly veiled>",
    thinking: "",
  },
  { name: "unclosed block: all thinking", text: "<think>still going", content: "", thinking: "still going" },
  {
    name: "unclosed, ending in part of the closing tag",
    text: "<think>still going</thi",
    content: "",
    thinking: "still going</thi",
  },
  { name: "output ends in part of the opening tag", text: "\n<thi", content: "\n<thi", thinking: "" },
  { name: "empty block", text: "<think></think>answer", content: "answer", thinking: "" },
  { name: "a bare closing tag first", text: "</think>\n\nanswer", content: "answer", thinking: "" },
  {
    name: "a second block is content",
    text: "<think>a</think>b<think>c</think>",
    content: "b<think>c</think>",
    thinking: "a",
  },
  {
    name: "prefilled: output starts inside the block",
    text: "\nreasoning</think>\n\nanswer",
    options: { prefilled: true },
    content: "answer",
    thinking: "reasoning",
  },
  {
    name: "prefilled: a repeated opening tag is dropped once",
    text: "\n<think>\nreasoning</think>answer",
    options: { prefilled: true },
    content: "answer",
    thinking: "reasoning",
  },
  {
    name: "prefilled: never closed",
    text: "all of it is thinking <think> even this",
    options: { prefilled: true },
    content: "",
    thinking: "all of it is thinking <think> even this",
  },
  {
    name: "think off: a block the model emits anyway is dropped",
    text: "<think>\nunwanted</think>\n\nanswer",
    options: { keep: false },
    content: "answer",
    thinking: "",
  },
  { name: "think off: no block", text: "answer", options: { keep: false }, content: "answer", thinking: "" },
  {
    name: "think off: prefilled block dropped",
    text: "unwanted</think>answer",
    options: { keep: false, prefilled: true },
    content: "answer",
    thinking: "",
  },
  {
    name: "other tags ([THINK] … [/THINK])",
    text: "[THINK]plan[/THINK]done",
    options: { tags: { open: "[THINK]", close: "[/THINK]" } },
    content: "done",
    thinking: "plan",
  },
  {
    name: "multi-byte text around the tags",
    text: "<think>思考 🤔</think>答え ✓",
    content: "答え ✓",
    thinking: "思考 🤔",
  },
];

describe("ThinkingParser", () => {
  for (const c of CASES) {
    test(`${c.name}, at every split point`, () => {
      for (const chunks of splits(c.text)) {
        const got = feed(c.options ?? {}, chunks);
        expect({ chunks, content: got.content, thinking: got.thinking }).toEqual({
          chunks,
          content: c.content,
          thinking: c.thinking,
        });
      }
    });
  }

  test("streams: thinking and content are released as soon as they are certain", () => {
    const got = feed({}, ["<think>", "abc", "</", "think>", "\n", "x", "y"]);
    expect(got.steps.map((s) => [s.thinking, s.content])).toEqual([
      ["", ""],
      ["abc", ""],
      ["", ""],
      ["", ""],
      ["", ""],
      ["", "x"],
      ["", "y"],
      ["", ""],
    ]);
  });

  test("never reports tool calls", () => {
    expect(feed({}, ["<think>a</think>b"]).steps.every((s) => s.calls.length === 0)).toBe(true);
  });
});

describe("thinkingParser", () => {
  test("none without tags, without a think setting, or under a grammar from the first token", () => {
    expect(thinkingParser(undefined, true, "x")).toBeUndefined();
    expect(thinkingParser(THINK, undefined, "x")).toBeUndefined();
    expect(thinkingParser(THINK, true, "x<think>", true)).toBeUndefined();
  });

  test("composed first, the next parser never sees thinking", () => {
    const seen: string[] = [];
    const next: OutputParser = {
      add: (text) => {
        seen.push(text);
        return { content: text.toUpperCase(), thinking: "", calls: [] };
      },
      finish: () => ({ content: "", thinking: "", calls: [] }),
    };
    const p = compose(thinkingParser(THINK, true, "<think>\n"), next);
    const out = [p?.add("<tool_call>inside"), p?.add("</think>after"), p?.finish()];
    expect(out.map((o) => o?.thinking).join("")).toBe("<tool_call>inside");
    expect(out.map((o) => o?.content).join("")).toBe("AFTER");
    expect(seen).toEqual(["after"]);
  });

  test("starts inside the block when the prompt ends with the opening tag (whitespace aside)", () => {
    const run = (prompt: string, think: boolean | "high") => {
      const p = thinkingParser(THINK, think, prompt);
      const a = p?.add("r</think>c");
      const b = p?.finish();
      return [`${a?.thinking}${b?.thinking}`, `${a?.content}${b?.content}`];
    };
    expect(run("<|im_start|>assistant\n<think>\n", true)).toEqual(["r", "c"]);
    expect(run("<|im_start|>assistant\n", "high")).toEqual(["", "r</think>c"]);
    expect(run("<|im_start|>assistant\n<think>\n", false)).toEqual(["", "c"]);
  });
});
