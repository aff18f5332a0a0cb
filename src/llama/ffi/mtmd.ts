/**
 * Typed access to libmtmd (llama.cpp's multimodal library): opening it beside the loaded libllama, loading a
 * projector, turning image bytes into bitmaps, tokenizing a prompt with images into chunks, and evaluating an
 * image chunk into a context's sequence. Pointers stay in src/llama (the engine's Projector owns them).
 */
import { dlopen, type Library } from "bun:ffi";
import { addressOf, cstr, type Ptr, utf8, viewBytes } from "./memory.ts";
import { native } from "./native.ts";
import { ImageInputError, MtmdUnavailableError, ProjectorLoadError } from "./mtmd-errors.ts";
import { findMtmdLibrary, mtmdLibraryCandidates } from "./mtmd-library.ts";
import { CHUNK_TYPE, MTMD_SHIM_VERSION, mtmdSymbols } from "./mtmd-symbols.ts";

type MtmdSymbols = Library<typeof mtmdSymbols>["symbols"];

/** The opened library (the dlopen handle: module state like native.ts's). */
let opened: { file: string; symbols: MtmdSymbols } | null = null;

/** The library, opened on first use after libllama (its dependencies resolve to the loaded libllama/libggml). */
export function mtmd(): { file: string; symbols: MtmdSymbols } {
  if (opened) return opened;
  const { lib, llamaVersion } = native();
  const file = findMtmdLibrary(lib, llamaVersion);
  if (!file) {
    const where = mtmdLibraryCandidates(lib, llamaVersion).join(", ");
    throw new MtmdUnavailableError(
      `${where} missing (build it with scripts/build-native-extras.sh, or use a build of tsllm that embeds it)`,
    );
  }
  let symbols: MtmdSymbols;
  try {
    symbols = dlopen(file, mtmdSymbols).symbols;
  } catch (e) {
    throw new MtmdUnavailableError(`cannot load ${file}: ${(e as Error).message}`);
  }
  const version = symbols.tsllm_mtmd_shim_version();
  if (version !== MTMD_SHIM_VERSION)
    throw new MtmdUnavailableError(
      `${file} has entry points version ${version}, this build needs ${MTMD_SHIM_VERSION} (rebuild it)`,
    );
  opened = { file, symbols };
  return opened;
}

/** The loaded library: its file and the media marker prompts use. */
export function mtmdInfo(): { file: string; marker: string } {
  const { file, symbols } = mtmd();
  return { file, marker: String(symbols.mtmd_default_marker()) };
}

/** Loads projector `path` for `model` (a llama_model*); throws ProjectorLoadError with mtmd's reason. */
export function initProjector(path: string, model: Ptr, threads: number, useGpu: boolean): Ptr {
  const { symbols } = mtmd();
  const ctx = symbols.tsllm_mtmd_init(cstr(path), model, threads, useGpu);
  if (!ctx)
    throw new ProjectorLoadError(
      path,
      "not a projector for this model (see the runner log for mtmd's reason)",
    );
  if (!symbols.mtmd_support_vision(ctx)) {
    symbols.mtmd_free(ctx);
    throw new ProjectorLoadError(path, "the projector has no vision encoder");
  }
  return ctx;
}

/** Frees a projector context. */
export function freeProjector(ctx: Ptr): void {
  mtmd().symbols.mtmd_free(ctx);
}

/** Whether the projector's model uses M-RoPE (image positions differ from its token count). */
export function projectorUsesMrope(ctx: Ptr): boolean {
  return mtmd().symbols.mtmd_decode_use_mrope(ctx);
}

/**
 * Whether chunk `chunk` is decoded with non-causal attention over its tokens (Gemma 3): llama.cpp's helper
 * switches it off for that decode only, and needs the whole chunk in one micro-batch.
 */
export function chunkUsesNonCausal(ctx: Ptr, chunk: Ptr): boolean {
  return mtmd().symbols.mtmd_decode_use_non_causal(ctx, chunk);
}

/** A decoded image (mtmd_bitmap*) from encoded bytes; throws ImageInputError when they do not decode. */
export function imageFromBytes(ctx: Ptr, bytes: Uint8Array, id: string, what: string): Ptr {
  if (bytes.length === 0) throw new ImageInputError(`${what} is empty`);
  const bitmap = mtmd().symbols.tsllm_mtmd_image_from_buf(ctx, addressOf(bytes), bytes.length, cstr(id));
  if (!bitmap) throw new ImageInputError(`${what} could not be decoded as an image`);
  return bitmap;
}

/** Frees a bitmap. */
export function freeImage(bitmap: Ptr): void {
  mtmd().symbols.mtmd_bitmap_free(bitmap);
}

/** One chunk of a tokenized multimodal prompt. */
export type RawChunk =
  | { type: "text"; tokens: number[] }
  | { type: "image"; ptr: Ptr; nTokens: number; nPos: number; id: string };

/**
 * Tokenizes `text` (with one marker per bitmap, in order) into chunks. Returns the chunk list (free it with
 * freeChunks once its image chunks are evaluated) and each chunk's contents.
 */
export function tokenizeWithImages(
  ctx: Ptr,
  text: string,
  bitmaps: Ptr[],
  opts: { addSpecial: boolean; parseSpecial: boolean },
): { chunks: Ptr; list: RawChunk[] } {
  const { symbols: m } = mtmd();
  const chunks = m.mtmd_input_chunks_init();
  if (!chunks) throw new MtmdUnavailableError("mtmd_input_chunks_init failed");
  const bytes = utf8(text);
  const table = new BigUint64Array(Math.max(1, bitmaps.length));
  bitmaps.forEach((b, i) => {
    table[i] = BigInt(b);
  });
  // A zero-length text still needs a valid address.
  const textBuf = bytes.length > 0 ? bytes : new Uint8Array(1);
  const rc = m.tsllm_mtmd_tokenize(
    ctx,
    chunks,
    addressOf(textBuf),
    bytes.length,
    opts.addSpecial,
    opts.parseSpecial,
    addressOf(table),
    bitmaps.length,
  );
  if (rc !== 0) {
    m.mtmd_input_chunks_free(chunks);
    if (rc === 1)
      throw new ImageInputError(
        "the number of image markers in the prompt differs from the number of images",
        "image_count_mismatch",
      );
    throw new ImageInputError(`an image could not be prepared for the projector (mtmd_tokenize code ${rc})`);
  }
  const list: RawChunk[] = [];
  const nOut = new BigUint64Array(1);
  for (let i = 0; i < Number(m.mtmd_input_chunks_size(chunks)); i++) {
    const c = m.mtmd_input_chunks_get(chunks, i) as Ptr;
    const type = m.mtmd_input_chunk_get_type(c);
    if (type === CHUNK_TYPE.text) {
      const p = m.mtmd_input_chunk_get_tokens_text(c, addressOf(nOut));
      const n = Number(nOut[0]);
      const ids = n > 0 && p ? Array.from(new Int32Array(viewBytes(p, n * 4).slice().buffer)) : [];
      list.push({ type: "text", tokens: ids });
    } else if (type === CHUNK_TYPE.image) {
      list.push({
        type: "image",
        ptr: c,
        nTokens: Number(m.mtmd_input_chunk_get_n_tokens(c)),
        nPos: m.mtmd_input_chunk_get_n_pos(c),
        id: String(m.mtmd_input_chunk_get_id(c) ?? ""),
      });
    } else {
      m.mtmd_input_chunks_free(chunks);
      throw new ImageInputError("audio input is not supported");
    }
  }
  return { chunks, list };
}

/** Frees a chunk list from tokenizeWithImages. */
export function freeChunks(chunks: Ptr): void {
  mtmd().symbols.mtmd_input_chunks_free(chunks);
}

/**
 * Encodes image chunk `chunk` and decodes its embeddings into sequence `seq` of context `lctx` from position
 * `nPast`; returns the next position. Throws ImageInputError (the encode or decode failed).
 */
export function evalImageChunk(
  ctx: Ptr,
  lctx: Ptr,
  chunk: Ptr,
  nPast: number,
  seq: number,
  nBatch: number,
): number {
  const out = new Int32Array(1);
  const rc = mtmd().symbols.tsllm_mtmd_eval_chunk(ctx, lctx, chunk, nPast, seq, nBatch, addressOf(out));
  if (rc !== 0) throw new ImageInputError(`encoding the image failed (code ${rc})`, "image_encode_failed");
  return out[0] as number;
}
