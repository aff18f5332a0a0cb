/** Model name → registry ref: where the registry is and what the repository is called there. */
import { InvalidNameError, parseName } from "../../store/index.ts";
import type { RegistryRef } from "../types.ts";
import { InsecureProtocolError } from "../errors.ts";

/**
 * Resolves `[scheme://][host/][namespace/]model[:tag]`. Hugging Face names (`hf.co/user/repo:quant`) are
 * ordinary hosts, as in Ollama. An explicit `http://` needs `insecure`; with `insecure` every request goes
 * over http, whatever the name says (Ollama's makeRequest rewrites the scheme the same way).
 */
export function resolveRef(name: string, opts: { insecure?: boolean } = {}): RegistryRef {
  const parsed = parseName(name);
  const scheme = parsed.scheme.toLowerCase();
  if (scheme !== "http" && scheme !== "https") {
    throw new InvalidNameError(`invalid model name ${JSON.stringify(name)}: unsupported scheme ${scheme}`);
  }
  if (scheme === "http" && !opts.insecure) throw new InsecureProtocolError();
  const base = `${opts.insecure ? "http" : "https"}://${parsed.host}`;
  try {
    // The host part may hold characters a URL rejects (e.g. a bad port); fail as a name error, not later.
    new URL(base);
  } catch {
    throw new InvalidNameError(`invalid model name ${JSON.stringify(name)}: invalid host ${parsed.host}`);
  }
  return { name: { ...parsed, scheme }, base, repository: `${parsed.namespace}/${parsed.model}` };
}
