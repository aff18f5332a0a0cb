/**
 * Splitting a long text before special tokens so that libllama tokenizes it piece by piece with the same
 * result. llama.cpp's tokenizer_st_partition walks its fragment list from the start for every special-token
 * match (std::distance / std::next on a forward_list), so a text with k special-token texts in it costs k²:
 * 0.5 MB of "<s>" took 46 s in one call. Pieces of at most a few hundred matches each keep it linear.
 *
 * A cut goes right before a special-token match the whole-text partition is certain to make, so each piece
 * partitions into exactly the fragments the whole text would, and fragments are tokenized independently:
 * - llama.cpp matches specials longest first, each greedily from the left; a match at `i` of the longest
 *   special `s` there is certain when no special occurrence starting before `i` reaches past `i`, and none
 *   starting inside `s` is as long as `s` (only those could be matched first and swallow `i`);
 * - an lstrip special eats the whitespace before it, so no cut goes after whitespace before one;
 * - SPM's space prefix follows a special token as it does the start of a text, so a piece that starts with
 *   one is tokenized as the whole text's fragments after that token are.
 */

/** A special token's text and whether it strips whitespace on its left (LLAMA_TOKEN_ATTR_LSTRIP). */
export interface SpecialText {
  text: string;
  lstrip: boolean;
}

interface Node {
  next: Map<number, Node>;
  /** Set when a special ends here. */
  end: { length: number; lstrip: boolean } | null;
}

/** The special texts as a trie over UTF-16 code units, for one left-to-right scan. */
export class SpecialMatcher {
  readonly #root: Node = { next: new Map(), end: null };
  /** First code units of every special, to skip the other positions fast. */
  readonly #first = new Uint8Array(65536);
  readonly size: number;

  constructor(specials: Iterable<SpecialText>) {
    let n = 0;
    for (const s of specials) {
      if (s.text.length === 0) continue;
      let node = this.#root;
      for (let i = 0; i < s.text.length; i++) {
        const c = s.text.charCodeAt(i);
        let child = node.next.get(c);
        if (!child) {
          child = { next: new Map(), end: null };
          node.next.set(c, child);
        }
        node = child;
      }
      node.end = { length: s.text.length, lstrip: (node.end?.lstrip ?? false) || s.lstrip };
      this.#first[s.text.charCodeAt(0)] = 1;
      n++;
    }
    this.size = n;
  }

  /** The longest special starting at `i` (its length, and whether any special of that text lstrips), or null. */
  longestAt(text: string, i: number): { length: number; lstrip: boolean } | null {
    if (!this.#first[text.charCodeAt(i)]) return null;
    let node: Node | undefined = this.#root;
    let best: Node["end"] = null;
    for (let j = i; j < text.length; j++) {
      node = node.next.get(text.charCodeAt(j));
      if (!node) break;
      if (node.end) best = node.end;
    }
    return best;
  }
}

/** C's isspace, as llama.cpp's strip checks use it. */
const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * `text` cut into pieces (joined they are `text`) holding about `perPiece` special-token matches each, cut
 * only where the whole-text partition certainly splits (see the file comment). One piece when no cut is due.
 */
export function splitAtSpecials(text: string, m: SpecialMatcher, perPiece = 256): string[] {
  if (m.size === 0) return [text];
  const pieces: string[] = [];
  let from = 0;
  let since = 0; // matches since the last cut
  let reach = 0; // furthest end of any match starting before `i`
  for (let i = 0; i < text.length; i++) {
    const hit = m.longestAt(text, i);
    if (!hit) continue;
    since++;
    if (since > perPiece && i > from && reach <= i && !afterStrippedSpace(text, i, hit.lstrip)) {
      if (!swallowed(text, m, i, hit.length)) {
        pieces.push(text.slice(from, i));
        from = i;
        since = 1;
      }
    }
    reach = Math.max(reach, i + hit.length);
  }
  if (pieces.length === 0) return [text];
  pieces.push(text.slice(from));
  return pieces;
}

const afterStrippedSpace = (text: string, i: number, lstrip: boolean): boolean =>
  lstrip && i > 0 && isSpace(text.charCodeAt(i - 1));

/** Whether a match starting inside the one at `i` is at least as long (it could be matched first). */
function swallowed(text: string, m: SpecialMatcher, i: number, length: number): boolean {
  for (let j = i + 1; j < i + length; j++) if ((m.longestAt(text, j)?.length ?? 0) >= length) return true;
  return false;
}
