/**
 * /v1/responses over plain HTTP: the streamed event sequence (numbered, typed, each item opened and closed),
 * conversations continued through previous_response_id exactly as if sent in full, input items, reasoning
 * items, and the stored-response routes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Json, startServerWith, type TestServer } from "./helpers.ts";

let s: TestServer;

const greedy = { temperature: 0, seed: 1 };

beforeAll(async () => {
  s = await startServerWith(["tiny", "thinker", "qwen"]);
});
afterAll(() => s.stop());

const respond = async (body: Record<string, unknown>): Promise<Json> => {
  const r = await s.request("/v1/responses", { max_output_tokens: 4, ...greedy, ...body });
  expect(r.status).toBe(200);
  return r.json();
};

/** [event name, data] pairs of an SSE body. */
async function events(r: Response): Promise<[string, Json][]> {
  expect(r.headers.get("content-type")).toContain("text/event-stream");
  return (await r.text())
    .split("\n\n")
    .filter((b) => b.trim())
    .map((b) => {
      const lines = b.split("\n");
      const name = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.find((l) => l.startsWith("data: "))?.slice(6) ?? "null";
      return [name, JSON.parse(data)];
    });
}

describe("/v1/responses", () => {
  test("a streamed response: numbered events, items opened before their deltas, final object as unstreamed", async () => {
    const body = { model: "tiny", input: "Hello", instructions: "Be brief.", max_output_tokens: 5 };
    const plain = await respond(body);
    const evs = await events(await s.request("/v1/responses", { ...body, ...greedy, stream: true }));
    evs.forEach(([name, data], i) => {
      expect(data.type).toBe(name);
      expect(data.sequence_number).toBe(i);
    });
    const types = evs.map(([n]) => n);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...types.filter((t) => t === "response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.incomplete",
    ]);
    const final = evs.at(-1)?.[1].response as Json;
    expect(final.status).toBe("incomplete");
    expect(final.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(final.output[0].content[0].text).toBe(plain.output[0].content[0].text);
    expect(final.instructions).toBe("Be brief.");
    expect(final.usage).toEqual(plain.usage);
    const deltas = evs.filter(([n]) => n === "response.output_text.delta").map(([, d]) => d.delta);
    expect(deltas.join("")).toBe(plain.output[0].content[0].text);
  });

  test("previous_response_id continues the conversation exactly; instructions are not carried over", async () => {
    const first = await respond({ model: "tiny", input: "Hello", instructions: "You are a pirate." });
    expect(first.store).toBe(true);
    const text = first.output[0].content[0].text;
    const followUp = await respond({ model: "tiny", input: "And then?", previous_response_id: first.id });
    expect(followUp.previous_response_id).toBe(first.id);
    const inFull = await respond({
      model: "tiny",
      input: [
        { role: "user", content: "Hello" },
        { type: "message", role: "assistant", content: [{ type: "output_text", text }] },
        { role: "user", content: [{ type: "input_text", text: "And then?" }] },
      ],
    });
    expect(followUp.usage.input_tokens).toBe(inFull.usage.input_tokens);
    expect(followUp.output[0].content[0].text).toBe(inFull.output[0].content[0].text);
  });

  test("stored responses can be retrieved and deleted; store:false keeps nothing", async () => {
    const kept = await respond({ model: "tiny", input: "Hi" });
    const got = await (await s.request(`/v1/responses/${kept.id}`, undefined, "GET")).json();
    expect(got).toEqual(kept);
    const del = await (await s.request(`/v1/responses/${kept.id}`, undefined, "DELETE")).json();
    expect(del).toEqual({ id: kept.id, object: "response.deleted", deleted: true });
    expect((await s.request(`/v1/responses/${kept.id}`, undefined, "GET")).status).toBe(404);
    const unkept = await respond({ model: "tiny", input: "Hi", store: false });
    expect((await s.request(`/v1/responses/${unkept.id}`, undefined, "GET")).status).toBe(404);
    const r = await s.request("/v1/responses", {
      model: "tiny",
      input: "x",
      previous_response_id: unkept.id,
    });
    expect(r.status).toBe(400);
    const e = (await r.json()).error;
    expect(e.message).toContain(unkept.id);
    expect(e.type).toBe("invalid_request_error");
  });

  test("function_call and function_call_output items become a tool call and its named result", async () => {
    const base = { model: "qwen", max_output_tokens: 1 };
    const call = {
      type: "function_call",
      call_id: "call_1",
      name: "get_weather",
      arguments: '{"city":"Oslo"}',
    };
    const output = { type: "function_call_output", call_id: "call_1", output: '{"temperature": 21}' };
    const withResult = await respond({
      ...base,
      input: [{ role: "user", content: "Weather?" }, call, output],
    });
    const withoutResult = await respond({ ...base, input: [{ role: "user", content: "Weather?" }, call] });
    expect(withResult.usage.input_tokens).toBeGreaterThan(withoutResult.usage.input_tokens);
    const bad = await s.request("/v1/responses", {
      ...base,
      input: [{ ...call, arguments: "not json" }],
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain("input[0].arguments");
  });

  test("reasoning comes out as a reasoning item with summary events; it round-trips as input", async () => {
    const body = { model: "thinker", input: "Hello", reasoning: { effort: "low" }, max_output_tokens: 4 };
    const r = await respond(body);
    const item = r.output.find((o: Json) => o.type === "reasoning");
    expect(item.summary[0].type).toBe("summary_text");
    expect(item.summary[0].text.length).toBeGreaterThan(0);
    const evs = await events(await s.request("/v1/responses", { ...body, ...greedy, stream: true }));
    const types = evs.map(([n]) => n);
    for (const t of [
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
    ])
      expect(types).toContain(t);
    const again = await respond({
      model: "thinker",
      input: [{ role: "user", content: "Hello" }, item, { role: "user", content: "More" }],
    });
    expect(again.usage.input_tokens).toBeGreaterThan(r.usage.input_tokens);
  });

  test("refused fields and items name themselves", async () => {
    for (const [body, named] of [
      [{ input: "x", background: true }, "background"],
      [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input[0].type"],
      [{ input: "x", tools: [{ type: "web_search" }] }, "tools[0].type"],
      [{ input: "x", reasoning: { effort: "galactic" } }, "reasoning.effort"],
      [{ input: [] }, "input"],
      [
        { input: [{ role: "user", content: [{ type: "input_file", file_id: "f" }] }] },
        "input[0].content[0].type",
      ],
    ] as const) {
      const r = await s.request("/v1/responses", { model: "tiny", ...body });
      expect(r.status).toBe(400);
      expect((await r.json()).error.message).toContain(named);
    }
  });
});
