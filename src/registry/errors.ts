/**
 * The registry's errors. Messages follow Ollama's texts where Ollama has one, and never carry a credential,
 * a token, a signature or a URL's query string (signed CDN URLs carry secrets there).
 */
import { TsllmError } from "../errors.ts";

/** A registry that could not be reached (DNS, refused connection, TLS, reset). Ollama answers 500. */
export class RegistryUnreachableError extends TsllmError {
  constructor(method: string, url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${method} ${JSON.stringify(safeUrl(url))}: ${why}`, {
      code: "registry_unreachable",
      fault: false,
      status: 500,
      cause,
    });
  }
}

/** The registry refused every credential offered, or demanded some and none were configured. */
export class RegistryAuthError extends TsllmError {
  /** The registry host (`host[:port]`). */
  readonly registry: string;

  constructor(registry: string, detail?: string) {
    super(`unauthorized: access denied to ${registry}${detail ? ` (${detail})` : ""}`, {
      code: "registry_unauthorized",
      fault: false,
      status: 401,
    });
    this.registry = registry;
  }
}

/** A redirect the client will not follow: a private or link-local target, an https→http downgrade, a loop. */
export class RedirectRefusedError extends TsllmError {
  constructor(from: string, to: string, why: string) {
    super(`registry redirect from ${safeUrl(from)} to ${safeUrl(to)} refused: ${why}`, {
      code: "redirect_refused",
      fault: false,
      status: 502,
    });
  }
}

/** An `http://` registry used without `insecure` (Ollama's errInsecureProtocol). */
export class InsecureProtocolError extends TsllmError {
  constructor() {
    super("insecure protocol http", { code: "insecure_protocol", fault: false, status: 500 });
  }
}

/** One entry of a registry's `{"errors":[{"code","message","detail"}]}` answer. */
export interface RegistryErrorEntry {
  readonly code?: string;
  readonly message?: string;
}

/**
 * A registry answer with an error status. The message is Ollama's `<status>: <body>`; the parsed
 * distribution error entries are kept for callers that branch on `code` (BLOB_UNKNOWN, MANIFEST_UNKNOWN…).
 */
export class RegistryResponseError extends TsllmError {
  /** The registry's HTTP status. */
  readonly registryStatus: number;
  /** The registry's own error entries, when its body was distribution error JSON. */
  readonly errors: readonly RegistryErrorEntry[];

  constructor(registryStatus: number, body: string, status = 500) {
    super(`${registryStatus}: ${body}`, { code: "registry_error", fault: false, status });
    this.registryStatus = registryStatus;
    this.errors = parseRegistryErrors(body);
  }

  /** Reads (a bounded prefix of) a response's body into an error. */
  static async from(res: Response, status?: number): Promise<RegistryResponseError> {
    const text = await res.text().catch(() => "");
    return new RegistryResponseError(res.status, text.trim().slice(0, MAX_BODY_CHARS), status);
  }
}

/** Longest registry body quoted in a message: enough for distribution's error JSON, not a stray HTML page. */
const MAX_BODY_CHARS = 2048;

/** The `errors` array of a distribution error body, or `[]` when the body is something else. */
export function parseRegistryErrors(body: string): RegistryErrorEntry[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const list = (parsed as { errors?: unknown }).errors;
    if (!Array.isArray(list)) return [];
    return list
      .filter((e): e is Record<string, unknown> => typeof e === "object" && e !== null)
      .map((e) => ({
        code: typeof e.code === "string" ? e.code : undefined,
        message: typeof e.message === "string" ? e.message : undefined,
      }));
  } catch {
    return [];
  }
}

/** A URL fit for a message or a log: origin and path only (queries may hold signatures or tokens). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, "");
  }
}

/** The signing key could not be read or created (unreadable, encrypted or malformed `id_ed25519`). */
export class SigningKeyError extends TsllmError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: "signing_key", status: 500, cause });
  }
}
