/**
 * The registry's shared vocabulary: what a transfer reports, what it is given, and the HTTP client the pull
 * and push sides talk through (client/ implements it: auth challenges, request signing, redirects).
 */
import type { ModelName } from "../store/index.ts";

/** One progress line of a pull or push: Ollama's api.ProgressResponse (zero fields are left out). */
export interface Progress {
  readonly status: string;
  readonly digest?: string;
  readonly total?: number;
  readonly completed?: number;
}

/** Credentials a request carries itself (PullRequest.username/password), tried before configured ones. */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** What a pull or push is given by its caller. */
export interface TransferOptions {
  /** Allow `http://` registries (Ollama's `insecure`). */
  readonly insecure?: boolean;
  readonly credentials?: Credentials;
  /** Cancels this caller's interest (client gone); shared downloads go on while another caller waits. */
  readonly signal?: AbortSignal;
  /** Called for every progress line, in order. */
  readonly onProgress?: (p: Progress) => void;
}

/** A model's place in a registry. */
export interface RegistryRef {
  /** The fully qualified name (host, namespace, model, tag, scheme). */
  readonly name: ModelName;
  /** `https://host[:port]` or, with insecure, `http://…`: no trailing slash. */
  readonly base: string;
  /** `namespace/model`, as it appears in `/v2/<repository>/…`. */
  readonly repository: string;
}

/** One request to a registry. */
export interface RegistryRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** A path under the registry's base (`/v2/…`), or an absolute URL the registry handed out (Location). */
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** A body factory, so the request can be re-sent after an auth challenge or a redirect. */
  readonly body?: () => Uint8Array | string | Blob | ReadableStream<Uint8Array>;
  /** The access the request needs: the token scope is `repository:<repo>:pull` or `…:pull,push`. */
  readonly scope: "pull" | "push";
  /** `follow`: 3xx are followed (a cross-host redirect drops Authorization); `manual`: returned as is. */
  readonly redirect?: "follow" | "manual";
  readonly signal?: AbortSignal;
}

/** The HTTP side of the registry protocol, shared by pull and push. */
export interface RegistryClient {
  /** Resolves a name (and the insecure flag) to its registry ref; InvalidNameError / InsecureProtocolError. */
  ref(name: string, opts?: { insecure?: boolean }): RegistryRef;
  /**
   * Sends a request, answering a 401 challenge once (Bearer token or Basic, with request signing where the
   * registry wants it). Returns the response unread, whatever its status; network failures throw
   * RegistryUnreachableError; refused redirects throw RedirectRefusedError.
   */
  send(ref: RegistryRef, req: RegistryRequest, credentials?: Credentials): Promise<Response>;
}
