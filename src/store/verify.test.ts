import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createModel } from "./create.ts";
import { MissingBlobError } from "./errors.ts";
import { ModelStore } from "./store.ts";
import { describeModel, memoryLogger } from "./testing.ts";
import { startBlobVerifier, verifyBlobs } from "./verify.ts";

let root: string;
let store: ModelStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "tsllm-verify-"));
  store = new ModelStore(join(root, "models"));
});
afterEach(() => rm(root, { recursive: true, force: true }));

test("blobs that do not hash to their names are deleted and logged with the models using them", async () => {
  const weights = await store.blobs.writeBytes("GGUF weights, intact when written");
  await createModel(store, "hurt", { model: weights.digest }, { describeModel });
  const fine = await store.blobs.writeBytes("a blob that stays intact");
  await writeFile(store.blobs.path(weights.digest), "GGUF weights, flipped bits on disk");
  const { logger, lines } = memoryLogger();
  const r = await verifyBlobs(store, { logger, duty: 1 });
  expect(r.corrupt).toEqual([weights.digest]);
  expect(r.checked).toBe((await store.blobs.list()).length + 1);
  expect(await store.blobs.has(weights.digest)).toBe(false);
  expect(await store.blobs.has(fine.digest)).toBe(true);
  const warn = lines.find((l) => l.startsWith("warn blob does not match"));
  expect(warn).toContain(weights.digest);
  expect(warn).toContain("registry.ollama.ai/library/hurt:latest");
  expect(lines.join("\n")).not.toContain(root);
  // The model now reports its missing blob clearly, without a path; a re-upload heals it.
  const err = await store.get("hurt").catch((e) => e);
  expect(err).toBeInstanceOf(MissingBlobError);
  expect(err.message).toBe(
    `model "registry.ollama.ai/library/hurt:latest" is missing its blob ${weights.digest}; create or pull it again`,
  );
  await store.blobs.writeBytes("GGUF weights, intact when written");
  expect((await store.get("hurt")).modelPath).toBe(store.blobs.path(weights.digest));
});

test("a background pass can be stopped, and reports what it checked", async () => {
  for (let i = 0; i < 3; i++) await store.blobs.writeBytes(`blob ${i}`);
  const v = startBlobVerifier(store, { duty: 1 });
  const r = await v.done;
  expect(r).toEqual({ checked: 3, corrupt: [] });
  const stopped = startBlobVerifier(store);
  stopped.stop();
  expect((await stopped.done).checked).toBe(0);
});
