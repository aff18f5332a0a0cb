/**
 * POST /api/pull and POST /api/push (Ollama's PullHandler/PushHandler): progress lines as NDJSON, or with
 * `stream: false` the last line alone. A failure before the first line is a JSON error with its status; a
 * later one is a final `{"error": …}` line. A client that goes away aborts its own transfer only (a download
 * shared with another pull goes on).
 */
import { Elysia, t } from "elysia";
import { InvalidInputError } from "../../errors.ts";
import type { InferenceDeps, RegistryPort } from "../../inference/index.ts";
import {
  type Credentials,
  type Progress,
  RegistryUnavailableError,
  type TransferOptions,
} from "../../registry/index.ts";
import { Channel } from "../../channel.ts";
import { InvalidNameError, isValidName } from "../../store/index.ts";
import { jsonBody } from "../body.ts";
import { lastOf, ndjsonResponse } from "../ndjson.ts";

/** PullRequest (`name` is the deprecated spelling of `model`). */
export const PullRequest = t.Object({
  model: t.Optional(t.String()),
  name: t.Optional(t.String()),
  insecure: t.Optional(t.Boolean()),
  username: t.Optional(t.String()),
  password: t.Optional(t.String()),
  stream: t.Optional(t.Boolean()),
});
/** PullRequest. */
export type PullRequest = typeof PullRequest.static;

/** PushRequest: the same fields as PullRequest. */
export const PushRequest = PullRequest;
/** PushRequest. */
export type PushRequest = PullRequest;

type Transfer = (opts: TransferOptions) => Promise<void>;

/** A transfer's progress lines as a stream that ends when it does (or fails with its error). */
function progressOf(run: Transfer, signal: AbortSignal): AsyncIterable<Progress> {
  const out = new Channel<Progress>();
  run({ signal, onProgress: (p) => out.push(p) }).then(
    () => out.close(),
    (e) => out.fail(e),
  );
  return out;
}

/** The request's own credentials, when it carries any. */
function credentialsOf(body: PullRequest): Credentials | undefined {
  if (!body.username && !body.password) return undefined;
  return { username: body.username ?? "", password: body.password ?? "" };
}

function registryOf(deps: InferenceDeps): RegistryPort {
  if (!deps.registry) throw new RegistryUnavailableError();
  return deps.registry;
}

async function answer(deps: InferenceDeps, body: PullRequest, progress: AsyncIterable<Progress>) {
  if (body.stream !== false) return ndjsonResponse(progress, (p) => p, deps.logger);
  return (await lastOf(progress)) ?? { status: "success" };
}

/** The /api/pull and /api/push routes. */
export function registryRoutes(deps: InferenceDeps) {
  return new Elysia({ name: "ollama-registry" })
    .post(
      "/api/pull",
      async ({ body, request }) => {
        // Ollama: cmp.Or(model, name), trimmed; an empty or unparsable name is the same 400.
        const name = (body.model || body.name || "").trim();
        if (!name || !isValidName(name)) throw new InvalidNameError("invalid model name");
        const registry = registryOf(deps);
        const opts = { insecure: body.insecure === true, credentials: credentialsOf(body) };
        const run: Transfer = (o) => registry.pull(name, { ...opts, ...o });
        return answer(deps, body, progressOf(run, request.signal));
      },
      { body: PullRequest, parse: jsonBody(PullRequest) },
    )
    .post(
      "/api/push",
      async ({ body, request }) => {
        const name = (body.model || body.name || "").trim();
        if (!name) throw new InvalidInputError("model is required");
        if (!isValidName(name)) throw new InvalidNameError("invalid model name");
        const registry = registryOf(deps);
        const opts = { insecure: body.insecure === true, credentials: credentialsOf(body) };
        const run: Transfer = (o) => registry.push(name, { ...opts, ...o });
        return answer(deps, body, progressOf(run, request.signal));
      },
      { body: PushRequest, parse: jsonBody(PushRequest) },
    );
}
