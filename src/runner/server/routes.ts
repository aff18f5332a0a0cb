/** The runner's control API: GET /health, GET /slots, POST /load, /completion (NDJSON), /embedding, /rerank, /tokenize, /detokenize. */
import type { TSchema } from "@sinclair/typebox";
import { TsllmError } from "../../errors.ts";
import {
  CompletionRequest,
  DetokenizeRequest,
  EmbeddingRequest,
  RerankRequest,
  isLast,
  LoadRequest,
  TokenizeRequest,
} from "../protocol.ts";
import type { RunnerControl } from "./control.ts";
import type { FromEngine } from "./messages.ts";
import { asTsllmError, checked, errorChunk, toGenerate } from "./wire.ts";

const json = (body: unknown, status = 200) => Response.json(body, { status });
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

function completion(control: RunnerControl, r: CompletionRequest, signal: AbortSignal): Response {
  if (control.status !== "ready")
    throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
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
      const req = {
        type: "generate",
        req: toGenerate(r),
        returnPromptTokens: r.return_prompt_tokens,
      } as const;
      id = control.send(req, (m: FromEngine) => {
        const chunk =
          m.type === "chunk"
            ? m.chunk
            : m.type === "error"
              ? errorChunk(m.message, m.code, m.status)
              : errorChunk(`unexpected engine message ${m.type}`, "internal", 500);
        const last = isLast(chunk);
        if (last) control.forget(id);
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
      if (req.method === "GET" && path === "/slots") return json(control.slots());
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
        case "/rerank": {
          const b = await body<RerankRequest>(req, RerankRequest);
          return json(await control.call({ type: "rerank", query: b.query, documents: b.documents }));
        }
        case "/tokenize": {
          const b = await body<TokenizeRequest>(req, TokenizeRequest);
          const tokens = await control.tokenize(b.content, b.add_special ?? true, b.parse_special ?? true);
          return json({ tokens });
        }
        case "/detokenize": {
          const b = await body<DetokenizeRequest>(req, DetokenizeRequest);
          return json({ content: await control.detokenize(b.tokens) });
        }
        default:
          return json({ error: "not found" }, 404);
      }
    } catch (e) {
      return errorResponse(e);
    }
  };
}
