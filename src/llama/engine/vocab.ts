/** The tokenizer of a loaded model: tokenize, pieces, detokenize, special tokens. */
import { addressOf, type Ptr, utf8 } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { LlamaCallError } from "../ffi/errors.ts";

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Borrowed view of a model's vocabulary; valid while its Model is alive. */
export class Vocab {
  /** Number of tokens. */
  readonly size: number;
  readonly bos: number;
  readonly eos: number;
  readonly eot: number;
  /** Whether the tokenizer adds BOS when add_special is set. */
  readonly addBos: boolean;
  readonly #ptr: Ptr;
  #piece = new Uint8Array(256);

  constructor(vocabPtr: Ptr) {
    const { llama } = native();
    this.#ptr = vocabPtr;
    this.size = llama.llama_vocab_n_tokens(vocabPtr);
    this.bos = llama.llama_vocab_bos(vocabPtr);
    this.eos = llama.llama_vocab_eos(vocabPtr);
    this.eot = llama.llama_vocab_eot(vocabPtr);
    this.addBos = llama.llama_vocab_get_add_bos(vocabPtr);
  }

  /** @internal the native handle, for engine objects only. */
  get handle(): Ptr {
    return this.#ptr;
  }

  /** Tokenizes UTF-8 text. `addSpecial` adds BOS/EOS as the model wants; `parseSpecial` maps "<|…|>" text to tokens. */
  tokenize(text: string, addSpecial = true, parseSpecial = false): Int32Array {
    const { llama } = native();
    const bytes = utf8(text);
    const src = addressOf(bytes.length > 0 ? bytes : new Uint8Array(1));
    const [out, n] = sized(
      Math.max(16, bytes.length + 8),
      (k) => new Int32Array(k),
      (buf) =>
        llama.llama_tokenize(
          this.#ptr,
          src,
          bytes.length,
          addressOf(buf),
          buf.length,
          addSpecial,
          parseSpecial,
        ),
    );
    if (n < 0) throw new LlamaCallError("llama_tokenize", `needs ${-n} tokens`);
    return out.slice(0, n);
  }

  /** The raw bytes of one token's text (may be part of a multi-byte character). */
  pieceBytes(token: number, special = false): Uint8Array {
    const { llama } = native();
    const [buf, n] = sized(
      this.#piece.length,
      (k) => new Uint8Array(k),
      (b) => llama.llama_token_to_piece(this.#ptr, token, addressOf(b), b.length, 0, special),
    );
    if (buf.length > this.#piece.length) this.#piece = buf;
    return buf.slice(0, Math.max(0, n));
  }

  /** One token's text (lossy for partial UTF-8; use a Utf8Stream for streaming). */
  piece(token: number, special = false): string {
    return decoder.decode(this.pieceBytes(token, special));
  }

  /** Joins tokens back into text. */
  detokenize(tokens: ArrayLike<number>, removeSpecial = false, unparseSpecial = false): string {
    const { llama } = native();
    const toks = Int32Array.from(tokens);
    const src = addressOf(toks.length > 0 ? toks : new Int32Array(1));
    const [buf, n] = sized(
      Math.max(64, toks.length * 8),
      (k) => new Uint8Array(k),
      (b) =>
        llama.llama_detokenize(
          this.#ptr,
          src,
          toks.length,
          addressOf(b),
          b.length,
          removeSpecial,
          unparseSpecial,
        ),
    );
    if (n < 0) throw new LlamaCallError("llama_detokenize");
    return decoder.decode(buf.subarray(0, n));
  }

  /** True for end-of-generation tokens (EOS, EOT, …). */
  isEog(token: number): boolean {
    return native().llama.llama_vocab_is_eog(this.#ptr, token);
  }

  /** True for control tokens. */
  isControl(token: number): boolean {
    return native().llama.llama_vocab_is_control(this.#ptr, token);
  }

  /** The token's text as stored in the vocabulary. */
  text(token: number): string {
    return String(native().llama.llama_vocab_get_text(this.#ptr, token));
  }
}

/**
 * Calls a llama.h function that writes into a caller buffer and returns the count, or minus the size it
 * needs: once with `initial` elements, again with the size asked for. Returns the buffer and the last count.
 */
function sized<B extends Int32Array | Uint8Array>(
  initial: number,
  make: (n: number) => B,
  call: (buf: B) => number,
): [B, number] {
  let buf = make(initial);
  let n = call(buf);
  if (n < 0) {
    buf = make(-n);
    n = call(buf);
  }
  return [buf, n];
}
