/**
 * Background check that every blob hashes to its name. Blobs are only renamed into place after
 * verification, so a mismatch means damage from outside (a disk fault, an older version, a hand edit). Such
 * a blob can never be served correctly: it is deleted and logged, so a re-upload or re-pull heals it. The
 * check reads at low priority (async reads, pauses between chunks) so a large store never delays serving.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { Logger } from "../log.ts";
import { formatName } from "./names.ts";
import { referencedDigests } from "./manifests.ts";
import type { ModelStore } from "./store.ts";

/** How the check paces itself. */
export interface VerifyOptions {
  logger?: Logger;
  signal?: AbortSignal;
  /** Fraction of one core the hashing may use (0 < duty ≤ 1); the rest is spent paused. Default 0.5. */
  duty?: number;
}

/** What a verification pass found. */
export interface VerifyReport {
  checked: number;
  /** Digests whose files did not match and were deleted. */
  corrupt: string[];
}

/** A running background check. */
export interface BlobVerifier {
  /** Resolves with the report when the pass ends (or is stopped). */
  readonly done: Promise<VerifyReport>;
  /** Stops the pass at the next chunk. */
  stop(): void;
}

/** Starts a background pass over every blob; errors are logged, never thrown. */
export function startBlobVerifier(store: ModelStore, opts: Omit<VerifyOptions, "signal"> = {}): BlobVerifier {
  const ctl = new AbortController();
  const done = verifyBlobs(store, { ...opts, signal: ctl.signal }).catch((err) => {
    opts.logger?.warn("blob verification stopped", { error: (err as Error).message });
    return { checked: 0, corrupt: [] };
  });
  return { done, stop: () => ctl.abort() };
}

/** Hashes every blob; deletes (and logs) those that do not match their digest. */
export async function verifyBlobs(store: ModelStore, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, corrupt: [] };
  const duty = Math.min(1, Math.max(0.05, opts.duty ?? 0.5));
  for (const digest of await store.blobs.list()) {
    if (opts.signal?.aborted) break;
    const path = store.blobs.path(digest);
    const before = await stat(path).catch(() => undefined);
    if (!before?.isFile()) continue;
    const actual = await hashFile(path, duty, opts.signal).catch(() => undefined);
    if (actual === undefined) continue; // vanished, unreadable or stopped: nothing to conclude
    report.checked++;
    if (actual === digest) continue;
    // Only delete the very file that was hashed: an upload may have replaced it with a good copy meanwhile.
    const now = await stat(path).catch(() => undefined);
    if (!now || now.ino !== before.ino || now.size !== before.size || now.mtimeMs !== before.mtimeMs)
      continue;
    await rm(path, { force: true });
    report.corrupt.push(digest);
    opts.logger?.warn("blob does not match its digest; deleted it, re-create or pull the models using it", {
      digest,
      models: await modelsUsing(store, digest),
    });
  }
  if (report.checked > 0 || report.corrupt.length > 0)
    opts.logger?.info("verified blobs", { checked: report.checked, corrupt: report.corrupt.length });
  return report;
}

async function hashFile(path: string, duty: number, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    const t0 = performance.now();
    hash.update(chunk);
    const busy = performance.now() - t0;
    // Pausing in proportion to the work keeps this pass near `duty` of a core, and yields the event loop.
    await new Promise((r) => setTimeout(r, (busy * (1 - duty)) / duty));
  }
  return `sha256:${hash.digest("hex")}`;
}

async function modelsUsing(store: ModelStore, digest: string): Promise<string[]> {
  const { manifests } = await store.manifests.scan().catch(() => ({ manifests: [] }));
  return manifests
    .filter((m) => referencedDigests(m.manifest).includes(digest))
    .map((m) => formatName(m.name));
}
