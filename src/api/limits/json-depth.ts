/**
 * A linear pre-scan of JSON text for its nesting depth, run before JSON.parse: parsing (and every recursive
 * walk after it) of deeply nested JSON can exhaust the stack, and the scan cannot. It works on UTF-8 bytes:
 * the structural characters are ASCII and no byte of a multi-byte sequence is below 0x80, so brackets
 * inside strings are never miscounted once strings are skipped.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** The index of the quote closing the string whose content starts at `from` (bytes.length if none). */
function stringEnd(bytes: Uint8Array, from: number): number {
  let i = from;
  for (;;) {
    const q = bytes.indexOf(QUOTE, i);
    if (q < 0) return bytes.length;
    // The quote is escaped when an odd number of backslashes precede it. Each run of backslashes is walked
    // at most once (only the quote right after it looks back), so the scan stays linear.
    let k = q - 1;
    while (k >= from && bytes[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    i = q + 1;
  }
}

/** True when the JSON text in `bytes` nests arrays and objects more than `max` levels deep. */
export function jsonTooDeep(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === QUOTE) i = stringEnd(bytes, i + 1);
    else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) depth--;
  }
  return false;
}
