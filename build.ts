/**
 * Builds the single executable `./tsllm` (linux-x64) with the CPU libllama embedded;
 * `--variant vulkan` (repeatable, or comma-separated) embeds more variants. Usage: bun run build [--variant vulkan] [--outfile tsllm]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Variant, variantPackage } from "./src/llama/ffi/variant.ts";
import { embeddedUiModule } from "./src/ui/embed.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    variant: { type: "string", multiple: true, default: [] },
    outfile: { type: "string", default: "tsllm" },
  },
});
const variants = ["cpu", ...values.variant.flatMap((v) => v.split(","))].filter(
  (v, i, a) => a.indexOf(v) === i,
);

// Shipped: the libraries and build metadata; not node-llama-cpp's addon or libllama-common (unused by libllama).
const SKIP = /^(llama-addon\.node|libllama-common\..*)$/;

function libFiles(variant: string): Record<string, string> {
  const pkg = variantPackage(variant as Variant);
  let dir: string;
  try {
    dir = join(dirname(Bun.resolveSync(`@node-llama-cpp/${pkg}/package.json`, import.meta.dir)), "bins", pkg);
  } catch {
    throw new Error(`variant "${variant}": package @node-llama-cpp/${pkg} is not installed`);
  }
  if (!existsSync(dir)) throw new Error(`variant "${variant}": ${dir} missing`);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => !SKIP.test(f))
      .map((f) => [f, join(dir, f)]),
  );
}

const embedded = Object.fromEntries(variants.map((v) => [v, libFiles(v)]));
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
  ],
  compile: { outfile: values.outfile },
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
  process.exit(1);
}
const size = Bun.file(values.outfile).size / 2 ** 20;
console.log(
  `built ${values.outfile} (${size.toFixed(0)} MiB, variants: ${variants.join(", ")}) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
);
