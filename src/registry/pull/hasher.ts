/**
 * The sha256 of a blob being downloaded out of order: it follows the contiguous prefix on disk, reading back
 * what was just written (still in the page cache) while the download goes on, so the digest is ready moments
 * after the last byte instead of costing a second pass. On resume it first re-reads the prefix already saved.
 */
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { StorageError, storageError } from "../../store/index.ts";

const READ_SIZE = 4 << 20;

/** Hashes `[0, size)` of an open file as its prefix becomes final. */
export class PrefixHasher {
  readonly #hash = createHash("sha256");
  readonly #buf = Buffer.allocUnsafe(READ_SIZE);
  #hashed = 0;
  #target = 0;
  #running: Promise<void> | undefined;
  #error: unknown;
  #stopped = false;

  constructor(
    private readonly fh: FileHandle,
    private readonly size: number,
  ) {}

  /** Bytes hashed so far. */
  get hashed(): number {
    return this.#hashed;
  }

  /** The bytes `[0, end)` are final on disk: hash them in the background. */
  advance(end: number): void {
    if (end > this.#target) this.#target = Math.min(end, this.size);
    if (this.#running === undefined && this.#hashed < this.#target && this.#error === undefined)
      this.#running = this.#run();
  }

  /** Waits until the whole file is hashed; returns `sha256:<hex>`. Call once every byte is on disk. */
  async digest(): Promise<string> {
    this.advance(this.size);
    while (this.#running) await this.#running;
    if (this.#error !== undefined) throw this.#error;
    if (this.#hashed !== this.size)
      throw new StorageError("partial download ended before it was hashed", "EIO");
    return `sha256:${this.#hash.digest("hex")}`;
  }

  /** Stops reading (the download was abandoned) and waits for the read in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    while (this.#running) await this.#running.catch(() => {});
  }

  async #run(): Promise<void> {
    try {
      while (this.#hashed < this.#target && !this.#stopped) {
        const want = Math.min(READ_SIZE, this.#target - this.#hashed);
        const { bytesRead } = await this.fh.read(this.#buf, 0, want, this.#hashed);
        if (bytesRead <= 0) throw new StorageError("partial download is shorter than its state says", "EIO");
        this.#hash.update(this.#buf.subarray(0, bytesRead));
        this.#hashed += bytesRead;
      }
    } catch (err) {
      this.#error = storageError(err, "read back a partial download");
    } finally {
      this.#running = undefined;
    }
  }
}
