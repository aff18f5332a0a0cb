/**
 * Prefix groups of a vocabulary (built by shim.c's tsllm_vocab_groups): tokens sharing a first code point
 * (or first two ASCII bytes) with a "probe" token whose whole text is that prefix. When the grammar rejects
 * the probe it rejects the whole group, so a grammar resample can skip most of a 150k-token vocabulary.
 */
import { addressOf } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import type { Vocab } from "./vocab.ts";

/** Group of each token (-1: none), and each group's probe token and parent group (-1: none). */
export interface PrefixGroups {
  readonly groupOf: Int32Array;
  readonly probe: Int32Array;
  readonly parent: Int32Array;
  readonly count: number;
}

// Memo per vocabulary (built once per loaded model, ~0.1 s for 150k tokens); plain typed arrays, so a
// disposed model's entry holds no native memory and goes with its Vocab object.
const memo = new WeakMap<Vocab, PrefixGroups | null>();

/** The vocabulary's prefix groups, or null when they cannot be built. */
export function prefixGroups(vocab: Vocab): PrefixGroups | null {
  const known = memo.get(vocab);
  if (known !== undefined) return known;
  const n = vocab.size;
  const groupOf = new Int32Array(n);
  const probe = new Int32Array(n);
  const parent = new Int32Array(n);
  const count = native().shim.tsllm_vocab_groups(
    vocab.handle,
    n,
    addressOf(groupOf),
    addressOf(probe),
    addressOf(parent),
  );
  const groups =
    count > 0 ? { groupOf, probe: probe.slice(0, count), parent: parent.slice(0, count), count } : null;
  memo.set(vocab, groups);
  return groups;
}

/** What a GBNF grammar's text says about using prefix groups with it. */
export interface GrammarTraits {
  /** Token rules (`<[id]>`, `<token>`, `!<…>`) match by token id, not text: no prefix groups at all. */
  tokenRules: boolean;
  /** Non-ASCII code points its negated classes exclude, as [lo, hi] pairs (lead-byte probes overlapping them are not exact). */
  excluded: number[];
}

const ESCAPES: Record<string, number> = { t: 9, r: 13, n: 10 };
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Scans GBNF text as llama.cpp's parser reads it (literals, classes, comments) for what limits prefix groups. */
export function grammarTraits(gbnf: string): GrammarTraits {
  const cps = Array.from(gbnf);
  const traits: GrammarTraits = { tokenRules: false, excluded: [] };
  let i = 0;
  // One class character (after `[` or `-`), as llama-grammar's parse_char reads it.
  const char = (): number => {
    const c = cps[i++] as string;
    if (c !== "\\") return c.codePointAt(0) as number;
    const e = cps[i++] ?? "";
    const digits = HEX_DIGITS[e];
    if (digits === undefined) return ESCAPES[e] ?? (e.codePointAt(0) as number);
    const v = Number.parseInt(cps.slice(i, i + digits).join(""), 16);
    i += digits;
    return v;
  };
  while (i < cps.length) {
    const c = cps[i++];
    if (c === '"') {
      while (i < cps.length && cps[i] !== '"') i += cps[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "#") {
      while (i < cps.length && cps[i] !== "\n" && cps[i] !== "\r") i++;
    } else if (c === "<" || c === "!") {
      traits.tokenRules = true;
    } else if (c === "[") {
      const negated = cps[i] === "^";
      if (negated) i++;
      while (i < cps.length && cps[i] !== "]") {
        const lo = char();
        const hi = cps[i] === "-" && cps[i + 1] !== "]" && i + 1 < cps.length ? (i++, char()) : lo;
        if (negated && hi >= 0x80) traits.excluded.push(Math.max(lo, 0x80), hi);
      }
      i++;
    }
  }
  return traits;
}
