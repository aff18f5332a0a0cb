/**
 * The tokenizer of a loaded model: tokenize, pieces, detokenize, special tokens. libllama indexes its token
 * tables with ids unchecked (an id past the end aborts the process), so every id taken here is checked first.
 */
import { addressOf, type Ptr, utf8 } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { LlamaCallError } from "../ffi/errors.ts";
import { TokenOutOfRangeError } from "./errors.ts";
import { SpecialMatcher, type SpecialText, splitAtSpecials } from "./special-split.ts";

const decoder = new TextDecoder("utf-8", { fatal: false });

// enum llama_token_attr
const ATTR_UNKNOWN = 1 << 0;
const ATTR_CONTROL = 1 << 3;
const ATTR_USER_DEFINED = 1 << 4;
const ATTR_LSTRIP = 1 << 7;

/** Texts shorter than this hold too few special-token matches for llama.cpp's k² partition to matter. */
const SPLIT_MIN_CHARS = 4096;

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
  /** Special-token texts as llama.cpp partitions them: [parse_special off, on]; built on first need. */
  #matchers: [SpecialMatcher | null, SpecialMatcher | null] = [null, null];
  #ends: [number[], number[]] | null = null;

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

  /** Throws TokenOutOfRangeError unless 0 ≤ id < size. */
  check(id: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.size)) throw new TokenOutOfRangeError(id, this.size);
  }

  /** Checks every id (see check). */
  checkAll(ids: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) this.check(ids[i] as number);
  }

  /**
   * Tokenizes UTF-8 text. `addSpecial` adds BOS/EOS as the model wants; `parseSpecial` maps "<|…|>" text to
   * tokens. A long text is tokenized in pieces cut before special tokens (see special-split.ts), with the
   * same result as one call and without llama.cpp's cost quadratic in the number of special tokens.
   */
  tokenize(text: string, addSpecial = true, parseSpecial = false): Int32Array {
    const pieces =
      text.length < SPLIT_MIN_CHARS ? [text] : splitAtSpecials(text, this.#matcher(parseSpecial));
    if (pieces.length === 1) return this.tokenizeOnce(text, addSpecial, parseSpecial);
    // add_special puts BOS (CLS) before a whole text and EOS (SEP) after it: around the pieces, not each.
    const [head, tail] = addSpecial ? this.#specialEnds() : [[], []];
    const parts = pieces.map((p) => this.tokenizeOnce(p, false, parseSpecial));
    const out = new Int32Array(head.length + parts.reduce((n, p) => n + p.length, 0) + tail.length);
    out.set(head, 0);
    let at = head.length;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    out.set(tail, at);
    return out;
  }

  /** One llama_tokenize call over the whole text (what `tokenize` must equal; slow with many special tokens). */
  tokenizeOnce(text: string, addSpecial: boolean, parseSpecial: boolean): Int32Array {
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

  /** What llama.cpp partitions a text at: control and unknown tokens only when parsing specials. */
  #matcher(parseSpecial: boolean): SpecialMatcher {
    const k = parseSpecial ? 1 : 0;
    const cached = this.#matchers[k];
    if (cached) return cached;
    const { llama } = native();
    const specials: SpecialText[] = [];
    for (let id = 0; id < this.size; id++) {
      const attr = llama.llama_vocab_get_attr(this.#ptr, id);
      if (!(attr & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN))) continue;
      if (!parseSpecial && attr & (ATTR_CONTROL | ATTR_UNKNOWN)) continue;
      specials.push({ text: this.text(id), lstrip: (attr & ATTR_LSTRIP) !== 0 });
    }
    const m = new SpecialMatcher(specials);
    this.#matchers[k] = m;
    return m;
  }

  /** The tokens add_special puts before and after a text: an empty text tokenized holds just those. */
  #specialEnds(): [number[], number[]] {
    if (this.#ends) return this.#ends;
    const both = Array.from(this.tokenizeOnce("", true, false));
    const headLen = both.length >= 2 ? 1 : both.length === 1 && this.addBos ? 1 : 0;
    this.#ends = [both.slice(0, headLen), both.slice(headLen)];
    return this.#ends;
  }

  /** The raw bytes of one token's text (may be part of a multi-byte character). */
  pieceBytes(token: number, special = false): Uint8Array {
    this.check(token);
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
    this.checkAll(tokens);
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
    this.check(token);
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
