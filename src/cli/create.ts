/** `tsllm create MODEL -f Modelfile`: uploads the Modelfile's local files, then POSTs /api/create. */
import { readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ENV } from "../config/env.ts";
import { InvalidInputError } from "../errors.ts";
import { type Modelfile, parseModelfile } from "../modelfile/index.ts";
import { defineCommand } from "./command.ts";
import { fileMap, type LocalBlob, localBlob, localFile, uploadBlob } from "./create-files.ts";
import { stringFlag } from "./flags.ts";
import { ApiClient } from "./http.ts";
import { Progress } from "./progress.ts";
import type { ProgressChunk } from "./wire.ts";

/** The /api/create body for a parsed Modelfile plus the local files it references. */
export async function createRequest(mf: Modelfile, baseDir: string, model: string, quantize?: string) {
  const files: LocalBlob[] = [];
  let from: string | undefined;
  for (const ref of mf.from) {
    const path = await localFile(ref, baseDir);
    if (path) files.push(await localBlob(path));
    else from ??= ref;
  }
  const blobsOf = async (refs: string[]) => {
    const out: LocalBlob[] = [];
    for (const ref of refs) {
      const path = await localFile(ref, baseDir);
      if (!path) throw new InvalidInputError(`${ref}: no such file`);
      out.push(await localBlob(path));
    }
    return out;
  };
  const adapters = await blobsOf(mf.adapters);
  const drafts = await blobsOf(mf.drafts);
  const body = {
    model,
    from,
    files: fileMap(files),
    adapters: fileMap(adapters),
    draft_files: fileMap(drafts),
    template: mf.template,
    system: mf.system,
    license: mf.license.length ? mf.license : undefined,
    parameters: Object.keys(mf.parameters).length ? mf.parameters : undefined,
    messages: mf.messages.length ? mf.messages : undefined,
    renderer: mf.renderer,
    parser: mf.parser,
    requires: mf.requires,
    quantize: quantize || undefined,
  };
  return { body, blobs: [...files, ...adapters, ...drafts] };
}

/** A Modelfile is text: anything larger is not one (and `-f /dev/zero` must not read forever). */
const MODELFILE_MAX = 16 * 1024 * 1024;

async function readModelfile(flag: string | undefined): Promise<{ path: string; bytes: Uint8Array }> {
  const path = resolve(flag ?? "Modelfile");
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new InvalidInputError(
      flag === undefined
        ? `no Modelfile in the current directory; pass one with -f`
        : `specified Modelfile wasn't found: ${flag}`,
    );
  if (!info.isFile()) throw new InvalidInputError(`${flag ?? "Modelfile"} is not a regular file`);
  if (info.size > MODELFILE_MAX)
    throw new InvalidInputError(`${flag ?? "Modelfile"} is larger than 16 MiB; is it really a Modelfile?`);
  return { path, bytes: new Uint8Array(await readFile(path)) };
}

/** The create command. */
export const createCommand = defineCommand(
  {
    name: "create",
    usage: "MODEL",
    summary: "Create a model from a Modelfile",
    minArgs: 1,
    maxArgs: 1,
    flags: [
      {
        name: "file",
        short: "f",
        type: "string",
        description: 'Name of the Modelfile (default "Modelfile")',
      },
      {
        name: "quantize",
        short: "q",
        type: "string",
        description: "Quantize model to this level (e.g. q4_K_M)",
      },
    ],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async (p, io) => {
    const { path, bytes } = await readModelfile(stringFlag(p, "file"));
    const mf = parseModelfile(bytes);
    for (const w of mf.warnings) io.err.write(`Warning: ${w}\n`);
    const client = new ApiClient(io.env);
    const progress = new Progress(io.err);
    try {
      let spinner = progress.spinner("gathering model components");
      const { body, blobs } = await createRequest(
        mf,
        dirname(path),
        p.args[0] as string,
        stringFlag(p, "quantize"),
      );
      spinner.stop();
      for (const blob of blobs) await uploadBlob(client, blob, progress);
      let status = "";
      const bars = new Map<string, ReturnType<Progress["bar"]>>();
      for await (const c of client.stream<ProgressChunk>("/api/create", body)) {
        if (c.digest && c.total) {
          let bar = bars.get(c.digest);
          if (!bar) {
            bar = progress.bar(c.status || `pulling ${c.digest.slice(7, 19)}...`, c.total, c.completed ?? 0);
            bars.set(c.digest, bar);
          }
          bar.completed = c.completed ?? 0;
        } else if (c.status && c.status !== status) {
          status = c.status;
          spinner = progress.spinner(status);
        }
      }
    } finally {
      progress.stop();
    }
    return 0;
  },
);
