/**
 * Integer ranges as grammars, digit by digit: `[0, 120]` becomes `[0-9] | [1-9] [0-9] | "1" ([0-1] [0-9] | "20")`,
 * so every number the grammar allows is in range and written canonically (no leading zeros, no `-0`).
 */

/** Unbounded integers get at most this many digits (every such integer is exact as a JS number). */
export const MAX_DIGITS = 15;

const pow10 = (n: number) => 10n ** BigInt(n);

/** Digits `a`..`b` as a class (a single digit as a literal). */
function digits(a: number, b: number): string {
  return a === b ? `"${a}"` : `[${a}-${b}]`;
}

/** `[0-9]` repeated exactly n times. */
function anyDigits(n: number): string {
  return n === 0 ? "" : n === 1 ? "[0-9]" : `[0-9]{${n}}`;
}

/** Equal-length digit strings from `f` to `t` (f ≤ t), leading zeros kept: a GBNF sequence. */
function sameLength(f: string, t: string): string {
  let i = 0;
  while (i < f.length && f[i] === t[i]) i++;
  const prefix = i > 0 ? `"${f.slice(0, i)}"` : "";
  if (i === f.length) return prefix;
  const fd = Number(f[i]);
  const td = Number(t[i]);
  const fr = f.slice(i + 1);
  const tr = t.slice(i + 1);
  const n = fr.length;
  const lowAll = /^0*$/.test(fr);
  const highAll = /^9*$/.test(tr);
  const alts: string[] = [];
  if (!lowAll) alts.push(`"${fd}" ${group(sameLength(fr, "9".repeat(n)))}`);
  const lo = lowAll ? fd : fd + 1;
  const hi = highAll ? td : td - 1;
  if (lo <= hi) alts.push([digits(lo, hi), anyDigits(n)].filter(Boolean).join(" "));
  if (!highAll) alts.push(`"${td}" ${group(sameLength("0".repeat(n), tr))}`);
  const rest = alts.length === 1 ? (alts[0] as string) : `(${alts.join(" | ")})`;
  return [prefix, rest].filter(Boolean).join(" ");
}

/** `s` parenthesised when it is a sequence or alternation. */
function group(s: string): string {
  return /^\S+$/.test(s) ? s : `(${s})`;
}

/** Canonical non-negative integers in [a, b]; `b` undefined = up to MAX_DIGITS digits. */
export function naturalRange(a: bigint, b?: bigint): string {
  const top = b ?? pow10(Math.max(MAX_DIGITS, a.toString().length)) - 1n;
  if (a > top) throw new RangeError("empty range");
  const alts: string[] = [];
  let fullFrom = -1; // a run of lengths whose whole range is included, merged into one alternative
  let fullTo = -1;
  const flush = () => {
    if (fullFrom < 0) return;
    alts.push(
      fullFrom === fullTo
        ? `[1-9] ${anyDigits(fullFrom - 1)}`.trim()
        : `[1-9] [0-9]{${fullFrom - 1},${fullTo - 1}}`,
    );
    fullFrom = -1;
  };
  for (let len = a.toString().length; len <= top.toString().length; len++) {
    const lo = len === 1 ? 0n : pow10(len - 1);
    const hi = pow10(len) - 1n;
    const from = a > lo ? a : lo;
    const to = top < hi ? top : hi;
    if (len > 1 && from === lo && to === hi) {
      if (fullFrom < 0) fullFrom = len;
      fullTo = len;
      continue;
    }
    flush();
    alts.push(sameLength(from.toString(), to.toString()));
  }
  flush();
  return alts.length === 1 ? (alts[0] as string) : alts.join(" | ");
}

/** Canonical integers in [lo, hi] (either bound may be absent) as a GBNF alternation; throws RangeError when empty. */
export function integerRange(lo?: bigint, hi?: bigint): string {
  if (lo !== undefined && hi !== undefined && lo > hi) throw new RangeError("empty range");
  const alts: string[] = [];
  if (lo === undefined || lo < 0n) {
    const magLo = hi !== undefined && hi < 0n ? -hi : 1n;
    alts.push(`"-" (${naturalRange(magLo, lo === undefined ? undefined : -lo)})`);
  }
  if (hi === undefined || hi >= 0n) alts.push(naturalRange(lo === undefined || lo < 0n ? 0n : lo, hi));
  return alts.join(" | ");
}
