/** Request bodies read from a blob file: one byte range at a time, counted as it is sent, never held whole. */
import { createHash, type Hash } from "node:crypto";
import { type FileHandle, open } from "node:fs/promises";
import { StorageError } from "../../store/index.ts";

/** Bytes read from the file per step: at most about two of these are buffered per request. */
const READ_BYTES = 1 << 20;

/**
 * A byte range of a file as a stream; `onBytes` gets the running count of bytes handed to the request.
 * Reads go through a file handle at explicit positions: Bun's sliced file streams never signal their end.
 */
export function fileRange(
  path: string,
  start: number,
  end: number,
  onBytes: (sent: number) => void,
  hash?: Hash,
): ReadableStream<Uint8Array> {
  let file: FileHandle | undefined;
  let pos = start;
  const close = async () => {
    const f = file;
    file = undefined;
    await f?.close().catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    async pull(out) {
      try {
        if (pos >= end) {
          await close();
          out.close();
          return;
        }
        file ??= await open(path, "r");
        const want = Math.min(READ_BYTES, end - pos);
        const buf = new Uint8Array(want);
        const { bytesRead } = await file.read(buf, 0, want, pos);
        if (bytesRead === 0) throw new StorageError("a blob file ended before its size while being pushed");
        pos += bytesRead;
        const chunk = buf.subarray(0, bytesRead);
        hash?.update(chunk);
        onBytes(pos - start);
        out.enqueue(chunk);
      } catch (err) {
        await close();
        out.error(err);
      }
    },
    cancel: close,
  });
}

/** A fresh md5 for one part (the etag Ollama's registry checks for parts sent to its storage). */
export function partHash(): Hash {
  return createHash("md5");
}

/** Ollama's commit etag: md5 over the parts' binary md5 digests, then `-<number of parts>`. */
export function multipartEtag(parts: readonly Uint8Array[]): string {
  const h = createHash("md5");
  for (const p of parts) h.update(p);
  return `${h.digest("hex")}-${parts.length}`;
}
