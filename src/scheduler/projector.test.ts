import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticFacts } from "./layout/synthetic.ts";
import { withProjector } from "./projector.ts";

const dir = mkdtempSync(join(tmpdir(), "tsllm-projector-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a vision projector in the memory plan", () => {
  test("its file size is added to the output layer's weights", () => {
    const path = join(dir, "mmproj.gguf");
    writeFileSync(path, new Uint8Array(12345));
    const facts = syntheticFacts();
    expect(withProjector(facts, path)).toEqual({ ...facts, outputBytes: facts.outputBytes + 12345 });
  });

  test("no projector, or one that cannot be read: unchanged", () => {
    const facts = syntheticFacts();
    expect(withProjector(facts, undefined)).toBe(facts);
    expect(withProjector(facts, join(dir, "missing.gguf"))).toBe(facts);
  });
});
