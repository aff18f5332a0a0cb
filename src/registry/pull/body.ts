/**
 * Reading a response body in batches, one read always pending. Bun's readMany hands over every chunk already
 * buffered at once. A pending read is raced against the signal because aborting a fetch does not always
 * end it.
 */

type BatchReader = ReadableStreamDefaultReader<Uint8Array> & {
  readMany?: () => Promise<{ done: boolean; value: Uint8Array[] }>;
};

/** Yields the body's chunks, a batch at a time; throws the signal's reason once it aborts. */
export async function* readBatches(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array[], void, undefined> {
  const reader = body.getReader() as BatchReader;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
  });
  aborted.catch(() => {});
  signal.addEventListener("abort", onAbort as () => void, { once: true });
  if (signal.aborted) onAbort?.();
  let finished = false;
  try {
    let pending = readSome(reader);
    for (;;) {
      const { done, value } = await Promise.race([pending, aborted]);
      // Read ahead while the caller writes this batch: with no read waiting, Bun buffers what arrives by
      // copying it into an ever larger buffer, which is slower than the network on loopback.
      if (!done) pending = readSome(reader);
      if (value.length > 0) yield value;
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    signal.removeEventListener("abort", onAbort as () => void);
    if (!finished) reader.cancel().catch(() => {});
  }
}

async function readSome(reader: BatchReader): Promise<{ done: boolean; value: Uint8Array[] }> {
  if (reader.readMany) {
    const r = await reader.readMany();
    return { done: r.done, value: r.value ?? [] };
  }
  const r = await reader.read();
  return r.done ? { done: true, value: [] } : { done: false, value: [r.value] };
}
