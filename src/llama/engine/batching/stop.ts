/**
 * Stop strings matched across token boundaries: text that could be the start of a stop string is held
 * back until it is known not to be one, so a stop string never leaks into the output.
 */
export class StopMatcher {
  #held = "";
  /** The stop string that ended generation, once one has. */
  matched: string | undefined;

  constructor(private readonly stops: readonly string[]) {}

  /** Feeds new text; returns what may be emitted, and whether a stop string was hit. */
  push(text: string): { emit: string; stopped: boolean } {
    const buf = this.#held + text;
    let first = -1;
    for (const s of this.stops) {
      if (!s) continue;
      const i = buf.indexOf(s);
      if (i >= 0 && (first < 0 || i < first)) {
        first = i;
        this.matched = s;
      }
    }
    if (first >= 0) {
      this.#held = "";
      return { emit: buf.slice(0, first), stopped: true };
    }
    const keep = this.#partialSuffix(buf);
    this.#held = buf.slice(buf.length - keep);
    return { emit: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** Text held back at the end of generation (it was not a stop string after all). */
  flush(): string {
    const h = this.#held;
    this.#held = "";
    return h;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of some stop string. */
  #partialSuffix(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, buf.length); n > best; n--) {
        if (buf.endsWith(s.slice(0, n))) {
          best = n;
          break;
        }
      }
    }
    return best;
  }
}
