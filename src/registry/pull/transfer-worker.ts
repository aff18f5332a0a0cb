/**
 * Part transfer worker (entry point): one per download, it runs the download's Range requests and writes their
 * bodies into the partial file on its own thread. Bun's fetch reads a body quickly only while nothing else runs
 * between reads, and serve's thread is also the API's event loop; here a plain-http body goes from the socket
 * into the file inside the kernel (splice-get.ts, Linux), others are read straight off a socket (socket-get.ts;
 * fetch where that cannot be used) and written in ≥ 1 MiB batches (span-writer.ts). The
 * server's thread decides what to fetch (auth, redirects, the address policy, retries) and only hears of
 * written bytes, a few times a second.
 */
import { closeSync, openSync } from "node:fs";
import { type LinuxIo, linuxIo } from "./linux-io.ts";
import { type SocketGet, socketGet, UnframedAnswerError } from "./socket-get.ts";
import { type SplicedGet, splicedGet } from "./splice-get.ts";
import { BadBodyError, type SpanPart, SpanWriter } from "./span-writer.ts";

declare const self: Worker;

export type { SpanPart } from "./span-writer.ts";

/** Why a request ended without filling its parts. */
export interface TransferFailure {
  readonly type: "network" | "storage" | "stalled" | "bad-body";
  readonly message: string;
  readonly code?: string;
}

/**
 * What the download sends: the file once (and whether a proxy is configured), then requests (answer first,
 * body on `fill`), `drop`, `close`.
 */
export type ToTransfer =
  | { kind: "open"; path: string; proxied: boolean; splice: boolean }
  | { kind: "get"; id: number; url: string; headers: Record<string, string>; stallMs: number }
  | { kind: "fill"; id: number; start: number; parts: SpanPart[] }
  | { kind: "drop"; id: number }
  | { kind: "close" };

/** What the worker posts; `written` credits are `[index into fill's parts, bytes]`, sent after the write. */
export type FromTransfer =
  | {
      kind: "answer";
      id: number;
      /** How the request was made (tests; logs). */
      route: Route;
      status: number;
      url: string;
      headers: Record<string, string>;
    }
  | { kind: "written"; id: number; credits: [number, number][] }
  | { kind: "end"; id: number; truncated?: { got: number; wanted: number } }
  | { kind: "fail"; id: number; error: TransferFailure }
  | { kind: "closed" };

/** Bytes read but not yet written wait at most this long (a kill or stall loses none of them). */
const IDLE_WRITE_MS = 200;

interface Job {
  readonly ctl: AbortController;
  readonly stallMs: number;
  res?: Response;
  reader?: { cancel(): Promise<void> };
  sock?: SocketGet;
  spliced?: SplicedGet;
  lastByte: number;
  timer?: ReturnType<typeof setInterval>;
  writer?: SpanWriter;
  finished: boolean;
}

let fd = -1;
const jobs = new Map<number, Job>();
const post = (m: FromTransfer) => self.postMessage(m);

function failure(err: unknown, type: TransferFailure["type"]): TransferFailure {
  const e = err as NodeJS.ErrnoException;
  return { type, message: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}) };
}

/** Ends a request once: writes what it gathered, posts its credits and `last`, cancels the body. */
function finish(id: number, job: Job, last: FromTransfer): void {
  if (job.finished) return;
  job.finished = true;
  jobs.delete(id);
  clearInterval(job.timer);
  let msg = last;
  if (job.writer) {
    try {
      job.writer.write();
    } catch (err) {
      if (msg.kind !== "fail") msg = { kind: "fail", id, error: failure(err, "storage") };
    }
    postCredits(id, job.writer.settle());
  }
  post(msg);
  job.ctl.abort();
  job.sock?.cancel();
  job.spliced?.cancel();
  job.reader?.cancel().catch(() => {});
  if (!job.reader) job.res?.body?.cancel().catch(() => {});
}

function postCredits(id: number, credits: [number, number][] | undefined): void {
  if (credits) post({ kind: "written", id, credits });
}

/**
 * How this worker reaches a registry, best first: the kernel moving bytes into the file (splice-get.ts,
 * plain http on Linux), a bare socket (socket-get.ts), Bun's fetch (the only one honouring a configured
 * proxy). A route that failed where a later one then got an answer is dropped for the rest of the download.
 */
export type Route = "splice" | "socket" | "fetch";
let routes: Route[] = ["socket", "fetch"];

type Answer = Omit<Extract<FromTransfer, { kind: "answer" }>, "kind" | "id" | "route">;

/** Asks through `route` (splice is a route only where linuxIo() loaded), keeping the request on `job`. */
async function ask(route: Route, job: Job, m: Extract<ToTransfer, { kind: "get" }>): Promise<Answer> {
  if (route === "splice") {
    job.spliced = splicedGet(linuxIo() as LinuxIo, m.url, m.headers);
    return job.spliced.answer;
  }
  if (route === "socket") {
    job.sock = socketGet(m.url, m.headers);
    return job.sock.answer;
  }
  const res = await fetch(m.url, { headers: m.headers, redirect: "manual", signal: job.ctl.signal });
  job.res = res;
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: res.status, url: res.url || m.url, headers };
}

async function get(m: Extract<ToTransfer, { kind: "get" }>): Promise<void> {
  const job: Job = { ctl: new AbortController(), stallMs: m.stallMs, lastByte: Date.now(), finished: false };
  jobs.set(m.id, job);
  job.timer = setInterval(() => tick(m.id, job), Math.max(10, Math.min(IDLE_WRITE_MS, m.stallMs / 2 || 200)));
  try {
    const tls = m.url.startsWith("https:");
    const mine = tls ? routes.filter((r) => r !== "splice") : routes;
    const failed: Route[] = [];
    let answer: Answer | undefined;
    let used: Route = "fetch";
    for (const [i, route] of mine.entries()) {
      try {
        answer = await ask(route, job, m);
        used = route;
        break;
      } catch (err) {
        if (job.finished) return;
        if (i === mine.length - 1) throw err;
        job.sock?.cancel();
        job.spliced?.cancel();
        job.sock = job.spliced = undefined;
        if (!(err instanceof UnframedAnswerError)) failed.push(route);
      }
    }
    routes = routes.filter((r) => !failed.includes(r));
    job.lastByte = Date.now();
    if (job.finished) return finish(m.id, job, { kind: "end", id: m.id });
    post({ kind: "answer", id: m.id, route: used, ...(answer as Answer) });
  } catch (err) {
    finish(m.id, job, { kind: "fail", id: m.id, error: failure(err, "network") });
  }
}

/** Reads the body of `job` into its writer until the parts are full or the body ends. */
async function readBody(id: number, job: Job, w: SpanWriter): Promise<void> {
  const onMoved = () => {
    job.lastByte = Date.now();
    postCredits(id, w.due());
  };
  const onChunk = (chunk: Uint8Array) => {
    w.take(chunk);
    onMoved();
  };
  if (job.spliced) return job.spliced.into(fd, w, onMoved);
  const sock = job.sock;
  if (sock) {
    let error: unknown;
    await sock.body((chunk) => {
      if (job.finished || error !== undefined) return;
      try {
        onChunk(chunk);
        if (w.complete) sock.cancel();
      } catch (err) {
        error = err;
        sock.cancel();
      }
    });
    if (error !== undefined) throw error;
    return;
  }
  const body = job.res?.body;
  if (!body) throw new BadBodyError("answer without a body");
  const reader = body.getReader();
  job.reader = reader;
  while (!w.complete) {
    const r = await reader.read();
    if (job.finished || r.done) return;
    onChunk(r.value);
  }
}

async function fill(m: Extract<ToTransfer, { kind: "fill" }>): Promise<void> {
  const job = jobs.get(m.id);
  if (!job || job.finished) return;
  const writer = new SpanWriter(fd, m.parts, m.start);
  job.writer = writer;
  try {
    await readBody(m.id, job, writer);
    if (job.finished) return;
    const { got, wanted } = writer.filled();
    finish(m.id, job, { kind: "end", id: m.id, ...(got < wanted ? { truncated: { got, wanted } } : {}) });
  } catch (err) {
    const type = err instanceof BadBodyError ? "bad-body" : errno(err) ? "storage" : "network";
    finish(m.id, job, { kind: "fail", id: m.id, error: failure(err, type) });
  }
}

const errno = (err: unknown) => typeof (err as { syscall?: unknown })?.syscall === "string";

/** The per-request watchdog: abandons a stalled request, writes bytes that waited too long. */
function tick(id: number, job: Job): void {
  const now = Date.now();
  if (job.stallMs > 0 && now - job.lastByte > job.stallMs) {
    const message = `part stalled: no data for ${job.stallMs / 1000}s`;
    return finish(id, job, { kind: "fail", id, error: { type: "stalled", message } });
  }
  const w = job.writer;
  if (w?.unsettled && now - w.lastWrite >= IDLE_WRITE_MS) {
    try {
      w.write();
      postCredits(id, w.settle());
    } catch (err) {
      finish(id, job, { kind: "fail", id, error: failure(err, "storage") });
    }
  }
}

self.onmessage = (ev: MessageEvent<ToTransfer>) => {
  const m = ev.data;
  if (m.kind === "open") {
    // A pooled worker serves one download after another: each starts from its own settings.
    fd = openSync(m.path, "r+");
    const splice = m.splice && linuxIo() !== undefined;
    routes = m.proxied ? ["fetch"] : splice ? ["splice", "socket", "fetch"] : ["socket", "fetch"];
  } else if (m.kind === "get") {
    void get(m);
  } else if (m.kind === "fill") {
    void fill(m);
  } else if (m.kind === "drop") {
    const job = jobs.get(m.id);
    if (job) finish(m.id, job, { kind: "end", id: m.id });
  } else {
    for (const [id, job] of jobs) finish(id, job, { kind: "end", id });
    if (fd >= 0) closeSync(fd);
    fd = -1;
    post({ kind: "closed" });
  }
};
