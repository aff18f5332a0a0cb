/**
 * The server's serving state, shared by the fetch handler and serve's shutdown: whether it is draining
 * (new requests refused, /health 503) and how many requests are in flight, so the drain can wait for them.
 */

/** Draining flag and in-flight count of one server. */
export class ServeState {
  #draining = false;
  #active = 0;
  readonly #idle = new Set<() => void>();

  /** True once the drain has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Requests whose answer has not ended yet. */
  get active(): number {
    return this.#active;
  }

  /** Starts the drain: from now on new requests are refused. Idempotent. */
  drain(): void {
    this.#draining = true;
  }

  /** A request arrived. */
  begin(): void {
    this.#active++;
  }

  /** A request's answer ended (call once per `begin`). */
  end(): void {
    this.#active--;
    if (this.#active > 0) return;
    for (const wake of this.#idle) wake();
    this.#idle.clear();
  }

  /** Resolves true once no request is in flight, or false after `ms` with some still running. */
  idle(ms: number): Promise<boolean> {
    if (this.#active <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#idle.delete(wake);
        resolve(false);
      }, ms);
      this.#idle.add(wake);
    });
  }
}
