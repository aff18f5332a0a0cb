/**
 * Optional HTTPS: TSLLM_TLS_CERT and TSLLM_TLS_KEY (PEM files) together. One without the other, or a file
 * that cannot be read, stops serve at startup: serving plain HTTP when TLS was asked for would be worse.
 * Messages name the setting, not the path.
 */
import { readFileSync } from "node:fs";
import { ENV, type Env } from "../../config/env.ts";
import { AccessConfigError } from "./errors.ts";

/** What Bun.serve's `tls` option takes. */
export interface TlsFiles {
  cert: string;
  key: string;
}

function readPem(path: string, setting: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new AccessConfigError(`${setting}: the file cannot be read (${code})`);
  }
}

/** The certificate and key when TLS is configured, undefined when neither setting is. */
export function tlsFromEnv(env: Env): TlsFiles | undefined {
  const cert = env.path(ENV.TLS_CERT);
  const key = env.path(ENV.TLS_KEY);
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new AccessConfigError(
      `TLS needs both TSLLM_TLS_CERT and TSLLM_TLS_KEY; only ${cert ? "TSLLM_TLS_CERT" : "TSLLM_TLS_KEY"} is set`,
    );
  return { cert: readPem(cert, "TSLLM_TLS_CERT"), key: readPem(key, "TSLLM_TLS_KEY") };
}
