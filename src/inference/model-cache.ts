/**
 * What the inference layer keeps between requests: parsed GGUF headers by blob path (blobs are immutable)
 * and compiled templates by source (compiling a chat template costs more than rendering it). Both bounded.
 */
import { type GgufFile, readGguf } from "../gguf/reader.ts";

/** Insertion-ordered map that forgets its oldest entry beyond `max`. */
class Bounded<V> {
  readonly #map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  set(key: string, value: V): void {
    this.#map.set(key, value);
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}

/** The caches one server's inference layer shares. */
export class ModelCache {
  readonly #gguf = new Bounded<Promise<GgufFile>>(64);
  readonly #templates = new Bounded<unknown>(64);

  /** The parsed GGUF header of a blob. */
  gguf(path: string): Promise<GgufFile> {
    let f = this.#gguf.get(path);
    if (!f) {
      f = readGguf(path);
      this.#gguf.set(path, f);
      f.catch(() => this.#gguf.delete(path));
    }
    return f;
  }

  /** `compile(source)`, compiled once per source and compiler. */
  template<T>(source: string, compile: (src: string) => T): T {
    const key = `${compile.name}\u0000${source}`;
    let t = this.#templates.get(key) as T | undefined;
    if (t === undefined) {
      t = compile(source);
      this.#templates.set(key, t);
    }
    return t;
  }
}
