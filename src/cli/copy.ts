/** `tsllm cp SOURCE DESTINATION`: copies a model under a new name. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { ApiClient } from "./http.ts";

/** The cp command. */
export const copyCommand = defineCommand(
  {
    name: "cp",
    usage: "SOURCE DESTINATION",
    summary: "Copy a model",
    minArgs: 2,
    maxArgs: 2,
    flags: [],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async ({ args }, io) => {
    const [source, destination] = args as [string, string];
    await new ApiClient(io.env).request("POST", "/api/copy", { source, destination });
    io.out.write(`copied '${source}' to '${destination}'\n`);
    return 0;
  },
);
