/** Leases: a granted request's hold on one runner slot, released exactly once. */
import type { LoadedModel } from "./model-table.ts";
import type { Lease } from "./types.ts";

/**
 * A lease on `entry` for a request named `name`; `onRelease` runs on the first release only; `ending` is the
 * scheduler's signal that in-flight work must end.
 */
export function makeLease(
  entry: LoadedModel,
  name: string,
  onRelease: () => void,
  ending: AbortSignal,
  loadMs = 0,
): Lease {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    onRelease();
  };
  const { runner, path, plan } = entry;
  return {
    runner,
    model: path,
    name,
    options: runner.spec.options,
    plan,
    loadMs,
    ending,
    release,
    [Symbol.dispose]: release,
  };
}

/** Wraps a synchronous pass so that calls made while it runs queue one more pass instead of nesting. */
export function serialPass(pass: () => void): () => void {
  let running = false;
  let again = false;
  return () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        pass();
      } while (again);
    } finally {
      running = false;
    }
  };
}
