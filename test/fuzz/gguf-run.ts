/**
 * Runs GGUF mutants through validation and, when they pass, through a real server: upload, create, and a
 * one-token generate (or an embedding) in a real runner. Classifies each file's outcome.
 */
import { createHash } from "node:crypto";
import { GgufError } from "../../src/gguf/errors.ts";
import { parseGguf } from "../../src/gguf/reader.ts";
import { ggufProblems } from "../../src/gguf/validate.ts";
import type { TestServer } from "../api/helpers.ts";
import type { FuzzBase } from "./gguf-base.ts";
import { mutant } from "./gguf-mutate.ts";

/**
 * What happened to one file. The first three are the good endings; the rest must never happen:
 * - rejected: validation refused it (and, when sent, create answered 4xx);
 * - loaded: validation passed, create succeeded, the runner loaded it and answered;
 * - load-failed: validation passed but the load failed cleanly with an error answer;
 * - runner-crash: the runner died (abort, signal); serve-crash: the server stopped answering;
 * - hang: a request ran past its timeout; validator-error: the reader or validator threw a non-GGUF error;
 * - mismatch: create disagreed with validation (accepted a rejected file, refused a valid one, or a 5xx).
 */
export type Outcome =
  | "rejected"
  | "loaded"
  | "load-failed"
  | "runner-crash"
  | "serve-crash"
  | "hang"
  | "validator-error"
  | "mismatch";

/** Outcomes that fail a run. */
export const BAD_OUTCOMES: readonly Outcome[] = [
  "runner-crash",
  "serve-crash",
  "hang",
  "validator-error",
  "mismatch",
];

/** One file's result. */
export interface FileResult {
  index: number;
  base: string;
  family: string;
  label: string;
  outcome: Outcome;
  /** The rejection or error message. */
  detail: string;
  /** Time validation (parse + checks) took, ms. */
  validateMs: number;
}

/** How a run is done. */
export interface RunOptions {
  server: TestServer;
  bases: readonly FuzzBase[];
  seed: number;
  /** Per-request timeout, ms: a request running longer is a hang. */
  timeoutMs: number;
  /** Every n-th file that validation rejects is also sent to create (which must answer 4xx); 0 = none. */
  createRejectedEvery: number;
}

const RUNNER_DIED = /unexpectedly stopped|runner (exited|crashed|died)|signal SIG|GGML_ASSERT/i;

class Timeout extends Error {}

async function call(
  o: RunOptions,
  path: string,
  init: RequestInit,
): Promise<{ status: number; body: string }> {
  try {
    const r = await fetch(`${o.server.url}${path}`, { ...init, signal: AbortSignal.timeout(o.timeoutMs) });
    return { status: r.status, body: await r.text() };
  } catch (e) {
    if ((e as Error).name === "TimeoutError") throw new Timeout(`${path} timed out after ${o.timeoutMs} ms`);
    throw e;
  }
}

const post = (o: RunOptions, path: string, body: unknown) =>
  call(o, path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

function errorOf(body: string): string {
  try {
    const j = JSON.parse(body);
    return String(j.error?.message ?? j.error ?? body);
  } catch {
    return body;
  }
}

/** Uploads and creates `name`; the create answer. */
async function create(
  o: RunOptions,
  name: string,
  bytes: Uint8Array,
): Promise<{ status: number; body: string }> {
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const up = await call(o, `/api/blobs/${digest}`, { method: "POST", body: bytes });
  if (up.status !== 201 && up.status !== 200) return up;
  return post(o, "/api/create", { model: name, files: { "model.gguf": digest }, stream: false });
}

async function exercise(
  o: RunOptions,
  base: FuzzBase,
  name: string,
): Promise<{ status: number; body: string }> {
  const common = {
    model: name,
    keep_alive: 0,
    options: { num_ctx: 128, num_predict: 1, temperature: 0, seed: 1 },
  };
  if (base.embedding) return post(o, "/api/embed", { ...common, input: "hello world" });
  return post(o, "/api/generate", { ...common, prompt: "Hello, how are you?", stream: false });
}

async function classify(
  o: RunOptions,
  index: number,
  bytes: Uint8Array,
  base: FuzzBase,
  problem: string | undefined,
) {
  const name = `fuzz-${o.seed}-${index}`;
  if (problem !== undefined) {
    if (o.createRejectedEvery <= 0 || index % o.createRejectedEvery !== 0)
      return { outcome: "rejected" as const, detail: problem };
    const r = await create(o, name, bytes);
    const ok = r.status >= 400 && r.status < 500;
    return {
      outcome: ok ? ("rejected" as const) : ("mismatch" as const),
      detail: `${r.status} ${errorOf(r.body)}`,
    };
  }
  const c = await create(o, name, bytes);
  if (c.status !== 200)
    return { outcome: "mismatch" as const, detail: `create ${c.status}: ${errorOf(c.body)}` };
  try {
    const r = await exercise(o, base, name);
    if (r.status === 200) return { outcome: "loaded" as const, detail: "" };
    const msg = errorOf(r.body);
    return {
      outcome: RUNNER_DIED.test(msg) ? ("runner-crash" as const) : ("load-failed" as const),
      detail: `${r.status} ${msg}`,
    };
  } finally {
    await call(o, "/api/delete", { method: "DELETE", body: JSON.stringify({ model: name }) }).catch(() => {});
  }
}

/** Runs file `index` of the seeded sequence. */
export async function runOne(o: RunOptions, index: number): Promise<FileResult> {
  const m = mutant(o.bases, o.seed, index);
  const t0 = performance.now();
  let problem: string | undefined;
  let validatorError: string | undefined;
  try {
    problem = ggufProblems(parseGguf(m.bytes))[0];
  } catch (e) {
    if (e instanceof GgufError) problem = e.message;
    else validatorError = String(e);
  }
  const validateMs = performance.now() - t0;
  const head = { index, base: m.base.label, family: m.family, label: m.label, validateMs };
  if (validatorError !== undefined) return { ...head, outcome: "validator-error", detail: validatorError };
  let result: { outcome: Outcome; detail: string };
  try {
    result = await classify(o, index, m.bytes, m.base, problem);
  } catch (e) {
    result = { outcome: e instanceof Timeout ? "hang" : "serve-crash", detail: String(e) };
  }
  // The server must still answer after every file, whatever happened to it.
  const alive = await call(o, "/api/version", { method: "GET" }).catch((e) => ({
    status: 0,
    body: String(e),
  }));
  if (alive.status !== 200)
    result = { outcome: "serve-crash", detail: `after: ${alive.status} ${alive.body}` };
  return { ...head, ...result };
}
