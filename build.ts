/**
 * Builds the single executable `./tsllm` (linux-x64) with the CPU libllama embedded;
 * `--variant vulkan` / `--variant cuda` (repeatable, or comma-separated) embeds more variants; `--cuda-lib DIR`
 * takes libggml-cuda.so from scripts/build-cuda.sh instead of the npm package; `--release` builds the two
 * downloads into dist/ with SHA256SUMS. Usage: bun run build [--variant vulkan] [--outfile tsllm] [--release]
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CUDA_BUILD_FILE, type Variant, variantPackage } from "./src/llama/ffi/variant.ts";
import { embeddedUiModule } from "./src/ui/embed.ts";

// Shipped: the libraries and build metadata; not node-llama-cpp's addon or libllama-common (unused by libllama).
const SKIP = /^(llama-addon\.node|libllama-common\..*)$/;

/** How to get the CUDA libraries when they are missing (pinned to the release of the other variants). */
export const CUDA_INSTALL_HINT =
  "install it with: bun add -d @node-llama-cpp/linux-x64-cuda@3.22.1 (and @node-llama-cpp/linux-x64-cuda-ext@3.22.1 for GPUs before sm_86 and Hopper)";

function packageDir(pkg: string): string | null {
  try {
    return dirname(Bun.resolveSync(`@node-llama-cpp/${pkg}/package.json`, import.meta.dir));
  } catch {
    return null;
  }
}

/** The files embedded for `variant`: file name → path. `cudaLib` replaces libggml-cuda.so (and its metadata). */
export function libFiles(variant: string, cudaLib?: string): Record<string, string> {
  // cuda-ext is the cuda package with the CUDA 12 libggml-cuda.so of the -ext package's fallback/ folder.
  const base = variant === "cuda-ext" ? "cuda" : variant;
  const pkg = variantPackage(base as Variant);
  const root = packageDir(pkg);
  if (!root) {
    const hint = base === "cuda" ? `; ${CUDA_INSTALL_HINT}` : "";
    throw new Error(`variant "${variant}": package @node-llama-cpp/${pkg} is not installed${hint}`);
  }
  const dir = join(root, "bins", pkg);
  if (!existsSync(dir)) throw new Error(`variant "${variant}": ${dir} missing`);
  const files: Record<string, string> = Object.fromEntries(
    readdirSync(dir)
      .filter((f) => !SKIP.test(f) && f !== "fallback")
      .map((f) => [f, join(dir, f)]),
  );
  if (variant === "cuda-ext") {
    const ext = packageDir(`${pkg}-ext`);
    const lib = ext && join(ext, "bins", pkg, "fallback", "libggml-cuda.so");
    if (!lib || !existsSync(lib)) {
      throw new Error(
        `variant "cuda-ext": package @node-llama-cpp/${pkg}-ext is not installed; ${CUDA_INSTALL_HINT}`,
      );
    }
    files["libggml-cuda.so"] = lib;
  }
  if (cudaLib && base === "cuda") {
    for (const f of ["libggml-cuda.so", CUDA_BUILD_FILE]) {
      if (!existsSync(join(cudaLib, f)))
        throw new Error(`--cuda-lib ${cudaLib}: ${f} missing (run scripts/build-cuda.sh)`);
      files[f] = join(cudaLib, f);
    }
  }
  return files;
}

/** One executable of a release: its file name and the variants it embeds. */
export interface ReleaseTarget {
  outfile: string;
  variants: string[];
}

/**
 * The release downloads: the portable build (cpu + vulkan) and the NVIDIA build (+ cuda, and cuda-ext for
 * GPUs the CUDA 13 build lacks when that package is installed).
 */
export function releasePlan(outDir: string, withCudaExt: boolean): ReleaseTarget[] {
  return [
    { outfile: join(outDir, "tsllm-linux-x64"), variants: ["cpu", "vulkan"] },
    {
      outfile: join(outDir, "tsllm-linux-x64-cuda"),
      variants: ["cpu", "vulkan", "cuda", ...(withCudaExt ? ["cuda-ext"] : [])],
    },
  ];
}

/** SHA256SUMS in `sha256sum -c` format: "<hex>  <file name>" per line, sorted by name. */
export function sha256Sums(files: string[]): string {
  return [...files]
    .sort((a, b) => basename(a).localeCompare(basename(b)))
    .map((f) => `${createHash("sha256").update(readFileSync(f)).digest("hex")}  ${basename(f)}\n`)
    .join("");
}

/**
 * libggml-rpc.so and libmtmd.so from scripts/build-native-extras.sh (cached), embedded beside every variant's
 * libraries: ggml_backend_load_all_from_path loads the RPC backend, the runner opens libmtmd for vision
 * projectors. Nothing (with a warning) where they cannot be built.
 */
export function nativeExtras(): Record<string, string> {
  const r = Bun.spawnSync(["bash", join(import.meta.dir, "scripts", "build-native-extras.sh")], {
    stderr: "inherit",
  });
  const dir = r.stdout.toString().trim();
  const files: Record<string, string> = {};
  for (const name of ["libggml-rpc.so", "libmtmd.so"]) {
    const lib = join(dir, name);
    if (r.exitCode === 0 && existsSync(lib)) files[name] = lib;
    else console.warn(`build: embedding no ${name} (scripts/build-native-extras.sh exited ${r.exitCode})`);
  }
  return files;
}

/** Compiles one executable embedding `variants`. */
export async function buildExecutable(variants: string[], outfile: string, cudaLib?: string): Promise<void> {
  const extras = nativeExtras();
  const embedded = Object.fromEntries(variants.map((v) => [v, { ...libFiles(v, cudaLib), ...extras }]));
  let n = 0;
  const imports: string[] = [];
  const table = Object.entries(embedded).map(([v, files]) => {
    const rows = Object.entries(files).map(([name, path]) => {
      imports.push(`import f${n} from ${JSON.stringify(path)} with { type: "file" };`);
      return `${JSON.stringify(name)}: f${n++}`;
    });
    return `${JSON.stringify(v)}: { ${rows.join(", ")} }`;
  });
  const generated = `${imports.join("\n")}\nexport const EMBEDDED_LIBS: Record<string, Record<string, string>> = { ${table.join(", ")} };\n`;
  const embeddedModule = resolve(import.meta.dir, "src/llama/ffi/embedded.ts");
  // The web UI, built and embedded the same way (src/ui/embedded.ts replaced by file imports).
  const uiDir = mkdtempSync(join(tmpdir(), "tsllm-ui-"));
  const ui = await embeddedUiModule(uiDir);
  const uiModule = resolve(import.meta.dir, "src/ui/embedded.ts");

  const started = performance.now();
  const result = await Bun.build({
    entrypoints: [
      "./src/main.ts",
      "./src/runner/server/engine-worker.ts",
      "./src/inference/quantize-worker.ts",
      "./src/api/limits/json-parse-worker.ts",
      "./src/registry/pull/hash-worker.ts",
      "./src/registry/pull/transfer-worker.ts",
      "./src/inference/vision-webp-worker.ts",
    ],
    compile: { outfile },
    minify: true,
    plugins: [
      {
        name: "embed-native-libs",
        setup(build) {
          build.onLoad({ filter: /src\/llama\/ffi\/embedded\.ts$/ }, (args) =>
            args.path === embeddedModule ? { contents: generated, loader: "ts" } : undefined,
          );
          build.onLoad({ filter: /src\/ui\/embedded\.ts$/ }, (args) =>
            args.path === uiModule ? { contents: ui.source, loader: "ts" } : undefined,
          );
        },
      },
    ],
  });
  rmSync(uiDir, { recursive: true, force: true });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error(`building ${outfile} failed`);
  }
  const size = Bun.file(outfile).size / 2 ** 20;
  console.log(
    `built ${outfile} (${size.toFixed(0)} MiB, variants: ${variants.join(", ")}) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      variant: { type: "string", multiple: true, default: [] },
      outfile: { type: "string", default: "tsllm" },
      "cuda-lib": { type: "string" },
      release: { type: "boolean", default: false },
      "out-dir": { type: "string", default: "dist" },
    },
  });
  const cudaLib = values["cuda-lib"];
  if (!values.release) {
    const variants = ["cpu", ...values.variant.flatMap((v) => v.split(","))].filter(
      (v, i, a) => a.indexOf(v) === i,
    );
    await buildExecutable(variants, values.outfile, cudaLib);
    return;
  }
  const outDir = values["out-dir"];
  mkdirSync(outDir, { recursive: true });
  const plan = releasePlan(outDir, !cudaLib && packageDir(`${variantPackage("cuda")}-ext`) !== null);
  // Resolve every target's libraries first, so a missing package fails before the first long compile.
  for (const t of plan) for (const v of t.variants) libFiles(v, cudaLib);
  for (const t of plan) await buildExecutable(t.variants, t.outfile, cudaLib);
  writeFileSync(join(outDir, "SHA256SUMS"), sha256Sums(plan.map((t) => t.outfile)));
  console.log(`wrote ${join(outDir, "SHA256SUMS")}`);
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`build: ${(e as Error).message}`);
    process.exit(1);
  }
}
