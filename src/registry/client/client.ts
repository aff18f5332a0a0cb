/**
 * The registry HTTP client: builds URLs under a ref's base, sends with Ollama's headers, answers one 401
 * challenge, and follows redirects under the address policy. Pull and push talk to registries only here.
 */
import type { Logger } from "../../log.ts";
import { RedirectRefusedError, RegistryAuthError, RegistryUnreachableError, safeUrl } from "../errors.ts";
import type { Credentials, RegistryClient, RegistryRef, RegistryRequest } from "../types.ts";
import { Authenticator } from "./auth.ts";
import { SigningKeys } from "./keys.ts";
import type { ClientOptions } from "./options.ts";
import { RedirectPolicy } from "./redirect-policy.ts";
import { resolveRef } from "./ref.ts";
import { userAgent } from "./user-agent.ts";

/** Redirect hops followed before giving up (Go's http.Client stops after 10 too). */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Creates the registry client pull and push share. */
export function createRegistryClient(opts: ClientOptions): RegistryClient {
  return new HttpRegistryClient(opts);
}

class HttpRegistryClient implements RegistryClient {
  private readonly log: Logger;
  private readonly auth: Authenticator;
  private readonly policy: RedirectPolicy;
  private readonly ua = userAgent();

  constructor(opts: ClientOptions) {
    this.log = opts.logger.child("registry");
    this.policy = new RedirectPolicy(opts);
    this.auth = new Authenticator(opts, {
      log: this.log,
      fetch: (url, init) => this.fetch(url, init),
      policy: this.policy,
      keys: new SigningKeys(opts, this.log),
    });
  }

  ref(name: string, opts?: { insecure?: boolean }): RegistryRef {
    return resolveRef(name, opts);
  }

  async send(ref: RegistryRef, req: RegistryRequest, credentials?: Credentials): Promise<Response> {
    const url = new URL(req.url, `${ref.base}/`);
    const registry = new URL(ref.base);
    let authorization = this.auth.preemptive(ref, req.scope, credentials);
    const first = await this.exchange(ref, req, url, authorization);
    if (!isChallenge(first, registry)) return first.res;
    const challenge = first.res.headers.get("www-authenticate") ?? "";
    await first.res.body?.cancel();
    this.auth.forget(ref, req.scope, credentials);
    authorization = await this.auth.answer(ref, req.scope, challenge, credentials, req.signal);
    const second = await this.exchange(ref, req, url, authorization);
    if (!isChallenge(second, registry)) return second.res;
    await second.res.body?.cancel();
    this.auth.forget(ref, req.scope, credentials);
    throw new RegistryAuthError(registry.host, this.auth.rejection(registry.host));
  }

  /** One request and the redirects it is allowed to follow; Authorization only goes to the registry's origin. */
  private async exchange(
    ref: RegistryRef,
    req: RegistryRequest,
    start: URL,
    authorization: string | undefined,
  ): Promise<{ res: Response; url: URL }> {
    const registry = new URL(ref.base);
    let url = start;
    let method: string = req.method;
    let body = req.body;
    let dropContent = false;
    if (url.host !== registry.host) await this.policy.check(ref, registry, url);
    for (let hops = 0; ; hops++) {
      const headers = new Headers(req.headers);
      if (dropContent) for (const h of ["content-type", "content-length", "content-range"]) headers.delete(h);
      headers.set("User-Agent", this.ua);
      if (authorization && sameOrigin(url, registry)) headers.set("Authorization", authorization);
      const res = await this.fetch(url, {
        method,
        headers,
        body: body?.() as RequestInit["body"],
        signal: req.signal,
      });
      if (req.redirect !== "follow" || !REDIRECT_STATUSES.has(res.status)) return { res, url };
      const location = res.headers.get("location");
      if (!location) return { res, url };
      await res.body?.cancel();
      const next = new URL(location, url);
      if (hops + 1 >= MAX_REDIRECTS) {
        throw new RedirectRefusedError(url.href, next.href, `stopped after ${MAX_REDIRECTS} redirects`);
      }
      await this.policy.check(ref, url, next);
      // Fetch's rules: 303 (and 301/302 after a POST) turn into a GET without a body; 307/308 keep both.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = undefined;
        dropContent = true;
      }
      this.log.debug("registry redirect", { status: res.status, to: safeUrl(next.href) });
      url = next;
    }
  }

  /** fetch without automatic redirects; network failures become RegistryUnreachableError. */
  private async fetch(url: URL, init: RequestInit): Promise<Response> {
    const method = init.method ?? "GET";
    try {
      const res = await fetch(url, { ...init, redirect: "manual" });
      this.log.debug("registry request", { method, url: safeUrl(url.href), status: res.status });
      return res;
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason ?? err;
      throw new RegistryUnreachableError(method, url.href, err);
    }
  }
}

/** True when `res` is a 401 from the registry itself (a 401 from a CDN is the caller's to read). */
function isChallenge(x: { res: Response; url: URL }, registry: URL): boolean {
  return x.res.status === 401 && sameOrigin(x.url, registry);
}

/** Same scheme, host and port. */
export function sameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.host.toLowerCase() === b.host.toLowerCase();
}
