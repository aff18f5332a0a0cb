/** A llama_batch: tokens with positions, sequence ids and output flags, in native memory. */
import { addressOf, type Ptr, readPointer, viewBytes } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { Batch as BatchLayout, StructView } from "../ffi/structs.ts";
import { DisposedError } from "./errors.ts";

/** Owner of one llama_batch allocated by llama_batch_init. */
export class Batch {
  readonly capacity: number;
  readonly nSeqMax: number;
  #struct: StructView<keyof typeof BatchLayout.fields> | null;
  #n = 0;
  readonly #token: Int32Array;
  readonly #pos: Int32Array;
  readonly #nSeqId: Int32Array;
  readonly #seqIds: Int32Array[];
  readonly #logits: Int8Array;

  constructor(capacity: number, nSeqMax = 1) {
    this.capacity = capacity;
    this.nSeqMax = nSeqMax;
    const s = new StructView(BatchLayout);
    native().shim.tsllm_batch_init(addressOf(s.bytes), capacity, 0, nSeqMax);
    this.#struct = s;
    const at = (f: "token" | "pos" | "n_seq_id" | "seq_id" | "logits") => s.get(f) as Ptr;
    const i32 = (p: Ptr, n: number) => new Int32Array(viewBytes(p, n * 4).buffer, 0, n);
    this.#token = i32(at("token"), capacity);
    this.#pos = i32(at("pos"), capacity);
    this.#nSeqId = i32(at("n_seq_id"), capacity);
    this.#logits = new Int8Array(viewBytes(at("logits"), capacity).buffer, 0, capacity);
    this.#seqIds = [];
    for (let i = 0; i < capacity; i++)
      this.#seqIds.push(i32(readPointer(at("seq_id"), i * 8) as Ptr, nSeqMax));
  }

  /** Tokens currently in the batch. */
  get size(): number {
    return this.#n;
  }

  /** Room left. */
  get free(): number {
    return this.capacity - this.#n;
  }

  /** Empties the batch. */
  clear(): void {
    this.#n = 0;
  }

  /** Appends one token; returns its row index (use it to read logits when `output` is set). */
  add(token: number, pos: number, seq: number | readonly number[], output: boolean): number {
    if (!this.#struct) throw new DisposedError("Batch");
    if (this.#n >= this.capacity) throw new RangeError("batch is full");
    const i = this.#n++;
    const seqs = typeof seq === "number" ? [seq] : seq;
    this.#token[i] = token;
    this.#pos[i] = pos;
    this.#nSeqId[i] = seqs.length;
    const row = this.#seqIds[i] as Int32Array;
    for (let k = 0; k < seqs.length; k++) row[k] = seqs[k] as number;
    this.#logits[i] = output ? 1 : 0;
    return i;
  }

  /** Marks row `i` as producing output (or not). */
  setOutput(i: number, output: boolean): void {
    this.#logits[i] = output ? 1 : 0;
  }

  /** @internal the struct bytes with n_tokens set, for Context.decode. */
  structBytes(): Uint8Array {
    if (!this.#struct) throw new DisposedError("Batch");
    this.#struct.set("n_tokens", this.#n);
    return this.#struct.bytes;
  }

  /** Frees the native arrays. Idempotent. */
  dispose(): void {
    if (this.#struct) native().shim.tsllm_batch_free(addressOf(this.#struct.bytes));
    this.#struct = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
