/**
 * The Host allow list (DNS rebinding): a page whose name was rebound to 127.0.0.1 reaches this server with
 * its own name in Host, so a server bound to loopback answers only names that mean this machine. Same rules
 * as Ollama's allowedHostsMiddleware: localhost, the machine's host name, *.localhost / *.local /
 * *.internal, and IP literals that are loopback, private, unspecified or this machine's own. Bound to any
 * other address every Host is served, as Ollama does: LAN clients reach it by IPs and names this server
 * cannot know. TSLLM_ALLOWED_HOSTS adds names (`*.example.com` for a domain, `*` for any) and, when set,
 * restricts a non-loopback bind to the same rules as loopback.
 */
import { canonicalIp, isLoopbackIp, isPrivateIp, isUnspecifiedIp } from "./ip.ts";

/** What the Host check is built from. */
export interface HostPolicyOptions {
  /** The address serve binds: an IP, "localhost", a name, or "" / "0.0.0.0" / "::" for every interface. */
  bind: string;
  /** TSLLM_ALLOWED_HOSTS entries. */
  allowed: readonly string[];
  /** This machine's host name. */
  machine: string;
  /** Addresses of this machine's network interfaces. */
  localAddresses: readonly string[];
}

/** Names under these domains never resolve on the public internet (Ollama's list). */
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal"];

/** The name part of a Host header: lower case, without port, brackets or a trailing dot. */
export function hostName(host: string): string {
  let name = host;
  if (name.startsWith("[")) {
    const end = name.indexOf("]");
    name = end < 0 ? name : name.slice(1, end);
  } else {
    const colon = name.indexOf(":");
    // One colon separates a port; more is a bare IPv6 literal (no port to strip).
    if (colon >= 0 && name.indexOf(":", colon + 1) < 0) name = name.slice(0, colon);
  }
  name = name.toLowerCase();
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** True when binding `bind` serves only this machine (a loopback IP or a localhost name). */
export function isLoopbackBind(bind: string): boolean {
  const name = hostName(bind);
  const ip = canonicalIp(name);
  if (ip !== undefined) return isLoopbackIp(ip);
  return name === "localhost" || name.endsWith(".localhost");
}

/** A compiled Host allow list. */
export class HostPolicy {
  readonly #any: boolean;
  readonly #names = new Set<string>(["localhost"]);
  readonly #suffixes = [...LOCAL_SUFFIXES];
  readonly #localIps = new Set<string>();

  constructor(o: HostPolicyOptions) {
    this.#any = o.allowed.includes("*") || (o.allowed.length === 0 && !isLoopbackBind(o.bind));
    for (const entry of [o.bind, o.machine, ...o.allowed]) {
      const name = hostName(entry.trim());
      if (name.startsWith("*.")) this.#suffixes.push(name.slice(1));
      else if (name) this.#names.add(canonicalIp(name) ?? name);
    }
    for (const a of o.localAddresses) {
      const ip = canonicalIp(a);
      if (ip !== undefined) this.#localIps.add(ip);
    }
  }

  /** False when every Host is served (a non-loopback bind without TSLLM_ALLOWED_HOSTS, or `*`). */
  get restricted(): boolean {
    return !this.#any;
  }

  /** Whether a request with this Host header is served; an absent or empty Host is (HTTP/1.0). */
  allows(host: string | null): boolean {
    if (this.#any || !host) return true;
    const name = hostName(host);
    const ip = canonicalIp(name);
    if (ip !== undefined)
      return (
        this.#names.has(ip) ||
        isLoopbackIp(ip) ||
        isPrivateIp(ip) ||
        isUnspecifiedIp(ip) ||
        this.#localIps.has(ip)
      );
    return this.#names.has(name) || this.#suffixes.some((s) => name.endsWith(s));
  }
}
