import { afterEach, describe, expect, test } from "bun:test";
import { parseArgs } from "../../src/cli/flags.ts";
import { INTERRUPT, type LineSource } from "../../src/cli/line-input.ts";
import { runCommand, runMain } from "../../src/cli/run.ts";
import { errorResponse, fakeServer, memoryIO, ndjsonResponse, type Recorded } from "./helpers.ts";

const FINAL = {
  done: true,
  done_reason: "stop",
  total_duration: 1_234_567_890,
  load_duration: 12_500_000,
  prompt_eval_count: 7,
  prompt_eval_duration: 35_000_000,
  eval_count: 20,
  eval_duration: 500_000_000,
};

function generateStream() {
  return ndjsonResponse([
    { model: "tiny", response: "Hello", done: false },
    { model: "tiny", response: " world", done: false },
    { model: "tiny", response: "", ...FINAL },
  ]);
}

/** A chat answer echoing how many messages it was sent. */
function chatStream(req: Recorded) {
  const messages = (req.body as { messages: unknown[] }).messages;
  if (messages.length === 0)
    return ndjsonResponse([
      { model: "tiny", message: { role: "assistant", content: "" }, done: true, done_reason: "load" },
    ]);
  return ndjsonResponse([
    { model: "tiny", message: { role: "assistant", content: "reply " }, done: false },
    { model: "tiny", message: { role: "assistant", content: `${messages.length}` }, done: false },
    { model: "tiny", message: { role: "assistant", content: "" }, ...FINAL },
  ]);
}

function scripted(lines: (string | typeof INTERRUPT)[]): LineSource {
  return {
    read: async () => (lines.length ? (lines.shift() as string) : null),
    onInterrupt: () => () => {},
    close: () => {},
  };
}

let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.stop());

function modelServer() {
  return fakeServer({
    "POST /api/show": (r) =>
      (r.body as { model: string }).model === "tiny"
        ? { details: { family: "llama" }, parameters: "temperature 0.7", capabilities: ["completion"] }
        : errorResponse(404, `model '${(r.body as { model: string }).model}' not found`),
    "POST /api/generate": generateStream,
    "POST /api/chat": chatStream,
  });
}

describe("run, one-shot", () => {
  test("a prompt argument streams the answer from /api/generate", async () => {
    server = modelServer();
    const t = memoryIO(server.host);
    expect(await runCommand.run(["tiny", "Say", "hi"], t.io)).toBe(0);
    expect(t.out()).toBe("Hello world\n\n");
    expect(server.to("POST", "/api/generate")[0]?.body).toEqual({
      model: "tiny",
      options: {},
      prompt: "Say hi",
    });
    expect(t.err()).toBe("");
  });

  test("piped stdin comes before the prompt arguments; flags reach the request", async () => {
    server = modelServer();
    const t = memoryIO(server.host, { stdin: "file contents\n" });
    const code = await runCommand.run(
      ["tiny", "summarize", "--format", "json", "--keepalive", "10m", "--nowordwrap"],
      t.io,
    );
    expect(code).toBe(0);
    expect(server.to("POST", "/api/generate")[0]?.body).toEqual({
      model: "tiny",
      format: "json",
      options: {},
      keep_alive: "10m0s",
      prompt: "file contents\n summarize",
    });
    expect(t.out()).toBe("Hello world\n\n");
  });

  test("stdin alone is the prompt", async () => {
    server = modelServer();
    const t = memoryIO(server.host, { stdin: "why?" });
    await runCommand.run(["tiny"], t.io);
    expect((server.to("POST", "/api/generate")[0]?.body as { prompt: string }).prompt).toBe("why?");
  });

  test("--verbose prints Ollama's timing block on stderr", async () => {
    server = modelServer();
    const t = memoryIO(server.host);
    await runCommand.run(["tiny", "hi", "--verbose"], t.io);
    expect(t.err()).toBe(
      "total duration:       1.23456789s\n" +
        "load duration:        12.5ms\n" +
        "prompt eval count:    7 token(s)\n" +
        "prompt eval duration: 35ms\n" +
        "prompt eval rate:     200.00 tokens/s\n" +
        "eval count:           20 token(s)\n" +
        "eval duration:        500ms\n" +
        "eval rate:            40.00 tokens/s\n",
    );
  });

  test("an unknown model fails before generating", async () => {
    server = modelServer();
    const t = memoryIO(server.host);
    await expect(runCommand.run(["nope", "hi"], t.io)).rejects.toThrow("model 'nope' not found");
    await Bun.sleep(0);
    expect(server.to("POST", "/api/generate")).toHaveLength(0);
  });

  test("a mid-stream error line becomes the error", async () => {
    server = fakeServer({
      "POST /api/show": () => ({}),
      "POST /api/generate": () =>
        ndjsonResponse([{ response: "par", done: false }, { error: "runner crashed" }]),
    });
    const t = memoryIO(server.host);
    await expect(runCommand.run(["tiny", "hi"], t.io)).rejects.toThrow("runner crashed");
  });

  test("bad --keepalive and --think values are usage errors", async () => {
    const t = memoryIO("127.0.0.1:1");
    expect(await runCommand.run(["tiny", "hi", "--keepalive", "5"], t.io)).toBe(2);
    expect(await runCommand.run(["tiny", "hi", "--think=maybe"], t.io)).toBe(2);
    expect(t.err()).toContain('Error: time: missing unit in duration "5"');
  });
});

describe("run, interactive", () => {
  async function session(lines: (string | typeof INTERRUPT)[]) {
    server = modelServer();
    const t = memoryIO(server.host, { tty: true });
    const p = parseArgs(runCommand.spec, ["tiny"]);
    expect(await runMain(p, t.io, { lines: () => scripted(lines) })).toBe(0);
    return { t, chats: server.to("POST", "/api/chat").map((r) => r.body as Record<string, unknown>) };
  }

  test("loads first with an empty chat, then keeps the history across turns", async () => {
    const { t, chats } = await session(["hello", "again", "/bye"]);
    expect(chats[0]).toEqual({ model: "tiny", messages: [] });
    expect(chats[1]).toEqual({ model: "tiny", options: {}, messages: [{ role: "user", content: "hello" }] });
    expect(chats[2]?.messages).toEqual([
      { role: "user", content: "hello" },
      { role: "assistant", content: "reply 1" },
      { role: "user", content: "again" },
    ]);
    expect(t.out()).toBe("reply 1\n\nreply 3\n\n");
  });

  test("/set parameter, /set system, multi-line input and /clear shape the requests", async () => {
    const { t, chats } = await session([
      "/set parameter temperature 0.2",
      "/set parameter stop <a> <b>",
      "/set system Be brief.",
      '"""first line',
      "second line",
      'end"""',
      "/clear",
      "x",
    ]);
    expect(chats[1]).toEqual({
      model: "tiny",
      options: { temperature: 0.2, stop: ["<a>", "<b>"] },
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "first line\nsecond line\nend" },
      ],
    });
    expect(chats[2]?.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "x" },
    ]);
    expect(t.out()).toContain("Set parameter 'temperature' to '0.2'\n");
    expect(t.out()).toContain("Set system message.\n");
    expect(t.out()).toContain("Cleared session context\n");
  });

  test("/show parameters, /?, unknown commands and Ctrl+C at the prompt", async () => {
    const { t, chats } = await session([
      INTERRUPT,
      "/show parameters",
      "/?",
      "/nope",
      "/set parameter bogus 1",
    ]);
    expect(t.out()).toContain("Model defined parameters:\n  temperature 0.7\n");
    expect(t.err()).toContain('Use """ to begin a multi-line message.');
    expect(t.out()).toContain("Unknown command '/nope'. Type /? for help\n");
    expect(t.out()).toContain(`Couldn't set parameter: "unknown parameter 'bogus'"`);
    expect(chats).toHaveLength(1);
  });

  test("/load switches models; an unknown one is reported and kept out", async () => {
    const { t, chats } = await session(["/load nope", "hi"]);
    expect(t.out()).toContain("Loading model 'nope'\nCouldn't find model 'nope'\n");
    expect(chats.at(-1)?.model).toBe("tiny");
  });
});
