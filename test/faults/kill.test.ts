/**
 * kill -9 of serve mid-upload, mid-create and mid-quantize: after a restart the store is consistent (no temp
 * files, no manifest naming a missing or short blob, every blob hashing to its name) and the same upload or
 * create succeeds.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthModel } from "../fixtures/models.ts";
import { type ServeProcess, spawnServe, storeProblems, tempFiles, waitFor } from "./serve-process.ts";

let dir = "";
let serve: ServeProcess | undefined;

afterEach(() => {
  serve?.proc.kill("SIGKILL");
  serve = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const digestOf = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function killHard(s: ServeProcess): Promise<void> {
  s.proc.kill("SIGKILL");
  await s.proc.exited;
}

async function upload(url: string, bytes: Uint8Array): Promise<number> {
  return (await fetch(`${url}/api/blobs/${digestOf(bytes)}`, { method: "POST", body: bytes })).status;
}

/** Streams /api/create, calling `onStatus` for each progress line; resolves with the last line. */
async function create(
  url: string,
  body: Record<string, unknown>,
  onStatus: (status: string) => void = () => {},
): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/api/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  let last: Record<string, unknown> = { status: res.status };
  let buf = "";
  try {
    for await (const chunk of res.body as ReadableStream<Uint8Array>) {
      buf += new TextDecoder().decode(chunk);
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        last = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        onStatus(String(last.status ?? last.error));
        nl = buf.indexOf("\n");
      }
    }
  } catch {
    // the server was killed mid-stream
  }
  return last;
}

function fresh(): string {
  dir = mkdtempSync(join(tmpdir(), "tsllm-kill-"));
  return join(dir, "models");
}

describe("kill -9", () => {
  test("mid-upload, after part of the body: restart leaves no temp file and the upload succeeds", async () => {
    const models = fresh();
    serve = await spawnServe(models);
    const blob = new Uint8Array(randomBytes(4 << 20));
    const { hostname, port } = new URL(serve.url);
    const sock = connect(Number(port), hostname);
    sock.on("error", () => {});
    await new Promise((r) => sock.once("connect", r));
    sock.write(
      `POST /api/blobs/${digestOf(blob)} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Length: ${blob.byteLength}\r\n\r\n`,
    );
    sock.write(blob.subarray(0, 1 << 20));
    await waitFor(() => tempFiles(models).some((f) => statSync(f).size > 0), "bytes on disk");
    await killHard(serve);
    sock.destroy();
    expect(tempFiles(models).length).toBe(1);

    serve = await spawnServe(models);
    expect(serve.log()).toContain("removed temp files left by an interrupted write");
    expect(await storeProblems(models)).toEqual([]);
    const head = await fetch(`${serve.url}/api/blobs/${digestOf(blob)}`, { method: "HEAD" });
    expect(head.status).toBe(404);
    expect(await upload(serve.url, blob)).toBe(201);
    expect(await storeProblems(models)).toEqual([]);
  }, 60_000);

  for (const at of ["creating new layer", "writing manifest"]) {
    test(`mid-create (at "${at}"): the store stays consistent and the create succeeds after restart`, async () => {
      const models = fresh();
      const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
      const weights = new Uint8Array(readFileSync(gguf));
      serve = await spawnServe(models);
      expect(await upload(serve.url, weights)).toBe(201);
      const request = {
        model: "victim",
        files: { "model.gguf": digestOf(weights) },
        template: "{{ .Prompt }} killed",
        system: "a system prompt written before the manifest",
        parameters: { temperature: 0.25 },
      };
      const s = serve;
      await create(s.url, request, (status) => {
        if (status.startsWith(at)) s.proc.kill("SIGKILL");
      });
      await s.proc.exited;

      serve = await spawnServe(models);
      expect(await storeProblems(models)).toEqual([]);
      expect((await create(serve.url, request)).status).toBe("success");
      const show = await fetch(`${serve.url}/api/show`, { method: "POST", body: '{"model":"victim"}' });
      expect(((await show.json()) as { system: string }).system).toBe(request.system);
      expect(await storeProblems(models)).toEqual([]);
    }, 60_000);
  }

  test("mid-quantize: no partial quantized blob survives and the quantized create succeeds", async () => {
    const models = fresh();
    const gguf = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
    serve = await spawnServe(models);
    const weights = new Uint8Array(readFileSync(gguf));
    expect(await upload(serve.url, weights)).toBe(201);
    const request = { model: "small", files: { "model.gguf": digestOf(weights) }, quantize: "q8_0" };
    const s = serve;
    const quantizing = create(s.url, request);
    // The quantizer writes its output beside the blobs: kill once that file is being written.
    await waitFor(
      () => tempFiles(models).some((f) => f.includes(".tmp-quantize-") && statSync(f).size > 0),
      "quantizer output",
    );
    await killHard(s);
    await quantizing;
    expect(tempFiles(models).length).toBe(1);

    serve = await spawnServe(models);
    expect(await storeProblems(models)).toEqual([]);
    const done = await create(serve.url, request);
    expect(done.status).toBe("success");
    const tags = (await (await fetch(`${serve.url}/api/tags`)).json()) as {
      models: { name: string; details: { quantization_level: string } }[];
    };
    expect(tags.models.map((m) => [m.name, m.details.quantization_level])).toEqual([
      ["small:latest", "Q8_0"],
    ]);
    expect(await storeProblems(models)).toEqual([]);
  }, 120_000);
});
