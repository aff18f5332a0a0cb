/** `tsllm stop MODEL`: unloads a running model now. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { ApiError } from "./errors.ts";
import { ApiClient } from "./http.ts";
import { unloadModel } from "./unload.ts";

/** The stop command. */
export const stopCommand = defineCommand(
  {
    name: "stop",
    usage: "MODEL",
    summary: "Stop a running model",
    minArgs: 1,
    maxArgs: 1,
    flags: [],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  async ({ args }, io) => {
    const model = args[0] as string;
    try {
      await unloadModel(new ApiClient(io.env), model);
    } catch (e) {
      if (e instanceof ApiError && /not found/i.test(e.message))
        throw new ApiError(`couldn't find model "${model}" to stop`, e.status);
      throw e;
    }
    return 0;
  },
);
