/** Local files a Modelfile names (FROM ./x.gguf, ADAPTER, DRAFT): finding, hashing and uploading them. */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, isAbsolute, join, resolve } from "node:path";
import { InvalidInputError } from "../errors.ts";
import type { ApiClient } from "./http.ts";
import type { Progress } from "./progress.ts";

/** Expands `~` and resolves a relative path against the Modelfile's directory. */
export function expandPath(path: string, baseDir: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The absolute path when `ref` names an existing file, undefined when it is a model name. */
export async function localFile(ref: string, baseDir: string): Promise<string | undefined> {
  const path = expandPath(ref, baseDir);
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  if (info.isDirectory())
    throw new InvalidInputError(
      `${ref} is a directory; importing directories is not supported, name a .gguf file`,
    );
  return path;
}

/** `sha256:<hex>` of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return `sha256:${hasher.digest("hex")}`;
}

/** One local file to send: its path, digest and the name it gets in the create request. */
export interface LocalBlob {
  path: string;
  digest: string;
  name: string;
}

/** Hashes a local file for the create request. */
export async function localBlob(path: string): Promise<LocalBlob> {
  return { path, digest: await sha256File(path), name: basename(path) };
}

/** Uploads a blob unless the server already has it (HEAD first), showing a "copying file" line. */
export async function uploadBlob(client: ApiClient, blob: LocalBlob, progress: Progress): Promise<void> {
  if (await client.hasBlob(blob.digest)) return;
  const spinner = progress.spinner(`copying file ${blob.digest} 0%`);
  await client.uploadBlob(blob.digest, Bun.file(blob.path));
  progress.message(spinner, `copying file ${blob.digest} 100%`);
  spinner.stop();
}

/** `{name: digest}` map of blobs, as the create request's `files`, `adapters` and `draft_files` take. */
export function fileMap(blobs: LocalBlob[]): Record<string, string> | undefined {
  if (blobs.length === 0) return undefined;
  return Object.fromEntries(blobs.map((b) => [b.name, b.digest]));
}
