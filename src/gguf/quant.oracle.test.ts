import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeF16, quantizeQ4_0, quantizeQ8_0 } from "./quant.ts";

// Compares the TypeScript quantizers with ggml's own reference functions from the prebuilt
// libggml-base.so (node-llama-cpp's CPU package), through a tiny C driver compiled with gcc.
const LIB_DIR = join(import.meta.dir, "../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64");
const gcc = Bun.which("gcc");
const available = gcc !== null && existsSync(join(LIB_DIR, "libggml-base.so"));
if (!available) console.warn("skipping ggml oracle test: needs gcc and @node-llama-cpp/linux-x64");

const DRIVER = `#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
void quantize_row_q4_0_ref(const float *, void *, int64_t);
void quantize_row_q8_0_ref(const float *, void *, int64_t);
void ggml_fp32_to_fp16_row(const float *, uint16_t *, int64_t);
int main(int argc, char **argv) {
  FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f) / 4; fseek(f, 0, SEEK_SET);
  float *x = malloc(n * 4); if (fread(x, 4, n, f) != (size_t) n) return 2; fclose(f);
  void *q4 = malloc(n / 32 * 18), *q8 = malloc(n / 32 * 34); uint16_t *h = malloc(n * 2);
  quantize_row_q4_0_ref(x, q4, n); quantize_row_q8_0_ref(x, q8, n); ggml_fp32_to_fp16_row(x, h, n);
  FILE *o = fopen(argv[2], "wb"); fwrite(q4, 18, n / 32, o); fwrite(q8, 34, n / 32, o); fwrite(h, 2, n, o);
  fclose(o); return 0;
}
`;

const dir = mkdtempSync(join(tmpdir(), "quant-oracle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Blocks of varied scale, with ties, zeros, subnormals and huge values mixed in. */
function inputs(blocks: number): Float32Array {
  const x = new Float32Array(blocks * 32);
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s / 2 ** 32);
  for (let b = 0; b < blocks; b++) {
    const scale = 10 ** (Math.floor(next() * 12) - 8);
    for (let j = 0; j < 32; j++) {
      const r = next();
      const i = b * 32 + j;
      if (b % 17 === 0) x[i] = 0;
      else if (b % 13 === 0)
        x[i] = Math.round((r - 0.5) * 32) / 2; // many exact halves
      else if (b % 11 === 0)
        x[i] = (r - 0.5) * 2 ** -20; // f16 subnormal range
      else x[i] = (r - 0.5) * scale * (j % 5 === 0 ? 3 : 1);
    }
  }
  return x;
}

test.skipIf(!available)("q4_0, q8_0 and f16 match ggml's reference functions byte for byte", async () => {
  const exe = join(dir, "oracle");
  const cc = Bun.spawnSync(
    [gcc as string, "-O1", "-x", "c", "-", "-o", exe, `-L${LIB_DIR}`, "-lggml-base", `-Wl,-rpath,${LIB_DIR}`],
    {
      stdin: new TextEncoder().encode(DRIVER),
      stderr: "pipe",
    },
  );
  expect(cc.stderr.toString()).toBe("");
  const x = inputs(4000);
  await Bun.write(join(dir, "in.bin"), x);
  const run = Bun.spawnSync([exe, join(dir, "in.bin"), join(dir, "out.bin")]);
  expect(run.exitCode).toBe(0);
  const want = new Uint8Array(await Bun.file(join(dir, "out.bin")).arrayBuffer());
  const n = x.length;
  const q4 = new Uint8Array((n / 32) * 18);
  const q8 = new Uint8Array((n / 32) * 34);
  quantizeQ4_0(x, q4);
  quantizeQ8_0(x, q8);
  const h = encodeF16(x);
  const firstDiff = (a: Uint8Array, b: Uint8Array) => a.findIndex((v, i) => v !== b[i]);
  expect(firstDiff(q4, want.subarray(0, q4.length))).toBe(-1);
  expect(firstDiff(q8, want.subarray(q4.length, q4.length + q8.length))).toBe(-1);
  expect(firstDiff(h, want.subarray(q4.length + q8.length))).toBe(-1);
});
