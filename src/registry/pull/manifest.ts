/**
 * Fetching a model's manifest as Ollama's pullModelManifest does: GET /v2/<repo>/manifests/<tag> with the
 * Docker schema 2 Accept header, keeping the raw bytes (their sha256 is the model id), then validating them.
 */
import { TsllmError } from "../../errors.ts";
import { MediaType, readChunks } from "../../store/index.ts";
import { RegistryResponseError } from "../errors.ts";
import type { Credentials, RegistryClient, RegistryRef } from "../types.ts";
import { PullManifestError } from "./errors.ts";
import { type ValidManifest, validateManifest } from "./validate.ts";

/** Largest manifest read (4 MiB): a GGUF model's manifest is a few hundred bytes. */
export const MAX_MANIFEST_BYTES = 4 << 20;

/** A validated manifest with the bytes it was parsed from. */
export interface FetchedManifest extends ValidManifest {
  readonly raw: Uint8Array;
}

/** Fetches and validates `ref`'s manifest; every failure is a PullManifestError (or UnsupportedModelError). */
export async function fetchManifest(
  client: RegistryClient,
  ref: RegistryRef,
  opts: { credentials?: Credentials; signal?: AbortSignal } = {},
): Promise<FetchedManifest> {
  let res: Response;
  try {
    res = await client.send(
      ref,
      {
        method: "GET",
        url: `/v2/${ref.repository}/manifests/${encodeURIComponent(ref.name.tag)}`,
        headers: { Accept: MediaType.manifest },
        scope: "pull",
        redirect: "follow",
        signal: opts.signal,
      },
      opts.credentials,
    );
  } catch (err) {
    throw wrap(err, opts.signal);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    throw new PullManifestError("file does not exist");
  }
  if (res.status >= 400) throw wrap(await RegistryResponseError.from(res), opts.signal);
  let raw: Uint8Array;
  try {
    raw = await readBounded(res, MAX_MANIFEST_BYTES);
  } catch (err) {
    throw wrap(err, opts.signal);
  }
  return { ...validateManifest(raw), raw };
}

/** The whole body, refusing one longer than `max` (without buffering past it). */
async function readBounded(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new PullManifestError(`manifest of ${declared} bytes is larger than ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of readChunks(res.body)) {
      size += chunk.byteLength;
      if (size > max) {
        throw new PullManifestError(`manifest is larger than ${max} bytes`);
      }
      chunks.push(chunk);
    }
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Ollama wraps every manifest failure as `pull model manifest: <err>`; a typed cause keeps its status. */
function wrap(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof PullManifestError) return err;
  const status = err instanceof TsllmError ? err.status : 500;
  return new PullManifestError(err instanceof Error ? err.message : String(err), { status, cause: err });
}
