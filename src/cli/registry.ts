/**
 * `tsllm pull MODEL` and `tsllm push MODEL` (Ollama's cmd.go PullHandler/PushHandler): the server's progress
 * lines drawn as a spinner per status and a bar per layer (rate and ETA while running); plain lines when
 * stderr is not a terminal. `showOrPull` is `run`'s "pull first when the model is missing".
 */
import { ENV } from "../config/env.ts";
import { formatName, parseName, shortName } from "../store/index.ts";
import { defineCommand } from "./command.ts";
import { ApiError } from "./errors.ts";
import { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { type Bar, Progress, type Spinner } from "./progress.ts";
import type { ProgressChunk, ShowResponse } from "./wire.ts";

const insecure = { name: "insecure", type: "bool", description: "Use an insecure registry" } as const;

/** A bar's label for a pulled layer: "pulling 6a0746a1ec1a:" (the digest's first 12 hex digits). */
function pullLabel(digest: string): string {
  const hex = digest.startsWith("sha256:") ? digest.slice(7).trim().slice(0, 12) : digest.trim();
  return `pulling ${hex}:`;
}

/** Draws one transfer's progress lines: a bar per digest, a spinner per new status. */
export function progressView(progress: Progress, kind: "pull" | "push"): (c: ProgressChunk) => void {
  const bars = new Map<string, Bar>();
  let status: string | undefined;
  let spinner: Spinner | undefined;
  return (c) => {
    if (c.digest) {
      // A pull announces each layer with completed 0 before downloading it: no 0% bar for those.
      if (kind === "pull" && !c.completed) return;
      spinner?.stop();
      let bar = bars.get(c.digest);
      if (!bar) {
        const label =
          kind === "pull" ? pullLabel(c.digest) : c.status || `pushing ${c.digest.slice(7, 19)}...`;
        bar = progress.bar(label, c.total ?? 0, c.completed ?? 0);
        bars.set(c.digest, bar);
      }
      bar.set(c.completed ?? 0);
    } else if (c.status !== status) {
      spinner?.stop();
      status = c.status;
      spinner = progress.spinner(status ?? "");
    }
  };
}

/** POSTs a pull or push and draws its progress on stderr until it ends; its error line is thrown. */
async function transfer(client: ApiClient, io: CliIO, kind: "pull" | "push", body: object): Promise<void> {
  const progress = new Progress(io.err);
  const draw = progressView(progress, kind);
  try {
    for await (const c of client.stream<ProgressChunk>(`/api/${kind}`, body)) draw(c);
  } finally {
    progress.stop();
  }
}

/** Pulls `model` with progress bars on stderr. */
export function pullWithProgress(client: ApiClient, io: CliIO, model: string, insecure = false) {
  return transfer(client, io, "pull", { model, ...(insecure ? { insecure } : {}) });
}

/**
 * The model's /api/show answer, pulling it first when the server does not have it (Ollama's showOrPullModel).
 * A server without /api/pull (its 404 for the route itself) leaves the original "not found" standing.
 */
export async function showOrPull(
  client: ApiClient,
  io: CliIO,
  model: string,
  insecure = false,
): Promise<ShowResponse> {
  const show = () => client.json<ShowResponse>("POST", "/api/show", { model });
  try {
    return await show();
  } catch (missing) {
    if (!(missing instanceof ApiError) || missing.status !== 404) throw missing;
    try {
      await pullWithProgress(client, io, model, insecure);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) throw missing;
      throw e;
    }
  }
  return show();
}

const isOllamaHost = (host: string) => /\.ollama\.(ai|com)$/i.test(host);

/** Where a pushed model can be found, as Ollama prints it. */
function destination(model: string): string {
  const n = parseName(model);
  if (!isOllamaHost(n.host)) return formatName(n);
  return `https://ollama.com/${shortName(n).replace(/:latest$/, "")}`;
}

/** The pull command. */
export const pullCommand = defineCommand(
  {
    name: "pull",
    usage: "MODEL",
    summary: "Pull a model from a registry",
    minArgs: 1,
    maxArgs: 1,
    flags: [insecure],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async (p, io) => {
    await pullWithProgress(new ApiClient(io.env), io, p.args[0] as string, p.flags.insecure === true);
    return 0;
  },
);

/** The push command. */
export const pushCommand = defineCommand(
  {
    name: "push",
    usage: "MODEL",
    summary: "Push a model to a registry",
    minArgs: 1,
    maxArgs: 1,
    flags: [insecure],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async (p, io) => {
    const model = p.args[0] as string;
    const body = { model, ...(p.flags.insecure === true ? { insecure: true } : {}) };
    try {
      await transfer(new ApiClient(io.env), io, "push", body);
    } catch (e) {
      // Ollama's hint for its own registry; a private registry's refusal keeps its text (it names the host).
      const text = e instanceof Error ? e.message.toLowerCase() : "";
      const denied = text.includes("access denied") || text.includes("unauthorized");
      if (denied && e instanceof ApiError && isOllamaHost(parseName(model).host))
        throw new ApiError(
          "you are not authorized to push to this namespace, create the model under a namespace you own",
          e.status,
        );
      throw e;
    }
    io.out.write(`\nYou can find your model at:\n\n\t${destination(model)}\n`);
    return 0;
  },
);
