import type { Arg, Command, Node, Pipe } from "./ast.ts";
import { err, lex, type Token } from "./lexer.ts";

const BUILTINS = new Set([
  "and",
  "or",
  "not",
  "len",
  "index",
  "slice",
  "print",
  "printf",
  "println",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "html",
  "js",
  "urlquery",
  "call",
]);

/** Parses Go `text/template` source into a node list; `funcs` are the extra function names allowed. */
export function parse(src: string, funcs: ReadonlySet<string> = new Set()): Node[] {
  const p = new Parser(lex(src), funcs);
  const [nodes, stop] = p.list();
  if (stop) throw err(stop.line, `unexpected {{${stop.value}}}`);
  return nodes;
}

type Stop = { value: "end" | "else"; line: number };

class Parser {
  private i = 0;
  private vars: string[][] = [["$"]];

  constructor(
    private readonly toks: Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  /** Nodes until `{{end}}`/`{{else}}` (returned as the stop) or end of input. */
  list(loopDepth = 0): [Node[], Stop | undefined] {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.toks[this.i++];
      if (!t) return [nodes, undefined];
      if (t.type === "text") {
        nodes.push({ kind: "text", text: t.value });
        continue;
      }
      const head = this.peek();
      if (head.type === "ident" && (head.value === "end" || head.value === "else")) {
        this.i++;
        if (head.value === "end") this.expect("close");
        return [nodes, { value: head.value, line: head.line }];
      }
      if (head.type === "ident" && (head.value === "if" || head.value === "with" || head.value === "range")) {
        this.i++;
        nodes.push(this.control(head.value, head.line, loopDepth));
        continue;
      }
      if (head.type === "ident" && (head.value === "break" || head.value === "continue")) {
        this.i++;
        if (loopDepth === 0) throw err(head.line, `{{${head.value}}} outside {{range}}`);
        this.expect("close");
        nodes.push({ kind: head.value, line: head.line });
        continue;
      }
      if (head.type === "ident" && ["define", "template", "block"].includes(head.value)) {
        throw err(head.line, `{{${head.value}}} is not supported`);
      }
      nodes.push({ kind: "action", pipe: this.pipe(head.line, false) });
    }
  }

  private control(kind: "if" | "with" | "range", line: number, loopDepth: number): Node {
    this.vars.push([]);
    const pipe = this.pipe(line, kind === "range");
    if (pipe.cmds.length === 0) throw err(line, `missing value for ${kind}`);
    const [list, stop] = this.list(kind === "range" ? loopDepth + 1 : loopDepth);
    if (!stop) throw err(line, `unexpected EOF`);
    let elseList: Node[] | undefined;
    if (stop.value === "else") {
      const next = this.peek();
      if (
        (next.type === "ident" && next.value === "if") ||
        (next.type === "ident" && next.value === "with")
      ) {
        const ok = next.value === "if" ? kind !== "range" : kind === "with";
        if (!ok) throw err(next.line, `unexpected else ${next.value}`);
        this.i++;
        elseList = [this.control(next.value as "if" | "with", next.line, loopDepth)];
      } else {
        this.expect("close");
        const [rest, stop2] = this.list(loopDepth);
        if (stop2?.value !== "end") throw err(stop.line, "expected end; found " + (stop2 ? "else" : "EOF"));
        elseList = rest;
      }
    }
    this.vars.pop();
    return { kind, pipe, list, elseList };
  }

  private pipe(line: number, isRange: boolean): Pipe {
    const pipe: Pipe = { decl: [], assign: false, cmds: [], line };
    const save = this.i;
    const decl: string[] = [];
    while (this.peek().type === "var") {
      decl.push(this.toks[this.i++]?.value as string);
      const t = this.peek();
      if (t.type === "declare" || t.type === "assign") {
        this.i++;
        pipe.decl = decl;
        pipe.assign = t.type === "assign";
        break;
      }
      if (t.type === "comma" && isRange && decl.length < 2) {
        this.i++;
        continue;
      }
      this.i = save;
      decl.length = 0;
      break;
    }
    if (pipe.decl.length > (isRange ? 2 : 1)) throw err(line, "too many declarations");
    if (pipe.assign) for (const v of pipe.decl) this.checkVar(v, line);
    else this.vars[this.vars.length - 1]?.push(...pipe.decl);
    for (;;) {
      pipe.cmds.push(this.command(line));
      const t = this.toks[this.i++];
      if (t?.type === "close" || t?.type === "rparen") {
        this.i--;
        break;
      }
      if (t?.type !== "pipe") throw err(line, `unexpected ${t ? JSON.stringify(t.value) : "EOF"} in operand`);
    }
    if (this.peek().type === "close") this.i++;
    if (pipe.cmds.length === 0 && pipe.decl.length) throw err(line, "missing value for command");
    return pipe;
  }

  private command(line: number): Command {
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === "close" || t.type === "rparen" || t.type === "pipe") break;
      args.push(this.operand(line));
    }
    if (args.length === 0) throw err(line, "empty command");
    return { args };
  }

  private operand(line: number): Arg {
    const t = this.toks[this.i++] as Token;
    let arg: Arg;
    switch (t.type) {
      case "dot":
        arg = { kind: "dot" };
        break;
      case "field":
        return { kind: "field", path: [t.value, ...this.chain()] };
      case "var":
        this.checkVar(t.value, t.line);
        return { kind: "var", name: t.value, path: this.chain() };
      case "string":
        arg = { kind: "string", value: t.value };
        break;
      case "number": {
        const n = Number(t.value);
        if (Number.isNaN(n)) throw err(t.line, `bad number syntax: ${JSON.stringify(t.value)}`);
        arg = { kind: "number", value: n };
        break;
      }
      case "lparen": {
        const pipe = this.pipe(t.line, false);
        this.expect("rparen");
        return { kind: "pipe", pipe, path: this.chain() };
      }
      case "ident":
        if (t.value === "true" || t.value === "false") arg = { kind: "bool", value: t.value === "true" };
        else if (t.value === "nil") arg = { kind: "nil" };
        else if (BUILTINS.has(t.value) || this.funcs.has(t.value)) arg = { kind: "ident", name: t.value };
        else throw err(t.line, `function ${JSON.stringify(t.value)} not defined`);
        break;
      default:
        throw err(line, `unexpected ${JSON.stringify(t.value)} in operand`);
    }
    const next = this.peek();
    if (next.type === "field" && !next.spaced)
      throw err(line, `unexpected ${JSON.stringify("." + next.value)} in operand`);
    return arg;
  }

  /** Field names glued to the previous operand: `$x.A.B`, `(pipe).A`. */
  private chain(): string[] {
    const path: string[] = [];
    while (this.peek().type === "field" && !this.peek().spaced)
      path.push(this.toks[this.i++]?.value as string);
    return path;
  }

  private checkVar(name: string, line: number): void {
    if (!this.vars.some((scope) => scope.includes(name)))
      throw err(line, `undefined variable ${JSON.stringify(name)}`);
  }

  private peek(): Token {
    return this.toks[this.i] ?? { type: "close", value: "EOF", line: 0, spaced: false };
  }

  private expect(type: Token["type"]): void {
    const t = this.toks[this.i++];
    if (t?.type !== type) throw err(t?.line ?? 0, `unexpected ${t ? JSON.stringify(t.value) : "EOF"}`);
  }
}
