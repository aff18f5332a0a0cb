import { describe, expect, test } from "bun:test";
import type { CompletionEvent, Metrics } from "../../inference/index.ts";
import { sseResponse } from "../sse.ts";
import { MessageAssembler, streamShape } from "./assemble.ts";

const metrics: Metrics = {
  total_duration: 1,
  load_duration: 0,
  prompt_eval_count: 12,
  prompt_eval_duration: 1,
  eval_count: 5,
  eval_duration: 1,
};
const piece = (content: string, more: Partial<CompletionEvent> = {}): CompletionEvent =>
  ({ done: false, content, ...more }) as CompletionEvent;
const done = (doneReason: "stop" | "length", more: Partial<CompletionEvent> = {}): CompletionEvent =>
  ({ done: true, content: "", doneReason, metrics, ...more }) as CompletionEvent;
const call = (name: string, args: Record<string, unknown>) => ({ function: { name, arguments: args } });

/** Runs events through an assembler: the stream events' data and the final message. */
function run(events: CompletionEvent[], shape = { singleToolUse: false, hideThinking: false }) {
  const a = new MessageAssembler("m", shape);
  const out = events.flatMap((e) => a.add(e));
  for (const e of out) expect((e.data as { type: string }).type).toBe(e.event as string);
  return { data: out.map((e) => e.data as Record<string, unknown>), message: a.message };
}

describe("MessageAssembler", () => {
  test("thinking, then text, then a tool use: one block each, closed in order", () => {
    const { data, message } = run([
      piece("", { thinking: "hm" }),
      piece("", { thinking: "m." }),
      piece("Hi"),
      piece(" there"),
      done("stop", { toolCalls: [call("f", { a: 1 })] }),
    ]);
    expect(data.map((d) => d.type)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(data[5]).toMatchObject({ index: 0, delta: { type: "signature_delta" } });
    expect(data[12]).toEqual({
      type: "content_block_delta",
      index: 2,
      delta: { type: "input_json_delta", partial_json: '{"a":1}' },
    });
    expect(message.content).toMatchObject([
      { type: "thinking", thinking: "hmm." },
      { type: "text", text: "Hi there" },
      { type: "tool_use", name: "f", input: { a: 1 } },
    ]);
    const thinking = message.content[0] as { signature: string };
    expect(thinking.signature).toBe((data[5] as { delta: { signature: string } }).delta.signature);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 5 });
    expect(data.at(-2)).toMatchObject({
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { input_tokens: 12, output_tokens: 5 },
    });
  });

  test("message_start opens an empty message; stop reasons from done_reason", () => {
    const { data, message } = run([piece("a"), done("length")]);
    expect(data[0]).toMatchObject({
      message: { type: "message", role: "assistant", model: "m", content: [], stop_reason: null },
    });
    expect((data[0] as { message: { id: string } }).message.id).toBe(message.id);
    expect(message.id).toMatch(/^msg_01\w{22}$/);
    expect(message.stop_reason).toBe("max_tokens");
    expect(run([piece("a"), done("stop")]).message.stop_reason).toBe("end_turn");
    const stopped = run([piece("a"), done("stop", { stopSequence: "END" })]).message;
    expect(stopped.stop_reason).toBe("stop_sequence");
    expect(stopped.stop_sequence).toBe("END");
  });

  test("an empty answer has no blocks", () => {
    const { data, message } = run([done("stop")]);
    expect(data.map((d) => d.type)).toEqual(["message_start", "ping", "message_delta", "message_stop"]);
    expect(message.content).toEqual([]);
  });

  test("display omitted: thinking blocks carry a signature and no text", () => {
    const { data, message } = run([piece("", { thinking: "secret" }), piece("ok"), done("stop")], {
      singleToolUse: false,
      hideThinking: true,
    });
    expect(JSON.stringify(data)).not.toContain("secret");
    expect(message.content[0]).toMatchObject({ type: "thinking", thinking: "" });
    expect((message.content[0] as { signature: string }).signature).not.toBe("");
  });

  test("disable_parallel_tool_use keeps the first call only", () => {
    const calls = [call("f", {}), call("g", {})];
    expect(run([done("stop", { toolCalls: calls })]).message.content.length).toBe(2);
    const single = run([done("stop", { toolCalls: calls })], { singleToolUse: true, hideThinking: false });
    expect(single.message.content).toMatchObject([{ type: "tool_use", name: "f" }]);
    expect((single.message.content[0] as { id: string }).id).toMatch(/^toolu_01/);
  });
});

describe("streamShape", () => {
  test("a failure after the stream started is an Anthropic error event", async () => {
    async function* events(): AsyncGenerator<CompletionEvent> {
      yield piece("a");
      throw new Error("runner exited");
    }
    const res = await sseResponse(
      events(),
      streamShape(new MessageAssembler("m", { singleToolUse: false, hideThinking: false })),
    );
    const text = await res.text();
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(text).toStartWith("event: message_start\n");
    expect(text).toEndWith(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"runner exited"}}\n\n',
    );
  });
});
