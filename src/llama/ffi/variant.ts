/**
 * libllama variants: which builds exist, where their files come from in development, and which one this
 * machine should use (NVIDIA driver + a CUDA build it can run → cuda; a real Vulkan GPU → vulkan; else cpu),
 * with a human reason for every variant passed over.
 */
import { CString, dlopen } from "bun:ffi";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EMBEDDED_LIBS } from "./embedded.ts";

/** A libllama build. `cuda-ext` is the CUDA 12 build for older GPUs (sm_50–80, compute_86 PTX). */
export type Variant = "cpu" | "vulkan" | "cuda" | "cuda-ext";

/** Every variant tsllm knows, best first for auto-selection (and fallback order). */
export const VARIANTS: readonly Variant[] = ["cuda", "cuda-ext", "vulkan", "cpu"];

/** The npm package (and its bins/ folder) holding a variant's prebuilt libraries on this platform. */
export function variantPackage(v: Variant): string {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const os = process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "linux";
  return v === "cpu" ? `${os}-${arch}` : `${os}-${arch}-${v}`;
}

/** What a CUDA libggml was built for: the CUDA major version, real architectures (SASS) and PTX targets. */
export interface CudaBuild {
  cuda: number;
  /** e.g. "86", "120a" ("a": architecture-specific, runs only on that exact compute capability). */
  sass: string[];
  /** PTX targets: JIT-compiled by the driver for any GPU at or above them. */
  ptx: string[];
}

/** The prebuilt CUDA libraries of @node-llama-cpp/linux-x64-cuda(-ext) 3.22.1. */
export const PREBUILT_CUDA: Record<"cuda" | "cuda-ext", CudaBuild> = {
  cuda: { cuda: 13, sass: ["86", "89", "120a", "121a"], ptx: [] },
  "cuda-ext": { cuda: 12, sass: ["50", "52", "60", "61", "70", "75", "80"], ptx: ["86"] },
};

/** Metadata file written by scripts/build-cuda.sh beside a custom libggml-cuda.so (a CudaBuild as JSON). */
export const CUDA_BUILD_FILE = "tsllm-cuda.json";

/** Oldest driver branch that runs each CUDA major version (NVIDIA's compatibility table). */
const MIN_DRIVER: Record<number, number> = { 12: 525, 13: 580 };

/** What the machine offers, as probed (injectable for tests). */
export interface MachineProbe {
  nvidiaDriver: boolean;
  /** Kernel driver version, e.g. "580.65.06", when known. */
  driverVersion?: string;
  /** Compute capability of each NVIDIA GPU ("9.0"); empty when unknown (no nvidia-smi). */
  computeCaps: string[];
  /** Vulkan ICDs other than the software rasterizer (lavapipe), i.e. a real GPU. */
  vulkanGpu: boolean;
  /** CUDA libraries the dynamic loader cannot open → why ("not found", a hint, or dlerror's text). */
  unloadable: Record<string, string>;
  /** What each CUDA variant of this build targets. */
  builds: Partial<Record<Variant, CudaBuild>>;
}

/** The chosen variant and why every better one was passed over. */
export interface VariantChoice {
  variant: string;
  /** One line per variant passed over: "cuda: libcudart.so.13 not found". */
  skipped: string[];
  /** True when the machine asked for more (an override, or an NVIDIA GPU) than it got: worth a warning. */
  fellBack: boolean;
}

/** Picks the variant: the override if the machine can run it, else the best available one it can run. */
export function chooseVariant(available: readonly Variant[], probe: MachineProbe, override?: string): string {
  return chooseVariantWithReasons(available, probe, override).variant;
}

/** chooseVariant with the reason for each variant skipped (shown by `tsllm info`, logged by serve). */
export function chooseVariantWithReasons(
  available: readonly Variant[],
  probe: MachineProbe,
  override?: string,
): VariantChoice {
  // An unknown name is kept so that loading reports it as an error rather than silently running on CPU.
  if (override && !(VARIANTS as readonly string[]).includes(override)) {
    return { variant: override, skipped: [], fellBack: false };
  }
  const start = override ? VARIANTS.indexOf(override as Variant) : 0;
  const skipped: string[] = [];
  let gpuSkipped = false;
  for (const v of VARIANTS.slice(start)) {
    const problem = available.includes(v) ? variantProblem(v, probe, v === override) : "not in this build";
    if (!problem) {
      return { variant: v, skipped, fellBack: (!!override && v !== override) || gpuSkipped };
    }
    if (v.startsWith("cuda") && probe.nvidiaDriver && available.includes(v)) gpuSkipped = true;
    skipped.push(`${v}: ${problem}`);
  }
  return { variant: "cpu", skipped, fellBack: !!override || gpuSkipped };
}

/** One line for logs: "cuda: …; using cuda-ext". */
export function describeChoice(c: VariantChoice): string {
  return [...c.skipped, `using ${c.variant}`].join("; ");
}

function variantProblem(v: Variant, probe: MachineProbe, forced: boolean): string | null {
  if (v === "cpu") return null;
  // An explicit vulkan is honoured even on a software renderer (lavapipe is a real, if slow, device).
  if (v === "vulkan") return probe.vulkanGpu || forced ? null : "no Vulkan GPU (no hardware driver)";
  const build = probe.builds[v] ?? PREBUILT_CUDA[v];
  const problems = cudaProblems(build, probe);
  return problems.length > 0 ? problems.join("; ") : null;
}

function cudaProblems(build: CudaBuild, probe: MachineProbe): string[] {
  const out: string[] = [];
  if (!probe.nvidiaDriver) out.push("no NVIDIA driver (/proc/driver/nvidia/version absent)");
  const major = Number.parseInt(probe.driverVersion ?? "", 10);
  const min = MIN_DRIVER[build.cuda];
  if (min && major < min)
    out.push(`driver ${probe.driverVersion} too old for CUDA ${build.cuda} (needs ≥ ${min})`);
  const libs = [
    "libcuda.so.1",
    ...["libcudart", "libcublas", "libcublasLt"].map((l) => `${l}.so.${build.cuda}`),
  ];
  const notFound = libs.filter((l) => probe.unloadable[l] === "not found");
  if (notFound.length > 0) out.push(`${notFound.join(", ")} not found`);
  for (const l of libs) {
    const why = probe.unloadable[l];
    if (why && why !== "not found") out.push(`${l} ${why}`);
  }
  const uncovered = probe.computeCaps.filter((cc) => !runsOn(build, cc));
  if (uncovered.length > 0) {
    const sms = [...new Set(uncovered)].map((cc) => `sm_${cc.replace(".", "")}`).join(", ");
    const targets = [...build.sass.map((a) => `sm_${a}`), ...build.ptx.map((a) => `compute_${a}`)].join(", ");
    out.push(`GPU ${sms} not in this build (${targets})`);
  }
  return out;
}

/** Whether a build has code for compute capability `cc` ("8.6"): SASS of the same major, or PTX at or below. */
export function runsOn(build: CudaBuild, cc: string): boolean {
  const [maj, min] = cc.split(".").map((n) => Number.parseInt(n, 10)) as [number, number];
  const gpu = maj * 10 + (min || 0);
  const sass = build.sass.some((a) => {
    const n = Number.parseInt(a, 10);
    if (Math.floor(n / 10) !== maj) return false;
    return a.endsWith("a") ? n === gpu : n <= gpu; // cubins run on later minors of one major, "a" only on its own
  });
  return sass || build.ptx.some((a) => Number.parseInt(a, 10) <= gpu);
}

/**
 * Probes /proc, nvidia-smi, the dynamic loader and the Vulkan ICD directories. A Vulkan GPU needs a hardware
 * driver (ICD) and a render node: Mesa installs ICDs for several vendors at once, so an ICD alone proves nothing.
 */
export function probeMachine(libDir?: string, override?: string): MachineProbe {
  const icdDirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
  const icds = icdDirs.flatMap((d) => (existsSync(d) ? readdirSync(d) : []));
  const renderNode = existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("renderD"));
  const nvidia = existsSync("/proc/driver/nvidia/version");
  const smi = nvidia ? nvidiaSmi() : { caps: [] };
  return {
    nvidiaDriver: nvidia,
    driverVersion: smi.driver ?? (nvidia ? procDriverVersion() : undefined),
    computeCaps: smi.caps,
    vulkanGpu: icds.some((f) => f.endsWith(".json") && !f.startsWith("lvp_")) && (renderNode || nvidia),
    unloadable: process.platform === "linux" ? unloadableCudaLibs() : {},
    builds: { ...embeddedCudaBuilds(), ...dirCudaBuild(libDir, override) },
  };
}

function procDriverVersion(): string | undefined {
  const text = readFileSync("/proc/driver/nvidia/version", "utf8");
  return /Kernel Module(?:\s+for\s+\S+)?\s+(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

function nvidiaSmi(): { caps: string[]; driver?: string } {
  try {
    const args = ["nvidia-smi", "--query-gpu=compute_cap,driver_version", "--format=csv,noheader"];
    const r = Bun.spawnSync(args, { stdout: "pipe", stderr: "ignore", timeout: 10_000 });
    if (r.exitCode !== 0) return { caps: [] };
    const rows = r.stdout
      .toString()
      .trim()
      .split("\n")
      .map((l) => l.split(",").map((s) => s.trim()));
    return { caps: rows.map((r) => r[0] ?? "").filter((c) => /^\d+\.\d+$/.test(c)), driver: rows[0]?.[1] };
  } catch {
    return { caps: [] }; // no nvidia-smi: capability unknown, the build's own check decides at load
  }
}

const CUDA_LIBS = ["libcuda.so.1", "libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"].flatMap((l) =>
  l === "libcuda.so.1" ? [l] : [l, l.replace(".so.12", ".so.13")],
);

/** Asks the dynamic loader itself (dlopen, as ggml will), so ldconfig's cache and LD_LIBRARY_PATH both count. */
function unloadableCudaLibs(): Record<string, string> {
  const out: Record<string, string> = {};
  let c: ReturnType<typeof libc>;
  try {
    c = libc();
  } catch {
    return out;
  }
  for (const name of CUDA_LIBS) {
    const h = c.symbols.dlopen(Buffer.from(`${name}\0`), 1 /* RTLD_LAZY */);
    if (h) {
      c.symbols.dlclose(h);
      continue;
    }
    const err = c.symbols.dlerror();
    const text = err ? new CString(err).toString() : "";
    if (!/No such file/.test(text) && text) out[name] = `cannot be loaded: ${text}`;
    else {
      const dir = cudaInstallDirs().find((d) => existsSync(join(d, name)));
      out[name] = dir ? `not on the loader path (found in ${dir}: add it to LD_LIBRARY_PATH)` : "not found";
    }
  }
  c.close();
  return out;
}

function libc() {
  return dlopen("libc.so.6", {
    dlopen: { args: ["ptr", "i32"], returns: "ptr" }, // void *dlopen(const char *, int)
    dlerror: { args: [], returns: "ptr" }, // char *dlerror(void)
    dlclose: { args: ["ptr"], returns: "i32" }, // int dlclose(void *)
  });
}

function cudaInstallDirs(): string[] {
  const roots = existsSync("/usr/local") ? readdirSync("/usr/local").filter((d) => d.startsWith("cuda")) : [];
  return roots.flatMap((r) =>
    ["lib64", "lib", "targets/x86_64-linux/lib"].map((l) => join("/usr/local", r, l)),
  );
}

/**
 * The variant a TSLLM_LIB_DIR holds: the override when it names a known variant, else read off the backend
 * libraries in it (libggml-cuda → cuda, libggml-vulkan → vulkan, else cpu).
 */
export function dirVariant(dir: string, override?: string): Variant {
  if (override && (VARIANTS as readonly string[]).includes(override)) return override as Variant;
  const files = existsSync(dir) ? readdirSync(dir) : [];
  if (files.some((f) => /^libggml-cuda\./.test(f))) return "cuda";
  if (files.some((f) => /^libggml-vulkan\./.test(f))) return "vulkan";
  return "cpu";
}

/** A build's tsllm-cuda.json, or undefined when it is unreadable (the prebuilt table then decides). */
function readCudaBuild(file: string): CudaBuild | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as CudaBuild;
  } catch {
    return undefined;
  }
}

/** A TSLLM_LIB_DIR's own CUDA build metadata (scripts/build-cuda.sh writes it beside libggml-cuda.so). */
function dirCudaBuild(libDir?: string, override?: string): Partial<Record<Variant, CudaBuild>> {
  const meta = libDir ? join(libDir, CUDA_BUILD_FILE) : "";
  const build = meta && existsSync(meta) ? readCudaBuild(meta) : undefined;
  return build && libDir ? { [dirVariant(libDir, override)]: build } : {};
}

/** Custom CUDA builds embedded with their metadata (scripts/build-cuda.sh) override the prebuilt tables. */
function embeddedCudaBuilds(): Partial<Record<Variant, CudaBuild>> {
  const out: Partial<Record<Variant, CudaBuild>> = {};
  for (const v of ["cuda", "cuda-ext"] as const) {
    const meta = EMBEDDED_LIBS[v]?.[CUDA_BUILD_FILE];
    const build = meta ? readCudaBuild(meta) : undefined;
    if (build) out[v] = build;
  }
  return out;
}
