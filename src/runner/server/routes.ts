/** The runner's control API: GET /health, POST /load, /completion (NDJSON), /embedding, /tokenize, /detokenize. */
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { TsllmError } from "../../errors.ts";
import type { GenerateRequest } from "../../llama/engine/batching/types.ts";
import {
  CompletionRequest,
  DetokenizeRequest,
  EmbeddingRequest,
  LoadRequest,
  TokenizeRequest,
} from "../protocol.ts";
import type { RunnerControl } from "./control.ts";
import type { FromEngine } from "./messages.ts";

const json = (body: unknown, status = 200) => Response.json(body, { status });
/** Any thrown value as a TsllmError (unknown ones are internal errors). */
export const asTsllmError = (e: unknown): TsllmError =>
  e instanceof TsllmError ? e : new TsllmError(String((e as Error)?.message ?? e), { code: "internal" });
const errorResponse = (e: unknown) => {
  const err = asTsllmError(e);
  return json({ error: err.message, code: err.code }, err.status);
};

async function body<T>(req: Request, schema: TSchema): Promise<T> {
  let data: unknown;
  try {
    data = await req.json();
  } catch {
    throw new TsllmError("request body is not valid JSON", { code: "bad_request", status: 400 });
  }
  return checked<T>(schema, data);
}

/** `data` as T if it matches `schema`, else a 400 naming the first mismatch. */
export function checked<T>(schema: TSchema, data: unknown): T {
  if (!Value.Check(schema, data)) {
    const first = Value.Errors(schema, data).First();
    throw new TsllmError(`invalid request: ${first?.path || "body"} ${first?.message ?? ""}`.trim(), {
      code: "bad_request",
      status: 400,
    });
  }
  return data as T;
}

/** Maps the wire request onto the engine's request. */
export function toGenerate(
  r: CompletionRequest,
): Omit<GenerateRequest, "prompt"> & { prompt: string | number[] } {
  const o = r.options ?? {};
  const bias = r.logit_bias
    ? Object.fromEntries(Object.entries(r.logit_bias).map(([k, v]) => [Number(k), v]))
    : undefined;
  return {
    prompt: r.prompt,
    sampling: { ...o, grammar: r.grammar, logitBias: bias },
    stop: o.stop ?? [],
    numPredict: o.num_predict ?? -1,
    numKeep: o.num_keep ?? 4,
    shift: r.shift ?? true,
    logprobs: r.logprobs,
  };
}

/**
 * Starts a completion on the engine. `emit` receives each wire record (piece, then one final done or error
 * record with `last` set). Returns the engine request id, for cancel.
 */
export function startCompletion(
  control: RunnerControl,
  r: CompletionRequest,
  emit: (chunk: Record<string, unknown>, last: boolean) => void,
): number {
  requireReady(control);
  const id = control.send(
    { type: "generate", req: toGenerate(r), returnPromptTokens: r.return_prompt_tokens },
    (m: FromEngine) => {
      if (m.type === "piece")
        return emit({ content: m.piece.content, tokens: m.piece.tokens, logprobs: m.piece.logprobs }, false);
      control.forget(id);
      if (m.type === "done")
        emit(
          {
            done: true,
            done_reason: m.reason,
            content: m.content,
            timings: m.timings,
            prompt_tokens: m.promptTokens,
          },
          true,
        );
      else if (m.type === "error") emit({ error: m.message, code: m.code, status: m.status }, true);
      else emit({ error: `unexpected engine message ${m.type}`, code: "internal" }, true);
    },
  );
  return id;
}

function requireReady(control: RunnerControl): void {
  if (control.status !== "ready")
    throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
}

function completion(control: RunnerControl, r: CompletionRequest, signal: AbortSignal): Response {
  requireReady(control); // a plain 503 answer, before any stream starts
  const enc = new TextEncoder();
  let id = 0;
  // Once the client has gone, the engine's last messages for this id have nowhere to go: drop them.
  let gone = false;
  const cancel = () => {
    gone = true;
    control.cancel(id);
  };
  const stream = new ReadableStream<Uint8Array>({
    start(ctrl) {
      id = startCompletion(control, r, (chunk, last) => {
        if (gone) return;
        ctrl.enqueue(enc.encode(`${JSON.stringify(chunk)}\n`));
        if (!last) return;
        ctrl.close();
        gone = true;
      });
      // A client that goes away cancels the request: the slot stops at its next decode step.
      signal.addEventListener("abort", cancel);
    },
    cancel,
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
}

/** Builds the fetch handler. */
export function routes(control: RunnerControl): (req: Request) => Promise<Response> {
  return async (req) => {
    const path = new URL(req.url).pathname;
    try {
      if (req.method === "GET" && path === "/health") return json(control.health());
      if (req.method !== "POST") return json({ error: "not found" }, 404);
      switch (path) {
        case "/load": {
          const b = await body<LoadRequest>(req, LoadRequest);
          return json(await control.load(b.operation, b.options));
        }
        case "/completion":
          return completion(control, await body<CompletionRequest>(req, CompletionRequest), req.signal);
        case "/embedding": {
          const b = await body<EmbeddingRequest>(req, EmbeddingRequest);
          return json(await control.call({ type: "embed", input: b.input, truncate: b.truncate ?? true }));
        }
        case "/tokenize": {
          const b = await body<TokenizeRequest>(req, TokenizeRequest);
          return json(
            await control.call({
              type: "tokenize",
              content: b.content,
              addSpecial: b.add_special ?? true,
              parseSpecial: b.parse_special ?? true,
            }),
          );
        }
        case "/detokenize": {
          const b = await body<DetokenizeRequest>(req, DetokenizeRequest);
          return json(await control.call({ type: "detokenize", tokens: b.tokens }));
        }
        default:
          return json({ error: "not found" }, 404);
      }
    } catch (e) {
      return errorResponse(e);
    }
  };
}
