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
    const src = bytes.length > 0 ? bytes : new Uint8Array(1);
    let out = new Int32Array(Math.max(16, bytes.length + 8));
    let n = llama.llama_tokenize(
      this.#ptr,
      addressOf(src),
      bytes.length,
      addressOf(out),
      out.length,
      addSpecial,
      parseSpecial,
    );
    if (n < 0) {
      out = new Int32Array(-n);
      n = llama.llama_tokenize(
        this.#ptr,
        addressOf(src),
        bytes.length,
        addressOf(out),
        out.length,
        addSpecial,
        parseSpecial,
      );
    }
    if (n < 0) throw new LlamaCallError("llama_tokenize", `needs ${-n} tokens`);
    return out.slice(0, n);
  }

  /** The raw bytes of one token's text (may be part of a multi-byte character). */
  pieceBytes(token: number, special = false): Uint8Array {
    const { llama } = native();
    let n = llama.llama_token_to_piece(
      this.#ptr,
      token,
      addressOf(this.#piece),
      this.#piece.length,
      0,
      special,
    );
    if (n < 0) {
      this.#piece = new Uint8Array(-n);
      n = llama.llama_token_to_piece(
        this.#ptr,
        token,
        addressOf(this.#piece),
        this.#piece.length,
        0,
        special,
      );
    }
    return this.#piece.slice(0, Math.max(0, n));
  }

  /** One token's text (lossy for partial UTF-8; use a Utf8Stream for streaming). */
  piece(token: number, special = false): string {
    return decoder.decode(this.pieceBytes(token, special));
  }

  /** Joins tokens back into text. */
  detokenize(tokens: ArrayLike<number>, removeSpecial = false, unparseSpecial = false): string {
    const { llama } = native();
    const toks = Int32Array.from(tokens);
    const src = toks.length > 0 ? toks : new Int32Array(1);
    let buf = new Uint8Array(Math.max(64, toks.length * 8));
    let n = llama.llama_detokenize(
      this.#ptr,
      addressOf(src),
      toks.length,
      addressOf(buf),
      buf.length,
      removeSpecial,
      unparseSpecial,
    );
    if (n < 0) {
      buf = new Uint8Array(-n);
      n = llama.llama_detokenize(
        this.#ptr,
        addressOf(src),
        toks.length,
        addressOf(buf),
        buf.length,
        removeSpecial,
        unparseSpecial,
      );
    }
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
