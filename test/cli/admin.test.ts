import { afterEach, describe, expect, test } from "bun:test";
import { copyCommand } from "../../src/cli/copy.ts";
import { commandHelp } from "../../src/cli/index.ts";
import { listCommand } from "../../src/cli/list.ts";
import { pullCommand, pushCommand } from "../../src/cli/registry.ts";
import { removeCommand } from "../../src/cli/remove.ts";
import { runCommand } from "../../src/cli/run.ts";
import { stopCommand } from "../../src/cli/stop.ts";
import { deadHost, errorResponse, fakeServer, memoryIO } from "./helpers.ts";

const UNLOAD = { model: "m", response: "", done: true, done_reason: "unload" };
let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.stop());

describe("cp, rm, stop", () => {
  test("cp posts source and destination", async () => {
    server = fakeServer({ "POST /api/copy": () => new Response(null) });
    const t = memoryIO(server.host);
    expect(await copyCommand.run(["a", "b"], t.io)).toBe(0);
    expect(server.requests[0]?.body).toEqual({ source: "a", destination: "b" });
    expect(t.out()).toBe("copied 'a' to 'b'\n");
  });

  test("rm unloads then deletes each model", async () => {
    server = fakeServer({
      "POST /api/generate": (r) =>
        (r.body as { model: string }).model === "gone"
          ? errorResponse(404, "model 'gone' not found")
          : UNLOAD,
      "DELETE /api/delete": () => new Response(null),
    });
    const t = memoryIO(server.host);
    expect(await removeCommand.run(["a", "gone"], t.io)).toBe(0);
    expect(server.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", "/api/generate", { model: "a", keep_alive: 0 }],
      ["DELETE", "/api/delete", { model: "a" }],
      ["POST", "/api/generate", { model: "gone", keep_alive: 0 }],
      ["DELETE", "/api/delete", { model: "gone" }],
    ]);
    expect(t.out()).toBe("deleted 'a'\ndeleted 'gone'\n");
    expect(t.err()).toBe("");
  });

  test("rm of a missing model fails with the server's message", async () => {
    server = fakeServer({
      "POST /api/generate": () => errorResponse(404, "model 'x' not found"),
      "DELETE /api/delete": () => errorResponse(404, "model 'x' not found"),
    });
    await expect(removeCommand.run(["x"], memoryIO(server.host).io)).rejects.toThrow("model 'x' not found");
  });

  test("stop sends an empty generate with keep_alive 0", async () => {
    server = fakeServer({ "POST /api/generate": () => UNLOAD });
    expect(await stopCommand.run(["m"], memoryIO(server.host).io)).toBe(0);
    expect(server.requests[0]?.body).toEqual({ model: "m", keep_alive: 0 });
  });

  test("stop of an unknown model says so", async () => {
    server = fakeServer({ "POST /api/generate": () => errorResponse(404, "model 'x' not found") });
    await expect(stopCommand.run(["x"], memoryIO(server.host).io)).rejects.toThrow(
      `couldn't find model "x" to stop`,
    );
  });
});

describe("errors and help", () => {
  test("a server that is not running gets one clear message", async () => {
    const host = deadHost();
    await expect(listCommand.run([], memoryIO(host).io)).rejects.toThrow(
      `could not connect to tsllm server at ${host}, is it running? (start it with \`tsllm serve\`)`,
    );
  });

  test("pull and push against a server that is not running get the same clear message", async () => {
    const host = deadHost();
    const refused = `could not connect to tsllm server at ${host}, is it running? (start it with \`tsllm serve\`)`;
    await expect(pullCommand.run(["llama3.2"], memoryIO(host).io)).rejects.toThrow(refused);
    await expect(pushCommand.run(["me/m"], memoryIO(host).io)).rejects.toThrow(refused);
  });

  test("unknown flags and wrong argument counts exit 2 with one line", async () => {
    const t = memoryIO("127.0.0.1:1");
    expect(await listCommand.run(["--bogus"], t.io)).toBe(2);
    expect(await copyCommand.run(["only-one"], t.io)).toBe(2);
    expect(await runCommand.run(["-x", "m"], t.io)).toBe(2);
    expect(t.err().split("\n")).toEqual([
      "Error: unknown flag: --bogus (see 'tsllm list --help')",
      "Error: accepts 2 arg(s), received 1 (see 'tsllm cp --help')",
      "Error: unknown shorthand flag: 'x' in -x (see 'tsllm run --help')",
      "",
    ]);
  });

  test("--help prints usage, flags and the env vars that apply", async () => {
    const t = memoryIO("127.0.0.1:1");
    expect(await runCommand.run(["--help"], t.io)).toBe(0);
    expect(t.out()).toStartWith("Run a model\n\nUsage:\n  tsllm run MODEL [PROMPT] [flags]\n");
    expect(t.out()).toContain("      --keepalive string        Duration to keep a model loaded");
    expect(t.out()).toContain('      --think string[="true"]   Enable thinking mode');
    expect(t.out()).toContain("      --dimensions int          Truncate output embeddings");
    expect(t.out()).toContain("TSLLM_HOST");
    expect(t.out()).toContain("OLLAMA_HOST     Used as TSLLM_HOST when that is unset");
    expect(t.out()).toContain("TSLLM_API_KEY   The key the CLI sends (Authorization: Bearer)");
    expect(commandHelp("ls")).toContain("Aliases:\n  list, ls\n");
    expect(commandHelp("create")).toContain("  -f, --file string");
    expect(commandHelp("nope")).toBeUndefined();
  });
});
