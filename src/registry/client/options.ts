/** What the registry client is configured with, and how it is read from the environment. */
import { join } from "node:path";
import { ENV, type Env } from "../../config/env.ts";
import type { Logger } from "../../log.ts";

/** Resolves a host name to every address it has (node:dns lookup with `all`). */
export type ResolveHost = (host: string) => Promise<string[]>;

/** The registry client's dependencies and settings. */
export interface ClientOptions {
  readonly logger: Logger;
  /** tsllm's home (TSLLM_HOME): its own `id_ed25519` is created here when Ollama's is absent. */
  readonly home: string;
  /** Ollama's key (`~/.ollama/id_ed25519`), used for signing when the file exists. */
  readonly ollamaKeyPath?: string;
  /** TSLLM_REGISTRY_AUTH: `host=user:password` or `host=token`, comma-separated. */
  readonly registryAuth?: string;
  /** The directory of docker's `config.json` (DOCKER_CONFIG, default ~/.docker). */
  readonly dockerConfigDir?: string;
  /** Follow redirects to private or link-local addresses even from a public registry. */
  readonly privateRedirects?: boolean;
  /** Milliseconds since the epoch; token expiry is measured with it. */
  readonly now?: () => number;
  /** Host name resolution for the redirect address policy (default: node:dns lookup). */
  readonly resolveHost?: ResolveHost;
  /** PATH searched for `docker-credential-<helper>` (default: the process's own lookup). */
  readonly helperPath?: string;
}

/** Reads the client's settings from the env registry. */
export function clientOptionsFromEnv(env: Env, logger: Logger): ClientOptions {
  const home = env.raw("HOME");
  return {
    logger,
    home: env.path(ENV.HOME),
    ollamaKeyPath: home ? join(home, ".ollama", "id_ed25519") : undefined,
    registryAuth: env.get(ENV.REGISTRY_AUTH),
    dockerConfigDir: env.path(ENV.DOCKER_CONFIG),
    privateRedirects: env.bool(ENV.REGISTRY_PRIVATE_REDIRECTS),
    helperPath: env.raw("PATH"),
  };
}
