/**
 * The ed25519 key requests to Ollama's registry and Hugging Face are signed with: Ollama's own
 * `~/.ollama/id_ed25519` when it exists (so a model pushed by either tool lands in the same account),
 * else tsllm's `<TSLLM_HOME>/id_ed25519`, created on first need in the same OpenSSH format.
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../log.ts";
import { SigningKeyError } from "../errors.ts";
import {
  authorizedKey,
  type Ed25519Key,
  formatPrivateKey,
  keyFromObject,
  parsePrivateKey,
} from "./ssh-key.ts";

/** The key file name Ollama uses. */
export const KEY_FILE = "id_ed25519";

/** Where to look for keys. */
export interface KeyLocations {
  /** Ollama's key path (`~/.ollama/id_ed25519`), preferred when it exists. */
  readonly ollamaKeyPath?: string;
  /** tsllm's home; its key is created here when needed. */
  readonly home: string;
}

/** A loaded key and the file it came from. */
export interface LoadedKey extends Ed25519Key {
  readonly path: string;
}

/** Reads and parses a key file, wrapping every failure in SigningKeyError. */
export function readKeyFile(path: string): LoadedKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new SigningKeyError(`cannot read signing key ${path}: ${(err as Error).message}`, err);
  }
  try {
    return { ...parsePrivateKey(text), path };
  } catch (err) {
    throw new SigningKeyError(`invalid signing key ${path}: ${(err as Error).message}`, err);
  }
}

/**
 * Creates `<dir>/id_ed25519` (0600) and its `.pub` (0644) unless another process got there first; the key is
 * written to a temp file and hard-linked into place, so no reader ever sees half a key and a race keeps one.
 */
export function createKeyFile(dir: string): LoadedKey {
  const path = join(dir, KEY_FILE);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync("ed25519");
  const key = keyFromObject(privateKey);
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, formatPrivateKey(key), { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return readKeyFile(path);
  } finally {
    unlinkSync(tmp);
  }
  writeFileSync(`${path}.pub`, `${authorizedKey(key.publicKey)}\n`, { mode: 0o644 });
  return { ...key, path };
}

/** Finds (or creates) the signing key once, on first use. */
export class SigningKeys {
  private key?: LoadedKey;

  constructor(
    private readonly where: KeyLocations,
    private readonly log: Logger,
  ) {}

  /** The key to sign with. */
  get(): LoadedKey {
    this.key ??= this.load();
    return this.key;
  }

  private load(): LoadedKey {
    const ollama = this.where.ollamaKeyPath;
    if (ollama && existsSync(ollama)) {
      try {
        const key = readKeyFile(ollama);
        this.log.debug("signing with Ollama's key", { path: ollama });
        return key;
      } catch (err) {
        this.log.warn("Ollama's key is unusable, using tsllm's own", { error: (err as Error).message });
      }
    }
    const own = join(this.where.home, KEY_FILE);
    if (existsSync(own)) return readKeyFile(own);
    try {
      const key = createKeyFile(this.where.home);
      this.log.info("created a registry signing key", {
        path: key.path,
        public_key: authorizedKey(key.publicKey),
      });
      return key;
    } catch (err) {
      if (err instanceof SigningKeyError) throw err;
      throw new SigningKeyError(
        `cannot create signing key in ${this.where.home}: ${(err as Error).message}`,
        err,
      );
    }
  }
}
