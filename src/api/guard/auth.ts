/**
 * The API key check: keys are read from `Authorization: Bearer KEY` (OpenAI's SDK, Ollama's clients, the
 * tsllm CLI) and `x-api-key: KEY` (Anthropic's SDK); any one of them matching is enough. The key itself
 * never reaches a message or a log line.
 */
import type { TsllmError } from "../../errors.ts";
import { AdminKeyRequiredError, ApiKeyError } from "./errors.ts";
import type { KeyRing } from "./keys.ts";
import type { RouteScope } from "./scopes.ts";

/** The keys a request presents (none when it sends neither header). */
export function presentedKeys(req: Request): string[] {
  const out: string[] = [];
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(auth);
    out.push(m ? (m[1] as string) : "");
  }
  const x = req.headers.get("x-api-key");
  if (x !== null) out.push(x.trim());
  return out;
}

/** The refusal when `req` may not use a route of `scope` (`route` names it in the 403), else undefined. */
export function checkKey(
  ring: KeyRing,
  scope: RouteScope,
  req: Request,
  route: string,
): TsllmError | undefined {
  if (scope === "open") return undefined;
  const presented = presentedKeys(req);
  if (presented.length === 0) return new ApiKeyError(true);
  const granted = ring.match(presented);
  if (granted === undefined) return new ApiKeyError(false);
  if (scope === "admin" && granted !== "admin") return new AdminKeyRequiredError(route);
  return undefined;
}
