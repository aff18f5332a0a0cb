/**
 * API keys: `KEY` grants the inference scope, `admin:KEY` the admin scope too. Keys come from
 * TSLLM_API_KEYS (comma-separated) and TSLLM_API_KEYS_FILE (one per line, `#` comments, blank lines). Only
 * sha256 digests are kept; a presented key is hashed and compared with every digest in constant time, so
 * neither its content nor which key it resembles shows in the timing. The file is re-read when its mtime,
 * size or inode changes, checked at most once per `recheckMs` (a second by default) on the request path.
 * A file that disappears or cannot be read keeps the keys last read: losing it must not open the server.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import type { Logger } from "../../log.ts";
import { AccessConfigError } from "./errors.ts";

/** What a key may do; `admin` includes `inference`. */
export type KeyScope = "inference" | "admin";

/** A configured key, as its digest. */
export interface KeyEntry {
  digest: Buffer;
  scope: KeyScope;
}

const ADMIN = "admin:";

function sha256(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Constant-time equality of two strings of any lengths (both sides hashed first, so lengths do not leak). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Parses key entries: `sep`-separated, trimmed, `#` lines and blanks skipped; returns the entries and how many were empty. */
export function parseKeys(text: string, sep: string | RegExp): { keys: KeyEntry[]; empty: number } {
  const keys: KeyEntry[] = [];
  let empty = 0;
  for (const raw of text.split(sep)) {
    const item = raw.trim();
    if (!item || item.startsWith("#")) continue;
    const admin = item.startsWith(ADMIN);
    const key = admin ? item.slice(ADMIN.length).trim() : item;
    if (!key) empty++;
    else keys.push({ digest: sha256(key), scope: admin ? "admin" : "inference" });
  }
  return { keys, empty };
}

/** Where the keys come from. */
export interface KeyRingOptions {
  /** TSLLM_API_KEYS as set. */
  list: string;
  /** TSLLM_API_KEYS_FILE, or "" for none. */
  file: string;
  logger?: Logger;
  /** Least time between two checks of the file (ms). */
  recheckMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** The configured keys; `required` is false only when no key setting is set at all. */
export class KeyRing {
  /** True when requests need a key (any key setting is set, even if it holds no keys yet). */
  readonly required: boolean;
  readonly #fixed: KeyEntry[];
  readonly #file: string;
  readonly #log?: Logger;
  readonly #recheckMs: number;
  readonly #now: () => number;
  #all: KeyEntry[] = [];
  #stamp = "";
  #checkedAt = 0;

  constructor(o: KeyRingOptions) {
    this.#file = o.file;
    this.#log = o.logger;
    this.#recheckMs = o.recheckMs ?? 1000;
    this.#now = o.now ?? Date.now;
    const parsed = parseKeys(o.list, ",");
    if (parsed.empty) this.#log?.warn("empty admin: entry in TSLLM_API_KEYS ignored");
    this.#fixed = parsed.keys;
    this.#all = parsed.keys;
    this.required = o.list.trim() !== "" || o.file !== "";
    if (this.#file && !this.#reload())
      throw new AccessConfigError("TSLLM_API_KEYS_FILE: the keys file cannot be read");
    this.#checkedAt = this.#now();
  }

  /** Counts by scope, for the startup log line. */
  counts(): { keys: number; admin: number } {
    const all = this.#all;
    return { keys: all.length, admin: all.filter((k) => k.scope === "admin").length };
  }

  /** The scope of the first of `presented` that is a configured key, or undefined when none is. */
  match(presented: readonly string[]): KeyScope | undefined {
    this.#maybeReload();
    let best: KeyScope | undefined;
    for (const p of presented) {
      const d = sha256(p);
      // Every entry is compared (no early exit), so the time does not say which key matched.
      for (const k of this.#all) if (timingSafeEqual(d, k.digest) && best !== "admin") best = k.scope;
    }
    return best;
  }

  #maybeReload(): void {
    if (!this.#file) return;
    const now = this.#now();
    if (now - this.#checkedAt < this.#recheckMs) return;
    this.#checkedAt = now;
    this.#reload();
  }

  /** Re-reads the file if it changed; false when it cannot be read (the keys last read stay). */
  #reload(): boolean {
    try {
      const st = statSync(this.#file);
      const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
      if (stamp === this.#stamp) return true;
      const parsed = parseKeys(readFileSync(this.#file, "utf8"), /\r?\n/);
      this.#stamp = stamp;
      this.#all = [...this.#fixed, ...parsed.keys];
      if (parsed.empty) this.#log?.warn("empty admin: entry in TSLLM_API_KEYS_FILE ignored");
      this.#log?.info("API keys file read", { keys: parsed.keys.length });
      return true;
    } catch (e) {
      this.#log?.warn("API keys file cannot be read, keeping the keys last read", {
        error: (e as NodeJS.ErrnoException).code ?? "unknown",
      });
      return false;
    }
  }
}
