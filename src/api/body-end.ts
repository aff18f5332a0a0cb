/** Watching a response body to its end: the limiter releases its slot, the request tracker logs the request. */

/**
 * `body` passed through, calling `end` once: just before it closes, when it fails, and (with `onCancel`)
 * when the client cancels it. Bun ignores timer changes after a body closes, so `end` runs before the close.
 */
export function watchBodyEnd(
  body: ReadableStream<Uint8Array>,
  end: () => void,
  opts: { onCancel: boolean },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      let r: Awaited<ReturnType<typeof reader.read>>;
      try {
        r = await reader.read();
      } catch (e) {
        end();
        ctrl.error(e);
        return;
      }
      if (r.done) {
        end();
        ctrl.close();
      } else ctrl.enqueue(r.value);
    },
    cancel(reason) {
      if (opts.onCancel) end();
      return reader.cancel(reason);
    },
  });
}
