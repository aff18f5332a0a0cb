/** Command specs and a small cobra-like argv parser: `--flag`, `--flag=v`, `--flag v`, `-f v`, `--`. */
import { UsageError } from "./errors.ts";

/** One flag of a command. */
export interface FlagSpec {
  name: string;
  short?: string;
  /**
   * `bool` takes no value (or `=true/false`); `string` and `int` need one; `optional` takes one only after
   * `=` (a bare `--think` is `true`, as pflag's NoOptDefVal).
   */
  type: "bool" | "string" | "int" | "optional";
  /** Placeholder shown in help for a value, e.g. "string". */
  value?: string;
  description: string;
}

/** What a command accepts, for parsing and for `--help`. */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** Arguments part of the usage line, e.g. "MODEL [PROMPT]". */
  usage: string;
  summary: string;
  minArgs: number;
  /** Upper bound on positional arguments (Infinity for none). */
  maxArgs: number;
  flags: FlagSpec[];
  /** TSLLM_* variables that affect the command. */
  env?: string[];
}

/** Parsed argv: flag values by name (`true` for bare bools and bare optional flags) and positionals. */
export interface ParsedArgs {
  flags: Record<string, string | boolean | undefined>;
  args: string[];
}

function parseBool(name: string, v: string): boolean {
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "--${name}" flag: must be true or false`);
}

/** Parses argv against a spec; an unknown flag or a wrong argument count throws UsageError. */
export function parseArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const out: ParsedArgs = { flags: {}, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      out.args.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      out.args.push(a);
      continue;
    }
    const long = a.startsWith("--");
    const body = a.slice(long ? 2 : 1);
    const eq = body.indexOf("=");
    const key = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const f = spec.flags.find((x) => (long ? x.name === key : x.short === key));
    if (!f) {
      if (key === "help" || key === "h") {
        out.flags.help = true;
        continue;
      }
      throw new UsageError(long ? `unknown flag: --${key}` : `unknown shorthand flag: '${key[0]}' in ${a}`);
    }
    if (f.type === "bool") out.flags[f.name] = inline === undefined ? true : parseBool(f.name, inline);
    else if (f.type === "optional") out.flags[f.name] = inline ?? true;
    else if (inline !== undefined) out.flags[f.name] = inline;
    else if (i + 1 < argv.length) out.flags[f.name] = argv[++i] as string;
    else throw new UsageError(`flag needs an argument: ${long ? "--" : "-"}${key}`);
    const v = out.flags[f.name];
    if (f.type === "int" && !/^[+-]?\d+$/.test(String(v)))
      throw new UsageError(
        `invalid argument "${v}" for "--${f.name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
      );
  }
  if (out.flags.help) return out;
  const n = out.args.length;
  if (spec.minArgs === spec.maxArgs && n !== spec.minArgs)
    throw new UsageError(`accepts ${spec.minArgs} arg(s), received ${n}`);
  if (n < spec.minArgs) throw new UsageError(`requires at least ${spec.minArgs} arg(s), only received ${n}`);
  if (n > spec.maxArgs) throw new UsageError(`accepts at most ${spec.maxArgs} arg(s), received ${n}`);
  return out;
}

/** An int flag's value, or undefined when absent (parseArgs has checked its syntax). */
export function intFlag(p: ParsedArgs, name: string): number | undefined {
  const v = p.flags[name];
  return typeof v === "string" ? Number.parseInt(v, 10) : undefined;
}

/** A string flag's value, or undefined when absent. */
export function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === "string" ? v : undefined;
}
