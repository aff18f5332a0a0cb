/** A tool call as carried on an assistant message. */
export interface ToolCall {
  id?: string;
  function: { index?: number; name: string; arguments: Record<string, unknown> };
}

/** A tool definition (OpenAI/Ollama function-tool shape). */
export interface Tool {
  type: string;
  items?: unknown;
  function: {
    name: string;
    description?: string;
    parameters?: {
      type?: string;
      $defs?: unknown;
      items?: unknown;
      required?: string[];
      properties?: Record<string, unknown>;
    };
  };
}

/** A chat message as templates see it; images are not rendered by templates. */
export interface ChatMessage {
  role: string;
  content: string;
  thinking?: string;
  images?: unknown[];
  tool_calls?: ToolCall[];
  tool_name?: string;
  tool_call_id?: string;
}
