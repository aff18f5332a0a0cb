/**
 * Numbers as Go's encoding/json writes a float32: the shortest decimal that reads back as the same float32,
 * in plain notation, or exponent notation below 1e-6 and from 1e21 ("1e-7", "1.5e+21").
 * `ollama run <embedding model>` prints its vector this way, so the same server answer prints the same text.
 */

/** Shortest digits and decimal exponent of a float32 value: value = d1.d2…dn × 10^exp. */
function shortest(f: number): { digits: string; exp: number } {
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) {
      const [mant, e] = s.split("e") as [string, string];
      return { digits: mant.replace(".", ""), exp: Number(e) };
    }
  }
  const [mant, e] = f.toExponential(8).split("e") as [string, string];
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

/** One number as Go's json.Marshal of a float32 prints it. */
export function goFloat32(x: number): string {
  const f = Math.fround(x);
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const sign = f < 0 ? "-" : "";
  const abs = Math.abs(f);
  const { digits, exp } = shortest(abs);
  // Go compares in float32: the thresholds are float32(1e-6) and float32(1e21).
  if (abs < Math.fround(1e-6) || abs >= Math.fround(1e21)) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const e = exp < 0 ? `-${Math.abs(exp)}` : `+${String(exp).padStart(2, "0")}`;
    return `${sign}${digits[0]}${frac}e${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${whole}${frac ? `.${frac}` : ""}`;
}

/** A vector as Go's json.Marshal of a []float32 prints it: `[0.1,-0.25,…]`. */
export function goFloat32Array(v: readonly number[]): string {
  return `[${v.map(goFloat32).join(",")}]`;
}
