import { ModelfileError } from "./errors.ts";
import { type Command, lexModelfile } from "./lexer.ts";
import { DEPRECATED_PARAMETERS, parseParameter } from "./params.ts";

/** A Modelfile MESSAGE. */
export interface ModelfileMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A parsed Modelfile: the raw commands plus what they mean (Ollama's `CreateRequest` fields). */
export interface Modelfile {
  commands: Command[];
  /** FROM values in order: a model name or a path; later ones are extra weights (e.g. a projector). */
  from: string[];
  adapters: string[];
  drafts: string[];
  template?: string;
  system?: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  license: string[];
  messages: ModelfileMessage[];
  /** Typed PARAMETER values; repeated `stop` values collect into one array. */
  parameters: Record<string, unknown>;
  /** Deprecated parameters that were ignored. */
  warnings: string[];
}

const SEMVER =
  /^v(0|[1-9]\d*)(\.(0|[1-9]\d*)(\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?)?$/;

/** Parses Modelfile text; ModelfileError (400, `(line N): …`) on bad syntax, unknown or mistyped parameters, no FROM. */
export function parseModelfile(input: string | Uint8Array): Modelfile {
  const text = typeof input === "string" ? input : decode(input);
  const commands = lexModelfile(text);
  const mf: Modelfile = {
    commands,
    from: [],
    adapters: [],
    drafts: [],
    license: [],
    messages: [],
    parameters: {},
    warnings: [],
  };
  for (const c of commands) apply(mf, c);
  if (mf.from.length === 0) throw new ModelfileError("no FROM line");
  return mf;
}

function apply(mf: Modelfile, c: Command): void {
  switch (c.name) {
    case "model":
      mf.from.push(c.args);
      return;
    case "adapter":
      mf.adapters.push(c.args);
      return;
    case "draft":
      mf.drafts.push(c.args);
      return;
    case "template":
    case "system":
    case "renderer":
    case "parser":
      mf[c.name] = c.args;
      return;
    case "license":
      mf.license.push(c.args);
      return;
    case "requires": {
      const v = c.args.startsWith("v") ? c.args : `v${c.args}`;
      if (!SEMVER.test(v)) throw new ModelfileError("requires must be a valid semver (e.g. 0.14.0)", c.line);
      mf.requires = v.slice(1);
      return;
    }
    case "message": {
      const at = c.args.indexOf(": ");
      const role = (at < 0 ? c.args : c.args.slice(0, at)) as ModelfileMessage["role"];
      mf.messages.push({ role, content: at < 0 ? "" : c.args.slice(at + 2) });
      return;
    }
    default: {
      if (DEPRECATED_PARAMETERS.has(c.name)) {
        mf.warnings.push(`parameter ${c.name} is deprecated`);
        return;
      }
      const v = parseParameter(c.name, c.args, c.line);
      const prev = mf.parameters[c.name];
      mf.parameters[c.name] = Array.isArray(prev) && Array.isArray(v) ? [...prev, ...v] : v;
    }
  }
}

/** UTF-8 by default; a UTF-16 byte-order mark switches the decoder, as Ollama's BOMOverride does. */
function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.subarray(2)).toString("utf16le");
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2)).swap16().toString("utf16le");
  return new TextDecoder("utf-8").decode(bytes);
}
