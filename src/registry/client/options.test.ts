import { describe, expect, test } from "bun:test";
import { Env } from "../../config/env.ts";
import { Logger } from "../../log.ts";
import { clientOptionsFromEnv } from "./options.ts";

describe("clientOptionsFromEnv", () => {
  const log = new Logger("error");

  test("defaults hang off HOME", () => {
    const o = clientOptionsFromEnv(new Env({ HOME: "/home/u", PATH: "/bin" }), log);
    expect(o).toMatchObject({
      home: "/home/u/.tsllm",
      ollamaKeyPath: "/home/u/.ollama/id_ed25519",
      dockerConfigDir: "/home/u/.docker",
      privateRedirects: false,
      registryAuth: "",
      helperPath: "/bin",
    });
  });

  test("each variable is honoured", () => {
    const o = clientOptionsFromEnv(
      new Env({
        HOME: "/home/u",
        TSLLM_HOME: "/srv/tsllm",
        TSLLM_REGISTRY_AUTH: "r.example=a:b",
        DOCKER_CONFIG: "~/cfg",
        TSLLM_REGISTRY_PRIVATE_REDIRECTS: "1",
      }),
      log,
    );
    expect(o).toMatchObject({
      home: "/srv/tsllm",
      registryAuth: "r.example=a:b",
      dockerConfigDir: "/home/u/cfg",
      privateRedirects: true,
    });
  });
});
