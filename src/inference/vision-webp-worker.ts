/**
 * WebP decode worker (entry point): libwebp compiled to WebAssembly (the @cwasm/webp build, embedded in the
 * executable as a file) decodes on its own thread, so the server's event loop never spends a decode. Each job
 * gets a fresh instance: a large image's grown wasm memory is dropped with it instead of kept for good.
 */
import wasmPath from "@cwasm/webp/webp.wasm" with { type: "file" };
import { rgbaToPpm } from "./vision-ppm.ts";

declare const self: Worker;

/** A job: the WebP file's bytes. */
export interface WebpJob {
  id: number;
  bytes: Uint8Array;
}

/** The answer: a binary PPM (P6) of the image, or why it could not be decoded. */
export type WebpResult = { id: number; ppm: Uint8Array } | { id: number; error: string };

interface WebpExports {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  WebPDecodeRGBA(data: number, size: number, width: number, height: number): number;
}

// libwebp's decoder never writes to a file; the WASI imports exist only because the C library links them.
const nosys = () => 52; // WASI ENOSYS
const imports = { wasi_snapshot_preview1: { fd_close: nosys, fd_seek: nosys, fd_write: nosys } };
let module: WebAssembly.Module | undefined;

async function decode(bytes: Uint8Array): Promise<Uint8Array> {
  module ??= new WebAssembly.Module(await Bun.file(wasmPath).arrayBuffer());
  const w = new WebAssembly.Instance(module, imports).exports as unknown as WebpExports;
  const input = w.malloc(bytes.length);
  const dims = w.malloc(8);
  if (input === 0 || dims === 0) throw new Error("out of memory decoding the WebP image");
  new Uint8Array(w.memory.buffer, input, bytes.length).set(bytes);
  const out = w.WebPDecodeRGBA(input, bytes.length, dims, dims + 4);
  if (out === 0) throw new Error("corrupt WebP image: it cannot be decoded");
  const [width = 0, height = 0] = new Uint32Array(w.memory.buffer, dims, 2);
  return rgbaToPpm(new Uint8Array(w.memory.buffer, out, width * height * 4), width, height);
}

self.onmessage = async (ev: MessageEvent<WebpJob>) => {
  const { id, bytes } = ev.data;
  try {
    const ppm = await decode(bytes);
    self.postMessage({ id, ppm } satisfies WebpResult, [ppm.buffer as ArrayBuffer]);
  } catch (e) {
    self.postMessage({ id, error: e instanceof Error ? e.message : String(e) } satisfies WebpResult);
  }
};
