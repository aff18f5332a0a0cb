/**
 * POST /v1/completions (the legacy text API). As in Ollama the prompt goes through the model's template
 * (as one user message) unless the extension field `raw` is true. One prompt per request: a list of one
 * string is accepted, several prompts or token-id prompts are refused. `echo` prepends the prompt to the
 * text; `logprobs: k` returns the legacy logprobs object with k alternatives per token.
 */
import { Elysia, t } from "elysia";
import { type CompletionEvent, generate, type InferenceDeps, type Logprob } from "../../inference/index.ts";
import { jsonBody } from "../body.ts";
import { checkGenerateContent, limitsOf } from "../limits/index.ts";
import { aggregate } from "../ollama/completion.ts";
import { type SseEvent, sseResponse } from "../sse.ts";
import { eventsOf, finishReason, usage } from "./collect.ts";
import { openaiErrorBody, unsupported } from "./errors.ts";
import {
  newId,
  SamplingFields,
  samplingInput,
  SYSTEM_FINGERPRINT,
  singleChoice,
  topLogprobs,
  unixNow,
} from "./params.ts";

/** The request (user accepted and ignored; `raw`, `options`, `keep_alive` are extensions). */
export const CompletionRequest = t.Object({
  model: t.String(),
  prompt: t.Union([t.String(), t.Array(t.Unknown())]),
  suffix: t.Optional(t.String()),
  echo: t.Optional(t.Boolean()),
  stream: t.Optional(t.Boolean()),
  stream_options: t.Optional(t.Object({ include_usage: t.Optional(t.Boolean()) })),
  max_tokens: t.Optional(t.Integer()),
  n: t.Optional(t.Integer()),
  best_of: t.Optional(t.Integer()),
  logprobs: t.Optional(t.Integer()),
  raw: t.Optional(t.Boolean()),
  ...SamplingFields,
});
/** The request. */
export type CompletionRequest = typeof CompletionRequest.static;

function promptOf(p: CompletionRequest["prompt"]): string {
  if (typeof p === "string") return p;
  if (p.length === 1 && typeof p[0] === "string") return p[0];
  if (p.length > 1 && p.every((x) => typeof x === "string"))
    throw unsupported("prompt", "More than one prompt");
  throw unsupported("prompt", "A prompt of token ids");
}

/** Legacy logprobs: parallel arrays, offsets counted from the start of the returned text. */
function legacyLogprobs(lp: readonly Logprob[], offset: number) {
  const text_offset: number[] = [];
  let at = offset;
  for (const l of lp) {
    text_offset.push(at);
    at += l.token.length;
  }
  return {
    tokens: lp.map((l) => l.token),
    token_logprobs: lp.map((l) => l.logprob),
    top_logprobs: lp.map((l) => Object.fromEntries((l.top_logprobs ?? []).map((x) => [x.token, x.logprob]))),
    text_offset,
  };
}

/** The /v1/completions route. */
export function completionRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "openai-completions" }).post(
    "/v1/completions",
    async ({ body, request }) => {
      singleChoice("n", body.n);
      singleChoice("best_of", body.best_of);
      const prompt = promptOf(body.prompt);
      checkGenerateContent(limitsOf(request), { prompt, suffix: body.suffix });
      const k = topLogprobs(body.logprobs, "logprobs");
      if (body.echo && k !== undefined) throw unsupported("echo", "echo together with logprobs");
      const r = await generate(
        deps,
        {
          model: body.model,
          prompt,
          ...(body.suffix ? { suffix: body.suffix } : {}),
          ...(body.raw ? { raw: true } : {}),
          ...samplingInput(body, { param: "max_tokens", value: body.max_tokens }),
          ...(k !== undefined ? { logprobs: true, top_logprobs: k } : {}),
          unwatched: !body.stream,
        },
        request.signal,
      );
      const head = {
        id: newId("cmpl-"),
        object: "text_completion",
        created: unixNow(),
        model: r.model,
        system_fingerprint: SYSTEM_FINGERPRINT,
      };
      const echo = body.echo ? prompt : "";
      if (!body.stream) {
        const all = await aggregate(eventsOf(r));
        const choice = {
          text: echo + all.content,
          index: 0,
          logprobs: k !== undefined ? legacyLogprobs(all.logprobs, 0) : null,
          finish_reason: finishReason(all.final, false),
        };
        return { ...head, choices: [choice], usage: usage(all.final) };
      }
      let sent = 0;
      let pendingEcho = echo;
      const includeUsage = body.stream_options?.include_usage === true;
      return sseResponse(
        eventsOf(r),
        {
          map(e: CompletionEvent) {
            const text = pendingEcho + e.content;
            pendingEcho = "";
            const lp = k !== undefined && !e.done && e.logprobs ? legacyLogprobs(e.logprobs, sent) : null;
            sent += text.length;
            const finish = e.done ? finishReason(e, false) : null;
            if (!text && !lp && !e.done) return [];
            const out: SseEvent[] = [
              { data: { ...head, choices: [{ text, index: 0, logprobs: lp, finish_reason: finish }] } },
            ];
            if (e.done && includeUsage) out.push({ data: { ...head, choices: [], usage: usage(e) } });
            return out;
          },
          end: () => [{ data: "[DONE]" }],
          error: (a) => [{ data: openaiErrorBody(a) }],
          errorBody: openaiErrorBody,
        },
        deps.logger,
      );
    },
    { body: CompletionRequest, parse: jsonBody(CompletionRequest) },
  );
}
