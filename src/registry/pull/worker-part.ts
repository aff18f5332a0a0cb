/**
 * One attempt at a part on the download's transfer worker. The worker asks the registry (or the redirect
 * target it revealed before) for the range itself, never with the registry's credentials. Redirects come
 * back here: the registry's own is asked for again through the client (with credentials, left unfollowed),
 * and every target passes the client's address policy before the worker connects to it. Where the registry wants credentials, or a redirect target answers anything
 * but the bytes, the attempt reports it and the download reads on this thread through the client, as before.
 */
import type { PartialPart } from "../../store/index.ts";
import { userAgent } from "../client/user-agent.ts";
import { RedirectRefusedError } from "../errors.ts";
import { type BlobSource, type OpenedRange, RetryableError } from "./source.ts";
import { type TransferWorker, WorkerStartError, type WorkerRequest } from "./transfer.ts";

/** Redirect hops the worker follows (as the client). */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * What the client's first request asks for at most: enough to learn whether the registry serves the blob
 * itself or redirects it, little to read on the server's thread (8 MiB took ~120 ms there during a pull's
 * start, while the workers started); the rest goes to the worker.
 */
export const FIRST_BYTES = 1 << 20;

/** What an attempt on the worker needs. */
export interface WorkerPart {
  readonly transfers: TransferWorker;
  readonly source: BlobSource;
  readonly stallMs: number;
  /** `n` more bytes are on disk. */
  onWritten(n: number): void;
}

/** How a download uses its worker. */
export interface WorkerUse {
  /** The registry was asked once through the client. */
  asked: boolean;
  /** The worker's request was refused: the download goes on on this thread. */
  refused: boolean;
  /** A redirect target served the worker. */
  served?: boolean;
}

/**
 * Fills `owned` from its first missing byte on the worker and returns true; or, with nothing written, returns
 * an answer to read on this thread (the registry served the first request itself: at most FIRST_BYTES of the
 * range when it honoured Range), or false (`use` marked
 * refused: the worker's answer is for the client to handle). Throws what pull's retry logic sorts.
 */
export async function attemptOnWorker(
  w: WorkerPart,
  use: WorkerUse,
  owned: PartialPart[],
  signal: AbortSignal,
  onAnswer: (ranged: boolean) => void,
  onFill: () => void,
): Promise<boolean | OpenedRange> {
  const first = owned.find((p) => p.done < p.size) as PartialPart;
  const last = owned.at(-1) as PartialPart;
  const start = first.offset + first.done;
  const end = last.offset + last.size;
  const headers = { Range: `bytes=${start}-${end - 1}`, "User-Agent": userAgent() };
  let url = w.source.url;
  let redirected = w.source.redirected;
  if (!redirected && !use.asked) {
    // The download's first request goes through the client, with its credentials: a redirect's target may
    // depend on them. A redirect is left for the worker to follow; bytes served right away are read here,
    // so that request asks for little.
    use.asked = true;
    const located = await w.source.openOrLocate(start, Math.min(end, start + FIRST_BYTES), signal);
    if (typeof located !== "string") return located;
    url = located;
    redirected = true;
  }
  for (let hops = 0; ; hops++) {
    if (redirected) await w.source.allow(url);
    let req: WorkerRequest;
    try {
      req = await w.transfers.get(url, headers, w.stallMs, signal);
    } catch (err) {
      if (!(err instanceof WorkerStartError)) throw err;
      use.refused = true;
      return false;
    }
    const { status, headers: got } = req.answer;
    const location = got.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      req.drop();
      const next = new URL(location, url).href;
      if (hops + 1 >= MAX_REDIRECTS)
        throw new RedirectRefusedError(url, next, `stopped after ${MAX_REDIRECTS} redirects`);
      url = next;
      redirected = true;
      continue;
    }
    if (status >= 300 && status !== 404 && status !== 416) {
      req.drop();
      w.source.forget(`answered ${status} to the download worker`);
      if (redirected && use.served) {
        // A target that served the worker before stopped (a signed URL expired): ask the registry again.
        use.asked = false;
        throw new RetryableError(`the blob's download address answered ${status}`);
      }
      // The registry wants credentials the worker does not carry: the client reads the blob instead.
      use.refused = true;
      return false;
    }
    let answer: ReturnType<BlobSource["check"]>;
    try {
      answer = w.source.check(status, (h) => got[h] ?? null, start, end);
    } catch (err) {
      req.drop();
      throw err;
    }
    if (redirected) w.source.remember(url);
    if (redirected) use.served = true;
    onAnswer(answer.ranged);
    onFill();
    const span = owned.slice(owned.indexOf(first));
    await req.fill(answer.start, span, signal, w.onWritten);
    return true;
  }
}
