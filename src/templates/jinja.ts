import { Environment, Interpreter, Template } from "@huggingface/jinja";
import { TemplateParseError, TemplateRenderError } from "./errors.ts";
import type { ChatMessage, Tool } from "./messages.ts";

/** A compiled Jinja chat template (the GGUF's `tokenizer.chat_template`). */
export interface JinjaTemplate {
  readonly source: string;
  readonly template: Template;
}

/** Inputs for a Jinja chat template, in the names HF templates expect. */
export interface JinjaValues {
  messages: readonly ChatMessage[];
  tools?: readonly Tool[];
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Clock for strftime_now (tests pin it). */
  now?: Date;
  /** Extra variables (e.g. `enable_thinking`) passed through to the template. */
  extra?: Record<string, unknown>;
}

/** Compiles a Jinja template; TemplateParseError (400) on bad syntax. */
export function compileJinja(source: string): JinjaTemplate {
  try {
    return { source, template: new Template(source) };
  } catch (e) {
    throw new TemplateParseError((e as Error).message);
  }
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Python's strftime for the directives chat templates use (%d %m %Y %y %b %B %a %A %H %M %S %-d %%). */
export function strftime(date: Date, format: string): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  return format.replace(/%(-?)([dmYybBaAHMSjp%])/g, (_, nopad: string, d: string) => {
    const pad = nopad ? String : p2;
    switch (d) {
      case "d":
        return pad(date.getDate());
      case "m":
        return pad(date.getMonth() + 1);
      case "Y":
        return String(date.getFullYear());
      case "y":
        return p2(date.getFullYear() % 100);
      case "b":
        return MONTHS[date.getMonth()]?.slice(0, 3) ?? "";
      case "B":
        return MONTHS[date.getMonth()] ?? "";
      case "a":
        return DAYS[date.getDay()]?.slice(0, 3) ?? "";
      case "A":
        return DAYS[date.getDay()] ?? "";
      case "H":
        return pad(date.getHours());
      case "M":
        return pad(date.getMinutes());
      case "S":
        return pad(date.getSeconds());
      case "p":
        return date.getHours() < 12 ? "AM" : "PM";
      case "j": {
        const start = new Date(date.getFullYear(), 0, 1);
        return String(Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1).padStart(
          nopad ? 1 : 3,
          "0",
        );
      }
      default:
        return "%";
    }
  });
}

/** Messages in the Hugging Face shape: tool calls as `{type, id, function:{name, arguments}}`, images dropped. */
function hfMessages(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((m) => {
    const out: Record<string, unknown> = { role: m.role, content: m.content };
    if (m.thinking) out.reasoning_content = m.thinking;
    if (m.tool_calls?.length) {
      out.tool_calls = m.tool_calls.map((tc) => ({
        type: "function",
        ...(tc.id ? { id: tc.id } : {}),
        function: { name: tc.function.name, arguments: tc.function.arguments },
      }));
    }
    if (m.tool_name) out.name = m.tool_name;
    if (m.tool_call_id) out.tool_call_id = m.tool_call_id;
    return out;
  });
}

/** Python's range(). */
function pyRange(start: number, stop?: number, step = 1): number[] {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new TemplateRenderError("range() step must not be zero");
  const out: number[] = [];
  for (let i = lo; step > 0 ? i < hi : i > hi; i += step) out.push(i);
  return out;
}

/** Renders the chat template; raise_exception and runtime failures become TemplateRenderError. */
export function renderJinja(t: JinjaTemplate, v: JinjaValues): string {
  const now = v.now ?? new Date();
  const vars: Record<string, unknown> = {
    true: true,
    false: false,
    none: null,
    True: true,
    False: false,
    None: null,
    range: pyRange,
    messages: hfMessages(v.messages),
    ...(v.tools?.length ? { tools: v.tools } : {}),
    add_generation_prompt: v.addGenerationPrompt ?? true,
    bos_token: v.bosToken ?? "",
    eos_token: v.eosToken ?? "",
    strftime_now: (format: string) => strftime(now, format),
    raise_exception: (message: string) => {
      throw new TemplateRenderError(String(message));
    },
    ...v.extra,
  };
  try {
    // Built by hand rather than Template.render so strftime_now/raise_exception can be our own.
    const env = new Environment();
    for (const [k, value] of Object.entries(vars)) env.set(k, value);
    return new Interpreter(env).run(t.template.parsed).value as string;
  } catch (e) {
    if (e instanceof TemplateRenderError) throw e;
    throw new TemplateRenderError((e as Error).message, e);
  }
}
