/** `tsllm pull` and `tsllm push`: accepted but not available until the registry client exists. */
import { defineCommand } from "./command.ts";
import { NotSupportedError } from "./errors.ts";

const insecure = { name: "insecure", type: "bool", description: "Use an insecure registry" } as const;

/** The pull command (not supported yet). */
export const pullCommand = defineCommand(
  {
    name: "pull",
    usage: "MODEL",
    summary: "Pull a model from a registry",
    minArgs: 1,
    maxArgs: 1,
    flags: [insecure],
  },
  async () => {
    throw new NotSupportedError(
      "pulling models is not supported yet; import a local GGUF file with `tsllm create NAME -f Modelfile` (FROM ./model.gguf)",
    );
  },
);

/** The push command (not supported yet). */
export const pushCommand = defineCommand(
  {
    name: "push",
    usage: "MODEL",
    summary: "Push a model to a registry",
    minArgs: 1,
    maxArgs: 1,
    flags: [insecure],
  },
  async () => {
    throw new NotSupportedError("pushing models is not supported yet");
  },
);
