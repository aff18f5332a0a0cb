/** `tsllm show MODEL`: model details, or one of its license/Modelfile/parameters/system/template. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { UsageError } from "./errors.ts";
import { ApiClient } from "./http.ts";
import { showInfo } from "./show-info.ts";
import type { ShowResponse } from "./wire.ts";

const PARTS = ["license", "modelfile", "parameters", "system", "template"] as const;

/** The show command. */
export const showCommand = defineCommand(
  {
    name: "show",
    usage: "MODEL",
    summary: "Show information for a model",
    minArgs: 1,
    maxArgs: 1,
    flags: [
      { name: "license", type: "bool", description: "Show license of a model" },
      { name: "modelfile", type: "bool", description: "Show Modelfile of a model" },
      { name: "parameters", type: "bool", description: "Show parameters of a model" },
      { name: "system", type: "bool", description: "Show system message of a model" },
      { name: "template", type: "bool", description: "Show template of a model" },
      { name: "verbose", short: "v", type: "bool", description: "Show detailed model information" },
    ],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async ({ flags, args }, io) => {
    const chosen = PARTS.filter((p) => flags[p] === true);
    if (chosen.length > 1)
      throw new UsageError(
        "only one of '--license', '--modelfile', '--parameters', '--system', or '--template' can be specified",
      );
    const verbose = flags.verbose === true;
    const client = new ApiClient(io.env);
    const body = verbose ? { model: args[0], verbose } : { model: args[0] };
    const r = await client.json<ShowResponse>("POST", "/api/show", body);
    const part = chosen[0];
    if (part === undefined) io.out.write(showInfo(r, verbose));
    else if (part === "system" || part === "template") io.out.write(r[part] ?? "");
    else io.out.write(`${r[part] ?? ""}\n`);
    return 0;
  },
);
