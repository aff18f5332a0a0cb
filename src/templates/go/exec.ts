import { TemplateRenderError } from "../errors.ts";
import type { Arg, Command, Node, Pipe } from "./ast.ts";
import { builtins, type GoFunc, rangeableMap } from "./funcs.ts";
import { printValue, truth } from "./values.ts";

const BREAK = Symbol("break");
const CONTINUE = Symbol("continue");

/** Runs parsed nodes against `data` (the template's dot) with extra functions; returns the output. */
export function execute(nodes: readonly Node[], data: unknown, funcs: Record<string, GoFunc> = {}): string {
  const state = new State(data, { ...builtins(), ...funcs });
  state.walkList(data, nodes);
  return state.out.join("");
}

class State {
  readonly out: string[] = [];
  private vars: { name: string; value: unknown }[];

  constructor(
    data: unknown,
    private readonly funcs: Record<string, GoFunc>,
  ) {
    this.vars = [{ name: "$", value: data }];
  }

  walkList(dot: unknown, nodes: readonly Node[]): void {
    for (const n of nodes) this.walk(dot, n);
  }

  private walk(dot: unknown, n: Node): void {
    switch (n.kind) {
      case "text":
        this.out.push(n.text);
        return;
      case "action": {
        const v = this.pipe(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out.push(printValue(v));
        return;
      }
      case "break":
        throw BREAK;
      case "continue":
        throw CONTINUE;
      case "if":
      case "with": {
        const mark = this.vars.length;
        const v = this.pipe(dot, n.pipe);
        if (truth(v)) this.walkList(n.kind === "with" ? v : dot, n.list);
        else if (n.elseList) this.walkList(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case "range":
        this.range(dot, n.pipe, n.list, n.elseList);
    }
  }

  private range(dot: unknown, pipe: Pipe, list: Node[], elseList?: Node[]): void {
    const mark = this.vars.length;
    const v = this.pipe(dot, { ...pipe, decl: [] });
    const entries: [unknown, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : typeof v === "number" && Number.isInteger(v)
        ? Array.from({ length: Math.max(0, v) }, (_, i) => [i, i])
        : rangeableMap(v)
          ? Object.keys(v)
              .sort()
              .map((k) => [k, v[k]])
          : v === undefined || v === null
            ? []
            : fail(pipe.line, `range can't iterate over ${printValue(v)}`);
    if (entries.length === 0) {
      if (elseList) this.walkList(dot, elseList);
      this.vars.length = mark;
      return;
    }
    for (const [k, elem] of entries) {
      const iter = this.vars.length;
      if (pipe.decl.length === 1) this.vars.push({ name: pipe.decl[0] as string, value: elem });
      if (pipe.decl.length === 2) {
        this.vars.push(
          { name: pipe.decl[0] as string, value: k },
          { name: pipe.decl[1] as string, value: elem },
        );
      }
      try {
        this.walkList(elem, list);
      } catch (e) {
        if (e === BREAK) break;
        if (e !== CONTINUE) throw e;
      } finally {
        this.vars.length = iter;
      }
    }
    this.vars.length = mark;
  }

  private pipe(dot: unknown, p: Pipe): unknown {
    let value: unknown;
    let first = true;
    for (const cmd of p.cmds) {
      value = this.command(dot, cmd, first ? undefined : { value }, p.line);
      first = false;
    }
    for (const name of p.decl) {
      if (p.assign) this.setVar(name, value, p.line);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private command(dot: unknown, cmd: Command, final: { value: unknown } | undefined, line: number): unknown {
    const [head, ...rest] = cmd.args as [Arg, ...Arg[]];
    if (head.kind === "ident") return this.call(dot, head.name, rest, final, line);
    if (rest.length > 0 || final) fail(line, `can't give argument to non-function ${describe(head)}`);
    if (head.kind === "nil") fail(line, "nil is not a command");
    return this.arg(dot, head, line);
  }

  private call(
    dot: unknown,
    name: string,
    args: Arg[],
    final: { value: unknown } | undefined,
    line: number,
  ): unknown {
    const values = (): unknown[] => [
      ...args.map((a) => this.arg(dot, a, line)),
      ...(final ? [final.value] : []),
    ];
    if (name === "and" || name === "or" || name === "not") return this.logic(dot, name, args, final, line);
    const fn = this.funcs[name];
    if (!fn) return fail(line, `function ${JSON.stringify(name)} not defined`);
    try {
      return fn(...values());
    } catch (e) {
      if (e instanceof TemplateRenderError)
        throw new TemplateRenderError(`:${line}: ${e.message.replace(/^template: /, "")}`);
      throw new TemplateRenderError(`:${line}: error calling ${name}: ${(e as Error).message}`, e);
    }
  }

  /** and/or short-circuit (Go 1.18+): return the first decisive operand, else the last. */
  private logic(
    dot: unknown,
    name: string,
    args: Arg[],
    final: { value: unknown } | undefined,
    line: number,
  ) {
    const thunks = [...args.map((a) => () => this.arg(dot, a, line)), ...(final ? [() => final.value] : [])];
    if (name === "not") {
      if (thunks.length !== 1) fail(line, "wrong number of args for not: want 1");
      return !truth(thunks[0]?.());
    }
    if (thunks.length === 0) fail(line, `wrong number of args for ${name}: want at least 1`);
    let v: unknown;
    for (const t of thunks) {
      v = t();
      if (truth(v) === (name === "or")) return v;
    }
    return v;
  }

  private arg(dot: unknown, a: Arg, line: number): unknown {
    switch (a.kind) {
      case "dot":
        return dot;
      case "field":
        return fields(dot, a.path);
      case "var":
        return fields(this.lookup(a.name, line), a.path);
      case "pipe":
        return fields(this.pipe(dot, a.pipe), a.path);
      case "ident":
        return this.call(dot, a.name, [], undefined, line);
      case "nil":
        return null;
      default:
        return a.value;
    }
  }

  private lookup(name: string, line: number): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--)
      if (this.vars[i]?.name === name) return this.vars[i]?.value;
    return fail(line, `undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown, line: number): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v?.name === name) {
        v.value = value;
        return;
      }
    }
    fail(line, `undefined variable: ${name}`);
  }
}

/** Field chain access; a missing key or a nil receiver yields undefined (Ollama runs with missingkey=zero). */
function fields(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const f of path) {
    if (cur === undefined || cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[f];
  }
  return cur;
}

function describe(a: Arg): string {
  return a.kind === "field" ? `.${a.path.join(".")}` : a.kind === "var" ? a.name : a.kind;
}

function fail(line: number, msg: string): never {
  throw new TemplateRenderError(`:${line}: executing: ${msg}`);
}
