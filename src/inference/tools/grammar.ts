/**
 * GBNF for tool calls: per family, "one or more calls in this family's syntax", each call naming one of
 * the allowed tools with arguments that match that tool's parameters schema. Plus the lazy-grammar
 * triggers: where in a free reply the constraint starts.
 */
import { TsllmError } from "../../errors.ts";
import type { GrammarBuilder } from "../grammar/json-schema.ts";
import { literal } from "../grammar/primitives.ts";
import type { Tool } from "../../templates/index.ts";
import { InvalidToolError } from "./errors.ts";
import type { ToolSyntax } from "./syntax.ts";

/** What a lazy grammar waits for before it constrains anything. */
export interface LazyTriggers {
  /** Literal texts (tags): the grammar starts at the tag. */
  words: string[];
  /** Regexes in llama.cpp's trigger semantics (matched against the whole reply so far). */
  patterns: string[];
}

// Blanks every version of the grammar's `space` rule accepts: nothing, a space, a newline and indentation.
const SPACE = "(?: |\\n[ \\t]{0,20})?";

/**
 * A reply that so far is blanks and the start of a JSON call: `{`, `{"`, `[`, `[{"`… Anchored at both
 * ends, so it fires only when the reply ends exactly there and the text replayed into the grammar is
 * always a prefix the grammar accepts.
 */
const LEADING_JSON = [`^\\s*(\\{${SPACE}"?)$`, `^\\s*(\\[${SPACE}(?:\\{${SPACE}"?)?)$`];

/** Triggers for a lazy tool-call grammar in `syntax`. */
export function lazyTriggers(syntax: ToolSyntax): LazyTriggers {
  return { words: [...syntax.tags], patterns: syntax.leadingJson ? [...LEADING_JSON] : [] };
}

/**
 * Adds the rules for the calls a reply may make and returns the rule's name: one call, or (`parallel`)
 * one or more, of the given tools, in `syntax`'s form.
 */
export function callsRule(b: GrammarBuilder, syntax: ToolSyntax, tools: Tool[], parallel: boolean): string {
  if (syntax.family === "mistral-args") {
    const one = tools.map((t) => `"[TOOL_CALLS]" ${literal(t.function.name)} "[ARGS]" ${argsRule(b, t)}`);
    const call = b.rule("tool-call", one.join(" | "));
    return b.rule("tool-calls", parallel ? `${call}+` : call);
  }
  const call = b.rule("tool-call", tools.map((t) => jsonCallRule(b, t, syntax.argsKey)).join(" | "));
  const more = parallel ? `("," space ${call})*` : "";
  const array = `"[" space ${call} ${more} space "]"`;
  const callOrArray = parallel ? `(${call} | ${array})` : call;
  let body: string;
  switch (syntax.family) {
    case "hermes": {
      // Newlines as the templates write them; any other blank here is a detour no model is trained on.
      const block = b.rule("tool-call-block", `"<tool_call>" "\\n"? ${call} "\\n"? "</tool_call>"`);
      body = parallel ? `${block} ("\\n"? ${block})*` : block;
      break;
    }
    case "llama3":
      body = `("<|python_tag|>" space)? ${callOrArray}`;
      break;
    case "mistral":
      body = `"[TOOL_CALLS]" space ${array}`;
      break;
    case "tagged": {
      const tag = syntax.tags[0] as string;
      body = tag.endsWith("[")
        ? `${literal(tag)} space ${call} ${more} space "]"`
        : `${literal(tag)} space ${callOrArray}`;
      break;
    }
    default:
      body = callOrArray;
  }
  return b.rule("tool-calls", body, ["space"]);
}

/** `{"name": "<tool>", "<argsKey>": <arguments>}` for one tool. */
function jsonCallRule(b: GrammarBuilder, t: Tool, argsKey: string): string {
  const name = t.function.name;
  // As the JSON grammars write objects: blanks after `{` and `,` and before `}`, one space after `:`.
  const body = [
    '"{" space',
    `${literal('"name":')} " "? ${literal(JSON.stringify(name))} "," space`,
    `${literal(`${JSON.stringify(argsKey)}:`)} " "? ${argsRule(b, t)}`,
    'space "}"',
  ].join(" ");
  return b.rule(`call-${name}`, body, ["space"]);
}

/** The arguments: the parameters schema, or any object when it declares no structure. */
function argsRule(b: GrammarBuilder, t: Tool): string {
  const p = t.function.parameters as Record<string, unknown> | undefined;
  // Go clients write `"properties": null` for a tool without parameters.
  const structured = p && ["properties", "$ref", "anyOf", "oneOf", "allOf"].some((k) => p[k] != null);
  if (!p || !structured) return b.rule(`${t.function.name}-args`, "object", ["object"]);
  try {
    return b.schema(p, `${t.function.name}-args`);
  } catch (e) {
    if (e instanceof TsllmError && e.status === 400)
      throw new InvalidToolError(JSON.stringify(t.function.name), `parameters: ${e.message}`);
    throw e;
  }
}
