import { afterAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StorageError } from "../../store/index.ts";
import { fileRange, multipartEtag, partHash } from "./body.ts";
import { partSize } from "./upload.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-push-body-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("fileRange streams exactly the range, counting and hashing what it hands over", async () => {
  const bytes = new Uint8Array(1_000_000).map((_, i) => i % 251);
  const path = join(dir, "blob");
  writeFileSync(path, bytes);
  const counts: number[] = [];
  const md5 = partHash();
  const got = new Uint8Array(
    await new Response(fileRange(path, 1000, 700_000, (n) => counts.push(n), md5)).arrayBuffer(),
  );
  expect(got).toEqual(bytes.subarray(1000, 700_000));
  expect(counts.at(-1)).toBe(699_000);
  expect(md5.digest("hex")).toBe(createHash("md5").update(bytes.subarray(1000, 700_000)).digest("hex"));
});

test("a file shorter than the range fails the stream instead of sending short", async () => {
  const path = join(dir, "short");
  writeFileSync(path, new Uint8Array(10));
  await expect(new Response(fileRange(path, 0, 20, () => {})).arrayBuffer()).rejects.toThrow(StorageError);
});

test("the commit etag is md5 over the parts' md5s, then the part count", () => {
  const a = createHash("md5").update("a").digest();
  const b = createHash("md5").update("b").digest();
  const whole = createHash("md5")
    .update(Buffer.concat([a, b]))
    .digest("hex");
  expect(multipartEtag([a, b])).toBe(`${whole}-2`);
});

test("part sizes follow Ollama: a sixteenth of the blob within 100 MB … 1000 MB, or the override", () => {
  expect(partSize(10)).toBe(100_000_000);
  expect(partSize(3_200_000_000)).toBe(200_000_000);
  expect(partSize(100_000_000_000)).toBe(1_000_000_000);
  expect(partSize(100, 7)).toBe(7);
});
