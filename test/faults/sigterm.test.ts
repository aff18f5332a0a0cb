/** A stalled blob upload must neither hold a socket forever nor keep SIGTERM from ending serve. */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, spawnServe, tempFiles, waitFor } from "./serve-process.ts";

let dir = "";
let serve: ServeProcess | undefined;
let sock: Socket | undefined;

afterEach(() => {
  sock?.destroy();
  serve?.proc.kill("SIGKILL");
  serve = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens a blob upload that declares 1 MiB, sends 1 KiB and then stalls; collects what the server answers. */
async function stalledUpload(url: string): Promise<{ socket: Socket; answer: () => string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise((r) => socket.once("connect", r));
  let answer = "";
  socket.on("data", (d) => {
    answer += d.toString();
  });
  socket.on("error", () => {});
  const digest = `sha256:${"ab".repeat(32)}`;
  socket.write(
    `POST /api/blobs/${digest} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: 1048576\r\n\r\n${"x".repeat(1024)}`,
  );
  return { socket, answer: () => answer };
}

test("SIGTERM with a stalled upload: serve ends the upload after the drain and exits 0", async () => {
  dir = mkdtempSync(join(tmpdir(), "tsllm-sigterm-"));
  const models = join(dir, "models");
  // A short drain: the stalled upload holds serve until TSLLM_SHUTDOWN_TIMEOUT, then it is ended.
  serve = await spawnServe(models, { TSLLM_SHUTDOWN_TIMEOUT: "2s" });
  const up = await stalledUpload(serve.url);
  sock = up.socket;
  await waitFor(() => tempFiles(models).length === 1, "the upload's temp file");
  serve.proc.kill("SIGTERM");
  expect(await serve.proc.exited).toBe(0);
  expect(serve.log()).toContain("stopped");
  expect(tempFiles(models)).toEqual([]);
}, 60_000);

test("a stalled upload is answered 408 after TSLLM_BODY_TIMEOUT; serve keeps serving and stops at once", async () => {
  dir = mkdtempSync(join(tmpdir(), "tsllm-sigterm-"));
  const models = join(dir, "models");
  serve = await spawnServe(models, { TSLLM_BODY_TIMEOUT: "1s" });
  const up = await stalledUpload(serve.url);
  sock = up.socket;
  await waitFor(() => up.answer().includes("\r\n\r\n"), "the 408 answer");
  expect(up.answer()).toStartWith("HTTP/1.1 408 ");
  expect(up.answer()).toContain("blob upload stalled: no data for 1s (TSLLM_BODY_TIMEOUT)");
  expect(tempFiles(models)).toEqual([]);
  expect(await (await fetch(`${serve.url}/api/version`)).json()).toHaveProperty("version");
  serve.proc.kill("SIGTERM");
  expect(await serve.proc.exited).toBe(0);
}, 60_000);
