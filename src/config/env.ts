/**
 * The env registry: every TSLLM_* variable (and the OLLAMA_* ones honoured as fallbacks) is declared here
 * once, with its default and description. Nothing else in tsllm reads process.env (STYLE.md §7);
 * `serve --help` prints this table.
 */
export type EnvKind = "string" | "bool" | "int" | "duration" | "path" | "size";

/** One declared variable. */
export interface EnvVar {
  readonly name: string;
  readonly kind: EnvKind;
  readonly default: string;
  readonly description: string;
}

const vars: EnvVar[] = [];

function declare(name: string, kind: EnvKind, def: string, description: string): EnvVar {
  const v = { name, kind, default: def, description };
  vars.push(v);
  return v;
}

/** All declared variables, in declaration order. */
export const ENV = {
  DEBUG: declare("TSLLM_DEBUG", "bool", "false", "Verbose logging, native (llama.cpp) logs and stack traces"),
  HOST: declare("TSLLM_HOST", "string", "127.0.0.1:11434", "Address the server binds and the CLI talks to"),
  OLLAMA_HOST: declare(
    "OLLAMA_HOST",
    "string",
    "",
    "Used as TSLLM_HOST when that is unset (Ollama's variable)",
  ),
  MODELS: declare("TSLLM_MODELS", "path", "~/.tsllm/models", "Model store (Ollama's on-disk layout)"),
  LLM_LIBRARY: declare(
    "TSLLM_LLM_LIBRARY",
    "string",
    "",
    "Force a libllama variant: cpu, vulkan, cuda, cuda-ext",
  ),
  LIB_DIR: declare(
    "TSLLM_LIB_DIR",
    "path",
    "",
    "Use libllama from this directory instead of the embedded one",
  ),
  CACHE_DIR: declare(
    "TSLLM_CACHE_DIR",
    "path",
    "~/.cache/tsllm",
    "Where embedded native libraries are extracted",
  ),
  RPC_SERVERS: declare(
    "TSLLM_RPC_SERVERS",
    "string",
    "",
    "ggml RPC servers (`tsllm rpc-server`) whose devices models may be split onto: host:port[@cap],… (cap: most memory used there, e.g. @4GiB); the only servers a model's rpc_servers option may name",
  ),
  NUM_PARALLEL: declare("TSLLM_NUM_PARALLEL", "int", "4", "Slots per loaded model (concurrent requests)"),
  NUM_THREADS: declare("TSLLM_NUM_THREADS", "int", "0", "CPU threads per runner (0 = one per CPU core)"),
  MAX_LOADED_MODELS: declare(
    "TSLLM_MAX_LOADED_MODELS",
    "int",
    "0",
    "Models loaded at once (0 = 3 per GPU, or 3)",
  ),
  MAX_QUEUE: declare("TSLLM_MAX_QUEUE", "int", "512", "Requests waiting before the server answers 503"),
  KEEP_ALIVE: declare("TSLLM_KEEP_ALIVE", "duration", "5m", "How long an idle model stays loaded"),
  CONTEXT_LENGTH: declare(
    "TSLLM_CONTEXT_LENGTH",
    "int",
    "0",
    "Default context length (0 = by available VRAM)",
  ),
  FLASH_ATTENTION: declare("TSLLM_FLASH_ATTENTION", "bool", "false", "Use flash attention in runners"),
  KV_CACHE_TYPE: declare("TSLLM_KV_CACHE_TYPE", "string", "f16", "KV cache type: f16, q8_0, q4_0 or f32"),
  LOAD_TIMEOUT: declare("TSLLM_LOAD_TIMEOUT", "duration", "5m", "Stall time after which a model load fails"),
  ALLOWED_HOSTS: declare(
    "TSLLM_ALLOWED_HOSTS",
    "string",
    "",
    "Extra Host header names accepted, comma-separated (* = any; the bind address and localhost always are)",
  ),
  ORIGINS: declare(
    "TSLLM_ORIGINS",
    "string",
    "",
    "Extra browser origins allowed (CORS), comma-separated, * wildcards (localhost and app origins always are)",
  ),
  OLLAMA_ORIGINS: declare("OLLAMA_ORIGINS", "string", "", "Used as TSLLM_ORIGINS when that is unset"),
  API_KEYS: declare(
    "TSLLM_API_KEYS",
    "string",
    "",
    "API keys the server accepts, comma-separated; admin:KEY marks a key allowed to change the store",
  ),
  API_KEYS_FILE: declare(
    "TSLLM_API_KEYS_FILE",
    "path",
    "",
    "File of API keys, one per line (same syntax as TSLLM_API_KEYS, # comments)",
  ),
  API_KEY: declare("TSLLM_API_KEY", "string", "", "The key the CLI sends (Authorization: Bearer)"),
  TLS_CERT: declare("TSLLM_TLS_CERT", "path", "", "PEM certificate: serve HTTPS (with TSLLM_TLS_KEY)"),
  TLS_KEY: declare("TSLLM_TLS_KEY", "path", "", "PEM private key for TSLLM_TLS_CERT"),
  MAX_BODY: declare("TSLLM_MAX_BODY", "size", "64MiB", "Largest JSON request body (blob uploads excepted)"),
  MAX_JSON_DEPTH: declare("TSLLM_MAX_JSON_DEPTH", "int", "64", "Deepest nesting a JSON body may have"),
  MAX_RERANK_DOCUMENTS: declare(
    "TSLLM_MAX_RERANK_DOCUMENTS",
    "int",
    "1000",
    "Most documents in one rerank request (/api/rerank, /v1/rerank); more is a 400",
  ),
  MAX_PROMPT: declare(
    "TSLLM_MAX_PROMPT",
    "size",
    "16MiB",
    "Largest prompt, message content, system or suffix text (bytes)",
  ),
  MAX_IMAGES: declare("TSLLM_MAX_IMAGES", "int", "16", "Most images in one request"),
  MAX_IMAGE_SIZE: declare("TSLLM_MAX_IMAGE_SIZE", "size", "20MiB", "Largest image (decoded bytes)"),
  MAX_IMAGE_PIXELS: declare(
    "TSLLM_MAX_IMAGE_PIXELS",
    "int",
    "33554432",
    "Largest image in pixels (width × height, read from its header before any decode; 32 Mi fits 8K UHD)",
  ),
  HEADER_TIMEOUT: declare(
    "TSLLM_HEADER_TIMEOUT",
    "duration",
    "30s",
    "Time a client has to send a request's headers (idle connections close after it)",
  ),
  BODY_TIMEOUT: declare(
    "TSLLM_BODY_TIMEOUT",
    "duration",
    "60s",
    "Longest pause while a request body (or blob upload) is being received",
  ),
  NOPRUNE: declare("TSLLM_NOPRUNE", "bool", "false", "Keep blobs no manifest references (pruned at start)"),
  OLLAMA_NOPRUNE: declare("OLLAMA_NOPRUNE", "bool", "false", "Used as TSLLM_NOPRUNE when that is unset"),
  HOME: declare(
    "TSLLM_HOME",
    "path",
    "~/.tsllm",
    "tsllm's own files: the registry signing key (id_ed25519; ~/.ollama's is reused when present)",
  ),
  REGISTRY_AUTH: declare(
    "TSLLM_REGISTRY_AUTH",
    "string",
    "",
    "Registry credentials, comma-separated: host=user:password or host=token (before ~/.docker/config.json)",
  ),
  DOCKER_CONFIG: declare(
    "DOCKER_CONFIG",
    "path",
    "~/.docker",
    "Directory of the docker config.json whose registry credentials pull and push use",
  ),
  DOWNLOAD_PARTS: declare(
    "TSLLM_DOWNLOAD_PARTS",
    "int",
    "8",
    "Parallel range requests per blob during a pull",
  ),
  DOWNLOAD_SPLICE: declare(
    "TSLLM_DOWNLOAD_SPLICE",
    "bool",
    "true",
    "Pulls from plain-http registries move bytes from socket to file inside the kernel (Linux splice)",
  ),
  DOWNLOAD_STALL: declare(
    "TSLLM_DOWNLOAD_STALL",
    "duration",
    "30s",
    "A registry transfer that moves no byte this long is retried",
  ),
  REGISTRY_PRIVATE_REDIRECTS: declare(
    "TSLLM_REGISTRY_PRIVATE_REDIRECTS",
    "bool",
    "false",
    "Follow registry redirects to private or link-local addresses even when the registry is public",
  ),
  HTTPS_PROXY: declare("HTTPS_PROXY", "string", "", "Proxy for https registry transfers (also https_proxy)"),
  HTTP_PROXY: declare("HTTP_PROXY", "string", "", "Proxy for http registry transfers (also http_proxy)"),
  ALL_PROXY: declare("ALL_PROXY", "string", "", "Proxy for any registry transfer (also all_proxy)"),
  SHUTDOWN_TIMEOUT: declare(
    "TSLLM_SHUTDOWN_TIMEOUT",
    "duration",
    "30s",
    "On SIGTERM/SIGINT, how long in-flight generations may run before they are ended",
  ),
  LOG_FORMAT: declare("TSLLM_LOG_FORMAT", "string", "text", "Log line format: text or json"),
  METRICS: declare("TSLLM_METRICS", "bool", "true", "Serve Prometheus metrics at /metrics"),
  UI: declare("TSLLM_UI", "bool", "true", "Serve the web chat UI at /ui"),
  RUNTIME_DIR: declare(
    "TSLLM_RUNTIME_DIR",
    "path",
    "",
    "Runner sockets dir (default: $XDG_RUNTIME_DIR or tmp)",
  ),
} as const;

/** Every declared variable. */
export function declaredEnv(): readonly EnvVar[] {
  return vars;
}

/** Reads environment values; the only place process.env is read. Tests pass their own map. */
export class Env {
  constructor(private readonly source: Record<string, string | undefined> = process.env) {}

  /** Raw value, or the declared default when unset or empty. */
  get(v: EnvVar): string {
    const raw = this.source[v.name];
    return raw === undefined || raw === "" ? v.default : raw;
  }

  /** The first of `vs` that is set and non-empty, else the first one's default (TSLLM_* before OLLAMA_*). */
  first(...vs: EnvVar[]): string {
    for (const v of vs) {
      const raw = this.source[v.name];
      if (raw !== undefined && raw !== "") return raw;
    }
    return vs[0]?.default ?? "";
  }

  /** Boolean: 1/true/yes/on. */
  bool(v: EnvVar): boolean {
    return /^(1|true|yes|on)$/i.test(this.get(v));
  }

  /** Integer, or the default when unparsable. */
  int(v: EnvVar): number {
    const n = Number.parseInt(this.get(v), 10);
    return Number.isFinite(n) ? n : Number.parseInt(v.default, 10);
  }

  /** Byte size: a plain number or one with a unit (64MiB, 512KB, 2G; K/M/G are powers of 1024), else the default. */
  size(v: EnvVar): number {
    return parseSize(this.get(v)) ?? (parseSize(v.default) as number);
  }

  /** Path with a leading ~ expanded. */
  path(v: EnvVar): string {
    const p = this.get(v);
    const home = this.source.HOME ?? "/";
    return p.startsWith("~") ? home + p.slice(1) : p;
  }

  /** HOME and similar non-TSLLM variables the paths depend on. */
  raw(name: string): string | undefined {
    return this.source[name];
  }

  /** The TSLLM_* names that are set but not declared (likely typos). */
  unknown(): string[] {
    const known = new Set(vars.map((v) => v.name));
    return Object.keys(this.source).filter((k) => k.startsWith("TSLLM_") && !known.has(k));
  }

  /** A copy of the environment for child processes. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(this.source)) if (val !== undefined) out[k] = val;
    return out;
  }
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "64MiB" / "512kb" / "2G" / "1000" → bytes (binary units; "iB"/"B" suffixes optional); undefined when unparsable. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] as string).toLowerCase()] as number;
  return Math.floor(Number(m[1]) * unit);
}
