/** The Ollama API shapes the app reads and sends (the fields it uses). */

/** Size and format facts of a model. */
export interface ModelDetails {
  family?: string;
  parameter_size?: string;
  quantization_level?: string;
}

/** One installed model (GET /api/tags). */
export interface ModelTag {
  name: string;
  model: string;
  size: number;
  digest: string;
  modified_at: string;
  details?: ModelDetails;
  capabilities?: string[];
}

/** One loaded model (GET /api/ps): `size` in total, `size_vram` of it on GPUs. */
export interface RunningModel {
  name: string;
  model: string;
  size: number;
  size_vram: number;
  expires_at: string;
  context_length?: number;
  details?: ModelDetails;
}

/** A chat message as sent and received. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  thinking?: string;
}

/** Sampling and context options the app lets a user set. */
export interface ChatOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
  num_ctx?: number;
  num_predict?: number;
  seed?: number;
}

/** POST /api/chat. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: true;
  think?: boolean;
  options?: ChatOptions;
}

/** One NDJSON line of a chat stream; the last (`done`) carries the counts and durations (ns). */
export interface ChatChunk {
  message?: { content?: string; thinking?: string };
  done: boolean;
  done_reason?: string;
  eval_count?: number;
  eval_duration?: number;
  prompt_eval_count?: number;
  prompt_eval_duration?: number;
  load_duration?: number;
  total_duration?: number;
}

/** One NDJSON line of a pull (POST /api/pull). */
export interface PullProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}
