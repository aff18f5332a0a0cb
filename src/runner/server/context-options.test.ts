import { describe, expect, test } from "bun:test";
import { loadOptions } from "../../../test/runner/helpers.ts";
import type { Model } from "../../llama/engine/model.ts";
import { contextOptions, contextThreads } from "./context-options.ts";

const model = {} as Model; // only embedding loads read the model

describe("contextOptions", () => {
  test("a local load keeps the pool's threads polling between steps", () => {
    expect(contextOptions(loadOptions(), model).threadPoll).toBe(100);
  });

  test("a load with layers on RPC servers lets them sleep (steps wait on the network)", () => {
    const o = loadOptions({ rpc_servers: ["127.0.0.1:50052"], num_gpu: 99 });
    expect(contextOptions(o, model).threadPoll).toBe(0);
  });

  test("threads: 0 means one per core, more than the cores is lowered", () => {
    expect(contextThreads(loadOptions({ num_thread: 0 }), 8)).toBe(8);
    expect(contextThreads(loadOptions({ num_thread: 64 }), 8)).toBe(8);
    expect(contextThreads(loadOptions({ num_thread: 3 }), 8)).toBe(3);
  });
});
