import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Modelfile } from "../modelfile/parse.ts";
import type { BlobStore } from "./blobs.ts";
import type { CreateSpec } from "./create.ts";

/** Expands `~` and resolves relative paths against the Modelfile's directory. */
export function expandPath(path: string, baseDir: string, home = homedir()): string {
  if (path === "~" || path.startsWith("~/")) return join(home, path.slice(1));
  return isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Turns a parsed Modelfile into a CreateSpec: a FROM that names an existing file is imported into the blob
 * store (the first as weights, later ones as projectors); otherwise it is a model name. ADAPTERs are imported.
 */
export async function specFromModelfile(
  mf: Modelfile,
  blobs: BlobStore,
  baseDir: string,
): Promise<CreateSpec> {
  const spec: CreateSpec = {
    template: mf.template,
    system: mf.system,
    license: mf.license,
    parameters: mf.parameters,
    messages: mf.messages,
    renderer: mf.renderer,
    parser: mf.parser,
    requires: mf.requires,
  };
  for (const from of mf.from) {
    const path = expandPath(from, baseDir);
    if (!(await isFile(path))) {
      spec.from = from;
      continue;
    }
    const { digest } = await blobs.importFile(path);
    if (spec.model === undefined && spec.from === undefined) spec.model = digest;
    else (spec.projectors ??= []).push(digest);
  }
  for (const a of mf.adapters)
    (spec.adapters ??= []).push((await blobs.importFile(expandPath(a, baseDir))).digest);
  return spec;
}
