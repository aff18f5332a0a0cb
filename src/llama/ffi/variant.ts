/**
 * libllama variants: which builds exist, where their files come from in development, and which one this
 * machine should use (NVIDIA driver + cuda → cuda; a real Vulkan GPU → vulkan; else cpu).
 */
import { existsSync, readdirSync } from "node:fs";

/** A libllama build. */
export type Variant = "cpu" | "vulkan" | "cuda";

/** Every variant tsllm knows, best first for auto-selection. */
export const VARIANTS: readonly Variant[] = ["cuda", "vulkan", "cpu"];

/** The npm package (and its bins/ folder) holding a variant's prebuilt libraries on this platform. */
export function variantPackage(v: Variant): string {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const os = process.platform === "darwin" ? "mac" : process.platform === "win32" ? "win" : "linux";
  return v === "cpu" ? `${os}-${arch}` : `${os}-${arch}-${v}`;
}

/** What the machine offers, as probed from the filesystem (injectable for tests). */
export interface MachineProbe {
  nvidiaDriver: boolean;
  /** Vulkan ICDs other than the software rasterizer (lavapipe), i.e. a real GPU. */
  vulkanGpu: boolean;
}

/**
 * Probes /proc, the Vulkan ICD directories and /dev/dri: a Vulkan GPU needs a hardware driver (ICD) and a
 * render node. Mesa installs ICDs for several vendors at once, so an ICD alone proves nothing.
 */
export function probeMachine(): MachineProbe {
  const icdDirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
  const icds = icdDirs.flatMap((d) => (existsSync(d) ? readdirSync(d) : []));
  const renderNode = existsSync("/dev/dri") && readdirSync("/dev/dri").some((f) => f.startsWith("renderD"));
  const nvidia = existsSync("/proc/driver/nvidia/version");
  return {
    nvidiaDriver: nvidia,
    vulkanGpu: icds.some((f) => f.endsWith(".json") && !f.startsWith("lvp_")) && (renderNode || nvidia),
  };
}

/** Picks the variant: the override if given, else the best one available that the machine can run. */
export function chooseVariant(available: readonly Variant[], probe: MachineProbe, override?: string): string {
  if (override) return override;
  if (available.includes("cuda") && probe.nvidiaDriver) return "cuda";
  if (available.includes("vulkan") && probe.vulkanGpu) return "vulkan";
  return "cpu";
}
