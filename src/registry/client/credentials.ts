/**
 * Which credentials a registry gets, in order: the request's own, then TSLLM_REGISTRY_AUTH, then docker's
 * config (credential helpers, then `auths`). Secrets never reach a log line; only where they came from does.
 */
import type { Logger } from "../../log.ts";
import type { Credentials } from "../types.ts";
import { normalizeHost, type RegistryCredential } from "./credential.ts";
import { dockerCredential } from "./docker-config.ts";

/** Where credentials are looked up. */
export interface CredentialSources {
  readonly registryAuth?: string;
  readonly dockerConfigDir?: string;
  readonly helperPath?: string;
}

/** Parses TSLLM_REGISTRY_AUTH (`host=user:password` or `host=token`, comma-separated) for one host. */
export function envCredential(value: string, host: string, log?: Logger): RegistryCredential | undefined {
  const want = normalizeHost(host);
  for (const entry of value.split(",")) {
    if (!entry.trim()) continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      log?.warn("ignoring a TSLLM_REGISTRY_AUTH entry without host=", {});
      continue;
    }
    if (normalizeHost(entry.slice(0, eq)) !== want) continue;
    const secret = entry.slice(eq + 1).trim();
    const colon = secret.indexOf(":");
    const source = "TSLLM_REGISTRY_AUTH";
    if (colon < 0) return { kind: "bearer", token: secret, source };
    return { kind: "basic", username: secret.slice(0, colon), password: secret.slice(colon + 1), source };
  }
  return undefined;
}

/** The credential for `host`, or undefined when none is configured. */
export async function findCredential(
  host: string,
  request: Credentials | undefined,
  sources: CredentialSources,
  log: Logger,
): Promise<RegistryCredential | undefined> {
  if (request && (request.username || request.password)) {
    return { kind: "basic", username: request.username, password: request.password, source: "request" };
  }
  const fromEnv = sources.registryAuth ? envCredential(sources.registryAuth, host, log) : undefined;
  if (fromEnv) return fromEnv;
  if (!sources.dockerConfigDir) return undefined;
  return dockerCredential(sources.dockerConfigDir, host, sources.helperPath, log);
}
