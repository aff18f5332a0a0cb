/**
 * Turns a finished request's record into metric updates. Per model and per (model, endpoint, status) the
 * label children are resolved once and kept, so observing a request is a few map lookups and number adds.
 */
import type { RequestRecord } from "../request-record.ts";
import type { TsllmFamilies } from "./catalog.ts";
import type { LlamacppFamilies, RateWindow } from "./llamacpp.ts";
import type { CounterChild, HistogramChild } from "./registry.ts";

/** One model's resolved children. */
interface ModelSeries {
  prompt: CounterChild;
  cached: CounterChild;
  generated: CounterChild;
  draft: CounterChild;
  draftAccepted: CounterChild;
  ttft: HistogramChild;
  interToken: HistogramChild;
  queue: HistogramChild;
  lcPrompt: CounterChild;
  lcCached: CounterChild;
  lcPromptSeconds: CounterChild;
  lcPredicted: CounterChild;
  lcPredictedSeconds: CounterChild;
  window: RateWindow;
}

/** The label an unmatched request (no route took it: a 404 or a refusal before routing) gets. */
export const UNMATCHED = "unmatched";

/** Observes finished requests into the tsllm_* and llamacpp:* families. */
export class RequestMetrics {
  readonly #models = new Map<string, ModelSeries>();
  readonly #requests = new Map<string, { total: CounterChild; duration: HistogramChild }>();

  constructor(
    private readonly f: TsllmFamilies,
    private readonly lc: LlamacppFamilies,
  ) {}

  #series(model: string): ModelSeries {
    let s = this.#models.get(model);
    if (!s) {
      const { f, lc } = this;
      s = {
        prompt: f.promptTokens.labels(model),
        cached: f.cachedTokens.labels(model),
        generated: f.generatedTokens.labels(model),
        draft: f.draftTokens.labels(model),
        draftAccepted: f.draftAccepted.labels(model),
        ttft: f.ttft.labels(model),
        interToken: f.interToken.labels(model),
        queue: f.queueDuration.labels(model),
        lcPrompt: lc.promptTokens.labels(model),
        lcCached: lc.promptCached.labels(model),
        lcPromptSeconds: lc.promptSeconds.labels(model),
        lcPredicted: lc.predicted.labels(model),
        lcPredictedSeconds: lc.predictedSeconds.labels(model),
        window: lc.window(model),
      };
      this.#models.set(model, s);
    }
    return s;
  }

  /** Counts one finished request. `now` (performance.now()) stands in when the record has no duration. */
  observe(r: RequestRecord, now = performance.now()): void {
    const model = r.model ?? "";
    const endpoint = r.route ?? UNMATCHED;
    const status = String(r.status ?? 0);
    const key = `${model}\u0000${endpoint}\u0000${status}`;
    let req = this.#requests.get(key);
    if (!req) {
      req = {
        total: this.f.requests.labels(model, endpoint, status),
        duration: this.f.requestDuration.labels(model, endpoint),
      };
      this.#requests.set(key, req);
    }
    req.total.inc();
    req.duration.observe((r.durationMs ?? now - r.startedAt) / 1000);
    if (r.model === undefined) return;

    const s = this.#series(model);
    if (r.queueMs !== undefined) s.queue.observe(r.queueMs / 1000);
    if (r.ttftMs !== undefined) s.ttft.observe(r.ttftMs / 1000);
    for (const gap of r.tokenGapsMs) s.interToken.observe(gap / 1000);
    // Token counts and times are the runner's own (its final record's timings), added as reported; an answer
    // the client left mid-stream has no final record, and counts the tokens that were streamed.
    const prompt = r.promptTokens ?? 0;
    const cached = r.cachedTokens ?? 0;
    const generated = r.generatedTokens ?? 0;
    const promptMs = r.promptMs ?? 0;
    const evalMs = r.evalMs ?? 0;
    s.prompt.inc(prompt);
    s.cached.inc(cached);
    s.generated.inc(generated);
    s.draft.inc(r.draftTokens ?? 0);
    s.draftAccepted.inc(r.draftAccepted ?? 0);
    s.lcPrompt.inc(prompt);
    s.lcCached.inc(cached);
    s.lcPromptSeconds.inc(promptMs / 1000);
    s.lcPredicted.inc(generated);
    s.lcPredictedSeconds.inc(evalMs / 1000);
    const w = s.window;
    w.promptTokens += prompt;
    w.promptMs += promptMs;
    // The first generated token comes from the prompt's logits: no decode step of its own (llama-server's rate).
    // (Timed tokens only: a cut-short answer's streamed tokens come without their time.)
    w.predictSteps += Math.max(0, (r.evalTokens ?? 0) - 1);
    w.predictMs += evalMs;
  }
}
