/** The User-Agent registries see, shaped like Ollama's `ollama/<version> (<arch> <os>) Go/<version>`. */
import { VERSION } from "../../version.ts";

/** Node's arch names → Go's (what Ollama reports). */
const GO_ARCH: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" };
/** Node's platform names → Go's. */
const GO_OS: Record<string, string> = { win32: "windows", darwin: "darwin", linux: "linux" };

/** `tsllm/<version> (<arch> <os>) Bun/<version>`. */
export function userAgent(): string {
  const arch = GO_ARCH[process.arch] ?? process.arch;
  const os = GO_OS[process.platform] ?? process.platform;
  return `tsllm/${VERSION} (${arch} ${os}) Bun/${Bun.version}`;
}
