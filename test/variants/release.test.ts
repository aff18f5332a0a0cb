/** build.ts's release logic without compiling: the targets, the CUDA file sets and the SHA256SUMS writer. */
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CUDA_INSTALL_HINT, libFiles, releasePlan, sha256Sums } from "../../build.ts";

test("release: the portable and the NVIDIA executables", () => {
  expect(releasePlan("dist", true)).toEqual([
    { outfile: join("dist", "tsllm-linux-x64"), variants: ["cpu", "vulkan"] },
    { outfile: join("dist", "tsllm-linux-x64-cuda"), variants: ["cpu", "vulkan", "cuda", "cuda-ext"] },
  ]);
  expect(releasePlan("out", false)[1]?.variants).toEqual(["cpu", "vulkan", "cuda"]);
});

test("SHA256SUMS: sha256sum's format, sorted by file name, checkable by sha256sum -c", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-sums-"));
  try {
    writeFileSync(join(dir, "tsllm-linux-x64-cuda"), "b");
    writeFileSync(join(dir, "tsllm-linux-x64"), "a");
    const sums = sha256Sums([join(dir, "tsllm-linux-x64-cuda"), join(dir, "tsllm-linux-x64")]);
    expect(sums).toBe(
      "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  tsllm-linux-x64\n" +
        "3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  tsllm-linux-x64-cuda\n",
    );
    writeFileSync(join(dir, "SHA256SUMS"), sums);
    const check = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: dir });
    expect(check.exitCode).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const cudaInstalled = (() => {
  try {
    libFiles("cuda");
    return true;
  } catch {
    return false;
  }
})();

test.skipIf(!cudaInstalled)(
  "cuda embeds the npm libggml-cuda.so; cuda-ext swaps in the CUDA 12 fallback",
  () => {
    const cuda = libFiles("cuda");
    expect(Object.keys(cuda)).toContain("libggml-cuda.so");
    expect(Object.keys(cuda).some((f) => f.startsWith("libllama"))).toBe(true);
    expect(Object.keys(cuda)).not.toContain("llama-addon.node");
    expect(Object.keys(cuda)).not.toContain("fallback");
    let ext: Record<string, string>;
    try {
      ext = libFiles("cuda-ext");
    } catch (e) {
      expect((e as Error).message).toContain(CUDA_INSTALL_HINT);
      return;
    }
    expect(ext["libggml-cuda.so"]).toMatch(
      /linux-x64-cuda-ext\/bins\/linux-x64-cuda\/fallback\/libggml-cuda\.so$/,
    );
    expect(ext["libllama.cuda.v0.5.0.so"]).toBe(cuda["libllama.cuda.v0.5.0.so"] as string);
  },
);

test.skipIf(!cudaInstalled)(
  "--cuda-lib: a custom build replaces libggml-cuda.so and brings its metadata",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "tsllm-cudalib-"));
    try {
      expect(() => libFiles("cuda", dir)).toThrow(/libggml-cuda\.so missing \(run scripts\/build-cuda\.sh\)/);
      writeFileSync(join(dir, "libggml-cuda.so"), "");
      writeFileSync(join(dir, "tsllm-cuda.json"), '{"cuda":12,"sass":["90"],"ptx":[]}');
      const files = libFiles("cuda", dir);
      expect(files["libggml-cuda.so"]).toBe(join(dir, "libggml-cuda.so"));
      expect(files["tsllm-cuda.json"]).toBe(join(dir, "tsllm-cuda.json"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("the install hint names the pinned package", () => {
  expect(CUDA_INSTALL_HINT).toContain("bun add -d @node-llama-cpp/linux-x64-cuda@3.22.1");
  expect(existsSync(join(import.meta.dir, "../../build.ts"))).toBe(true);
});
