/**
 * What serve does to the store before it listens: remove the temp files a crash left behind, then (unless
 * TSLLM_NOPRUNE) remove blobs no manifest references, as Ollama's PruneLayers does at start. Running before
 * the server accepts requests means no create of this process is in flight; the grace period protects blobs a
 * client uploaded just before a restart for a create it has yet to send. Partial downloads with a state file
 * are kept for a later resume until PARTIAL_TTL_MS (see partial.ts).
 */
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import { BlobStore } from "./blobs.ts";
import { fileNameToDigest } from "./digest.ts";
import { mib, storageOp } from "./fs-errors.ts";
import { referencedDigests } from "./manifests.ts";
import { sweepPartials } from "./partial.ts";
import type { ModelStore } from "./store.ts";

/** Ollama's layerPruneGracePeriod: blobs (and foreign partial files) younger than this are never pruned. */
export const PRUNE_GRACE_MS = 60 * 60 * 1000;

/** How startup cleanup runs. */
export interface CleanupOptions {
  /** Remove unreferenced blobs (false with TSLLM_NOPRUNE). */
  prune: boolean;
  logger?: Logger;
  /** Blobs modified within this many ms are kept; PRUNE_GRACE_MS unless a test says otherwise. */
  graceMs?: number;
  /** The clock, for tests. */
  now?: () => number;
  /** Partial downloads untouched this long are removed; PARTIAL_TTL_MS unless a test says otherwise. */
  partialTtlMs?: number;
}

/** What startup cleanup removed. */
export interface CleanupReport {
  temps: number;
  prunedBlobs: number;
  freedBytes: number;
  /** Why pruning was skipped, when it was. */
  pruneSkipped?: string;
  /** Files of partial downloads removed for being older than their TTL (absent when none). */
  stalePartials?: number;
}

/** Removes leftover temp files and, when `prune`, unreferenced blobs; logs what it did. */
export async function cleanStore(store: ModelStore, opts: CleanupOptions): Promise<CleanupReport> {
  const log = opts.logger;
  const report: CleanupReport = { temps: 0, prunedBlobs: 0, freedBytes: 0 };
  for (const name of await store.blobs.entries()) {
    if (!BlobStore.isTemp(name)) continue;
    await removeFile(join(store.blobs.dir, name));
    report.temps++;
  }
  report.temps += await store.manifests.removeTemps();
  await store.manifests.pruneEmptyDirs();
  if (report.temps > 0) log?.info("removed temp files left by an interrupted write", { count: report.temps });
  // Resumable pulls stay until their TTL whatever TSLLM_NOPRUNE says: they are downloads, not blobs.
  const partials = await sweepPartials(store.blobs, (opts.now ?? Date.now)(), opts.partialTtlMs);
  if (partials.removed > 0) {
    report.stalePartials = partials.removed;
    log?.info("removed stale partial downloads", { files: partials.removed });
  }
  if (!opts.prune) return report;

  const { manifests, corrupt } = await store.manifests.scan();
  if (corrupt.length > 0) {
    report.pruneSkipped = "corrupt manifests";
    log?.warn("corrupt manifests detected, skipping prune; re-pull or delete them", { models: corrupt });
    return report;
  }
  const inUse = new Set(manifests.flatMap((m) => referencedDigests(m.manifest)));
  const cutoff = (opts.now ?? Date.now)() - (opts.graceMs ?? PRUNE_GRACE_MS);
  for (const name of await store.blobs.entries()) {
    if (BlobStore.isTemp(name) || partials.kept.has(name)) continue;
    const digest = fileNameToDigest(name);
    if (digest !== undefined && (inUse.has(digest) || store.pinned(digest))) continue;
    const path = join(store.blobs.dir, name);
    const info = await stat(path).catch(() => undefined);
    // Directories are not ours to touch; young files may belong to a create still to come.
    if (!info?.isFile() || info.mtimeMs > cutoff) continue;
    // Files with other names are Ollama's partial downloads (sha256-…-partial), pruned as Ollama does.
    report.freedBytes += await removeFile(path);
    report.prunedBlobs++;
  }
  log?.info("pruned unused blobs", {
    blobs: inUse.size,
    removed: report.prunedBlobs,
    freed: mib(report.freedBytes),
  });
  return report;
}

/** True when pruning is off: TSLLM_NOPRUNE, else OLLAMA_NOPRUNE. */
export function noPrune(value: string): boolean {
  return /^(1|true|yes|on)$/i.test(value.trim());
}

async function removeFile(path: string): Promise<number> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  await storageOp("remove a leftover file", () => rm(path, { force: true }));
  return size;
}
