import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { availableVariants } from "./libs.ts";
import { chooseVariantWithReasons, dirVariant, probeMachine } from "./variant.ts";

const dirs: string[] = [];
function libDir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "tsllm-libdir-"));
  dirs.push(d);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(d, name), body);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("a TSLLM_LIB_DIR offers the variant it holds, read off its backend libraries or named by the override", () => {
  const cuda = libDir({ "libllama.so": "", "libggml-cuda.so": "" });
  const vulkan = libDir({ "libllama.so": "", "libggml-vulkan.so": "" });
  const cpu = libDir({ "libllama.so": "", "libggml-cpu-x64.so": "" });
  expect(dirVariant(cuda)).toBe("cuda");
  expect(dirVariant(vulkan)).toBe("vulkan");
  expect(dirVariant(cpu)).toBe("cpu");
  expect(dirVariant(cuda, "cuda-ext")).toBe("cuda-ext");
  expect(dirVariant(cpu, "no-such-variant")).toBe("cpu");
  // Whatever the executable embeds, the directory is the one source of libraries.
  expect(availableVariants(cuda)).toEqual(["cuda"]);
});

test("a TSLLM_LIB_DIR's tsllm-cuda.json is the build the GPU check uses (an sm_90 build runs on Hopper)", () => {
  const dir = libDir({ "libggml-cuda.so": "", "tsllm-cuda.json": '{"cuda":13,"sass":["90"],"ptx":[]}' });
  expect(probeMachine(dir).builds.cuda).toEqual({ cuda: 13, sass: ["90"], ptx: [] });
  const probe = {
    ...probeMachine(dir),
    nvidiaDriver: true,
    driverVersion: "580.159.04",
    computeCaps: ["9.0"],
    unloadable: {},
  };
  expect(chooseVariantWithReasons(availableVariants(dir), probe).variant).toBe("cuda");
  // The prebuilt table (sm_86/89/120a/121a) would have refused this GPU.
  const prebuilt = { ...probe, builds: {} };
  const choice = chooseVariantWithReasons(availableVariants(dir), prebuilt);
  expect(choice.variant).toBe("cpu");
  expect(choice.skipped.join(" ")).toContain("GPU sm_90 not in this build");
  // The metadata belongs to the variant the directory holds: a directory named cuda-ext describes cuda-ext.
  expect(probeMachine(dir, "cuda-ext").builds["cuda-ext"]).toEqual({ cuda: 13, sass: ["90"], ptx: [] });
  // Broken metadata falls back to the prebuilt table rather than failing.
  const broken = libDir({ "libggml-cuda.so": "", "tsllm-cuda.json": "{not json" });
  expect(probeMachine(broken).builds.cuda).toBeUndefined();
});
