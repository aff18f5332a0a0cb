/** Waiting on a condition, for the load tests (no fixed sleeps: the condition is polled). */

/** Resolves once `cond()` holds (it may be async); rejects naming `what` when it has not within `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what = "condition",
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
