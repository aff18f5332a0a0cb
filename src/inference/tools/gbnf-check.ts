/**
 * A small GBNF recognizer: does a grammar's root match a whole text? Covers what the grammar builders
 * write (literals, character classes, rule references, groups, alternatives, `? * + {m,n}`). It lets tests
 * check a grammar against exact texts without a model; llama.cpp stays the judge at generation time.
 */

type Expr =
  | { k: "lit"; cps: number[] }
  | { k: "cls"; neg: boolean; ranges: [number, number][] }
  | { k: "ref"; name: string }
  | { k: "seq"; items: Expr[] }
  | { k: "alt"; alts: Expr[] }
  | { k: "rep"; e: Expr; min: number; max: number };

/** A parsed grammar that can test texts. */
export class GbnfGrammar {
  readonly #rules = new Map<string, Expr>();

  constructor(text: string) {
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const at = line.indexOf("::=");
      if (at < 0) throw new Error(`not a rule: ${line}`);
      const p = new Parser(line.slice(at + 3));
      this.#rules.set(line.slice(0, at).trim(), p.all());
    }
  }

  /** Whether rule `root` matches exactly `text`. */
  accepts(text: string, root = "root"): boolean {
    const cps = Array.from(text, (c) => c.codePointAt(0) as number);
    const memo = new Map<string, Set<number>>();
    const ends = (e: Expr, pos: number): Set<number> => {
      switch (e.k) {
        case "lit":
          return e.cps.every((c, i) => cps[pos + i] === c) ? new Set([pos + e.cps.length]) : new Set();
        case "cls": {
          const c = cps[pos];
          if (c === undefined) return new Set();
          const inside = e.ranges.some(([lo, hi]) => c >= lo && c <= hi);
          return inside !== e.neg ? new Set([pos + 1]) : new Set();
        }
        case "ref": {
          const key = `${e.name}@${pos}`;
          let r = memo.get(key);
          if (!r) {
            const rule = this.#rules.get(e.name);
            if (!rule) throw new Error(`undefined rule ${e.name}`);
            memo.set(key, new Set()); // a rule re-entered at the same position matches nothing new
            r = ends(rule, pos);
            memo.set(key, r);
          }
          return r;
        }
        case "seq": {
          let cur = new Set([pos]);
          for (const item of e.items) {
            const next = new Set<number>();
            for (const p of cur) for (const q of ends(item, p)) next.add(q);
            cur = next;
            if (cur.size === 0) break;
          }
          return cur;
        }
        case "alt": {
          const out = new Set<number>();
          for (const a of e.alts) for (const q of ends(a, pos)) out.add(q);
          return out;
        }
        case "rep": {
          const out = new Set<number>(e.min === 0 ? [pos] : []);
          let cur = new Set([pos]);
          const seen = new Set([pos]);
          for (let i = 1; i <= e.max && cur.size > 0; i++) {
            const next = new Set<number>();
            for (const p of cur) for (const q of ends(e.e, p)) if (i <= e.min || !seen.has(q)) next.add(q);
            for (const q of next) {
              seen.add(q);
              if (i >= e.min) out.add(q);
            }
            cur = next;
          }
          return out;
        }
      }
    };
    return ends({ k: "ref", name: root }, 0).has(cps.length);
  }
}

class Parser {
  #i = 0;
  constructor(private readonly s: string) {}

  all(): Expr {
    const e = this.#alt();
    this.#ws();
    if (this.#i < this.s.length) throw new Error(`unexpected ${this.s.slice(this.#i)}`);
    return e;
  }

  #ws(): void {
    while (this.#i < this.s.length && /\s/.test(this.s[this.#i] as string)) this.#i++;
  }

  #alt(): Expr {
    const alts = [this.#seq()];
    for (this.#ws(); this.s[this.#i] === "|"; this.#ws()) {
      this.#i++;
      alts.push(this.#seq());
    }
    return alts.length === 1 ? (alts[0] as Expr) : { k: "alt", alts };
  }

  #seq(): Expr {
    const items: Expr[] = [];
    for (;;) {
      this.#ws();
      const c = this.s[this.#i];
      if (c === undefined || c === "|" || c === ")") break;
      items.push(this.#postfix(this.#atom()));
    }
    return { k: "seq", items };
  }

  #atom(): Expr {
    const c = this.s[this.#i];
    if (c === '"') return this.#literal();
    if (c === "[") return this.#class();
    if (c === "(") {
      this.#i++;
      const e = this.#alt();
      if (this.s[this.#i] !== ")") throw new Error("missing )");
      this.#i++;
      return e;
    }
    const name = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.#i))?.[0];
    if (!name) throw new Error(`unexpected ${this.s.slice(this.#i)}`);
    this.#i += name.length;
    return { k: "ref", name };
  }

  #postfix(e: Expr): Expr {
    for (;;) {
      const c = this.s[this.#i];
      if (c === "?") e = { k: "rep", e, min: 0, max: 1 };
      else if (c === "*") e = { k: "rep", e, min: 0, max: Number.POSITIVE_INFINITY };
      else if (c === "+") e = { k: "rep", e, min: 1, max: Number.POSITIVE_INFINITY };
      else if (c === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.s.slice(this.#i));
        if (!m) throw new Error("bad repetition");
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Number.POSITIVE_INFINITY;
        e = { k: "rep", e, min, max };
        this.#i += m[0].length - 1;
      } else return e;
      this.#i++;
    }
  }

  /** One possibly escaped character inside a literal or class. */
  #char(): number {
    const c = this.s[this.#i++] as string;
    if (c !== "\\") return c.codePointAt(0) as number;
    const e = this.s[this.#i++] as string;
    const simple: Record<string, number> = { n: 10, r: 13, t: 9 };
    if (e in simple) return simple[e] as number;
    if (e === "x" || e === "u" || e === "U") {
      const len = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = this.s.slice(this.#i, this.#i + len);
      this.#i += len;
      return Number.parseInt(hex, 16);
    }
    return e.codePointAt(0) as number;
  }

  #literal(): Expr {
    this.#i++;
    const cps: number[] = [];
    while (this.s[this.#i] !== '"') {
      if (this.#i >= this.s.length) throw new Error("unterminated literal");
      cps.push(this.#char());
    }
    this.#i++;
    return { k: "lit", cps };
  }

  #class(): Expr {
    this.#i++;
    const neg = this.s[this.#i] === "^";
    if (neg) this.#i++;
    const ranges: [number, number][] = [];
    while (this.s[this.#i] !== "]") {
      if (this.#i >= this.s.length) throw new Error("unterminated class");
      const lo = this.#char();
      if (this.s[this.#i] === "-" && this.s[this.#i + 1] !== "]") {
        this.#i++;
        ranges.push([lo, this.#char()]);
      } else ranges.push([lo, lo]);
    }
    this.#i++;
    return { k: "cls", neg, ranges };
  }
}
