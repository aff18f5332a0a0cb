/**
 * Whether registry transfers go through a proxy. Bun's fetch honours the proxy variables itself; the transfer
 * worker's bare sockets would bypass a proxy, so with one set every request of the worker goes through fetch.
 */
import { ENV, type Env } from "../../config/env.ts";

/** True when HTTPS_PROXY, HTTP_PROXY or ALL_PROXY (or their lower-case forms) is set. */
export function proxyConfigured(env: Env): boolean {
  return [ENV.HTTPS_PROXY, ENV.HTTP_PROXY, ENV.ALL_PROXY].some(
    (v) => env.get(v) !== "" || (env.raw(v.name.toLowerCase()) ?? "") !== "",
  );
}
