/**
 * Where libllama lives: TSLLM_LIB_DIR, else the libraries embedded in the executable (extracted once into a
 * versioned cache dir with their original file names, so libllama finds its sibling libggml*.so), else the
 * @node-llama-cpp/* packages in node_modules (development).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EMBEDDED_LIBS } from "./embedded.ts";
import { NativeLibraryError, UnknownVariantError } from "./errors.ts";
import { dirVariant, VARIANTS, type Variant, variantPackage } from "./variant.ts";

/** A resolved library directory. */
export interface LibDir {
  variant: string;
  dir: string;
  /** Absolute path of libllama in `dir`. */
  libllama: string;
  libggml: string;
  libggmlBase: string;
  source: "env" | "embedded" | "node_modules";
}

/**
 * Variants available to this executable (embedded) or this checkout (node_modules); with a TSLLM_LIB_DIR, only
 * the variant that directory holds (`dirVariant`), whatever the executable embeds.
 */
export function availableVariants(libDir?: string, override?: string): Variant[] {
  if (libDir) return [dirVariant(libDir, override)];
  const embedded = Object.keys(EMBEDDED_LIBS);
  if (embedded.length > 0) return VARIANTS.filter((v) => embedded.includes(v));
  return VARIANTS.filter((v) => devDir(v) !== null);
}

function devDir(v: Variant): string | null {
  const pkg = variantPackage(v);
  try {
    const manifest = Bun.resolveSync(`@node-llama-cpp/${pkg}/package.json`, import.meta.dir);
    const dir = join(dirname(manifest), "bins", pkg);
    return existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** Finds libllama, libggml and libggml-base in a directory by their name patterns. */
export function inspectDir(dir: string, variant: string, source: LibDir["source"]): LibDir {
  if (!existsSync(dir)) throw new NativeLibraryError(`native library directory not found: ${dir}`);
  const files = readdirSync(dir);
  const pick = (re: RegExp, what: string) => {
    const f = files.find((n) => re.test(n));
    if (!f) throw new NativeLibraryError(`native library ${what} missing in ${dir}`);
    return join(dir, f);
  };
  return {
    variant,
    dir,
    source,
    libllama: pick(/^libllama(\.[a-z0-9]+)*\.(so|dylib|dll)$/, "libllama"),
    libggml: pick(/^libggml(\.[a-z0-9]+)*\.(so|dylib|dll)$/, "libggml"),
    libggmlBase: pick(/^libggml-base\.(so|dylib|dll)$/, "libggml-base"),
  };
}

/** Resolves the directory for `variant` (see module comment). */
export function resolveLibDir(opts: { variant: string; libDirOverride?: string; cacheDir: string }): LibDir {
  if (opts.libDirOverride) return inspectDir(opts.libDirOverride, opts.variant, "env");
  const embedded = EMBEDDED_LIBS[opts.variant];
  if (embedded) return inspectDir(extract(opts.variant, embedded, opts.cacheDir), opts.variant, "embedded");
  if (Object.keys(EMBEDDED_LIBS).length > 0) throw new UnknownVariantError(opts.variant, availableVariants());
  if (!(VARIANTS as readonly string[]).includes(opts.variant)) {
    throw new UnknownVariantError(opts.variant, availableVariants());
  }
  const dir = devDir(opts.variant as Variant);
  if (!dir) throw new NativeLibraryError(`native libraries for variant "${opts.variant}" are not installed`);
  return inspectDir(dir, opts.variant, "node_modules");
}

/** Copies embedded files into <cacheDir>/lib/<variant>-<content hash>/ once; atomic via rename. */
function extract(variant: string, files: Record<string, string>, cacheDir: string): string {
  const names = Object.keys(files).sort();
  const id = createHash("sha256")
    .update(names.map((n) => `${n}:${Bun.file(files[n] as string).size}`).join(","))
    .digest("hex")
    .slice(0, 16);
  const dest = join(cacheDir, "lib", `${variant}-${id}`);
  if (existsSync(join(dest, ".complete"))) return dest;
  const tmp = `${dest}.tmp-${process.pid}-${Date.now()}`;
  try {
    mkdirSync(tmp, { recursive: true });
    for (const n of names) {
      const bytes = readFileSync(files[n] as string);
      writeFileSync(join(tmp, n), bytes);
    }
    writeFileSync(join(tmp, ".complete"), "");
    try {
      renameSync(tmp, dest);
    } catch {
      // Another process won the race; its copy is identical.
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new NativeLibraryError(`cannot extract native libraries to ${dest}: ${(e as Error).message}`, e);
  }
  return dest;
}
