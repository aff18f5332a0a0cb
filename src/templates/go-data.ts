import type { ChatMessage, Tool, ToolCall } from "./messages.ts";
import { jsonStringer, withJson } from "./go/values.ts";

/** Go-cased struct fields for a JSON object (`anyOf` → `AnyOf`, `$defs` → `Defs`), keeping its JSON form. */
function structOf(json: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const name = k.replace(/^\$/, "");
    fields[name.charAt(0).toUpperCase() + name.slice(1)] = v;
  }
  return withJson(fields, json);
}

/** A properties map whose values are ToolProperty structs, printing as JSON. */
function properties(p: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p ?? {})) {
    out[k] = typeof v === "object" && v !== null ? structOf(v as Record<string, unknown>) : v;
  }
  return jsonStringer(out);
}

/** `.Tools` as Ollama's templateTools: Go field names for access, json tags for `json`/printing. */
export function toolsForTemplate(tools: readonly Tool[] | undefined): unknown[] | undefined {
  if (!tools) return undefined;
  const list = tools.map((t) => {
    const p = t.function.parameters ?? {};
    const props = properties(p.properties);
    const json = {
      type: t.type,
      items: t.items,
      function: {
        name: t.function.name,
        description: t.function.description ?? "",
        parameters: {
          type: p.type ?? "",
          $defs: p.$defs,
          items: p.items,
          required: p.required?.length ? p.required : undefined,
          properties: props,
        },
      },
    };
    const params = withJson(
      { Type: p.type ?? "", Defs: p.$defs, Items: p.items, Required: p.required, Properties: props },
      json.function.parameters,
    );
    const fn = withJson(
      { Name: t.function.name, Description: t.function.description ?? "", Parameters: params },
      json.function,
    );
    return withJson({ Type: t.type, Items: t.items, Function: fn }, json);
  });
  Object.defineProperty(list, "String", {
    value: () => `[${list.map((t) => (t as unknown as { String(): string }).String()).join(",")}]`,
    enumerable: false,
  });
  return list;
}

function toolCall(tc: ToolCall): Record<string, unknown> {
  const args = jsonStringer({ ...(tc.function.arguments ?? {}) });
  return {
    ID: tc.id ?? "",
    Function: { Index: tc.function.index ?? 0, Name: tc.function.name, Arguments: args },
  };
}

/** `.Messages` as Ollama's templateMessage structs. */
export function messagesForTemplate(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((m) => ({
    Role: m.role,
    Content: m.content,
    Thinking: m.thinking ?? "",
    Images: m.images ?? null,
    ToolCalls: m.tool_calls?.length ? m.tool_calls.map(toolCall) : null,
    ToolName: m.tool_name ?? "",
    ToolCallID: m.tool_call_id ?? "",
  }));
}

/** Merges consecutive same-role messages with "\n\n" (never tool results); also returns all system text joined. */
export function collate(messages: readonly ChatMessage[]): { system: string; messages: ChatMessage[] } {
  const system: string[] = [];
  const out: ChatMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") system.push(m.content);
    const last = out[out.length - 1];
    if (last && last.role === m.role && m.role !== "tool")
      out[out.length - 1] = { ...last, content: `${last.content}\n\n${m.content}` };
    else out.push({ ...m });
  }
  return { system: system.join("\n\n"), messages: out };
}
