/**
 * The part workers of one download: up to `parallel` of them take the missing parts in order (one at first,
 * more while the download is slow: ramp.ts), each part fetched with retries (backoff doubling from 1 s, reset
 * by any progress), stall detection per attempt, and a switch to one whole-blob stream when the registry
 * ignores Range.
 */
import { shortDigest, sleep } from "../transfer-util.ts";
import type { FileHandle } from "node:fs/promises";
import type { Logger } from "../../log.ts";
import type { PartialPart } from "../../store/index.ts";
import { MaxRetriesError, PartStalledError } from "./errors.ts";
import { fillParts } from "./fill.ts";
import { bytesDone, takeRun } from "./plan.ts";
import { Ramp, RAMP_WINDOW_MS } from "./ramp.ts";
import { type BlobSource, isRetryable, type OpenedRange } from "./source.ts";
import type { TransferWorker } from "./transfer.ts";
import { attemptOnWorker, type WorkerUse } from "./worker-part.ts";

/** Attempts a part gets in a row without moving a byte before the pull fails (Ollama's maxRetries). */
export const MAX_RETRIES = 6;

/** One download's parts and where their bytes go. */
export interface PartsJob {
  readonly digest: string;
  readonly source: BlobSource;
  readonly fh: FileHandle;
  /** Every part of the blob; their `done` grows as bytes are written. */
  readonly parts: PartialPart[];
  /** The download's transfer worker; without one (or once it is refused) bodies are read on this thread. */
  readonly transfers?: TransferWorker;
  /** Parallel requests (TSLLM_DOWNLOAD_PARTS). */
  readonly parallel: number;
  /** An attempt that moves no byte this long is aborted and retried; 0 = never. */
  readonly stallMs: number;
  /** First retry delay in ms. */
  readonly retryDelayMs: number;
  readonly logger: Logger;
  /** Stops every worker (the partial keeps what was written). */
  readonly signal: AbortSignal;
  /** `n` more bytes are on disk. */
  onWritten(n: number): void;
}

/** Fetches every missing part; the first failure that retries cannot fix stops the others and is thrown. */
export async function fetchParts(job: PartsJob): Promise<void> {
  const queue = job.parts.filter((p) => p.done < p.size);
  if (queue.length === 0) return;
  const run = new AbortController();
  const stop = () => run.abort(job.signal.reason);
  job.signal.addEventListener("abort", stop, { once: true });
  if (job.signal.aborted) stop();
  let learned!: () => void;
  const firstAnswer = new Promise<void>((r) => {
    learned = r;
  });
  let wholeStream = false;
  const use: WorkerUse = { asked: false, refused: false };
  // A lone request on a fast link takes a run of parts (fewer requests); with company, one part each.
  const claim = (): PartialPart[] | undefined => takeRun(queue, running.length === 1 ? ramp.runBytes() : 0);
  const onAnswer = (owned: PartialPart[]) => (ranged: boolean) => {
    // A registry that ignores Range sends the whole blob: one stream fills every part still unclaimed.
    if (!ranged && !wholeStream && queue.length > 0) {
      wholeStream = true;
      owned.push(...queue.splice(0));
    }
    learned();
  };
  const ramp = new Ramp();
  const running: Promise<void>[] = [];
  const counted: PartsJob = {
    ...job,
    onWritten: (n) => {
      ramp.note(n);
      job.onWritten(n);
    },
  };
  const worker = async (): Promise<void> => {
    for (let owned = claim(); owned && !run.signal.aborted; owned = wholeStream ? undefined : claim()) {
      await fetchPart(counted, owned, run.signal, onAnswer(owned), use);
    }
  };
  const failFast = (p: Promise<void>) =>
    p.catch((err) => {
      run.abort(err);
      throw err;
    });
  if (queue.length > 1)
    job.logger.info("downloading blob in parts", { digest: shortDigest(job.digest), parts: queue.length });
  running.push(failFast(worker()));
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    await Promise.race([firstAnswer, running[0]]);
    const limit = Math.max(1, job.parallel);
    if (limit > 1 && !wholeStream) {
      ramp.restart();
      timer = setInterval(() => {
        if (wholeStream || queue.length === 0 || running.length >= limit || run.signal.aborted)
          return clearInterval(timer);
        if (ramp.slow()) running.push(failFast(worker()));
      }, RAMP_WINDOW_MS);
    }
    const results = await settleAll(running);
    if (job.signal.aborted) throw job.signal.reason;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    // Workers also stop quietly once the run is aborted; that must not pass for a finished download.
    if (run.signal.aborted) throw run.signal.reason;
  } finally {
    clearInterval(timer);
    job.signal.removeEventListener("abort", stop);
    await settleAll(running);
  }
}

/** Settles every promise of `list`, including those added to it while waiting. */
async function settleAll(list: Promise<void>[]): Promise<PromiseSettledResult<void>[]> {
  for (;;) {
    const n = list.length;
    const results = await Promise.allSettled(list);
    if (list.length === n) return results;
  }
}

/** Fills `owned` with retries: attempts that move bytes reset the count, a stall aborts only its attempt. */
async function fetchPart(
  job: PartsJob,
  owned: PartialPart[],
  signal: AbortSignal,
  onAnswer: (ranged: boolean) => void,
  use: WorkerUse,
): Promise<void> {
  let failures = 0;
  for (;;) {
    signal.throwIfAborted();
    const before = bytesDone(owned);
    try {
      await attempt(job, owned, signal, onAnswer, use);
      return;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (!isRetryable(err)) throw err;
      failures = bytesDone(owned) > before ? 1 : failures + 1;
      if (failures >= MAX_RETRIES) throw new MaxRetriesError(job.digest, err);
      const first = owned.find((p) => p.done < p.size) ?? (owned[0] as PartialPart);
      job.logger.info("blob part failed; retrying", {
        digest: shortDigest(job.digest),
        offset: first.offset + first.done,
        attempt: failures,
        error: err instanceof Error ? err.message : String(err),
      });
      // A stall already waited its timeout; anything else backs off (jittered 0.5–1.5×, so parts that
      // failed together do not retry in lockstep).
      if (!(err instanceof PartStalledError))
        await sleep(job.retryDelayMs * 2 ** (failures - 1) * (0.5 + Math.random()), signal);
    }
  }
}

/**
 * One request for the first missing byte of `owned` through its end, watched for stalls: on the transfer
 * worker (which watches its own body for stalls) unless that was refused, else read on this thread.
 */
async function attempt(
  job: PartsJob,
  owned: PartialPart[],
  signal: AbortSignal,
  onAnswer: (ranged: boolean) => void,
  use: WorkerUse,
): Promise<void> {
  const ctl = new AbortController();
  const relay = () => ctl.abort(signal.reason);
  signal.addEventListener("abort", relay, { once: true });
  let lastActivity = Date.now();
  let watching = true;
  const { stallMs } = job;
  const timer =
    stallMs > 0
      ? setInterval(
          () => {
            if (watching && Date.now() - lastActivity > stallMs) ctl.abort(new PartStalledError(stallMs));
          },
          Math.max(10, Math.min(1000, stallMs / 2)),
        )
      : undefined;
  let opened: OpenedRange | undefined;
  let again = false;
  try {
    if (job.transfers && !use.refused) {
      const w = { transfers: job.transfers, source: job.source, stallMs, onWritten: job.onWritten };
      const onFill = () => {
        watching = false;
      };
      const r = await attemptOnWorker(w, use, owned, ctl.signal, onAnswer, onFill);
      if (r === true) return;
      if (r === false)
        job.logger.info("blob not served to the download worker; reading it on the server thread", {
          digest: shortDigest(job.digest),
        });
      else opened = r;
      lastActivity = Date.now();
    }
    const first = owned.find((p) => p.done < p.size) as PartialPart;
    const last = owned.at(-1) as PartialPart;
    opened ??= await job.source.open(first.offset + first.done, last.offset + last.size, ctl.signal);
    lastActivity = Date.now();
    onAnswer(opened.ranged);
    // A ranged answer to the client's first request holds only the start of the range: fill that much,
    // then the rest is asked for again (from the worker).
    const upTo = opened.ranged ? opened.end : last.offset + last.size;
    const span =
      upTo < first.offset + first.size ? [prefixOf(first, upTo)] : owned.slice(owned.indexOf(first));
    await fillParts(job.fh, opened.body, opened.start, span, ctl.signal, {
      onActivity: () => {
        lastActivity = Date.now();
      },
      onWritten: job.onWritten,
    });
    again = owned.some((p) => p.done < p.size);
  } catch (err) {
    if (ctl.signal.aborted && !signal.aborted) throw ctl.signal.reason;
    throw err;
  } finally {
    clearInterval(timer);
    signal.removeEventListener("abort", relay);
  }
  if (again) await attempt(job, owned, signal, onAnswer, use);
}

/** The bytes of `p` before blob offset `end`, as a part whose progress is `p`'s own. */
function prefixOf(p: PartialPart, end: number): PartialPart {
  return {
    offset: p.offset,
    size: end - p.offset,
    get done() {
      return p.done;
    },
    set done(n: number) {
      p.done = n;
    },
  };
}
