/** Marks an object as a Go map: truthy only when non-empty, ranged and printed in sorted key order. */
export const GO_MAP = Symbol("goMap");
/** The JSON-tagged view of a Go struct (what `json` and String() encode), when it differs from the fields. */
export const JSON_VIEW = Symbol("jsonView");

/** Marks `obj` as a Go map; returns it. */
export function goMap<T extends object>(obj: T): T {
  Object.defineProperty(obj, GO_MAP, { value: true, enumerable: false });
  return obj;
}

/** Attaches the JSON form Go's encoder would produce for this struct, plus a JSON String() method. */
export function withJson<T extends object>(obj: T, json: unknown): T {
  Object.defineProperty(obj, JSON_VIEW, { value: json, enumerable: false });
  Object.defineProperty(obj, "String", { value: () => goJson(obj), enumerable: false });
  return obj;
}

/** Gives a map a Go Stringer that prints its JSON (Ollama's tool arguments and properties types). */
export function jsonStringer<T extends object>(obj: T): T {
  goMap(obj);
  Object.defineProperty(obj, "String", { value: () => goJson(obj), enumerable: false });
  return obj;
}

/** True for Go maps (marked) and for plain records without a struct marker. */
export function isGoMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && (v as Record<symbol, unknown>)[GO_MAP] === true;
}

/** Go's `truth`: false, 0, "", nil, and empty slices/maps are false; structs are true. */
export function truth(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isGoMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** `encoding/json.Marshal`: sorted map keys, struct field order, and `<`, `>`, `&` escaped. */
export function goJson(v: unknown): string {
  return encode(v).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function encode(v: unknown): string {
  if (v === undefined || v === null) return "null";
  if (typeof v === "object" && JSON_VIEW in v) return encode((v as Record<symbol, unknown>)[JSON_VIEW]);
  if (Array.isArray(v)) return `[${v.map(encode).join(",")}]`;
  if (typeof v === "object") {
    const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (isGoMap(v)) keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode((v as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  if (typeof v === "function") return "null";
  return JSON.stringify(v);
}

/** fmt's `%v` for a float64: shortest digits, exponent form below 1e-4 or at/above the digit count (min 21 for ints). */
export function goFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant = "", expStr = "0"] = x.toExponential().split("e");
  const exp = Number(expStr);
  const digits = mant.replace(/[-.]/g, "");
  let eprec = 6;
  if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (Number.isInteger(x) && Math.abs(x) < 1e21) eprec = 21;
  if (exp < -4 || exp >= eprec)
    return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(x);
}

/** fmt's `%v` for template output: Stringers, slices `[a b]`, maps `map[k:v]`, structs `{a b}`. */
export function printValue(v: unknown): string {
  if (v === undefined) return "<no value>";
  if (v === null) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return goFloat(v);
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "function") return "<func>";
  const s = (v as { String?: unknown }).String;
  if (typeof s === "function") return String(s.call(v));
  if (Array.isArray(v)) return `[${v.map(printValue).join(" ")}]`;
  const o = v as Record<string, unknown>;
  if (isGoMap(o))
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${printValue(o[k])}`)
      .join(" ")}]`;
  return `{${Object.values(o).map(printValue).join(" ")}}`;
}
