/**
 * Answers a registry's 401: Bearer challenges get a token from the realm (signed the way Ollama signs for
 * its registry and Hugging Face; Basic credentials or an identity token elsewhere), Basic challenges get the
 * configured user and password. Answers are cached per registry, repository, access and credential.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../log.ts";
import { RegistryAuthError, RegistryResponseError, RegistryUnreachableError } from "../errors.ts";
import type { Credentials, RegistryRef } from "../types.ts";
import { type Challenge, pickChallenge } from "./challenge.ts";
import type { RegistryCredential } from "./credential.ts";
import { findCredential } from "./credentials.ts";
import type { SigningKeys } from "./keys.ts";
import type { ClientOptions } from "./options.ts";
import type { RedirectPolicy } from "./redirect-policy.ts";
import { signatureHeader, signedText, signsRequests, tokenUrl } from "./signing.ts";
import { parseTokenAnswer, TokenCache } from "./token.ts";

/** Sends one request without following redirects (the client's own fetch). */
export type RawFetch = (url: URL, init: RequestInit) => Promise<Response>;

/** What the authenticator needs besides the client options. */
export interface AuthDeps {
  readonly log: Logger;
  readonly fetch: RawFetch;
  readonly policy: RedirectPolicy;
  readonly keys: SigningKeys;
}

type Access = "pull" | "push";

/** Longest wait for a token service. */
const TOKEN_TIMEOUT_MS = 30_000;

/** Waits for `p` unless `signal` aborts first (the shared work itself goes on for the other waiters). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Produces Authorization header values for registries. */
export class Authenticator {
  private readonly cache: TokenCache;
  private readonly now: () => number;
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly opts: ClientOptions,
    private readonly deps: AuthDeps,
  ) {
    this.now = opts.now ?? Date.now;
    this.cache = new TokenCache(this.now);
  }

  /** A value that worked before (an unexpired token, accepted Basic), sent with the first attempt. */
  preemptive(ref: RegistryRef, access: Access, request?: Credentials): string | undefined {
    return this.cache.get(cacheKey(ref, access, request));
  }

  /** Why a second 401 happened, in words that help: for signing registries, which key was not accepted. */
  rejection(host: string): string {
    if (!signsRequests(host)) return "credentials rejected";
    return `the registry does not accept the key ${this.deps.keys.get().path} (is its .pub added to your account?)`;
  }

  /** Drops what is cached for this request (the registry just refused it). */
  forget(ref: RegistryRef, access: Access, request?: Credentials): void {
    this.cache.delete(cacheKey(ref, access, request));
  }

  /**
   * The Authorization value answering `header` (a WWW-Authenticate value); RegistryAuthError when none.
   * Concurrent answers for one key share a single token request (parallel blob parts all hit 401 at once).
   */
  answer(
    ref: RegistryRef,
    access: Access,
    header: string,
    request?: Credentials,
    signal?: AbortSignal,
  ): Promise<string> {
    const key = cacheKey(ref, access, request);
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.obtain(ref, access, header, request).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return abortable(pending, signal);
  }

  private async obtain(
    ref: RegistryRef,
    access: Access,
    header: string,
    request: Credentials | undefined,
  ): Promise<string> {
    const registry = new URL(ref.base);
    const challenge = pickChallenge(header);
    if (!challenge) throw new RegistryAuthError(registry.host, "no supported authentication challenge");
    const key = cacheKey(ref, access, request);
    if (challenge.scheme === "basic") {
      const cred = await this.credential(registry.host, request);
      if (cred?.kind !== "basic") throw new RegistryAuthError(registry.host, "no credentials configured");
      const value = basic(cred.username, cred.password);
      this.cache.set(key, value, Number.POSITIVE_INFINITY);
      return value;
    }
    const { value, ttlS } = await this.bearer(ref, access, challenge, request);
    this.cache.set(key, value, ttlS);
    return value;
  }

  private async bearer(
    ref: RegistryRef,
    access: Access,
    challenge: Challenge,
    request: Credentials | undefined,
  ): Promise<{ value: string; ttlS: number }> {
    const registry = new URL(ref.base);
    const realm = parseRealm(challenge.params.realm, registry.host);
    const service = challenge.params.service ?? "";
    const scope =
      challenge.params.scope || `repository:${ref.repository}:${access === "push" ? "pull,push" : "pull"}`;
    const signed = signsRequests(registry.host);
    if (signed && realm.host !== registry.host) {
      // Ollama's rule: the signed token request never leaves the registry's own host.
      throw new RegistryAuthError(registry.host, `realm host ${realm.host} does not match the registry`);
    }
    // A realm elsewhere gets credentials: it must pass the same address and downgrade rules as a redirect.
    if (realm.origin !== registry.origin) await this.deps.policy.check(ref, registry, realm);
    const headers = new Headers();
    let url: string;
    // Shared by every waiting request, so bounded by its own timeout rather than one caller's signal.
    const signal = AbortSignal.timeout(TOKEN_TIMEOUT_MS);
    let init: RequestInit = { method: "GET", signal };
    if (signed) {
      url = tokenUrl({ realm: realm.href, service, scope, signed: { nowMs: this.now() } });
      headers.set("Authorization", signatureHeader(this.deps.keys.get(), signedText("GET", url)));
    } else {
      const cred = await this.credential(registry.host, request);
      if (cred?.kind === "bearer") return { value: `Bearer ${cred.token}`, ttlS: Number.POSITIVE_INFINITY };
      if (cred?.kind === "identity") {
        url = realm.href;
        init = { method: "POST", signal, body: refreshForm(cred.token, service, scope) };
        headers.set("Content-Type", "application/x-www-form-urlencoded");
      } else {
        url = tokenUrl({ realm: realm.href, service, scope });
        if (cred?.kind === "basic") headers.set("Authorization", basic(cred.username, cred.password));
      }
    }
    const res = await this.deps.fetch(new URL(url), { ...init, headers }).catch((err: unknown) => {
      if (signal.aborted)
        throw new RegistryUnreachableError(init.method ?? "GET", url, "token request timed out");
      throw err;
    });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryAuthError(registry.host, `token service answered ${res.status}`);
    }
    if (res.status >= 300) throw await RegistryResponseError.from(res);
    const answer = parseTokenAnswer(await res.json().catch(() => undefined));
    if (!answer) throw new RegistryAuthError(registry.host, "token service returned no token");
    this.deps.log.debug("registry token obtained", {
      registry: registry.host,
      scope,
      expires_in: answer.expiresInS,
    });
    return { value: `Bearer ${answer.token}`, ttlS: answer.expiresInS };
  }

  private async credential(host: string, request?: Credentials): Promise<RegistryCredential | undefined> {
    const cred = await findCredential(host, request, this.opts, this.deps.log);
    this.deps.log.debug("registry credentials", { registry: host, source: cred?.source ?? "none" });
    return cred;
  }
}

/** The realm as a URL; RegistryAuthError when absent or not http(s). */
function parseRealm(realm: string | undefined, host: string): URL {
  try {
    const u = new URL(realm ?? "");
    if (u.protocol === "https:" || u.protocol === "http:") return u;
  } catch {
    // fall through
  }
  throw new RegistryAuthError(host, "challenge has no usable realm");
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** The OAuth2 refresh-token grant docker sends with an identity token. */
function refreshForm(token: string, service: string, scope: string): string {
  const form = new URLSearchParams({
    grant_type: "refresh_token",
    refresh_token: token,
    service,
    client_id: "tsllm",
  });
  for (const s of scope.split(" ")) form.append("scope", s);
  return form.toString();
}

/**
 * Cache key: registry, repository and access, plus a hash of the request's own credentials so a token
 * obtained with one caller's password is never reused for another caller.
 */
function cacheKey(ref: RegistryRef, access: Access, request?: Credentials): string {
  const who =
    request && (request.username || request.password)
      ? createHash("sha256").update(`${request.username}\0${request.password}`).digest("hex")
      : "configured";
  return `${new URL(ref.base).host}|${ref.repository}|${access}|${who}`;
}
