/** Builds the guard's compiled settings from the env registry, once at startup (nothing is read per request). */
import { hostname, networkInterfaces } from "node:os";
import { ENV, type Env } from "../../config/env.ts";
import type { Logger } from "../../log.ts";
import type { AccessOptions } from "./guard.ts";
import { HostPolicy } from "./hosts.ts";
import { KeyRing } from "./keys.ts";
import { OriginPolicy } from "./origins.ts";

/** A comma-separated setting as trimmed, non-empty entries. */
function list(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Addresses of this machine's interfaces (Ollama's isLocalIP asks the same of every interface). */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
}

/** The access settings for a server bound to `bind`; throws AccessConfigError for an unreadable keys file. */
export function accessOptionsFromEnv(env: Env, bind: string, logger?: Logger): AccessOptions {
  const keys = new KeyRing({
    list: env.get(ENV.API_KEYS),
    file: env.path(ENV.API_KEYS_FILE),
    logger,
  });
  if (keys.required) {
    const { keys: n, admin } = keys.counts();
    logger?.info("API keys required", { keys: n, admin });
    if (n === 0) logger?.warn("API keys are required but none is configured: every request needs one");
  }
  return {
    hosts: new HostPolicy({
      bind,
      allowed: list(env.get(ENV.ALLOWED_HOSTS)),
      machine: hostname(),
      localAddresses: localAddresses(),
    }),
    origins: new OriginPolicy(list(env.first(ENV.ORIGINS, ENV.OLLAMA_ORIGINS))),
    keys,
  };
}
