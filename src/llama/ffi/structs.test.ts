import { expect, test } from "bun:test";
import { cc } from "bun:ffi";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { llamaSourceDir } from "../../gguf/synth/llama-source.ts";
import { addressOf } from "./memory.ts";
import { ALL_LAYOUTS } from "./structs.ts";

// Compiles the real llama.h with the same `cc` (TinyCC) the shim uses and compares every size, alignment
// and field offset with structs.ts.
test("struct layouts match llama.h (sizeof/offsetof through cc)", () => {
  const src = llamaSourceDir();
  const lines: string[] = [];
  const expected: number[] = [];
  for (const l of ALL_LAYOUTS) {
    const type = `struct ${l.name}`;
    lines.push(`out[n++] = sizeof(${type});`, `out[n++] = _Alignof(${type});`);
    expected.push(l.size, l.align);
    for (const [field, [off]] of Object.entries(l.fields)) {
      lines.push(`out[n++] = offsetof(${type}, ${field});`);
      expected.push(off);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "tsllm-layout-"));
  const file = join(dir, "layout.c");
  writeFileSync(
    file,
    `#include <stddef.h>\n#include <stdint.h>\n#include "llama.h"\n#include "ggml-backend.h"\nint layout(int64_t *out) { int n = 0;\n${lines.join("\n")}\nreturn n; }\n`,
  );
  const lib = cc({
    source: file,
    include: [join(src, "include"), join(src, "ggml", "include")],
    symbols: { layout: { args: ["ptr"], returns: "i32" } },
  });
  const out = new BigInt64Array(expected.length);
  const n = lib.symbols.layout(addressOf(out));
  expect(n).toBe(expected.length);
  const got = Array.from(out, Number);
  const report = (xs: number[]) => {
    let i = 0;
    return ALL_LAYOUTS.map((l) => ({
      name: l.name,
      size: xs[i++],
      align: xs[i++],
      fields: Object.fromEntries(Object.keys(l.fields).map((f) => [f, xs[i++]])),
    }));
  };
  expect(report(got)).toEqual(report(expected));
});
