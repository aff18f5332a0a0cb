/** A GBNF grammar under construction: named rules, the primitives they use, and schemas compiled into them. */
import { convertSchema } from "./converter.ts";
import { PRIMITIVE_RULES, primitiveLines, repeat } from "./primitives.ts";

/**
 * libllama expands `x{m,n}` into about n rules and refuses (or silently unbounds) counts past 2000, so longer
 * repetitions are built from blocks of this many items, each block a rule of its own.
 */
const BLOCK = 500;

/**
 * A GBNF grammar under construction: several schemas (each its own document for `$ref`s) and raw rules can
 * share one rule set, so a tool-call grammar can embed every tool's argument schema. Rules with identical
 * bodies are shared.
 */
export class GrammarBuilder {
  private readonly rules = new Map<string, string>();
  private readonly byBody = new Map<string, string>();
  private readonly primitives = new Set<string>();

  /**
   * Adds rules for `schema` (a whole document: its `$ref`s resolve inside it) and returns the name of the rule
   * matching it. With hint "root" (and no root yet) that rule is `root`. Throws the schema errors (400s).
   */
  schema(schema: Record<string, unknown> | boolean, hint: string): string {
    const wantsRoot = hint === "root" && !this.rules.has("root");
    const name = convertSchema(this, schema, hint);
    if (!wantsRoot || name === "root") return name;
    this.rules.set("root", name);
    return "root";
  }

  /** Adds a raw rule (`body` may reference primitives such as `space`, `string`, `value`); returns its name. */
  rule(hint: string, body: string, primitives: readonly string[] = []): string {
    for (const p of primitives) this.prim(p);
    const known = this.byBody.get(body);
    if (known !== undefined) return known;
    const n = this.name(hint);
    this.rules.set(n, body);
    this.byBody.set(body, n);
    return n;
  }

  /** The grammar text; `rootBody` becomes `root` unless a rule named root was already added. */
  grammar(rootBody = "root"): string {
    if (!this.rules.has("root") || rootBody !== "root") this.rules.set("root", rootBody);
    const lines = [`root ::= ${this.rules.get("root")}`];
    for (const [n, body] of this.rules) if (n !== "root") lines.push(`${n} ::= ${body}`);
    lines.push(...primitiveLines([...this.primitives].filter((p) => !this.rules.has(p))));
    return lines.join("\n");
  }

  /** Marks a primitive rule (see PRIMITIVE_RULES) as used and returns its name. */
  prim(name: string): string {
    if (!(name in PRIMITIVE_RULES)) throw new Error(`unknown primitive rule ${name}`);
    this.primitives.add(name);
    return name;
  }

  /** Reserves a unique rule name for a rule defined later (recursive rules refer to themselves). */
  reserve(hint: string): string {
    const n = this.name(hint);
    this.rules.set(n, "");
    return n;
  }

  /** Sets the body of a reserved rule. */
  define(name: string, body: string): void {
    this.rules.set(name, body);
  }

  /**
   * `item` (a rule name, literal, class or parenthesised group) repeated between `min` and `max` (undefined =
   * unbounded) times, as one GBNF expression. Large counts go through block rules (see BLOCK).
   */
  repeat(item: string, min: number, max: number | undefined): string {
    if (max !== undefined && max < min) throw new Error(`bad repetition ${min}..${max}`);
    if (min <= BLOCK && (max === undefined || max <= BLOCK)) {
      if (max === 0) return "";
      return `${item}${repeat(min, max)}`;
    }
    const block = this.rule(`${safeHint(item)}-block`, `${item}{${BLOCK}}`);
    const exact = (n: number) =>
      [
        this.repeat(block, Math.floor(n / BLOCK), Math.floor(n / BLOCK)),
        this.repeat(item, n % BLOCK, n % BLOCK),
      ]
        .filter(Boolean)
        .join(" ");
    const head = min > 0 ? exact(min) : "";
    let tail: string;
    if (max === undefined) tail = `${item}*`;
    else {
      const k = max - min;
      if (k <= BLOCK) tail = this.repeat(item, 0, k);
      else {
        // j optional items: j = a·BLOCK + b with a < q (any b < BLOCK) or a = q (b ≤ r); one reading each.
        const q = Math.floor(k / BLOCK);
        const r = k % BLOCK;
        const low = [this.repeat(block, 0, q - 1), this.repeat(item, 0, BLOCK - 1)].filter(Boolean).join(" ");
        const high = [this.repeat(block, q, q), this.repeat(item, 0, r)].filter(Boolean).join(" ");
        tail = `(${low} | ${high})`;
      }
    }
    return [head, tail].filter(Boolean).join(" ");
  }

  /** A rule name for `hint`, unique in this grammar. */
  private name(hint: string): string {
    const base = safeHint(hint);
    let n = base;
    for (let i = 1; this.rules.has(n) || n in PRIMITIVE_RULES; i++) n = `${base}-${i}`;
    this.rules.set(n, ""); // reserve
    return n;
  }
}

/** `hint` reduced to the characters GBNF allows in rule names. */
function safeHint(hint: string): string {
  return hint.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "r";
}
