/** `tsllm rm MODEL...`: unloads each model if it is running, then deletes it. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { ServerUnreachableError } from "./errors.ts";
import { ApiClient } from "./http.ts";
import { unloadModel } from "./unload.ts";

/** The rm command. */
export const removeCommand = defineCommand(
  {
    name: "rm",
    usage: "MODEL [MODEL...]",
    summary: "Remove a model",
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    flags: [],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async ({ args }, io) => {
    const client = new ApiClient(io.env);
    for (const model of args) {
      try {
        await unloadModel(client, model);
      } catch (e) {
        if (e instanceof ServerUnreachableError) throw e;
        if (!/not found/i.test((e as Error).message))
          io.err.write(`Warning: unable to stop model '${model}'\n`);
      }
      await client.request("DELETE", "/api/delete", { model });
      io.out.write(`deleted '${model}'\n`);
    }
    return 0;
  },
);
