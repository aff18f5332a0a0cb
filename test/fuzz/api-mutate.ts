/**
 * Mutations of one API request, applied in order: its JSON tree (api-mutate-tree.ts), then its bytes, then
 * its envelope (api-mutate-wire.ts); a generating request left without a length limit is made to stream.
 */
import { clone, DupKeys } from "./gen-json.ts";
import type { Rng } from "./gen-rng.ts";
import { type Draft, isObj, type Mutation, TREE_MUTATIONS } from "./api-mutate-tree.ts";
import { BYTE_MUTATIONS, ENVELOPE_MUTATIONS } from "./api-mutate-wire.ts";
import type { FuzzContext, RouteSpec } from "./api-routes.ts";

export type { Draft } from "./api-mutate-tree.ts";

/** Applies `n` mutations chosen by weight (tree, then bytes, then envelope) and records their labels. */
export function mutate(d: Draft, n: number, rng: Rng, ctx: FuzzContext, spec: RouteSpec): void {
  // A route without a body (GET, HEAD) only has an envelope to mutate.
  const bodiless = d.tree === undefined && d.raw === undefined;
  const stages = Array.from({ length: n }, () =>
    bodiless
      ? 2
      : rng.weighted([
          [45, 0],
          [7, 1],
          [10, 2],
        ] as const),
  ).sort();
  const lists = [TREE_MUTATIONS, BYTE_MUTATIONS, ENVELOPE_MUTATIONS];
  let bounded = false;
  for (const stage of stages) {
    if (stage > 0 && !bounded) bounded = bound(d, spec);
    if (stage === 0 && d.raw) continue;
    // Draw again (a few times) when the drawn mutation does not apply to this request.
    for (let attempt = 0; attempt < 4; attempt++) {
      d.tree = clone(d.tree);
      const label = rng.weighted(lists[stage] as readonly (readonly [number, Mutation])[])(d, rng, ctx, spec);
      if (label) {
        d.labels.push(label);
        break;
      }
    }
  }
  if (!bounded) bound(d, spec);
}

/**
 * A generating request whose length limit was mutated away could run for minutes without being wrong: it is
 * switched to streaming, so the client can stop reading after a while (which also exercises cancellation).
 * Runs once the JSON tree is final; returns true.
 */
function bound(d: Draft, spec: RouteSpec): true {
  const t = d.tree;
  if (!spec.bounded || d.raw) return true;
  if (t instanceof DupKeys) {
    const last = Object.fromEntries(t.pairs);
    if (!spec.bounded(last) && last.stream !== true) {
      d.tree = new DupKeys([...t.pairs, ["stream", true]]);
      d.labels.push("stream (unbounded length)");
    }
    return true;
  }
  if (!isObj(t) || spec.bounded(t) || t.stream === true) return true;
  d.tree = { ...t, stream: true };
  d.labels.push("stream (unbounded length)");
  return true;
}
