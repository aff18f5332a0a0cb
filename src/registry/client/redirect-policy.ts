/**
 * Where a registry may send the client. A public registry must not turn the server into a probe of its own
 * network, so targets that resolve to private, loopback or link-local addresses are refused unless the
 * registry itself lives on such an address (a local or in-house registry) or the operator allows them.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { RedirectRefusedError } from "../errors.ts";
import type { RegistryRef } from "../types.ts";
import { isInternalAddress } from "./address.ts";
import type { ClientOptions, ResolveHost } from "./options.ts";

/** node:dns lookup of every address of `host`. */
export const dnsResolve: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** URL host name without IPv6 brackets. */
function hostName(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, "");
}

/** Decides whether a redirect (or a request to a URL the registry handed out) may be followed. */
export class RedirectPolicy {
  private readonly resolve: ResolveHost;
  private readonly allowPrivate: boolean;
  /** Whether each registry host is internal, resolved once per client. */
  private readonly registryInternal = new Map<string, Promise<boolean>>();

  constructor(opts: Pick<ClientOptions, "resolveHost" | "privateRedirects">) {
    this.resolve = opts.resolveHost ?? dnsResolve;
    this.allowPrivate = opts.privateRedirects ?? false;
  }

  /** Throws RedirectRefusedError when `to` may not be followed from `from` for the registry of `ref`. */
  async check(ref: RegistryRef, from: URL, to: URL): Promise<void> {
    if (to.protocol !== "http:" && to.protocol !== "https:") {
      throw new RedirectRefusedError(from.href, to.href, `unsupported scheme ${to.protocol}`);
    }
    if (from.protocol === "https:" && to.protocol === "http:" && !ref.base.startsWith("http:")) {
      throw new RedirectRefusedError(from.href, to.href, "https to http downgrade (use insecure)");
    }
    if (this.allowPrivate) return;
    const targets = await this.addresses(to, from);
    const internal = targets.filter(isInternalAddress);
    if (internal.length === 0) return;
    if (await this.isRegistryInternal(new URL(ref.base))) return;
    throw new RedirectRefusedError(from.href, to.href, "target resolves to a private address");
  }

  private async addresses(u: URL, from: URL): Promise<string[]> {
    const host = hostName(u);
    if (isIP(host)) return [host];
    try {
      return await this.resolve(host);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new RedirectRefusedError(from.href, u.href, `cannot resolve ${host}: ${why}`);
    }
  }

  private isRegistryInternal(base: URL): Promise<boolean> {
    const host = hostName(base);
    let known = this.registryInternal.get(host);
    if (!known) {
      known = (isIP(host) ? Promise.resolve([host]) : this.resolve(host))
        .then((all) => all.some(isInternalAddress))
        .catch(() => {
          // Not cached: a transient DNS failure must not decide the policy for the client's lifetime.
          this.registryInternal.delete(host);
          return false;
        });
      this.registryInternal.set(host, known);
    }
    return known;
  }
}
