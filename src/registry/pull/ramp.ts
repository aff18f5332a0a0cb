/**
 * How many requests a download runs at once. One connection moves a blob with the least CPU per byte: on a
 * loopback registry, eight parallel ranges cost the registry and the transfer thread more and were no faster
 * (see docs/BENCHMARKS.md, "Registry pull"). Where one connection is slow (a distant registry or CDN), parallel
 * ranges are what makes a pull fast. So a download starts with one request and adds one more, up to its
 * limit, each time the rate was below FAST_LINK_BYTES_PER_S over two windows in a row (one slow window is
 * often the start: a connection opening, the worker starting).
 */

/** A download at least this fast (bytes per second) gets no further parallel request. */
export const FAST_LINK_BYTES_PER_S = 100e6;

/** How often the rate is measured (ms). */
export const RAMP_WINDOW_MS = 500;

/**
 * A lone request on a fast link asks for as many untouched parts at once as move in this long (up to
 * MAX_RUN_BYTES): docker-registry spends about 10 ms of CPU per request (measured: one 1 GB range 0.5 s, the
 * same gigabyte in 32 ranges 0.8 s), on the cores the pull needs. A short run keeps a link that turns slow
 * from holding much behind one connection.
 */
export const RUN_SECONDS = 2;
/** The most one request asks for at once. */
export const MAX_RUN_BYTES = 512 << 20;

/** Bytes moved since the last look, and whether that was slow. */
export class Ramp {
  #bytes = 0;
  #since: number;
  #slowBefore = false;
  #lastRate = 0;

  constructor(
    private readonly fastBytesPerS = FAST_LINK_BYTES_PER_S,
    private readonly clock: () => number = Date.now,
  ) {
    this.#since = clock();
  }

  /** Starts a new window, forgetting the one before (the first request just got its answer). */
  restart(): void {
    this.#bytes = 0;
    this.#since = this.clock();
    this.#slowBefore = false;
    this.#lastRate = 0;
  }

  /**
   * Bytes per second: over the window so far once it is 200 ms old (shorter ones say little: a request
   * opening, a burst of buffered bytes), else over the last window (0 before the first).
   */
  rate(): number {
    const ms = this.clock() - this.#since;
    return ms >= 200 ? (this.#bytes * 1000) / ms : this.#lastRate;
  }

  /** How many bytes a lone request may ask for now: none beyond one part unless the link is fast. */
  runBytes(): number {
    const rate = this.rate();
    return rate >= this.fastBytesPerS ? Math.min(MAX_RUN_BYTES, rate * RUN_SECONDS) : 0;
  }

  /** `n` more bytes arrived. */
  note(n: number): void {
    this.#bytes += n;
  }

  /**
   * True when the rate since the last call (or the start) and in the window before it were both below the
   * fast rate; starts a new window.
   */
  slow(): boolean {
    const now = this.clock();
    const ms = Math.max(1, now - this.#since);
    this.#lastRate = (this.#bytes * 1000) / ms;
    const slow = this.#lastRate < this.fastBytesPerS;
    this.#bytes = 0;
    this.#since = now;
    const both = slow && this.#slowBefore;
    this.#slowBefore = slow;
    return both;
  }
}
