/**
 * The CLI and API keys: every request a command makes carries `Authorization: Bearer $TSLLM_API_KEY`, a
 * 401/403 says what to set (never showing the key), and the commands work against a server requiring keys.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyCommand } from "../../src/cli/copy.ts";
import { createCommand } from "../../src/cli/create.ts";
import { ApiClient } from "../../src/cli/http.ts";
import { listCommand } from "../../src/cli/list.ts";
import { psCommand } from "../../src/cli/ps.ts";
import { removeCommand } from "../../src/cli/remove.ts";
import { showCommand } from "../../src/cli/show.ts";
import { Env } from "../../src/config/env.ts";
import { startTestServer, type TestServer } from "../api/helpers.ts";
import { memoryIO } from "./helpers.ts";

const KEY = "cli-key-3c9e1f0a";

/** A server that records each request's method, path and Authorization header, answering as `answer` says. */
function recordingServer(answer: (method: string, path: string) => Response) {
  const seen: { method: string; path: string; auth: string | null }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      await req.arrayBuffer();
      seen.push({ method: req.method, path, auth: req.headers.get("authorization") });
      return answer(req.method, path);
    },
  });
  return { host: `127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

/** Plausible answers for the routes the commands below call. */
function okAnswer(method: string, path: string): Response {
  if (method === "HEAD") return new Response(null, { status: 404 });
  if (path === "/api/tags" || path === "/api/ps") return Response.json({ models: [] });
  if (path === "/api/show") return Response.json({ modelfile: "FROM x\n", parameters: "", template: "" });
  if (path === "/api/create")
    return new Response(`${JSON.stringify({ status: "success" })}\n`, {
      headers: { "content-type": "application/x-ndjson" },
    });
  if (path.startsWith("/api/blobs/")) return new Response(null, { status: 201 });
  return Response.json({});
}

let dir = "";
let server: ReturnType<typeof recordingServer> | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsllm-cli-auth-"));
});
afterEach(async () => {
  server?.stop();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Runs the commands that talk to the server (create uploads a blob first), with `env`. */
async function runAll(host: string, env: Record<string, string>): Promise<void> {
  await writeFile(join(dir, "model.gguf"), "GGUF weights");
  await writeFile(join(dir, "Modelfile"), "FROM ./model.gguf\n");
  const io = () => memoryIO(host, { env: { TSLLM_HOST: host, ...env } }).io;
  expect(await listCommand.run([], io())).toBe(0);
  expect(await psCommand.run([], io())).toBe(0);
  expect(await showCommand.run(["m", "--modelfile"], io())).toBe(0);
  expect(await copyCommand.run(["m", "n"], io())).toBe(0);
  expect(await removeCommand.run(["n"], io())).toBe(0);
  expect(await createCommand.run(["m", "-f", join(dir, "Modelfile")], io())).toBe(0);
}

describe("TSLLM_API_KEY", () => {
  test("is sent as Authorization: Bearer on every request, blob checks and uploads included", async () => {
    server = recordingServer(okAnswer);
    await runAll(server.host, { TSLLM_API_KEY: KEY });
    const paths = server.seen.map((r) => `${r.method} ${r.path.replace(/sha256:[0-9a-f]+/, "DIGEST")}`);
    for (const p of [
      "GET /api/tags",
      "GET /api/ps",
      "POST /api/show",
      "POST /api/copy",
      "DELETE /api/delete",
      "HEAD /api/blobs/DIGEST",
      "POST /api/blobs/DIGEST",
      "POST /api/create",
    ])
      expect(paths).toContain(p);
    for (const r of server.seen) expect([r.path, r.auth]).toEqual([r.path, `Bearer ${KEY}`]);
  });

  test("unset: no Authorization header", async () => {
    server = recordingServer(okAnswer);
    await runAll(server.host, {});
    expect(server.seen.length).toBeGreaterThan(5);
    for (const r of server.seen) expect(r.auth).toBeNull();
  });

  test("a 401 says to set TSLLM_API_KEY; with a key set, that it was refused — the key never shown", async () => {
    server = recordingServer(() =>
      Response.json({ error: "this server requires an API key" }, { status: 401 }),
    );
    const host = server.host;
    const none = listCommand.run([], memoryIO(host, { env: { TSLLM_HOST: host } }).io);
    await expect(none).rejects.toThrow(
      "this server requires an API key (set TSLLM_API_KEY to a key the server accepts)",
    );
    const keyed = new ApiClient(new Env({ TSLLM_HOST: host, TSLLM_API_KEY: KEY }));
    const err = await keyed.json("GET", "/api/tags").catch((e: Error) => e);
    expect((err as Error).message).toContain("the server refused the key in TSLLM_API_KEY");
    expect((err as Error).message).not.toContain(KEY);
    // A HEAD answer is normally its status (404: no blob), but a refused key is an error.
    await expect(keyed.hasBlob(`sha256:${"0".repeat(64)}`)).rejects.toThrow("TSLLM_API_KEY");
  });

  test("a 403 for an admin route says an admin key is needed", async () => {
    server = recordingServer(() =>
      Response.json(
        { error: "POST /api/copy changes the model store and needs an admin API key" },
        { status: 403 },
      ),
    );
    const run = copyCommand.run(["a", "b"], memoryIO(server.host, { env: { TSLLM_HOST: server.host } }).io);
    await expect(run).rejects.toThrow("(set TSLLM_API_KEY to an admin key)");
  });
});

describe("against a server that requires keys", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ TSLLM_API_KEYS: `${KEY},admin:${KEY}-admin` });
  });
  afterAll(() => s.stop());

  test("list works with the key and fails clearly without it; an inference key cannot remove", async () => {
    const host = s.url.replace("http://", "");
    const withKey = memoryIO(host, { env: { TSLLM_HOST: host, TSLLM_API_KEY: KEY } });
    expect(await listCommand.run([], withKey.io)).toBe(0);
    expect(withKey.out()).toStartWith("NAME");
    await expect(listCommand.run([], memoryIO(host).io)).rejects.toThrow("set TSLLM_API_KEY");
    await expect(
      removeCommand.run(["x"], memoryIO(host, { env: { TSLLM_HOST: host, TSLLM_API_KEY: KEY } }).io),
    ).rejects.toThrow("admin key");
    const admin = memoryIO(host, { env: { TSLLM_HOST: host, TSLLM_API_KEY: `${KEY}-admin` } });
    await expect(removeCommand.run(["x"], admin.io)).rejects.toThrow("not found");
  });
});
