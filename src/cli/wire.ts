/** The parts of Ollama's API replies the CLI reads (fields optional: servers differ in what they send). */

/** `details` of a model. */
export interface ModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

/** One row of GET /api/tags. */
export interface ListModel {
  name: string;
  model?: string;
  modified_at?: string;
  size: number;
  digest: string;
  details?: ModelDetails;
}

/** One row of GET /api/ps; `library` is tsllm's libllama variant. */
export interface RunningModel {
  name: string;
  model?: string;
  size: number;
  size_vram?: number;
  digest: string;
  expires_at?: string | null;
  context_length?: number;
  library?: string;
  details?: ModelDetails;
}

/** A tool call in a reply. */
export interface ToolCall {
  function: { name: string; arguments?: Record<string, unknown> };
}

/** A chat message. */
export interface Message {
  role: string;
  content: string;
  thinking?: string;
  images?: string[];
  tool_calls?: ToolCall[];
}

/** POST /api/show reply. */
export interface ShowResponse {
  license?: string;
  modelfile?: string;
  parameters?: string;
  template?: string;
  system?: string;
  details?: ModelDetails;
  messages?: Message[];
  model_info?: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: { name: string; type: string; shape: number[] }[];
  capabilities?: string[];
  requires?: string;
}

/** Timing fields of a final generate/chat chunk (nanoseconds). */
export interface Metrics {
  total_duration?: number;
  load_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  eval_count?: number;
  eval_duration?: number;
}

/** One chunk of a /api/chat stream. */
export interface ChatChunk extends Metrics {
  model?: string;
  message?: Message;
  done?: boolean;
  done_reason?: string;
}

/** One chunk of a /api/generate stream. */
export interface GenerateChunk extends Metrics {
  model?: string;
  response?: string;
  thinking?: string;
  tool_calls?: ToolCall[];
  done?: boolean;
  done_reason?: string;
}

/** One progress object of /api/create (and pull/push). */
export interface ProgressChunk {
  status?: string;
  digest?: string;
  total?: number;
  completed?: number;
}
