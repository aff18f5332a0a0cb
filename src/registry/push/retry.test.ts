import { expect, test } from "bun:test";
import { Logger } from "../../log.ts";
import { RegistryAuthError, RegistryResponseError, RegistryUnreachableError } from "../errors.ts";
import type { PushContext } from "./context.ts";
import { sleep } from "../transfer-util.ts";
import { backoffMs, isRetryable, MAX_ATTEMPTS, withRetries } from "./retry.ts";

const ctx = { logger: new Logger("error"), backoffMs: 0 } as unknown as PushContext;

test("network failures, 5xx, 408 and 429 are retried; other 4xx and auth failures are not", () => {
  expect(isRetryable(new RegistryUnreachableError("PATCH", "http://r/x", new Error("reset")))).toBe(true);
  for (const s of [500, 502, 503, 408, 429]) expect(isRetryable(new RegistryResponseError(s, ""))).toBe(true);
  for (const s of [400, 403, 404, 416]) expect(isRetryable(new RegistryResponseError(s, ""))).toBe(false);
  expect(isRetryable(new RegistryAuthError("r"))).toBe(false);
  expect(isRetryable(new Error("x"))).toBe(false);
});

test("backoff doubles from the base, as Ollama's 1 s, 2 s, 4 s …", () => {
  expect([0, 1, 2, 5].map((a) => backoffMs(a, 1000))).toEqual([1000, 2000, 4000, 32000]);
});

test("withRetries gives up after MAX_ATTEMPTS and rethrows a final error at once", async () => {
  let calls = 0;
  const busy = withRetries(ctx, "x", async () => {
    calls++;
    throw new RegistryResponseError(503, "busy");
  });
  await expect(busy).rejects.toThrow("503: busy");
  expect(calls).toBe(MAX_ATTEMPTS);
  calls = 0;
  const denied = withRetries(ctx, "x", async () => {
    calls++;
    throw new RegistryResponseError(403, "denied");
  });
  await expect(denied).rejects.toThrow("403: denied");
  expect(calls).toBe(1);
});

test("sleep ends early with the signal's reason", async () => {
  const ctl = new AbortController();
  const waiting = sleep(60_000, ctl.signal);
  ctl.abort(new Error("gone"));
  await expect(waiting).rejects.toThrow("gone");
});
