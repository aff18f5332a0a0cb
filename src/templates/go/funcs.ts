import { TemplateRenderError } from "../errors.ts";
import { goFloat, isGoMap, printValue } from "./values.ts";

/** A template function: evaluated arguments in, one value out (throw to fail the render). */
export type GoFunc = (...args: unknown[]) => unknown;

const fail = (msg: string) => new TemplateRenderError(msg);

function basicKind(v: unknown): string {
  if (v === undefined || v === null) return "nil";
  return typeof v === "object" ? (Array.isArray(v) ? "slice" : "map") : typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === "nil" || kb === "nil") return ka === kb;
  if (ka !== kb) throw fail("error calling eq: incompatible types for comparison");
  if (ka === "slice" || ka === "map") throw fail("error calling eq: non-comparable type");
  return a === b;
}

function less(name: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw fail(`error calling ${name}: incompatible types for comparison`);
  if (ka !== "number" && ka !== "string") throw fail(`error calling ${name}: invalid type for comparison`);
  return (a as number | string) < (b as number | string);
}

function length(v: unknown): number {
  if (typeof v === "string") return new TextEncoder().encode(v).length;
  if (Array.isArray(v)) return v.length;
  if (typeof v === "object" && v !== null) return Object.keys(v).length;
  if (v === undefined || v === null) return 0;
  throw fail(`error calling len: len of type ${typeof v}`);
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (Array.isArray(cur) || typeof cur === "string") {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length)
        throw fail(`error calling index: index out of range: ${k}`);
      cur = typeof cur === "string" ? cur.charCodeAt(i) : cur[i];
    } else if (typeof cur === "object" && cur !== null) {
      cur = (cur as Record<string, unknown>)[String(k)];
    } else {
      throw fail(`error calling index: can't index item of type ${basicKind(cur)}`);
    }
  }
  return cur;
}

function slice(v: unknown, ...idx: unknown[]): unknown {
  if (!Array.isArray(v) && typeof v !== "string")
    throw fail(`error calling slice: can't slice item of type ${basicKind(v)}`);
  const n = v.length;
  const [lo = 0, hi = n] = idx.map(Number);
  if (lo < 0 || hi < lo || hi > n) throw fail(`error calling slice: index out of range: ${lo}`);
  return v.slice(lo, hi);
}

/** Go's fmt.Sprint: spaces between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = "";
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += printValue(a);
  });
  return out;
}

/** A subset of fmt.Sprintf: %v %s %d %f %g %q %t %x %c %% with flags, width and precision. */
export function sprintf(format: string, ...args: unknown[]): string {
  let n = 0;
  return format.replace(
    /%([-+# 0]*)(\d+)?(?:\.(\d+))?([vsdfgqtxXc%])/g,
    (_, flags: string, width, prec, verb) => {
      if (verb === "%") return "%";
      if (n >= args.length) return `%!${verb}(MISSING)`;
      const a = args[n++];
      let s: string;
      switch (verb) {
        case "d":
          s = typeof a === "number" ? String(Math.trunc(a)) : `%!d(${printValue(a)})`;
          break;
        case "f":
          s =
            typeof a === "number"
              ? a.toFixed(prec === undefined ? 6 : Number(prec))
              : `%!f(${printValue(a)})`;
          break;
        case "g":
          s = typeof a === "number" ? goFloat(a) : `%!g(${printValue(a)})`;
          break;
        case "q":
          s = JSON.stringify(typeof a === "string" ? a : printValue(a));
          break;
        case "x":
        case "X":
          s = typeof a === "number" ? a.toString(16) : Buffer.from(printValue(a)).toString("hex");
          if (verb === "X") s = s.toUpperCase();
          break;
        case "c":
          s = typeof a === "number" ? String.fromCodePoint(a) : `%!c(${printValue(a)})`;
          break;
        default:
          s = printValue(a);
          if (verb === "s" && prec !== undefined) s = s.slice(0, Number(prec));
      }
      if (flags.includes("+") && typeof a === "number" && a >= 0 && "dfg".includes(verb)) s = `+${s}`;
      const w = Number(width ?? 0);
      if (s.length < w)
        s = flags.includes("-") ? s.padEnd(w) : s.padStart(w, flags.includes("0") ? "0" : " ");
      return s;
    },
  );
}

/** The built-in functions (and/or/not are evaluated lazily by the executor). */
export function builtins(): Record<string, GoFunc> {
  return {
    eq: (a, ...rest) => {
      if (rest.length === 0) throw fail("error calling eq: missing argument for comparison");
      return rest.some((b) => equal(a, b));
    },
    ne: (a, b) => !equal(a, b),
    lt: (a, b) => less("lt", a, b),
    le: (a, b) => less("le", a, b) || equal(a, b),
    gt: (a, b) => !less("gt", a, b) && !equal(a, b),
    ge: (a, b) => !less("ge", a, b),
    len: length,
    index,
    slice,
    print: (...a) => sprint(a),
    println: (...a) => `${a.map(printValue).join(" ")}\n`,
    printf: (f, ...a) => sprintf(String(f), ...a),
    html: (...a) => sprint(a).replace(/[<>&'"\0]/g, (c) => `&#${c.charCodeAt(0)};`),
    js: (...a) => JSON.stringify(sprint(a)).slice(1, -1),
    urlquery: (...a) => encodeURIComponent(sprint(a)),
    call: (fn, ...a) => {
      if (typeof fn !== "function") throw fail("error calling call: non-function");
      return fn(...a);
    },
  };
}

/** True when `v` behaves as a Go map for ranging (marked map or plain record). */
export function rangeableMap(v: unknown): v is Record<string, unknown> {
  return isGoMap(v) || (typeof v === "object" && v !== null && !Array.isArray(v));
}
