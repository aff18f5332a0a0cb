/** Pulling a model: POST /api/pull's NDJSON progress folded into one view (status, per-layer bytes). */
import { type ApiContext, isAbort, messageOf, ndjson, send } from "./api.ts";
import type { PullProgress } from "./wire.ts";

/** One layer's download. */
export interface LayerProgress {
  digest: string;
  total: number;
  completed: number;
}

/** A pull as shown. */
export interface PullView {
  model: string;
  status: string;
  layers: LayerProgress[];
  done: boolean;
  error?: string;
}

/** Folds one progress line into the view. */
export function foldProgress(v: PullView, p: PullProgress): PullView {
  const next: PullView = { ...v, status: p.status };
  if (p.digest && p.total) {
    const layer = { digest: p.digest, total: p.total, completed: p.completed ?? 0 };
    const i = v.layers.findIndex((l) => l.digest === p.digest);
    next.layers = i < 0 ? [...v.layers, layer] : v.layers.map((l, j) => (j === i ? layer : l));
  }
  if (p.status === "success") next.done = true;
  return next;
}

/**
 * Pulls `model` (`insecure`: the registry may be plain HTTP), reporting every step to `update`; never
 * throws (errors and stops end up in the view).
 */
export async function pullModel(
  ctx: ApiContext,
  model: string,
  insecure: boolean,
  signal: AbortSignal,
  update: (v: PullView) => void,
): Promise<PullView> {
  let view: PullView = { model, status: "starting", layers: [], done: false };
  update(view);
  try {
    const body = insecure ? { model, insecure, stream: true } : { model, stream: true };
    const res = await send(ctx, "POST", "/api/pull", body, signal);
    for await (const p of ndjson<PullProgress>(res)) {
      view = foldProgress(view, p);
      update(view);
    }
    if (!view.done) view = { ...view, error: "the pull ended before it succeeded" };
  } catch (e) {
    view = { ...view, error: isAbort(e) ? "cancelled" : messageOf(e) };
  }
  update(view);
  return view;
}
