/**
 * The server address: TSLLM_HOST, else OLLAMA_HOST, parsed with the rules of Ollama's envconfig.Host —
 * optional scheme (http → port 80, https → 443, none → 11434), `[v6]:port`, bare IPs, a path prefix.
 * `serve` binds it; the client commands connect to it.
 */
import { isIP } from "node:net";
import { ENV, type Env } from "../config/env.ts";

/** A parsed host setting. */
export interface HostSetting {
  scheme: string;
  /** Bare host name or IP (no brackets); "" means every interface (`:port`). */
  hostname: string;
  port: number;
  /** Path prefix without leading slash, e.g. "ollama" for `http://proxy/ollama`. */
  path: string;
  /** Set when the given port was unusable and the default was taken instead (Ollama warns and goes on). */
  invalidPort?: string;
}

/** Go's net.SplitHostPort: `host:port` or `[host]:port`; undefined where Go returns an error. */
function splitHostPort(s: string): [string, string] | undefined {
  if (s.startsWith("[")) {
    const end = s.indexOf("]");
    if (end < 0 || s[end + 1] !== ":") return undefined;
    const [host, port] = [s.slice(1, end), s.slice(end + 2)];
    return /[[\]]/.test(host + port) ? undefined : [host, port];
  }
  const colon = s.lastIndexOf(":");
  if (colon < 0) return undefined;
  const host = s.slice(0, colon);
  const port = s.slice(colon + 1);
  return host.includes(":") || /[[\]]/.test(host + port) ? undefined : [host, port];
}

/** Parses a host setting exactly as Ollama's envconfig.Host does. */
export function parseHost(value: string): HostSetting {
  const s = value
    .trim()
    .replace(/^["']+|["']+$/g, "")
    .trim();
  let defaultPort = "11434";
  const sep = s.indexOf("://");
  let scheme = "http";
  let hostport = s;
  if (sep < 0) {
    if (s === "ollama.com") [scheme, hostport] = ["https", "ollama.com:443"];
  } else {
    [scheme, hostport] = [s.slice(0, sep), s.slice(sep + 3)];
    if (scheme === "http") defaultPort = "80";
    else if (scheme === "https") defaultPort = "443";
  }
  const slash = hostport.indexOf("/");
  const path = slash >= 0 ? hostport.slice(slash + 1) : "";
  if (slash >= 0) hostport = hostport.slice(0, slash);
  const split = splitHostPort(hostport);
  let [hostname, port] = split ?? ["127.0.0.1", defaultPort];
  if (!split) {
    const bare = hostport.replace(/^[[\]]+|[[\]]+$/g, "");
    if (isIP(bare)) hostname = bare;
    else if (hostport !== "") hostname = hostport;
  }
  const n = /^[+-]?\d+$/.test(port) ? Number(port) : Number.NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return { scheme, hostname, port: n, path };
  return { scheme, hostname, port: Number(defaultPort), path, invalidPort: port };
}

/** The raw setting: TSLLM_HOST wins over OLLAMA_HOST. */
export function hostSetting(env: Env): HostSetting {
  return parseHost(env.first(ENV.HOST, ENV.OLLAMA_HOST));
}

/** A host for a URL: IPv6 in brackets. */
export function urlHost(hostname: string, port: number): string {
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** Base URL the CLI sends requests to; a bind-anywhere address (`:port`, 0.0.0.0, ::) means this machine. */
export function serverUrl(env: Env): URL {
  const h = hostSetting(env);
  let host = h.hostname;
  if (host === "" || host === "0.0.0.0") host = "127.0.0.1";
  else if (isIP(host) === 6 && /^[0:]+$/.test(host)) host = "::1";
  return new URL(`${h.scheme}://${urlHost(host, h.port)}/${h.path.replace(/\/+$/, "")}`);
}

/** Address `serve` listens on: `:port` binds every interface, as Go's net.Listen does. */
export function bindAddress(env: Env): { hostname: string; port: number; invalidPort?: string } {
  const h = hostSetting(env);
  return { hostname: h.hostname || "0.0.0.0", port: h.port, invalidPort: h.invalidPort };
}
