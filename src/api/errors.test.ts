import { describe, expect, test } from "bun:test";
import { TsllmError } from "../errors.ts";
import { errorAnswer, withoutPaths } from "./errors.ts";

describe("server faults never reveal file paths", () => {
  test("absolute paths in a message are replaced; route paths are kept", () => {
    expect(withoutPaths("ENOENT: no such file, open '/root/.tsllm/models/blobs/sha256-abc'")).toBe(
      "ENOENT: no such file, open '<path>'",
    );
    expect(withoutPaths("failed at /tmp/x/y.gguf: bad")).toBe("failed at <path>: bad");
    expect(withoutPaths("see /api/chat")).toBe("see /api/chat");
  });

  test("an errno error no layer re-worded becomes words without its path", () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/srv/models/blobs/x'"), {
      code: "EACCES",
    });
    const a = errorAnswer(err);
    expect(a.message).toBe("cannot complete the request: permission denied");
    expect(a.message).not.toContain("/srv");
  });

  test("a typed error whose text carries a native path loses the path", () => {
    const err = new TsllmError("failed to load model /srv/m/blobs/sha256-ab: llama: failed", {
      code: "x",
      status: 500,
    });
    expect(errorAnswer(err).message).toBe("failed to load model <path>: llama: failed");
  });
});
