/**
 * Request limits through a real server with small limits: body size (declared and counted), JSON depth,
 * the body read timeout, the idle (header) timeout, prompt/message/image limits in each API family's error
 * shape, and big bodies parsed while other requests keep being answered. The streaming-gap case runs on a
 * bare Bun.serve with the same RequestLimiter, where the handler decides when the gap ends.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { Env } from "../../src/config/env.ts";
import { RequestLimiter, limitsFromEnv } from "../../src/api/limits/index.ts";
import { readJsonBody } from "../../src/api/limits/json-body.ts";
import { type Json, startTestServer, type TestServer } from "./helpers.ts";

/** A raw connection: everything it received, and when the server closed it. */
interface Raw {
  sock: Socket;
  received(): string;
  /** Resolves once the received text matches `re`. */
  until(re: RegExp): Promise<string>;
  closed: Promise<void>;
}

function raw(port: number, first?: string): Raw {
  const sock = connect(port, "127.0.0.1", () => {
    if (first !== undefined) sock.write(first);
  });
  let text = "";
  const waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
  sock.on("data", (d) => {
    text += d;
    for (const w of [...waiters])
      if (w.re.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
  });
  const closed = new Promise<void>((resolve) => sock.on("close", () => resolve()));
  sock.on("error", () => {});
  return {
    sock,
    received: () => text,
    until: (re) =>
      re.test(text)
        ? Promise.resolve(text)
        : new Promise((resolve, reject) => {
            waiters.push({ re, resolve });
            void closed.then(() => (re.test(text) ? resolve(text) : reject(new Error(`closed: ${text}`))));
          }),
    closed,
  };
}

const post = (path: string, body: string, extra = "") =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}\r\n${body}`;

const KiB = 1024;

describe("request limits (real server, small limits)", () => {
  let s: TestServer;
  /** Opened first: a connection that never completes its request line (closed by Bun's header deadline). */
  let halfLine: Raw;
  beforeAll(async () => {
    s = await startTestServer({
      TSLLM_MAX_BODY: "1MiB",
      TSLLM_MAX_JSON_DEPTH: "16",
      TSLLM_BODY_TIMEOUT: "1s",
      TSLLM_HEADER_TIMEOUT: "2s",
      TSLLM_MAX_PROMPT: "64KiB",
      TSLLM_MAX_IMAGES: "2",
      TSLLM_MAX_IMAGE_SIZE: "1KiB",
    });
    halfLine = raw(s.server.port, "GET /api/vers");
  });
  afterAll(() => s.stop());

  // Requests whose body is refused half sent use their own connection (keepalive: false): Bun's fetch puts
  // such a connection back in its pool although the answer said "Connection: close", and reusing it fails.
  const version = async () => (await fetch(`${s.url}/api/version`, { keepalive: false })).status;

  test("a declared Content-Length over the limit is refused before the body is sent", async () => {
    const c = raw(s.server.port, post("/api/generate", "", "Content-Length: 104857600\r\n"));
    const answer = await c.until(/\r\n\r\n[\s\S]*\}/);
    expect(answer).toStartWith("HTTP/1.1 413");
    expect(answer).toContain(
      '{"error":"request body is 100 MiB, larger than the 1 MiB limit (TSLLM_MAX_BODY)"}',
    );
    expect(answer.toLowerCase()).toContain("connection: close");
    await c.closed;
    const r = await fetch(`${s.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x".repeat(2 * 1024 * KiB) }] }),
      keepalive: false,
    });
    expect(r.status).toBe(413);
    expect(await version()).toBe(200);
  });

  test("a chunked body is cut off at the limit", async () => {
    const chunks = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new Uint8Array(64 * KiB).fill(0x20));
        c.close();
      },
    });
    const r = await fetch(`${s.url}/api/generate`, { method: "POST", body: chunks, keepalive: false });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: "request body is larger than the 1 MiB limit (TSLLM_MAX_BODY)" });
    expect(await version()).toBe(200);
  });

  test("deep JSON is a 400 in each API's shape, at 17 levels and at 100k (never a 500)", async () => {
    const message = "JSON nesting deeper than 16 levels (TSLLM_MAX_JSON_DEPTH)";
    for (const depth of [17, 100_000]) {
      const deep = `{"model":"m","options":${"[".repeat(depth)}${"]".repeat(depth)}}`;
      const ollama = await s.request("/api/generate", deep);
      expect([ollama.status, await ollama.json()]).toEqual([400, { error: message }]);
      const openai = await s.request("/v1/chat/completions", deep);
      expect(openai.status).toBe(400);
      expect(((await openai.json()) as Json).error).toMatchObject({ message, code: "json_too_deep" });
      const anthropic = await s.request("/v1/messages", deep);
      expect(anthropic.status).toBe(400);
      expect(await anthropic.json()).toEqual({
        type: "error",
        error: { type: "invalid_request_error", message },
      });
    }
    // 16 levels (a JSON schema in `format`) is within the limit.
    const ok = await s.request("/api/generate", {
      model: "m",
      format: JSON.parse(`${"[".repeat(15)}${"]".repeat(15)}`),
    });
    expect(ok.status).toBe(404);
    // Brackets inside strings are text, however many.
    const text = await s.request("/api/generate", { model: "m", prompt: "[{".repeat(10_000) });
    expect(text.status).toBe(404);
  });

  test("a body that stalls is a 408 and its connection is closed; others are served meanwhile", async () => {
    const c = raw(s.server.port, post("/api/generate", '{"model":', "Content-Length: 100\r\n"));
    expect(await version()).toBe(200);
    const answer = await c.until(/\r\n\r\n[\s\S]*\}/);
    expect(answer).toStartWith("HTTP/1.1 408");
    expect(answer).toContain('{"error":"request body not received within 1s (TSLLM_BODY_TIMEOUT)"}');
    await c.closed;
    expect(await version()).toBe(200);
  });

  test("a client gone mid-body leaves the server serving", async () => {
    const c = raw(s.server.port, post("/api/chat", '{"model":"m","messages":[', "Content-Length: 5000\r\n"));
    c.sock.destroy();
    await c.closed;
    const r = await s.request("/api/chat", { model: "m", messages: [] });
    expect(r.status).toBe(404);
  });

  test("an idle connection is closed: between requests (idle timeout) and before a first request line", async () => {
    const c = raw(s.server.port, "GET /api/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /api/ver");
    await c.until(/"version"/);
    await c.closed;
    expect(c.received().match(/HTTP\/1\.1/g)?.length).toBe(1);
    // Bun gives a new connection a fixed deadline for its first request's headers.
    await halfLine.closed;
    expect(halfLine.received()).toBe("");
  }, 30_000);

  describe("prompt, message and image limits", () => {
    const big = "é".repeat(33 * KiB); // 66 KiB of UTF-8 in 33 Ki characters
    const image = (bytes: number) => Buffer.alloc(bytes, 1).toString("base64");
    const dataUrl = (bytes: number) => `data:image/png;base64,${image(bytes)}`;
    const tooBig = (what: string) => `${what} is 66 KiB, larger than the 64 KiB limit (TSLLM_MAX_PROMPT)`;

    test("Ollama: prompt, system, message content, images, embedding input, tokenize text", async () => {
      const cases: [string, unknown, number, string][] = [
        ["/api/generate", { model: "m", prompt: big }, 413, tooBig("prompt")],
        ["/api/generate", { model: "m", prompt: "hi", system: big }, 413, tooBig("system")],
        [
          "/api/generate",
          { model: "m", images: [image(8), image(8), image(8)] },
          400,
          "request has 3 images, more than the limit of 2 (TSLLM_MAX_IMAGES)",
        ],
        [
          "/api/generate",
          { model: "m", images: [image(2 * KiB)] },
          413,
          "images[0] is 2 KiB decoded, larger than the 1 KiB limit (TSLLM_MAX_IMAGE_SIZE)",
        ],
        [
          "/api/chat",
          {
            model: "m",
            messages: [
              { role: "user", content: "hi" },
              { role: "user", content: big },
            ],
          },
          413,
          tooBig("messages[1].content"),
        ],
        [
          "/api/chat",
          {
            model: "m",
            messages: [
              { role: "user", images: [image(8), image(8)] },
              { role: "user", images: [image(8)] },
            ],
          },
          400,
          "request has 3 images, more than the limit of 2 (TSLLM_MAX_IMAGES)",
        ],
        [
          "/api/embed",
          { model: "m", input: [big.slice(0, 20 * KiB), big.slice(0, 20 * KiB)] },
          413,
          "input (all texts together) is 80 KiB, larger than the 64 KiB limit (TSLLM_MAX_PROMPT)",
        ],
        ["/api/embeddings", { model: "m", prompt: big }, 413, tooBig("prompt")],
        ["/api/tokenize", { model: "m", text: big }, 413, tooBig("text")],
      ];
      for (const [path, body, status, error] of cases) {
        const r = await s.request(path, body);
        expect([path, r.status, await r.json()]).toEqual([path, status, { error }]);
      }
      // Within the limits the request goes on (to the model lookup).
      const ok = await s.request("/api/chat", {
        model: "m",
        messages: [{ role: "user", content: "é".repeat(32 * KiB), images: [image(KiB)] }],
      });
      expect(ok.status).toBe(404);
    });

    test("OpenAI: chat content and images, completions prompt, embeddings input, responses", async () => {
      const chat = await s.request("/v1/chat/completions", {
        model: "m",
        messages: [{ role: "user", content: big }],
      });
      expect(chat.status).toBe(413);
      expect(await chat.json()).toEqual({
        error: {
          message: tooBig("messages[0].content"),
          type: "invalid_request_error",
          param: "messages[0].content",
          code: "request_too_large",
        },
      });
      const parts = [1, 2, 3].map(() => ({ type: "image_url", image_url: { url: dataUrl(8) } }));
      const images = await s.request("/v1/chat/completions", {
        model: "m",
        messages: [{ role: "user", content: parts }],
      });
      expect(images.status).toBe(400);
      expect(((await images.json()) as Json).error.code).toBe("too_many_images");
      const size = await s.request("/v1/chat/completions", {
        model: "m",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: dataUrl(4 * KiB) } }] }],
      });
      expect(size.status).toBe(413);
      expect(((await size.json()) as Json).error.message).toBe(
        "messages[0].images[0] is 4 KiB decoded, larger than the 1 KiB limit (TSLLM_MAX_IMAGE_SIZE)",
      );
      const completion = await s.request("/v1/completions", { model: "m", prompt: big });
      expect(completion.status).toBe(413);
      expect(((await completion.json()) as Json).error).toMatchObject({
        message: tooBig("prompt"),
        param: "prompt",
      });
      const embeddings = await s.request("/v1/embeddings", { model: "m", input: big });
      expect(embeddings.status).toBe(413);
      expect(((await embeddings.json()) as Json).error.message).toBe(tooBig("input"));
      const responses = await s.request("/v1/responses", { model: "m", input: big });
      expect(responses.status).toBe(413);
      expect(((await responses.json()) as Json).error.message).toBe(tooBig("a user message's content"));
    });

    test("Anthropic: messages and count_tokens, text and images", async () => {
      const base = { model: "m", max_tokens: 8 };
      const text = await s.request("/v1/messages", {
        ...base,
        system: big,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(text.status).toBe(413);
      expect(await text.json()).toEqual({
        type: "error",
        error: { type: "request_too_large", message: tooBig("a system message's content") },
      });
      const block = (bytes: number) => ({
        type: "image",
        source: { type: "base64", media_type: "image/png", data: image(bytes) },
      });
      const many = await s.request("/v1/messages", {
        ...base,
        messages: [{ role: "user", content: [block(8), block(8), block(8)] }],
      });
      expect(many.status).toBe(400);
      expect(await many.json()).toEqual({
        type: "error",
        error: {
          type: "invalid_request_error",
          message: "request has 3 images, more than the limit of 2 (TSLLM_MAX_IMAGES)",
        },
      });
      const count = await s.request("/v1/messages/count_tokens", {
        model: "m",
        messages: [{ role: "user", content: big }],
      });
      expect(count.status).toBe(413);
      expect(((await count.json()) as Json).error.message).toBe(tooBig("a user message's content"));
    });
  });
});

describe("big bodies are parsed off the server's thread", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ TSLLM_MAX_BODY: "64MiB", TSLLM_MAX_PROMPT: "64MiB" });
  });
  afterAll(() => s.stop());

  test("/api/version answers while a 48 MiB body is being parsed", async () => {
    const body = JSON.stringify({
      model: "m",
      prompt: "hello world ".repeat(4 * 1024 * KiB),
      options: { a: [1] },
    });
    const big = raw(s.server.port);
    await new Promise<void>((resolve) => big.sock.once("connect", resolve));
    const answered = big.until(/\r\n\r\n[\s\S]*\}/).then(() => "big");
    // Once the whole body is handed to the kernel the server is reading or parsing it.
    await new Promise<void>((resolve) =>
      big.sock.write(post("/api/generate", body, `Content-Length: ${Buffer.byteLength(body)}\r\n`), () =>
        resolve(),
      ),
    );
    const small = fetch(`${s.url}/api/version`).then((r) => (r.ok ? "small" : `small ${r.status}`));
    expect(await Promise.race([answered, small])).toBe("small");
    // The big body was parsed whole: the request went on to the model lookup.
    expect(await answered).toBe("big");
    expect(big.received()).toContain("HTTP/1.1 404");
    big.sock.destroy();
  }, 60_000);
});

describe("idle timer and streamed answers (RequestLimiter on Bun.serve)", () => {
  test("a streamed answer survives a gap longer than the idle timeout; the idle connection then closes", async () => {
    const limiter = new RequestLimiter(limitsFromEnv(new Env({ TSLLM_HEADER_TIMEOUT: "1s" })));
    let endGap!: () => void;
    const gap = new Promise<void>((resolve) => {
      endGap = resolve;
    });
    const enc = new TextEncoder();
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      idleTimeout: limiter.idleTimeout,
      fetch: limiter.wrap(async (req) => {
        if (req.method === "GET") return new Response("ok");
        await readJsonBody(req);
        const stream = new ReadableStream<Uint8Array>({
          async start(c) {
            c.enqueue(enc.encode('{"n":1}\n'));
            await gap;
            c.enqueue(enc.encode('{"n":2}\n'));
            c.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
      }),
    });
    try {
      const port = server.port as number;
      const streamed = raw(port, post("/x", "{}", "Content-Length: 2\r\n"));
      await streamed.until(/"n":1/);
      // A connection idle since the stream started shows when the idle timer has fired.
      const idle = raw(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await idle.until(/ok$/);
      await idle.closed;
      endGap();
      await streamed.until(/"n":2\}\n\r\n0\r\n\r\n$/);
      // The answer is over: the kept-alive connection is idle again and is closed like any other.
      await streamed.closed;
      expect(streamed.received()).toStartWith("HTTP/1.1 200");
    } finally {
      server.stop(true);
      limiter.dispose();
    }
  }, 30_000);
});
