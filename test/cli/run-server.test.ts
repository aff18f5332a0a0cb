import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { goFloat32Array } from "../../src/cli/go-float.ts";
import { parseArgs } from "../../src/cli/flags.ts";
import type { LineSource } from "../../src/cli/line-input.ts";
import { runCommand, runMain } from "../../src/cli/run.ts";
import { ApiClient } from "../../src/cli/http.ts";
import { serverVersion, versionText } from "../../src/cli/version.ts";
import { Env } from "../../src/config/env.ts";
import { OLLAMA_VERSION, VERSION } from "../../src/version.ts";
import { join } from "node:path";
import { models, startTestServer, type TestServer } from "../api/helpers.ts";
import { deadHost, memoryIO } from "./helpers.ts";

// `tsllm run` against a real in-process server with synthetic models: the flags must reach the server
// and change what it answers.
let s: TestServer;
let host: string;

beforeAll(async () => {
  s = await startTestServer();
  host = new URL(s.url).host;
  await s.createFrom("chat", await models.chat(), {
    parameters: { temperature: 0, seed: 1, num_predict: 12 },
  });
  await s.createFrom("embedder", await models.embed());
}, 120_000);
afterAll(() => s.stop());

async function run(argv: string[], opts: Parameters<typeof memoryIO>[1] = {}) {
  const t = memoryIO(host, opts);
  const code = await runCommand.run(argv, t.io);
  return { code, out: t.out(), err: t.err() };
}

describe("run against a real server", () => {
  test("OLLAMA_HOST is honoured when TSLLM_HOST is unset; TSLLM_HOST wins when both are set", async () => {
    const viaOllama = await run(["chat", "Hello"], { env: { OLLAMA_HOST: `http://${host}` } });
    expect(viaOllama.code).toBe(0);
    expect(viaOllama.out.trim().length).toBeGreaterThan(0);
    await expect(
      run(["chat", "Hello"], { env: { TSLLM_HOST: deadHost(), OLLAMA_HOST: host } }),
    ).rejects.toThrow("could not connect");
  });

  test("--format with a JSON schema gives JSON matching it", async () => {
    const schema = { type: "object", properties: { color: { enum: ["red", "green"] } }, required: ["color"] };
    const r = await run(["chat", "Pick a color", "--format", JSON.stringify(schema)]);
    expect(r.code).toBe(0);
    expect(["red", "green"]).toContain(JSON.parse(r.out).color);
  }, 30_000);

  test("--format json constrains the output to JSON", async () => {
    const r = await run(["chat", "JSON please", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(r.out.trimStart()).toMatch(/^[[{"\-0-9tfn]/);
  }, 30_000);

  test("--verbose prints Ollama's timing lines after the answer", async () => {
    const r = await run(["chat", "Hello", "--verbose"]);
    const names = r.err.split("\n").map((l) => l.split(":")[0]);
    for (const name of ["total duration", "prompt eval count", "prompt eval rate", "eval count", "eval rate"])
      expect(names).toContain(name);
    expect(r.err).toMatch(/^eval count: {11}12 token\(s\)$/m);
  });

  test("--keepalive reaches the server (the model's expiry in /api/ps)", async () => {
    await run(["chat", "Hello", "--keepalive", "-1m"]);
    const ps = await s.client.ps();
    const m = ps.models.find((x) => x.name.startsWith("chat"));
    expect(new Date(m?.expires_at ?? 0).getFullYear()).toBeGreaterThan(2200);
  });

  test("an embedding model prints its vector as Ollama does; --dimensions and --truncate reach /api/embed", async () => {
    const r = await run(["embedder", "hello world"]);
    expect(r.code).toBe(0);
    const api = (await s.client.embed({ model: "embedder", input: "hello world" })).embeddings[0] ?? [];
    expect(r.out).toBe(`${goFloat32Array(api)}\n`);
    expect(JSON.parse(r.out)).toHaveLength(384);
    const short = await run(["embedder", "hello world", "--dimensions", "16"]);
    expect(JSON.parse(short.out)).toHaveLength(16);
    const piped = await run(["embedder"], { stdin: "hello world" });
    expect(piped.out).toBe(r.out);
    const long = "word ".repeat(2000);
    expect((await run(["embedder", long])).code).toBe(0);
    await expect(run(["embedder", long, "--truncate=false"])).rejects.toThrow(
      "the input length exceeds the context length",
    );
    const none = await run(["embedder"], { tty: true });
    expect(none.code).toBe(2);
    expect(none.err).toBe(
      'Error: embedding models require input text. Usage: tsllm run embedder "your text here"\n',
    );
  }, 60_000);

  test("interactive: /set verbose prints timings after each answer", async () => {
    const t = memoryIO(host, { tty: true });
    const script = ["/set verbose", "Hello", "/bye"];
    const lines: LineSource = {
      read: async () => script.shift() ?? null,
      onInterrupt: () => () => {},
      close: () => {},
    };
    expect(await runMain(parseArgs(runCommand.spec, ["chat"]), t.io, { lines: () => lines })).toBe(0);
    expect(t.out()).toStartWith("Set 'verbose' mode.\n");
    expect(t.err()).toMatch(/^eval rate: +[\d.]+ tokens\/s$/m);
  });
});

describe("--version", () => {
  test("the server's answer in Ollama's words; nothing when no server answers", async () => {
    const server = await serverVersion(new ApiClient(new Env({ OLLAMA_HOST: host })));
    expect(server).toEqual({ version: OLLAMA_VERSION, tsllm_version: VERSION });
    const text = versionText({
      tsllm: VERSION,
      ollamaApi: OLLAMA_VERSION,
      llama: "v0.5.0",
      variant: "cpu",
      host,
      server,
    });
    expect(text).toContain(`\nserver at ${host}: ollama version is ${OLLAMA_VERSION} (tsllm ${VERSION})\n`);
    expect(text).not.toContain("Warning");
    expect(await serverVersion(new ApiClient(new Env({ TSLLM_HOST: deadHost() })))).toBeUndefined();
  });
});

test("versionText: client lines, the server line, and Ollama's warning when versions differ", () => {
  const base = {
    tsllm: "0.2.0",
    ollamaApi: "0.12.6",
    llama: "v0.5.0",
    variant: "cpu",
    host: "127.0.0.1:11434",
  };
  expect(versionText(base)).toBe(
    "tsllm version 0.2.0\nOllama API version 0.12.6\nllama.cpp version v0.5.0 (cpu)\n",
  );
  expect(versionText({ ...base, server: { version: "0.12.6", tsllm_version: "0.1.0" } })).toBe(
    "tsllm version 0.2.0\nOllama API version 0.12.6\nllama.cpp version v0.5.0 (cpu)\n" +
      "server at 127.0.0.1:11434: ollama version is 0.12.6 (tsllm 0.1.0)\n" +
      "Warning: client version is 0.2.0\n",
  );
  expect(versionText({ ...base, server: { version: "0.32.15" } })).toEndWith(
    "server at 127.0.0.1:11434: ollama version is 0.32.15\n",
  );
});

describe("serve binds TSLLM_HOST, else OLLAMA_HOST", () => {
  test("OLLAMA_HOST alone chooses the address; TSLLM_HOST wins over it", async () => {
    const viaOllama = await startTestServer({ TSLLM_HOST: "", OLLAMA_HOST: "http://127.0.0.1:0" });
    const both = await startTestServer({ TSLLM_HOST: "127.0.0.1:0", OLLAMA_HOST: "127.0.0.1:1" });
    try {
      expect(viaOllama.server.hostname).toBe("127.0.0.1");
      expect(viaOllama.server.port).not.toBe(11434);
      expect(both.server.port).not.toBe(1);
      expect(await (await fetch(`${viaOllama.url}/`)).text()).toBe("Ollama is running");
    } finally {
      await viaOllama.stop();
      await both.stop();
    }
  });

  test("serve --help lists OLLAMA_HOST", () => {
    const main = join(import.meta.dir, "../../src/main.ts");
    const p = Bun.spawnSync([process.execPath, main, "serve", "--help"]);
    expect(p.stdout.toString()).toMatch(/^ {2}OLLAMA_HOST +Used as TSLLM_HOST when that is unset/m);
  });
});
