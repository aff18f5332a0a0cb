/** What every step of one push shares: the registry, its client, the caller's signal and credentials. */
import type { Logger } from "../../log.ts";
import type { Credentials, RegistryClient, RegistryRef, RegistryRequest } from "../types.ts";

/** One push's fixed inputs, passed to each step. */
export interface PushContext {
  readonly client: RegistryClient;
  readonly ref: RegistryRef;
  readonly credentials?: Credentials;
  readonly signal?: AbortSignal;
  readonly logger: Logger;
  /** Bytes per PATCH; undefined = Ollama's rule (a sixteenth of the blob, 100 MB to 1000 MB). */
  readonly partSize?: number;
  /** First retry delay; each further retry doubles it. */
  readonly backoffMs: number;
}

/** A blob file to upload. */
export interface LocalBlob {
  readonly digest: string;
  readonly size: number;
  readonly path: string;
}

/** A request as a push step writes it: scope and signal default to the push's. */
export type PushRequest = Omit<RegistryRequest, "scope" | "signal"> & { signal?: AbortSignal };

/** Sends one request to the push's registry with push scope, the caller's signal and credentials. */
export function send(ctx: PushContext, req: PushRequest): Promise<Response> {
  return ctx.client.send(ctx.ref, { scope: "push", signal: ctx.signal, ...req }, ctx.credentials);
}

/** `/v2/<repository>/…` under the push's registry. */
export function repoPath(ctx: PushContext, rest: string): string {
  return `/v2/${ctx.ref.repository}/${rest}`;
}
