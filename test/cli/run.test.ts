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

/** A reasoning model's stream: thinking first, then the answer (chat or generate shape). */
function thinkingStream(chat: boolean) {
  const piece = (thinking: string, content: string) =>
    chat ? { message: { role: "assistant", content, thinking } } : { response: content, thinking };
  return ndjsonResponse([
    { model: "thinker", ...piece("Let me", ""), done: false },
    { model: "thinker", ...piece(" see.", ""), done: false },
    { model: "thinker", ...piece("", "Four."), done: false },
    { model: "thinker", ...piece("", ""), ...FINAL },
  ]);
}

const MODELS: Record<string, string[]> = { tiny: ["completion"], thinker: ["completion", "thinking"] };

function modelServer() {
  return fakeServer({
    "POST /api/show": (r) => {
      const model = (r.body as { model: string }).model;
      const caps = MODELS[model];
      if (!caps) return errorResponse(404, `model '${model}' not found`);
      return { details: { family: "llama" }, parameters: "temperature 0.7", capabilities: caps };
    },
    "POST /api/generate": (r) => {
      const body = r.body as { model: string; prompt?: string; think?: unknown };
      if (body.think && body.model === "tiny") return errorResponse(400, '"tiny" does not support thinking');
      if (!body.prompt)
        return ndjsonResponse([{ model: body.model, response: "", done: true, done_reason: "load" }]);
      return body.model === "thinker" ? thinkingStream(false) : generateStream();
    },
    "POST /api/chat": (r) => {
      const body = r.body as { model: string; think?: unknown };
      if (body.think && body.model === "tiny") return errorResponse(400, '"tiny" does not support thinking');
      return body.model === "thinker" ? thinkingStream(true) : chatStream(r);
    },
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

  test("--think reaches the request as Ollama's CLI sends it: bare = true, =false, a level", async () => {
    server = modelServer();
    const sent: unknown[] = [];
    for (const flag of ["--think", "--think=true", "--think=false", "--think=high", "--think=max"]) {
      await runCommand.run(["thinker", "hi", flag], memoryIO(server.host).io);
      sent.push((server.to("POST", "/api/generate").at(-1)?.body as { think?: unknown }).think);
    }
    expect(sent).toEqual([true, true, false, "high", "max"]);
  });

  test("a thinking-capable model gets think:true unasked; others get no think field", async () => {
    server = modelServer();
    const t = memoryIO(server.host);
    await runCommand.run(["thinker", "hi"], t.io);
    await runCommand.run(["tiny", "hi"], t.io);
    const [a, b] = server.to("POST", "/api/generate").map((r) => r.body as Record<string, unknown>);
    expect(a?.think).toBe(true);
    expect(b && "think" in b).toBe(false);
  });

  test("thinking prints as a plain block when piped; --hidethinking hides it but still asks for it", async () => {
    server = modelServer();
    const shown = memoryIO(server.host);
    await runCommand.run(["thinker", "2+2?"], shown.io);
    expect(shown.out()).toBe("Thinking...\nLet me see.\n...done thinking.\n\nFour.\n\n");
    const hidden = memoryIO(server.host);
    await runCommand.run(["thinker", "2+2?", "--hidethinking"], hidden.io);
    expect(hidden.out()).toBe("Four.\n\n");
    expect((server.to("POST", "/api/generate").at(-1)?.body as { think?: unknown }).think).toBe(true);
  });

  test("--think on a model that cannot think is the server's error", async () => {
    server = modelServer();
    await expect(runCommand.run(["tiny", "hi", "--think"], memoryIO(server.host).io)).rejects.toThrow(
      '"tiny" does not support thinking',
    );
  });

  test("bad --keepalive, --think and --dimensions values are usage errors", async () => {
    const t = memoryIO("127.0.0.1:1");
    expect(await runCommand.run(["tiny", "hi", "--keepalive", "5"], t.io)).toBe(2);
    expect(await runCommand.run(["tiny", "hi", "--think=maybe"], t.io)).toBe(2);
    expect(await runCommand.run(["tiny", "hi", "--dimensions", "x"], t.io)).toBe(2);
    expect(t.err().split("\n")).toEqual([
      'Error: time: missing unit in duration "5"',
      'Error: invalid value for --think: "maybe" (must be true, false, high, medium, low, or max)',
      `Error: invalid argument "x" for "--dimensions" flag: strconv.ParseInt: parsing "x": invalid syntax (see 'tsllm run --help')`,
      "",
    ]);
  });
});

describe("run, interactive", () => {
  async function session(lines: (string | typeof INTERRUPT)[], argv = ["tiny"]) {
    server = modelServer();
    const t = memoryIO(server.host, { tty: true });
    const p = parseArgs(runCommand.spec, argv);
    expect(await runMain(p, t.io, { lines: () => scripted(lines) })).toBe(0);
    const bodies = (path: string) => server?.to("POST", path).map((r) => r.body as Record<string, unknown>);
    return { t, chats: bodies("/api/chat") ?? [], loads: bodies("/api/generate") ?? [] };
  }

  test("loads first with an empty generate, then keeps the history across turns", async () => {
    const { t, chats, loads } = await session(["hello", "again", "/bye"]);
    expect(loads).toEqual([{ model: "tiny" }]);
    expect(chats[0]).toEqual({ model: "tiny", options: {}, messages: [{ role: "user", content: "hello" }] });
    expect(chats[1]?.messages).toEqual([
      { role: "user", content: "hello" },
      { role: "assistant", content: "reply 1" },
      { role: "user", content: "again" },
    ]);
    expect(t.out()).toBe("reply 1\n\nreply 3\n\n");
  });

  test("--think and --keepalive go into the load request too", async () => {
    const { loads } = await session([], ["thinker", "--think=low", "--keepalive", "1h"]);
    expect(loads).toEqual([{ model: "thinker", keep_alive: "1h0m0s", think: "low" }]);
  });

  test("/set think, /set think high, /set nothink shape the next requests", async () => {
    const { t, chats } = await session(
      ["/set think", "a", "/set think high", "b", "/set nothink", "c"],
      ["thinker"],
    );
    expect(chats.map((c) => c.think)).toEqual([true, "high", false]);
    expect(t.out()).toContain("Set 'think' mode.\n");
    expect(t.out()).toContain("Set 'think' mode to 'high'.\n");
    expect(t.out()).toContain("Set 'nothink' mode.\n");
    expect(t.out()).toContain(
      "\u001b[38;5;245m\u001b[1mThinking...\n\u001b[0m\u001b[38;5;245mLet me see.\n\u001b[38;5;245m\u001b[1m...done thinking.\n\n\u001b[0mFour.\n\n",
    );
    expect(chats[1]?.messages).toEqual([
      { role: "user", content: "a" },
      { role: "assistant", content: "Four.", thinking: "Let me see." },
      { role: "user", content: "b" },
    ]);
    expect(t.err()).not.toContain("warning");
  });

  test("/set think on a model that cannot think: a warning, then the server's error, and the session goes on", async () => {
    const { t, chats } = await session(["/set think", "a", "/set nothink", "b"]);
    expect(t.err()).toContain('warning: model "tiny" does not support thinking output\n');
    expect(t.out()).toContain('error: "tiny" does not support thinking\n');
    expect(chats.at(-1)?.messages).toEqual([{ role: "user", content: "b" }]);
  });

  test("/set verbose, /set format json, /set noformat, /set history", async () => {
    const { t, chats } = await session([
      "/set verbose",
      "/set format json",
      "x",
      "/set noformat",
      "/set nohistory",
      "y",
    ]);
    expect(chats[0]?.format).toBe("json");
    expect(chats[1] && "format" in chats[1]).toBe(false);
    expect(t.out()).toContain("Set 'verbose' mode.\nSet format to 'json' mode.\n");
    expect(t.out()).toContain("Disabled format.\n");
    expect(t.err()).toContain("eval rate:            40.00 tokens/s\n");
    expect(t.out()).not.toContain("history");
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
    expect(chats[0]).toEqual({
      model: "tiny",
      options: { temperature: 0.2, stop: ["<a>", "<b>"] },
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "first line\nsecond line\nend" },
      ],
    });
    expect(chats[1]?.messages).toEqual([
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
    expect(chats).toHaveLength(0);
  });

  test("/load switches models; an unknown one is reported and kept out", async () => {
    const { t, chats } = await session(["/load nope", "hi"]);
    expect(t.out()).toContain("Loading model 'nope'\nCouldn't find model 'nope'\n");
    expect(chats.at(-1)?.model).toBe("tiny");
  });

  test("/load settles think from the new model's capabilities unless the user chose it", async () => {
    const inferred = await session(["/load thinker", "x", "/load tiny", "y"]);
    expect(inferred.chats.map((c) => [c.model, c.think])).toEqual([
      ["thinker", true],
      ["tiny", undefined],
    ]);
    const chosen = await session(["/load thinker", "x"], ["tiny", "--think=false"]);
    expect(chosen.chats.map((c) => c.think)).toEqual([false]);
  });
});
