/**
 * `tsllm --version`: tsllm's, the Ollama API's and llama.cpp's versions; then, when a server answers at
 * TSLLM_HOST/OLLAMA_HOST, what it reports in Ollama's words ("ollama version is …", as `ollama --version`
 * prints its server's) with a warning when its tsllm version differs from this client's.
 */
import type { Env } from "../config/env.ts";
import { initBackend } from "../llama/engine/backend.ts";
import { OLLAMA_VERSION, VERSION } from "../version.ts";
import { ApiClient } from "./http.ts";
import { backendOptions } from "./info.ts";

/** What GET /api/version answered: `version` (Ollama-compatible); a tsllm server adds `tsllm_version`. */
export interface ServerVersion {
  version?: string;
  tsllm_version?: string;
}

/** The facts the version text is made of. */
export interface VersionFacts {
  tsllm: string;
  /** The Ollama API version this tsllm implements. */
  ollamaApi: string;
  llama: string;
  variant: string;
  host: string;
  /** undefined: no server answered. */
  server?: ServerVersion;
}

/** The lines printed on stdout. */
export function versionText(f: VersionFacts): string {
  const lines = [
    `tsllm version ${f.tsllm}`,
    `Ollama API version ${f.ollamaApi}`,
    `llama.cpp version ${f.llama} (${f.variant})`,
  ];
  const s = f.server;
  const own = s?.tsllm_version;
  if (s?.version)
    lines.push(`server at ${f.host}: ollama version is ${s.version}${own ? ` (tsllm ${own})` : ""}`);
  if (own && own !== f.tsllm) lines.push(`Warning: client version is ${f.tsllm}`);
  return lines.map((l) => `${l}\n`).join("");
}

/** Asks the configured server for its version; undefined when none answers within two seconds. */
export async function serverVersion(client: ApiClient): Promise<ServerVersion | undefined> {
  try {
    const res = await client.request("GET", "/api/version", undefined, AbortSignal.timeout(2000));
    const body = (await res.json()) as Record<string, unknown>;
    const text = (k: string) => (typeof body[k] === "string" ? { [k]: body[k] as string } : {});
    return { ...text("version"), ...text("tsllm_version") };
  } catch {
    return undefined;
  }
}

/** Prints the versions; works without a server (a warning on stderr says none answered). */
export async function versionCommand(env: Env): Promise<number> {
  const n = initBackend(backendOptions(env));
  const client = new ApiClient(env);
  const server = await serverVersion(client);
  process.stdout.write(
    versionText({
      tsllm: VERSION,
      ollamaApi: OLLAMA_VERSION,
      llama: n.llamaVersion,
      variant: n.lib.variant,
      host: client.host,
      server,
    }),
  );
  if (!server) process.stderr.write(`Warning: could not connect to a running server at ${client.host}\n`);
  return 0;
}
