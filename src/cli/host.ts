/** TSLLM_HOST → the server's base URL, with Ollama's rules: optional scheme, default port 11434. */
import { ENV, type Env } from "../config/env.ts";

/** Base URL (no trailing slash) the CLI sends requests to. */
export function serverUrl(env: Env): URL {
  const raw = env
    .get(ENV.HOST)
    .trim()
    .replace(/^["']|["']$/g, "");
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(raw);
  const scheme = m ? (m[1] as string).toLowerCase() : "http";
  let rest = m ? (m[2] as string) : raw;
  let path = "";
  const slash = rest.indexOf("/");
  if (slash >= 0) [rest, path] = [rest.slice(0, slash), rest.slice(slash).replace(/\/+$/, "")];
  const defaultPort = !m ? "11434" : scheme === "https" ? "443" : "80";
  let host = rest;
  let port = defaultPort;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0 && !rest.endsWith("]"))
    [host, port] = [rest.slice(0, colon), rest.slice(colon + 1) || defaultPort];
  if (host === "") host = "127.0.0.1";
  return new URL(`${scheme}://${host}:${port}${path}`);
}
