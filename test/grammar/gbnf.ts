/**
 * Test helper: reads the GBNF our converter writes (rules on one line each; literals, classes, rule
 * references, groups, `| * + ? {m} {m,} {m,n}`) and
 *  - `regExp(rule)` turns a non-recursive rule into a JS RegExp (to test a language exactly),
 *  - `sample(rule, rng)` draws a random string from a rule (to validate against the schema with ajv).
 */

type Node =
  | { k: "lit"; text: string }
  | { k: "cls"; neg: boolean; ranges: [number, number][] }
  | { k: "ref"; name: string }
  | { k: "alt"; alts: Node[][] }
  | { k: "rep"; node: Node; min: number; max: number | undefined };

/** A parsed grammar. */
export class Gbnf {
  readonly rules = new Map<string, Node>();
  private readonly cost = new Map<string, number>();

  constructor(text: string) {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const m = /^([A-Za-z0-9-]+) ::= (.*)$/.exec(line);
      if (!m) throw new Error(`bad rule line: ${line}`);
      this.rules.set(m[1] as string, new Parser(m[2] as string).body());
    }
    // Shortest expansion of each rule (fixpoint), so sampling deep inside recursion can head for the exit.
    for (let changed = true; changed; ) {
      changed = false;
      for (const [n, node] of this.rules) {
        const c = this.minLen(node);
        if (c < (this.cost.get(n) ?? Infinity)) {
          this.cost.set(n, c);
          changed = true;
        }
      }
    }
  }

  /** A RegExp matching exactly the strings of `rule` (which must not be recursive). */
  regExp(rule = "root"): RegExp {
    return new RegExp(`^(?:${this.re({ k: "ref", name: rule }, new Set())})$`, "u");
  }

  /** A random string from `rule`; `rng` returns floats in [0, 1). */
  sample(rng: () => number, rule = "root"): string {
    return this.gen({ k: "ref", name: rule }, rng, 0);
  }

  private re(n: Node, seen: Set<string>): string {
    switch (n.k) {
      case "lit":
        return [...n.text].map((c) => c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")).join("");
      case "cls":
        return `[${n.neg ? "^" : ""}${n.ranges
          .filter(([a]) => a <= 0x10ffff) // libllama decodes values past Unicode from invalid bytes; JS never sees them
          .map(([a, b]) => (a === b ? esc(a) : `${esc(a)}-${esc(Math.min(b, 0x10ffff))}`))
          .join("")}]`;
      case "ref": {
        if (seen.has(n.name)) throw new Error(`recursive rule ${n.name}`);
        const body = this.rules.get(n.name);
        if (!body) throw new Error(`undefined rule ${n.name}`);
        return `(?:${this.re(body, new Set([...seen, n.name]))})`;
      }
      case "alt":
        return `(?:${n.alts.map((seq) => seq.map((x) => this.re(x, seen)).join("")).join("|")})`;
      case "rep":
        return `(?:${this.re(n.node, seen)}){${n.min},${n.max ?? ""}}`;
    }
  }

  private minLen(n: Node): number {
    switch (n.k) {
      case "lit":
        return n.text.length;
      case "cls":
        return 1;
      case "ref":
        return this.cost.get(n.name) ?? Infinity;
      case "alt":
        return Math.min(...n.alts.map((s) => s.reduce((a, x) => a + this.minLen(x), 0)));
      case "rep":
        return n.min === 0 ? 0 : n.min * this.minLen(n.node);
    }
  }

  private gen(n: Node, rng: () => number, depth: number): string {
    switch (n.k) {
      case "lit":
        return n.text;
      case "cls":
        return String.fromCodePoint(pick(n, rng));
      case "ref": {
        const body = this.rules.get(n.name);
        if (!body) throw new Error(`undefined rule ${n.name}`);
        return this.gen(body, rng, depth + 1);
      }
      case "alt": {
        const ok = n.alts.filter((s) => s.every((x) => this.minLen(x) < Infinity));
        const seqs = depth > 40 ? [ok.reduce((a, s) => (this.seqLen(s) < this.seqLen(a) ? s : a))] : ok;
        const seq = seqs[Math.floor(rng() * seqs.length)] as Node[];
        return seq.map((x) => this.gen(x, rng, depth + 1)).join("");
      }
      case "rep": {
        const hi = Math.min(n.max ?? n.min + 4, n.min + (depth > 40 ? 0 : 6));
        const count = n.min + Math.floor(rng() * (hi - n.min + 1));
        return Array.from({ length: count }, () => this.gen(n.node, rng, depth + 1)).join("");
      }
    }
  }

  private seqLen(s: Node[]): number {
    return s.reduce((a, x) => a + this.minLen(x), 0);
  }
}

function esc(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** A code point from a class: for negated ones, from a pool of ASCII and a few wider characters. */
function pick(n: Extract<Node, { k: "cls" }>, rng: () => number): number {
  const inside = (cp: number) => n.ranges.some(([a, b]) => a <= cp && cp <= b) !== n.neg;
  if (!n.neg) {
    const [a, b] = n.ranges[Math.floor(rng() * n.ranges.length)] as [number, number];
    let cp = a + Math.floor(rng() * (b - a + 1));
    if (cp >= 0xd800 && cp <= 0xdfff) cp = a;
    return cp;
  }
  const pool = [0x20, 0x41, 0x7a, 0x30, 0x2e, 0x2d, 0x5f, 0xe9, 0x4e2d, 0x1f600, 0x7e, 0x27, 0x2f, 0x40];
  const ok = pool.filter(inside);
  if (ok.length === 0) throw new Error("negated class excludes the whole sample pool");
  return ok[Math.floor(rng() * ok.length)] as number;
}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  body(): Node {
    const alts: Node[][] = [[]];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined || c === ")") break;
      if (c === "|") {
        this.i++;
        alts.push([]);
        continue;
      }
      (alts.at(-1) as Node[]).push(this.quant(this.atom()));
    }
    return { k: "alt", alts };
  }

  private ws() {
    while (this.s[this.i] === " ") this.i++;
  }

  private atom(): Node {
    const c = this.s[this.i++] as string;
    if (c === '"') {
      let text = "";
      while (this.s[this.i] !== '"') text += String.fromCodePoint(this.char());
      this.i++;
      return { k: "lit", text };
    }
    if (c === "[") {
      const neg = this.s[this.i] === "^";
      if (neg) this.i++;
      const ranges: [number, number][] = [];
      while (this.s[this.i] !== "]") {
        const a = this.char();
        if (this.s[this.i] === "-" && this.s[this.i + 1] !== "]") {
          this.i++;
          ranges.push([a, this.char()]);
        } else ranges.push([a, a]);
      }
      this.i++;
      return { k: "cls", neg, ranges };
    }
    if (c === "(") {
      const b = this.body();
      if (this.s[this.i++] !== ")") throw new Error(`expected ) in ${this.s}`);
      return b;
    }
    const m = /^[A-Za-z0-9-]+/.exec(this.s.slice(this.i - 1));
    if (!m) throw new Error(`unexpected ${c} at ${this.i} in ${this.s}`);
    this.i += m[0].length - 1;
    return { k: "ref", name: m[0] };
  }

  private quant(n: Node): Node {
    const c = this.s[this.i];
    if (c === "*") return (this.i++, { k: "rep", node: n, min: 0, max: undefined });
    if (c === "+") return (this.i++, { k: "rep", node: n, min: 1, max: undefined });
    if (c === "?") return (this.i++, { k: "rep", node: n, min: 0, max: 1 });
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.i));
    if (!m) return n;
    this.i += m[0].length;
    const min = Number(m[1]);
    return this.quant({
      k: "rep",
      node: n,
      min,
      max: m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]),
    });
  }

  private char(): number {
    const c = this.s.codePointAt(this.i) as number;
    if (c !== 0x5c) {
      this.i += c > 0xffff ? 2 : 1;
      return c;
    }
    const e = this.s[this.i + 1];
    this.i += 2;
    const hex = (n: number) => {
      const v = Number.parseInt(this.s.slice(this.i, this.i + n), 16);
      this.i += n;
      return v;
    };
    if (e === "x") return hex(2);
    if (e === "u") return hex(4);
    if (e === "U") return hex(8);
    const simple: Record<string, number> = {
      n: 10,
      r: 13,
      t: 9,
      "\\": 0x5c,
      '"': 0x22,
      "[": 0x5b,
      "]": 0x5d,
      "-": 0x2d,
    };
    const v = simple[e as string];
    if (v === undefined) throw new Error(`bad escape \\${e}`);
    return v;
  }
}
