/**
 * The API fuzz loop shared by the short test and the long script: requests go out in rounds of
 * `concurrency`; after each round the server must still answer, and (when it is our own child process)
 * its log must show no runner exit and no server-fault line. A round-level failure is pinned on one request
 * by replaying the round's requests one at a time.
 */
import { type FuzzRequest, generateRequest } from "./api-gen.ts";
import { isRegistryRoute, type Outcome, type SendOptions, send } from "./api-oracle.ts";
import type { FuzzContext } from "./api-routes.ts";
import type { ServeChild } from "./api-server.ts";

/** What to run. */
export interface RunOptions {
  url: string;
  seed: number;
  count: number;
  concurrency: number;
  ctx: FuzzContext;
  /** Route keys to draw from (see routeKeys). */
  routes: readonly string[];
  send: SendOptions;
  /** Our own serve child: enables the log and liveness checks. */
  server?: ServeChild;
  /** Only these request indices (a reproduction). */
  only?: readonly number[];
  /** Stop sending once this much time has passed (the report then says `stopped`). */
  deadlineMs?: number;
  /** Stop once this many failures were found (a wedged server turns every later request into one). */
  maxFailures?: number;
  /** Called after each round with the number of requests sent. */
  progress?(sent: number): void;
}

/** One broken expectation. */
export interface Failure {
  request: FuzzRequest;
  problem: string;
  outcome?: Outcome;
}

/** A finished run. */
export interface RunReport {
  /** route → status class (2xx, 4xx, 5xx, none) → count. */
  counts: Map<string, Record<string, number>>;
  failures: Failure[];
  sent: number;
  durationMs: number;
  /** The server died or stopped answering; the run ended early. */
  aborted: boolean;
  /** The slowest requests (at most 10), slowest first: where a run's time goes. */
  slowest: { request: FuzzRequest; ms: number }[];
  /** Why the run ended before its last request (deadline, failure limit, server gone); undefined when it did not. */
  stopped?: string;
}

/** The scheduler's line when it finds a runner process gone that nobody closed. */
const RUNNER_EXIT = /reason="?runner exited/;
const ERROR_LINE = /level=ERROR/;
/**
 * Errors that end a valid generation and are logged as such, but are no fault of the server or the client:
 * the token-repeat guard stops a model that loops (random weights do).
 */
const GUARDRAIL = /repeated \d+ times in a row/;

function classOf(o: Outcome): string {
  return o.status === 0 ? "none" : `${Math.floor(o.status / 100)}xx`;
}

/** Whether the server answers /api/version within `ms`. */
async function answers(url: string, ms: number): Promise<boolean> {
  try {
    const r = await fetch(`${url}/api/version`, { signal: AbortSignal.timeout(ms) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/** Server-side problems that showed up in the log since line `from` (/api/ps first makes dead runners show). */
async function serverProblems(opts: RunOptions, from: number, known: readonly string[]): Promise<string[]> {
  const s = opts.server;
  if (!s) return (await answers(opts.url, 10_000)) ? [] : ["server stopped answering /api/version"];
  if (!s.alive()) return ["serve process died"];
  try {
    await (await fetch(`${opts.url}/api/ps`, { signal: AbortSignal.timeout(10_000) })).arrayBuffer();
  } catch {
    return ["server stopped answering /api/ps"];
  }
  return s
    .since(from)
    .filter(
      (l) =>
        RUNNER_EXIT.test(l) ||
        (ERROR_LINE.test(l) && !GUARDRAIL.test(l) && !known.some((k) => l.includes(k))),
    )
    .map((l) => (RUNNER_EXIT.test(l) ? `runner crashed: ${l}` : `server logged a fault: ${l}`));
}

/** The error message of an error body (any family), or "". */
function messageOf(body: string): string {
  try {
    const v = JSON.parse(body) as { error?: string | { message?: string } };
    return typeof v.error === "string" ? v.error : (v.error?.message ?? "");
  } catch {
    return "";
  }
}

/** How the logger writes a message inside a line (JSON-escaped), cut to a prefix that survives truncation. */
const logForm = (m: string) => JSON.stringify(m).slice(1, -1).slice(0, 60);

/** Client-visible failures of one outcome (stream errors count when the server logged them as faults). */
function judge(req: FuzzRequest, o: Outcome, logged: readonly string[] | undefined): Failure[] {
  const out: Failure[] = [];
  if (o.problem) out.push({ request: req, problem: o.problem, outcome: o });
  for (const e of o.streamErrors) {
    // A pull or push from an unreachable registry ends its stream with Ollama's error: that is the answer.
    if (GUARDRAIL.test(e) || isRegistryRoute(req.path)) continue;
    const fault = logged ? logged.some((l) => ERROR_LINE.test(l) && l.includes(logForm(e))) : true;
    if (fault) out.push({ request: req, problem: `error inside a 200 stream: ${e}`, outcome: o });
  }
  return out;
}

/** Sends one round and records its outcomes and failures; false when the server is gone. */
async function round(opts: RunOptions, reqs: FuzzRequest[], report: RunReport, t0: number): Promise<boolean> {
  const from = opts.server?.lines().length ?? 0;
  const before = report.failures.length;
  const outcomes = await Promise.all(reqs.map((r) => send(opts.url, r, opts.send)));
  const logged = opts.server?.since(from);
  const known: string[] = [];
  reqs.forEach((r, i) => {
    const o = outcomes[i] as Outcome;
    const row = report.counts.get(r.route) ?? {};
    row[classOf(o)] = (row[classOf(o)] ?? 0) + 1;
    report.counts.set(r.route, row);
    report.slowest.push({ request: r, ms: o.ms });
    const fs = judge(r, o, logged);
    report.failures.push(...fs);
    if (fs.length) known.push(...[messageOf(o.sample), ...o.streamErrors].map(logForm));
  });
  report.slowest = report.slowest.sort((a, b) => b.ms - a.ms).slice(0, 10);
  const problems = await serverProblems(
    opts,
    from,
    known.filter((k) => k.length > 8),
  );
  if (problems.length === 0) return true;
  const dead = problems.some((p) => /died|stopped answering/.test(p));
  const late = opts.deadlineMs !== undefined && performance.now() - t0 > opts.deadlineMs;
  const alone = dead || late || reqs.length === 1 ? undefined : await isolate(opts, reqs);
  const inFlight = reqs.map((r) => r.index).join(", ");
  const note =
    reqs.length === 1
      ? ""
      : alone
        ? ` (reproduced by this request alone)`
        : ` (requests ${inFlight} were in flight)`;
  const blamed = alone ?? (reqs[0] as FuzzRequest);
  // A crash the client already saw (a 500 naming the runner's exit) gets the log lines as detail, not twice.
  const seen = report.failures.find(
    (f, i) => i >= before && f.request === blamed && (alone || reqs.length === 1),
  );
  for (const p of problems)
    if (seen) seen.problem += `\n   log: ${p}`;
    else report.failures.push({ request: blamed, problem: `${p}${note}` });
  return !dead;
}

/** Replays `reqs` one at a time; the first after which the server shows a problem, if any. */
async function isolate(opts: RunOptions, reqs: FuzzRequest[]): Promise<FuzzRequest | undefined> {
  for (const r of reqs) {
    const from = opts.server?.lines().length ?? 0;
    await send(opts.url, r, opts.send);
    if ((await serverProblems(opts, from, [])).length) return r;
  }
  return undefined;
}

/** Runs the fuzz loop. */
export async function runFuzz(opts: RunOptions): Promise<RunReport> {
  const t0 = performance.now();
  const report: RunReport = {
    counts: new Map(),
    failures: [],
    sent: 0,
    durationMs: 0,
    aborted: false,
    slowest: [],
  };
  const indices = opts.only ?? Array.from({ length: opts.count }, (_, i) => i);
  for (let i = 0; i < indices.length; i += opts.concurrency) {
    const batch = indices.slice(i, i + opts.concurrency);
    const reqs = batch.map((n) => generateRequest(opts.seed, n, opts.routes, opts.ctx));
    const ok = await round(opts, reqs, report, t0);
    report.sent += reqs.length;
    opts.progress?.(report.sent);
    if (!ok) {
      report.aborted = true;
      report.stopped = "the server died or stopped answering";
      break;
    }
    if (i + opts.concurrency >= indices.length) break;
    if (opts.maxFailures !== undefined && report.failures.length >= opts.maxFailures)
      report.stopped = `${report.failures.length} failures`;
    else if (opts.deadlineMs !== undefined && performance.now() - t0 > opts.deadlineMs)
      report.stopped = `the ${opts.deadlineMs / 1000} s deadline`;
    if (report.stopped) break;
  }
  report.durationMs = performance.now() - t0;
  return report;
}
