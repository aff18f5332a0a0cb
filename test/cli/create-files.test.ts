/** `tsllm create`'s local files: small files, devices, FIFOs and files that change while being sent. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCommand } from "../../src/cli/create.ts";
import { localBlob, uploadBlob } from "../../src/cli/create-files.ts";
import { ApiClient } from "../../src/cli/http.ts";
import { Progress } from "../../src/cli/progress.ts";
import { Env } from "../../src/config/env.ts";
import { startTestServer } from "../api/helpers.ts";
import { synthModel } from "../fixtures/models.ts";
import { fakeServer, memoryIO } from "./helpers.ts";

const sha = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "tsllm-create-files-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("create with local files", () => {
  test("small FROM files (under 32 KiB) upload intact to a real server and the create succeeds", async () => {
    const s = await startTestServer();
    try {
      await copyFile(
        await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }),
        join(dir, "model.gguf"),
      );
      const small = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
      await writeFile(join(dir, "projector.bin"), small);
      await writeFile(
        join(dir, "Modelfile"),
        "FROM ./model.gguf\nFROM ./projector.bin\nSYSTEM small files\n",
      );
      const t = memoryIO(new URL(s.url).host);
      expect(await createCommand.run(["little", "-f", join(dir, "Modelfile")], t.io)).toBe(0);
      expect(t.err()).toContain(`copying file ${sha(small)} 100%`);
      const head = await fetch(`${s.url}/api/blobs/${sha(small)}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      const show = await s.request("/api/show", { model: "little" });
      expect((await show.json()).system).toBe("small files");
    } finally {
      await s.stop();
    }
  }, 60_000);

  test("FROM /dev/zero, a FIFO or a directory is refused before anything is read or sent", async () => {
    const server = fakeServer({});
    try {
      Bun.spawnSync(["mkfifo", join(dir, "pipe")]);
      const cases: [string, string][] = [
        ["/dev/zero", "/dev/zero is not a regular file"],
        ["./pipe", "./pipe is not a regular file"],
        [dir, `${dir} is a directory; importing directories is not supported, name a .gguf file`],
      ];
      for (const [from, message] of cases) {
        await writeFile(join(dir, "Modelfile"), `FROM ${from}\n`);
        const t = memoryIO(server.host);
        await expect(createCommand.run(["m", "-f", join(dir, "Modelfile")], t.io)).rejects.toThrow(message);
      }
      await expect(createCommand.run(["m", "-f", "/dev/zero"], memoryIO(server.host).io)).rejects.toThrow(
        "/dev/zero is not a regular file",
      );
      expect(server.requests).toEqual([]);
    } finally {
      server.stop();
    }
  });

  test("a large file that changes while it is uploaded fails with a clear error, not a hang", async () => {
    const path = join(dir, "big.gguf");
    await writeFile(path, new Uint8Array(8 << 20).fill(5));
    let truncated = false;
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      idleTimeout: 0,
      async fetch(req) {
        if (req.method === "HEAD") return new Response(null, { status: 404 });
        // Read one chunk, cut the file short, then keep the sender waiting as a stalled server would.
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        await truncate(path, 1024);
        truncated = true;
        for (;;) if ((await reader.read()).done) return new Response(null, { status: 201 });
      },
    });
    try {
      const client = new ApiClient(new Env({ TSLLM_HOST: `127.0.0.1:${server.port}` }));
      const blob = await localBlob(path, 0);
      expect(blob.bytes).toBeUndefined();
      const progress = new Progress(memoryIO("").io.err);
      const err = await uploadBlob(client, blob, progress).catch((e) => e);
      progress.stop();
      expect(truncated).toBe(true);
      expect(err?.message).toBe(
        `${path} changed while it was being read; run create again once it is stable`,
      );
    } finally {
      server.stop(true);
    }
  }, 30_000);

  test("a small file is hashed and sent from one in-memory copy", async () => {
    const path = join(dir, "adapter.bin");
    await writeFile(path, "adapter bytes");
    const blob = await localBlob(path);
    await writeFile(path, "changed after hashing");
    expect(blob.digest).toBe(sha("adapter bytes"));
    expect(new TextDecoder().decode(blob.bytes)).toBe("adapter bytes");
    expect(await readFile(path, "utf8")).toBe("changed after hashing");
  });
});
