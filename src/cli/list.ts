/** `tsllm list [PREFIX]` (alias `ls`): the local models as NAME ID SIZE MODIFIED. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { humanBytes, humanTime } from "./duration.ts";
import { ApiClient } from "./http.ts";
import type { CliIO } from "./io.ts";
import { renderTable } from "./table.ts";
import type { ListModel } from "./wire.ts";

/** First 12 hex characters of a digest, without any `sha256:` prefix. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256[:-]/, "").slice(0, 12);
}

/**
 * Prints the models a GET endpoint answers ({models: [...]}) as a table, one row each, keeping those whose
 * name starts with `prefix` (case-insensitive) when one is given. Shared by list and ps.
 */
export async function printModels<M extends { name: string }>(
  io: CliIO,
  path: string,
  prefix: string | undefined,
  header: string[],
  row: (m: M) => string[],
): Promise<number> {
  const { models = [] } = await new ApiClient(io.env).json<{ models?: M[] }>("GET", path);
  const p = prefix?.toLowerCase();
  const rows = models.filter((m) => !p || m.name.toLowerCase().startsWith(p)).map(row);
  io.out.write(renderTable(rows, { header }));
  return 0;
}

/** The list command. */
export const listCommand = defineCommand(
  {
    name: "list",
    aliases: ["ls"],
    usage: "[PREFIX]",
    summary: "List models",
    minArgs: 0,
    maxArgs: 1,
    flags: [],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  ({ args }, io) =>
    printModels<ListModel>(io, "/api/tags", args[0], ["NAME", "ID", "SIZE", "MODIFIED"], (m) => [
      m.name,
      shortId(m.digest),
      humanBytes(m.size),
      humanTime(m.modified_at, "Never"),
    ]),
);
