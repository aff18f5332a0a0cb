/** Bearer tokens: the token service's answer, and a cache of Authorization values until they expire. */

/** Token lifetime when the service gives none (the distribution token spec's default). */
export const DEFAULT_EXPIRES_S = 60;
/** Tokens are renewed this long before they expire, so a request never leaves with a token about to lapse. */
const RENEW_EARLY_MS = 5_000;

/** A token service answer, reduced to what the client uses. */
export interface TokenAnswer {
  readonly token: string;
  readonly expiresInS: number;
}

/** Parses `{"token"|"access_token", "expires_in"}`; undefined when no token is present. */
export function parseTokenAnswer(body: unknown): TokenAnswer | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const token = typeof b.token === "string" && b.token ? b.token : b.access_token;
  if (typeof token !== "string" || !token) return undefined;
  const exp = typeof b.expires_in === "number" && b.expires_in > 0 ? b.expires_in : DEFAULT_EXPIRES_S;
  return { token, expiresInS: exp };
}

/** Authorization values per key (registry, repository, access, credential) with an expiry. */
export class TokenCache {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number) {}

  /** The cached value, unless it is expired or about to be. */
  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() >= e.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Caches `value` for `ttlS` seconds (Infinity: until forgotten). */
  set(key: string, value: string, ttlS: number): void {
    const ttlMs = ttlS * 1000;
    const early = ttlMs > 2 * RENEW_EARLY_MS ? RENEW_EARLY_MS : 0;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs - early });
  }

  /** Drops a value the registry just refused. */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
