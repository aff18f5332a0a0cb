import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCommand } from "../../src/cli/create.ts";
import { fakeServer, memoryIO, ndjsonResponse } from "./helpers.ts";

const sha = (bytes: string) => `sha256:${new Bun.CryptoHasher("sha256").update(bytes).digest("hex")}`;

let dir = "";
let server: ReturnType<typeof fakeServer> | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsllm-cli-create-"));
});
afterEach(async () => {
  server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function createServer(existing: Set<string>) {
  return fakeServer({
    "HEAD /api/blobs/*": (r) =>
      new Response(null, { status: existing.has(r.path.split("/").pop() as string) ? 200 : 404 }),
    "POST /api/blobs/*": () => new Response(null, { status: 201 }),
    "POST /api/create": () =>
      ndjsonResponse([
        { status: "parsing GGUF" },
        { status: "quantizing F16 model to Q4_K_M", digest: "sha256:abc", total: 100, completed: 50 },
        { status: "quantizing F16 model to Q4_K_M", digest: "sha256:abc", total: 100, completed: 100 },
        { status: "using existing layer sha256:1234" },
        { status: "writing manifest" },
        { status: "success" },
      ]),
  });
}

describe("create", () => {
  test("uploads local files (HEAD first), then sends the JSON form and prints each status", async () => {
    await writeFile(join(dir, "model.gguf"), "GGUF weights");
    await writeFile(join(dir, "lora.gguf"), "GGUF adapter");
    await writeFile(
      join(dir, "Modelfile"),
      [
        "FROM ./model.gguf",
        "ADAPTER lora.gguf",
        'TEMPLATE """{{ .System }} {{ .Prompt }}"""',
        "SYSTEM You are terse.",
        "PARAMETER temperature 0.5",
        "PARAMETER stop <|a|>",
        "PARAMETER stop <|b|>",
        "MESSAGE user hi",
        "MESSAGE assistant hello",
        "LICENSE MIT",
      ].join("\n"),
    );
    server = createServer(new Set([sha("GGUF adapter")]));
    const t = memoryIO(server.host);
    const code = await createCommand.run(
      ["mine", "-f", join(dir, "Modelfile"), "--quantize", "q4_K_M"],
      t.io,
    );
    expect(code).toBe(0);
    const model = sha("GGUF weights");
    const adapter = sha("GGUF adapter");
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `HEAD /api/blobs/${model}`,
      `POST /api/blobs/${model}`,
      `HEAD /api/blobs/${adapter}`,
      "POST /api/create",
    ]);
    expect(new TextDecoder().decode(server.requests[1]?.bytes)).toBe("GGUF weights");
    expect(server.to("POST", "/api/create")[0]?.body).toEqual({
      model: "mine",
      files: { "model.gguf": model },
      adapters: { "lora.gguf": adapter },
      template: "{{ .System }} {{ .Prompt }}",
      system: "You are terse.",
      license: ["MIT"],
      parameters: { temperature: 0.5, stop: ["<|a|>", "<|b|>"] },
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
      quantize: "q4_K_M",
    });
    expect(t.err()).toBe(
      [
        "gathering model components",
        `copying file ${model} 0%`,
        `copying file ${model} 100%`,
        "parsing GGUF",
        "quantizing F16 model to Q4_K_M",
        "using existing layer sha256:1234",
        "writing manifest",
        "success",
        "",
      ].join("\n"),
    );
  });

  test("FROM a model name becomes `from`, with nothing uploaded", async () => {
    await writeFile(join(dir, "Modelfile"), "FROM tiny:latest\nSYSTEM hi\n");
    server = createServer(new Set());
    const t = memoryIO(server.host);
    await createCommand.run(["mine", "--file", join(dir, "Modelfile")], t.io);
    expect(server.requests.map((r) => r.path)).toEqual(["/api/create"]);
    expect(server.requests[0]?.body).toEqual({ model: "mine", from: "tiny:latest", system: "hi" });
  });

  test("a Modelfile error names its line", async () => {
    await writeFile(join(dir, "Modelfile"), "FROM tiny\nPARAMETER bogus 1\n");
    const t = memoryIO("127.0.0.1:1");
    await expect(createCommand.run(["mine", "-f", join(dir, "Modelfile")], t.io)).rejects.toThrow(
      "(line 2): unknown parameter 'bogus'",
    );
  });

  test("a missing Modelfile is a clear error", async () => {
    const t = memoryIO("127.0.0.1:1");
    await expect(createCommand.run(["mine", "-f", join(dir, "nope")], t.io)).rejects.toThrow(
      "specified Modelfile wasn't found",
    );
  });
});
