/**
 * Bounded JSON numbers as grammars, digit by digit in both the integer and the fractional part: `minimum 0.5,
 * exclusiveMaximum 2` allows 0.5, 0.51, 1, 1.999 but not 0.49 or 2. No exponents (a bound is checked on the
 * written digits) and at most 15 fractional digits.
 */
import { integerRange, naturalRange } from "./integer-range.ts";

/** A bound: the number and whether it is excluded. */
export interface Bound {
  x: number;
  strict: boolean;
}

/** A non-negative decimal: integer part and fractional digits (no trailing zeros). */
interface Dec {
  int: bigint;
  frac: string;
}

const MAX_FRAC = 15;

/** |x| exactly as its shortest decimal representation writes it. */
export function decimal(x: number): Dec {
  const s = String(Math.abs(x));
  const m = /^(\d+)(?:\.(\d+))?(?:e([-+]\d+))?$/.exec(s);
  if (!m) throw new RangeError(`not a finite number: ${x}`);
  const digits = (m[1] as string) + (m[2] ?? "");
  const point = (m[1] as string).length + Number(m[3] ?? 0);
  const padded = point <= 0 ? "0".repeat(1 - point) + digits : digits.padEnd(point, "0");
  const at = Math.max(point, 1);
  return { int: BigInt(padded.slice(0, at) || "0"), frac: padded.slice(at).replace(/0+$/, "") };
}

const cmp = (a: Dec, b: Dec) =>
  a.int !== b.int
    ? a.int < b.int
      ? -1
      : 1
    : a.frac === b.frac
      ? 0
      : a.frac.padEnd(MAX_FRAC * 2, "0") < b.frac.padEnd(MAX_FRAC * 2, "0")
        ? -1
        : 1;

const digitAt = (s: string, i: number) => Number(s[i] ?? "0");
const zerosFrom = (s: string, i: number) => /^0*$/.test(s.slice(i));

/** Fractional digit strings d (1..MAX_FRAC digits) with lo ≤ 0.d ≤ hi (strict where asked); null = none. */
function fractionDigits(
  lo: string | null,
  loStrict: boolean,
  hi: string | null,
  hiStrict: boolean,
): string | null {
  const f = (i: number, tLo: boolean, tHi: boolean): string | null => {
    const anyDigits = (n: number) => (n === 0 ? "" : ` [0-9]{0,${n}}`);
    const canEnd =
      i >= 1 &&
      (!tLo || (zerosFrom(lo as string, i) && !loStrict)) &&
      (!tHi || !zerosFrom(hi as string, i) || !hiStrict);
    if (i === MAX_FRAC) return canEnd ? "" : null;
    // Past a non-strict lower bound's last digit every continuation is at least the bound.
    if (tLo && !loStrict && zerosFrom(lo as string, i)) tLo = false;
    if (!tLo && !tHi) return i === 0 ? `[0-9]{1,${MAX_FRAC}}` : anyDigits(MAX_FRAC - i).trim();
    const lower = tLo ? digitAt(lo as string, i) : 0;
    const upper = tHi ? digitAt(hi as string, i) : 9;
    const alts: string[] = [];
    const push = (d: number, sub: string | null) => {
      if (sub !== null) alts.push(`"${d}" ${sub}`.trim());
    };
    if (lower === upper) push(lower, f(i + 1, tLo, tHi));
    else if (lower < upper) {
      if (tLo) push(lower, f(i + 1, true, false));
      if (tHi) push(upper, f(i + 1, false, true));
      const a = tLo ? lower + 1 : lower;
      const b = tHi ? upper - 1 : upper;
      if (a <= b) alts.push(`${a === b ? `"${a}"` : `[${a}-${b}]`}${anyDigits(MAX_FRAC - i - 1)}`);
    }
    if (alts.length === 0) return canEnd ? "" : null;
    const body = alts.join(" | ");
    return canEnd ? `(${body})?` : alts.length > 1 ? `(${body})` : body;
  };
  return f(0, lo !== null, hi !== null);
}

/**
 * What may follow integer part I: nothing or "." digits, such that I.d is within [I + 0.lo, I + 0.hi]
 * (null = that side unbounded inside this integer). Null when nothing fits.
 */
function afterInteger(
  lo: string | null,
  loStrict: boolean,
  hi: string | null,
  hiStrict: boolean,
): string | null {
  if (lo === "" && !loStrict) lo = null;
  const bare = (lo === null || (lo === "" && !loStrict)) && (hi === null || hi !== "" || !hiStrict);
  const digits = fractionDigits(lo, loStrict, hi, hiStrict);
  if (digits === null) return bare ? "" : null;
  return bare ? `("." ${digits})?` : `"." ${digits}`;
}

/** Magnitudes m with a ≤ m ≤ b (strict where asked; b undefined = unbounded). Null when empty. */
function magnitudes(a: Dec, aStrict: boolean, b: Dec | undefined, bStrict: boolean): string | null {
  if (b) {
    const c = cmp(a, b);
    if (c > 0 || (c === 0 && (aStrict || bStrict))) return null;
  }
  const pieces: string[] = [];
  const at = (i: bigint, rest: string | null) => {
    if (rest !== null) pieces.push(`"${i}" ${rest}`.trim());
  };
  if (b && a.int === b.int) at(a.int, afterInteger(a.frac, aStrict, b.frac, bStrict));
  else {
    at(a.int, afterInteger(a.frac, aStrict, null, false));
    const from = a.int + 1n;
    const to = b ? b.int - 1n : undefined;
    if (to === undefined || from <= to)
      pieces.push(`(${naturalRange(from, to)}) ("." [0-9]{1,${MAX_FRAC}})?`);
    if (b) at(b.int, afterInteger(null, false, b.frac, bStrict));
  }
  return pieces.length === 0 ? null : pieces.join(" | ");
}

/** JSON numbers within the bounds (either may be absent), as a GBNF alternation; throws RangeError when none. */
export function numberRange(lo?: Bound, hi?: Bound): string {
  const zero: Dec = { int: 0n, frac: "" };
  const alts: string[] = [];
  if (hi === undefined || hi.x > 0 || (hi.x === 0 && !hi.strict)) {
    const a = lo === undefined || lo.x < 0 ? zero : decimal(lo.x);
    const pos = magnitudes(
      a,
      lo !== undefined && lo.x >= 0 && lo.strict,
      hi && decimal(hi.x),
      hi?.strict ?? false,
    );
    if (pos !== null) alts.push(pos);
  }
  if (lo === undefined || lo.x < 0) {
    const inner = hi !== undefined && hi.x < 0;
    const neg = magnitudes(
      inner ? decimal(hi.x) : zero,
      inner ? hi.strict : true,
      lo && decimal(lo.x),
      lo?.strict ?? false,
    );
    if (neg !== null) alts.push(`"-" (${neg})`);
  }
  if (alts.length === 0) throw new RangeError("empty range");
  return alts.join(" | ");
}

/** Integers in the bounds (fractional bounds rounded inwards), as a GBNF alternation; RangeError when none. */
export function integerBounds(lo?: Bound, hi?: Bound): string {
  const low = lo && (Number.isInteger(lo.x) ? BigInt(lo.x) + (lo.strict ? 1n : 0n) : ceil(lo.x));
  const high = hi && (Number.isInteger(hi.x) ? BigInt(hi.x) - (hi.strict ? 1n : 0n) : floor(hi.x));
  return integerRange(low, high);
}

const floor = (x: number) => BigInt(Math.floor(x));
const ceil = (x: number) => BigInt(Math.ceil(x));
