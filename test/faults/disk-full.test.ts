/**
 * A store on a 20 MiB tmpfs: a 30 MiB upload must fail with a clear 507, leave nothing behind, harm no other
 * blob, and a later upload that fits must work. Needs `mount` (root); skipped with a reason otherwise.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../api/helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-tmpfs-"));
const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", dir], { stderr: "pipe" });
const mounted = mount.exitCode === 0;
if (!mounted)
  console.log(`skipping disk-full tests: cannot mount a tmpfs (${mount.stderr.toString().trim()})`);

const models = join(dir, "models");
let s: TestServer;

beforeAll(async () => {
  if (mounted) s = await startTestServer({ TSLLM_MODELS: models });
});
afterAll(async () => {
  await s?.stop();
  if (mounted) Bun.spawnSync(["umount", dir]);
  rmSync(dir, { recursive: true, force: true });
});

const digestOf = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const filled = (n: number, v: number) => new Uint8Array(n).fill(v);

async function upload(bytes: Uint8Array): Promise<Response> {
  return fetch(`${s.url}/api/blobs/${digestOf(bytes)}`, { method: "POST", body: bytes });
}

test.skipIf(!mounted)(
  "a blob larger than the free space is a 507, and nothing is kept or harmed",
  async () => {
    const existing = filled(2 << 20, 1);
    expect((await upload(existing)).status).toBe(201);

    const big = filled(30 << 20, 2);
    const res = await upload(big);
    expect(res.status).toBe(507);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(/^not enough disk space to store the blob \(needed [\d.]+ MiB more; /);
    expect(body.error).not.toContain(dir);

    const blobs = readdirSync(join(models, "blobs"));
    expect(blobs).toEqual([digestOf(existing).replace(":", "-")]);
    expect(digestOf(readFileSync(join(models, "blobs", blobs[0] as string)))).toBe(digestOf(existing));
    const head = await fetch(`${s.url}/api/blobs/${digestOf(big)}`, { method: "HEAD" });
    expect(head.status).toBe(404);

    const small = filled(1 << 20, 3);
    expect((await upload(small)).status).toBe(201);
    expect((await fetch(`${s.url}/api/blobs/${digestOf(small)}`, { method: "HEAD" })).status).toBe(200);
  },
);
