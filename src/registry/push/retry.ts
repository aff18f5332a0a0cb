/** Which failures a push retries, and how long it waits between attempts (Ollama: 1 s, doubling, 6 tries). */
import { RegistryResponseError, RegistryUnreachableError } from "../errors.ts";
import { sleep } from "../transfer-util.ts";
import type { PushContext } from "./context.ts";

/** Attempts at one step (a HEAD, a part, the commit PUT, the manifest) before the push fails. */
export const MAX_ATTEMPTS = 6;

/** Statuses a registry answers while overloaded or restarting: worth another try. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Network failures and retryable statuses; any other 4xx is the registry's final word. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof RegistryUnreachableError) return true;
  return err instanceof RegistryResponseError && retryableStatus(err.registryStatus);
}

/** Delay before retry number `attempt` (0-based): `baseMs · 2^attempt`. */
export function backoffMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** attempt;
}

/**
 * Runs `step`, retrying retryable failures with backoff until MAX_ATTEMPTS; `what` names it in logs. The first
 * contact with a registry passes `unreachableIsFinal`: a registry that cannot be reached at all fails the push
 * at once, as Ollama's does, instead of half a minute of silent retries.
 */
export async function withRetries<T>(
  ctx: PushContext,
  what: string,
  step: () => Promise<T>,
  opts: { unreachableIsFinal?: boolean } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const final = opts.unreachableIsFinal === true && err instanceof RegistryUnreachableError;
      if (ctx.signal?.aborted || final || !isRetryable(err) || attempt + 1 >= MAX_ATTEMPTS) throw err;
      const delay = backoffMs(attempt, ctx.backoffMs);
      ctx.logger.info(`${what} attempt ${attempt} failed, retrying`, {
        error: messageOf(err),
        delayMs: delay,
      });
      await sleep(delay, ctx.signal);
    }
  }
}

/** An error's message for a log line (registry errors are already free of credentials and queries). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
