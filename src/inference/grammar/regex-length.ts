/**
 * A pattern together with minLength/maxLength. A grammar cannot intersect two languages in general, but it
 * can generate a subset of the pattern's strings that meets the lengths: repetitions are capped until
 * nothing longer than maxLength is possible, and the minimum of top-level repeated characters is raised
 * until nothing shorter than minLength is.
 */
import { lengthRange, type RegexNode } from "./regex.ts";

/** `items` (one top-level alternative) narrowed to lengths in [min, max]; null when that is impossible. */
export function fitLength(items: RegexNode[], min: number, max: number | undefined): RegexNode[] | null {
  let seq: RegexNode | null = { k: "seq", items };
  if (max !== undefined) seq = capTo(seq, max);
  if (!seq) return null;
  const [lo] = lengthRange(seq);
  if (lo < min) seq = raiseMin(seq, min - lo);
  if (!seq) return null;
  return seq.k === "seq" ? seq.items : [seq];
}

/** `n` matching only its strings of at most `limit` characters (some of them); null if none is that short. */
function capTo(n: RegexNode, limit: number): RegexNode | null {
  const [lo, hi] = lengthRange(n);
  if (lo > limit) return null;
  if (hi !== undefined && hi <= limit) return n;
  switch (n.k) {
    case "seq": {
      // Bounded parts keep their range when they all fit; the unbounded ones share what is left evenly.
      // Otherwise the parts are capped left to right.
      const ranges = n.items.map(lengthRange);
      let slack = limit - lo;
      const reserve = ranges.reduce((sum, [a, b]) => sum + (b === undefined ? 0 : b - a), 0);
      const open = ranges.filter(([, b]) => b === undefined).length;
      const fits = reserve <= slack;
      const left = Math.max(0, slack - reserve);
      let nth = 0; // unbounded parts seen so far: the first ones get the remainder of the even split
      const items = n.items.map((item, i) => {
        const [a, b] = ranges[i] as [number, number | undefined];
        const share = b === undefined ? Math.floor(left / open) + (nth++ < left % open ? 1 : 0) : 0;
        const room = fits ? (b === undefined ? share : b - a) : slack;
        const c = capTo(item, a + Math.min(room, slack)) as RegexNode; // never null: a fits
        slack -= (lengthRange(c)[1] as number) - a;
        return c;
      });
      return { k: "seq", items };
    }
    case "alt": {
      const alts = n.alts.map((x) => capTo(x, limit)).filter((x): x is RegexNode => x !== null);
      return alts.length > 0 ? { k: "alt", alts } : null;
    }
    case "rep": {
      const per = n.min > 0 ? Math.floor(limit / n.min) : limit; // what one repetition may take
      let inner: RegexNode | null = n.node;
      const [, b] = lengthRange(inner);
      if (b === undefined || b > per) inner = capTo(inner, per);
      if (!inner) return n.min === 0 ? { k: "seq", items: [] } : null;
      const bi = lengthRange(inner)[1] as number;
      const count =
        bi === 0 ? (n.max ?? n.min) : Math.min(n.max ?? Number.POSITIVE_INFINITY, Math.floor(limit / bi));
      return count < n.min ? null : { ...n, node: inner, max: count };
    }
    default:
      return n;
  }
}

/** `seq` with `need` more characters required, taken from its top-level repeated characters; null if it has too few. */
function raiseMin(seq: RegexNode, need: number): RegexNode | null {
  const items = seq.k === "seq" ? [...seq.items] : [seq];
  // Explicit repetitions first, the implicit text around an unanchored pattern last.
  const order = items
    .map((n, i) => i)
    .sort((x, y) => Number(isOpenEnd(items, x)) - Number(isOpenEnd(items, y)));
  for (const i of order) {
    const n = items[i] as RegexNode;
    if (need === 0) break;
    if (n.k !== "rep" || n.node.k !== "chars") continue;
    const take = Math.min(need, (n.max ?? Number.POSITIVE_INFINITY) - n.min);
    if (take <= 0) continue;
    items[i] = { ...n, min: n.min + take };
    need -= take;
  }
  return need === 0 ? { k: "seq", items } : null;
}

function isOpenEnd(items: RegexNode[], i: number): boolean {
  return (i === 0 || i === items.length - 1) && items[i]?.k === "rep";
}
