import { afterEach, describe, expect, test } from "bun:test";
import { listCommand } from "../../src/cli/list.ts";
import { psCommand } from "../../src/cli/ps.ts";
import { fakeServer, memoryIO } from "./helpers.ts";

const HEX = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72";
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.stop());

describe("list", () => {
  test("prints NAME ID SIZE MODIFIED like ollama list", async () => {
    server = fakeServer({
      "GET /api/tags": () => ({
        models: [
          {
            name: "llama3.2:latest",
            model: "llama3.2:latest",
            size: 2019393189,
            digest: HEX,
            modified_at: ago(49 * 3600e3),
          },
          {
            name: "tiny:q8",
            model: "tiny:q8",
            size: 4_700_000_000,
            digest: `sha256:${HEX}`,
            modified_at: ago(5 * 60e3),
          },
        ],
      }),
    });
    const t = memoryIO(server.host);
    expect(await listCommand.run([], t.io)).toBe(0);
    expect(t.out()).toBe(
      "NAME               ID              SIZE      MODIFIED      \n" +
        "llama3.2:latest    a80c4f17acd5    2.0 GB    2 days ago       \n" +
        "tiny:q8            a80c4f17acd5    4.7 GB    5 minutes ago    \n",
    );
  });

  test("filters by a name prefix, case-insensitively", async () => {
    server = fakeServer({
      "GET /api/tags": () => ({
        models: [
          { name: "Alpha:latest", size: 1000, digest: HEX, modified_at: ago(1000) },
          { name: "beta:latest", size: 1000, digest: HEX, modified_at: ago(1000) },
        ],
      }),
    });
    const t = memoryIO(server.host);
    await listCommand.run(["alp"], t.io);
    expect(t.out()).toContain("Alpha:latest");
    expect(t.out()).not.toContain("beta");
  });

  test("an empty store prints only the header", async () => {
    server = fakeServer({ "GET /api/tags": () => ({ models: [] }) });
    const t = memoryIO(server.host);
    await listCommand.run([], t.io);
    expect(t.out()).toBe("NAME    ID    SIZE    MODIFIED \n");
  });
});

describe("ps", () => {
  test("prints processor split, context and time left", async () => {
    const inFuture = (ms: number) => new Date(Date.now() + ms + 500).toISOString();
    server = fakeServer({
      "GET /api/ps": () => ({
        models: [
          {
            name: "a:latest",
            size: 1e9,
            size_vram: 1e9,
            digest: HEX,
            context_length: 4096,
            expires_at: inFuture(4 * 60e3),
            library: "vulkan",
          },
          {
            name: "b:latest",
            size: 1e9,
            size_vram: 0,
            digest: HEX,
            context_length: 2048,
            expires_at: null,
            library: "cpu",
          },
          {
            name: "c:latest",
            size: 1e9,
            size_vram: 52e7,
            digest: HEX,
            context_length: 8192,
            expires_at: "2318-01-01T00:00:00Z",
          },
        ],
      }),
    });
    const t = memoryIO(server.host);
    expect(await psCommand.run([], t.io)).toBe(0);
    const lines = t.out().split("\n");
    expect(lines[0]).toMatch(/^NAME {8}ID {14}SIZE {4}PROCESSOR {12}CONTEXT {4}UNTIL/);
    expect(lines[1]).toMatch(
      /^a:latest {4}a80c4f17acd5 {4}1 GB {4}100% GPU \(vulkan\) {4}4096 {7}4 minutes from now/,
    );
    expect(lines[2]).toMatch(/100% CPU {13}2048 {7}Forever/);
    expect(lines[3]).toMatch(/48%\/52% CPU\/GPU {6}8192 {7}Forever/);
  });
});
