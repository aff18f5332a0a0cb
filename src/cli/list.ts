/** `tsllm list [PREFIX]` (alias `ls`): the local models as NAME ID SIZE MODIFIED. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { humanBytes, humanTime } from "./duration.ts";
import { ApiClient } from "./http.ts";
import { renderTable } from "./table.ts";
import type { ListModel } from "./wire.ts";

/** First 12 hex characters of a digest, without any `sha256:` prefix. */
export function shortId(digest: string): string {
  return digest.replace(/^sha256[:-]/, "").slice(0, 12);
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
    env: [ENV.HOST.name],
  },
  async ({ args }, io) => {
    const client = new ApiClient(io.env);
    const { models = [] } = await client.json<{ models?: ListModel[] }>("GET", "/api/tags");
    const prefix = args[0]?.toLowerCase();
    const rows = models
      .filter((m) => !prefix || m.name.toLowerCase().startsWith(prefix))
      .map((m) => [m.name, shortId(m.digest), humanBytes(m.size), humanTime(m.modified_at, "Never")]);
    io.out.write(renderTable(rows, { header: ["NAME", "ID", "SIZE", "MODIFIED"] }));
    return 0;
  },
);
