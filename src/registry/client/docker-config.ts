/**
 * Credentials from docker's `config.json`: a credential helper named for the host (`credHelpers`) or for
 * every host (`credsStore`), run as `docker-credential-<name> get`; else the `auths` entry (`auth` =
 * base64 user:password, `username`/`password`, `identitytoken`, `registrytoken`).
 */
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Logger } from "../../log.ts";
import { normalizeHost, type RegistryCredential } from "./credential.ts";

/** The part of config.json that holds credentials. */
interface DockerConfig {
  auths?: Record<string, DockerAuth>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

interface DockerAuth {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Docker Hub's credentials live under its legacy index URL. */
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";
/** A helper that hangs (waiting on a keyring prompt) must not hang a pull. */
const HELPER_TIMEOUT_MS = 15_000;

function readConfig(dir: string, log: Logger): DockerConfig | undefined {
  const path = join(dir, "config.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as DockerConfig) : undefined;
  } catch {
    log.warn("ignoring unparsable docker config", { path });
    return undefined;
  }
}

/** The credential for `host` from the docker config in `dir`. */
export async function dockerCredential(
  dir: string,
  host: string,
  helperPath: string | undefined,
  log: Logger,
): Promise<RegistryCredential | undefined> {
  const config = readConfig(dir, log);
  if (!config) return undefined;
  const want = normalizeHost(host);
  const hub = DOCKER_HUB_ALIASES.has(want);
  const helperFor = Object.entries(config.credHelpers ?? {}).find(([k]) => normalizeHost(k) === want)?.[1];
  for (const helper of [helperFor, config.credsStore]) {
    if (!helper) continue;
    const found = await runHelper(helper, hub ? DOCKER_HUB_KEY : want, helperPath, log);
    if (found) return found;
  }
  const entry = Object.entries(config.auths ?? {}).find(([k]) =>
    hub ? k === DOCKER_HUB_KEY || DOCKER_HUB_ALIASES.has(normalizeHost(k)) : normalizeHost(k) === want,
  )?.[1];
  return entry ? fromAuthEntry(entry) : undefined;
}

/** Turns one `auths` entry into a credential. */
export function fromAuthEntry(e: DockerAuth): RegistryCredential | undefined {
  const source = "docker config";
  if (typeof e.registrytoken === "string" && e.registrytoken)
    return { kind: "bearer", token: e.registrytoken, source };
  if (typeof e.identitytoken === "string" && e.identitytoken)
    return { kind: "identity", token: e.identitytoken, source };
  if (typeof e.auth === "string" && e.auth) {
    const decoded = Buffer.from(e.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0)
      return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  if (typeof e.username === "string" && typeof e.password === "string" && e.username) {
    return { kind: "basic", username: e.username, password: e.password, source };
  }
  return undefined;
}

/** The executable `name` on `path`, or undefined. */
function which(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs `docker-credential-<helper> get` with the server on stdin; undefined when absent or it has nothing. */
async function runHelper(
  helper: string,
  server: string,
  path: string | undefined,
  log: Logger,
): Promise<RegistryCredential | undefined> {
  const name = `docker-credential-${helper}`;
  if (!/^[A-Za-z0-9._-]+$/.test(helper)) {
    log.debug("skipping a credential helper with an invalid name", {});
    return undefined;
  }
  const exe = which(name, path);
  if (!exe) {
    log.debug("credential helper not found on PATH, skipped", { helper: name });
    return undefined;
  }
  const proc = Bun.spawn([exe, "get"], { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  proc.stdin.write(server);
  await proc.stdin.end();
  const timer = setTimeout(() => proc.kill(), HELPER_TIMEOUT_MS);
  try {
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    if (code !== 0) {
      log.debug("credential helper has no credentials for this registry", { helper: name, exit: code });
      return undefined;
    }
    const parsed = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
    const user = typeof parsed.Username === "string" ? parsed.Username : "";
    const secret = typeof parsed.Secret === "string" ? parsed.Secret : "";
    if (!secret) return undefined;
    const source = name;
    // Docker's convention: the user "<token>" marks an identity (refresh) token.
    if (user === "<token>") return { kind: "identity", token: secret, source };
    return { kind: "basic", username: user, password: secret, source };
  } catch {
    log.debug("credential helper answered something unreadable", { helper: name });
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
