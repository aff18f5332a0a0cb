/** Small pieces pull and push share: the digest label Ollama shows and an abortable wait between retries. */

/** The first twelve hex digits of a digest, as Ollama's status lines and logs show it. */
export function shortDigest(digest: string): string {
  return digest.slice(7, 19);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (at once when it already has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
