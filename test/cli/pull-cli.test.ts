import { afterEach, describe, expect, test } from "bun:test";
import { Bar, etaText } from "../../src/cli/progress.ts";
import { pullCommand, pushCommand } from "../../src/cli/registry.ts";
import { runCommand } from "../../src/cli/run.ts";
import { errorResponse, fakeServer, memoryIO, ndjsonResponse } from "./helpers.ts";

const DIGEST = `sha256:6a0746a1ec1a${"0".repeat(52)}`;
const SMALL = `sha256:4fa551d4f938${"1".repeat(52)}`;

/** A pull stream as Ollama's server writes it (a 0-completed announcement per layer first). */
const PULL_LINES = [
  { status: "pulling manifest" },
  { status: "pulling 6a0746a1ec1a", digest: DIGEST, total: 4_700_000_000 },
  { status: "pulling 4fa551d4f938", digest: SMALL, total: 12_000 },
  { status: "pulling 6a0746a1ec1a", digest: DIGEST, total: 4_700_000_000, completed: 1_200_000_000 },
  { status: "pulling 6a0746a1ec1a", digest: DIGEST, total: 4_700_000_000, completed: 4_700_000_000 },
  { status: "pulling 4fa551d4f938", digest: SMALL, total: 12_000, completed: 12_000 },
  { status: "verifying sha256 digest" },
  { status: "writing manifest" },
  { status: "success" },
];

let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.stop());

describe("pull", () => {
  test("non-TTY: each status and each layer once, as plain lines; exit 0", async () => {
    server = fakeServer({ "POST /api/pull": () => ndjsonResponse(PULL_LINES) });
    const t = memoryIO(server.host);
    expect(await pullCommand.run(["llama3.2"], t.io)).toBe(0);
    expect(t.err()).toBe(
      [
        "pulling manifest",
        "pulling 6a0746a1ec1a:",
        "pulling 4fa551d4f938:",
        "verifying sha256 digest",
        "writing manifest",
        "success",
        "",
      ].join("\n"),
    );
    expect(t.out()).toBe("");
    expect(server.to("POST", "/api/pull")[0]?.body).toEqual({ model: "llama3.2" });
  });

  test("--insecure is sent", async () => {
    server = fakeServer({ "POST /api/pull": () => ndjsonResponse([{ status: "success" }]) });
    const t = memoryIO(server.host);
    expect(await pullCommand.run(["127.0.0.1:5000/ns/m:t", "--insecure"], t.io)).toBe(0);
    expect(server.to("POST", "/api/pull")[0]?.body).toEqual({
      model: "127.0.0.1:5000/ns/m:t",
      insecure: true,
    });
  });

  test("an error line ends the pull with the server's text (main prints it, exit 1)", async () => {
    server = fakeServer({
      "POST /api/pull": () =>
        ndjsonResponse([
          { status: "pulling manifest" },
          { error: "pull model manifest: file does not exist" },
        ]),
    });
    const t = memoryIO(server.host);
    await expect(pullCommand.run(["nope"], t.io)).rejects.toThrow("pull model manifest: file does not exist");
    expect(t.err()).toBe("pulling manifest\n");
  });

  test("an error answer before the stream (bad name) is thrown as is", async () => {
    server = fakeServer({ "POST /api/pull": () => errorResponse(400, "invalid model name") });
    await expect(pullCommand.run(["a b"], memoryIO(server.host).io)).rejects.toThrow("invalid model name");
  });

  test("usage mistakes exit 2", async () => {
    const t = memoryIO("127.0.0.1:1");
    expect(await pullCommand.run([], t.io)).toBe(2);
    expect(await pullCommand.run(["a", "b"], t.io)).toBe(2);
    expect(t.err()).toContain("Error:");
  });
});

describe("push", () => {
  const PUSH_LINES = [
    { status: "retrieving manifest" },
    { status: "pushing 6a0746a1ec1a", digest: DIGEST, total: 100, completed: 0 },
    { status: "pushing 6a0746a1ec1a", digest: DIGEST, total: 100, completed: 100 },
    { status: "pushing manifest" },
    { status: "success" },
  ];

  test("progress on stderr, then where the model is on stdout", async () => {
    server = fakeServer({ "POST /api/push": () => ndjsonResponse(PUSH_LINES) });
    const t = memoryIO(server.host);
    expect(await pushCommand.run(["127.0.0.1:5000/ns/m:t", "--insecure"], t.io)).toBe(0);
    expect(t.err()).toBe(
      ["retrieving manifest", "pushing 6a0746a1ec1a", "pushing manifest", "success", ""].join("\n"),
    );
    expect(t.out()).toBe("\nYou can find your model at:\n\n\t127.0.0.1:5000/ns/m:t\n");
    expect(server.to("POST", "/api/push")[0]?.body).toEqual({
      model: "127.0.0.1:5000/ns/m:t",
      insecure: true,
    });
  });

  test("ollama.com models are shown at their web address", async () => {
    server = fakeServer({ "POST /api/push": () => ndjsonResponse([{ status: "success" }]) });
    const t = memoryIO(server.host);
    await pushCommand.run(["me/mine"], t.io);
    expect(t.out()).toBe("\nYou can find your model at:\n\n\thttps://ollama.com/me/mine\n");
  });

  test("refused by ollama.com: Ollama's namespace hint; by a private registry: its own text", async () => {
    const denied = "unauthorized: access denied to registry.ollama.ai";
    server = fakeServer({
      "POST /api/push": () => ndjsonResponse([{ status: "retrieving manifest" }, { error: denied }]),
    });
    await expect(pushCommand.run(["me/mine"], memoryIO(server.host).io)).rejects.toThrow(
      "you are not authorized to push to this namespace, create the model under a namespace you own",
    );
    await expect(pushCommand.run(["127.0.0.1:5000/ns/m"], memoryIO(server.host).io)).rejects.toThrow(denied);
  });
});

describe("run of a missing model", () => {
  const FINAL = { model: "m", response: "", done: true, done_reason: "stop" };

  test("pulls it first, then runs it", async () => {
    let pulled = false;
    server = fakeServer({
      "POST /api/show": () =>
        pulled ? { capabilities: ["completion"] } : errorResponse(404, "model 'm' not found"),
      "POST /api/pull": () => {
        pulled = true;
        return ndjsonResponse([{ status: "pulling manifest" }, { status: "success" }]);
      },
      "POST /api/generate": () => ndjsonResponse([{ model: "m", response: "hi", done: false }, FINAL]),
    });
    const t = memoryIO(server.host);
    expect(await runCommand.run(["m", "hello", "--insecure"], t.io)).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual([
      "/api/show",
      "/api/pull",
      "/api/show",
      "/api/generate",
    ]);
    expect(server.to("POST", "/api/pull")[0]?.body).toEqual({ model: "m", insecure: true });
    expect(t.err()).toBe("pulling manifest\nsuccess\n");
    expect(t.out()).toBe("hi\n\n");
  });

  test("a failed pull is the error", async () => {
    server = fakeServer({
      "POST /api/show": () => errorResponse(404, "model 'm' not found"),
      "POST /api/pull": () =>
        ndjsonResponse([
          { status: "pulling manifest" },
          { error: "pull model manifest: file does not exist" },
        ]),
    });
    await expect(runCommand.run(["m", "hi"], memoryIO(server.host).io)).rejects.toThrow(
      "pull model manifest: file does not exist",
    );
    expect(server.to("POST", "/api/generate")).toHaveLength(0);
  });

  test("a server without /api/pull leaves the not-found error", async () => {
    server = fakeServer({ "POST /api/show": () => errorResponse(404, "model 'm' not found") });
    await expect(runCommand.run(["m", "hi"], memoryIO(server.host).io)).rejects.toThrow(
      "model 'm' not found",
    );
  });
});

describe("progress bar", () => {
  test("while running: bytes done/total, rate and ETA; once full: the total alone", () => {
    let now = 0;
    const bar = new Bar("pulling 6a0746a1ec1a:", 4_700_000_000, 0, () => now);
    now = 10_000;
    bar.set(520_000_000); // one sample: 52 MB/s since the start
    const line = bar.render(120);
    expect(line).toStartWith("pulling 6a0746a1ec1a:  11% ▕");
    expect(line).toEndWith("▏ 520 MB/4.7 GB   52 MB/s   1m20s");
    expect(line.length).toBe(119); // one column spare, as Ollama draws it (no wrap at the edge)
    now = 20_000;
    bar.set(4_700_000_000);
    expect(bar.render(80)).toEndWith(`▏ 4.7 GB${" ".repeat(25)}`);
    expect(bar.render(80)).toStartWith("pulling 6a0746a1ec1a: 100% ▕███");
  });

  test("the rate comes from the samples' window (one a second at most, ten kept)", () => {
    let now = 0;
    const bar = new Bar("x", 1_000_000_000, 0, () => now);
    for (let s = 1; s <= 20; s++) {
      now = s * 1001;
      bar.set(s * 10_000_000 + (s > 10 ? (s - 10) * 10_000_000 : 0));
    }
    // The last ten samples moved 20 MB a second.
    expect(Math.round(bar.rate() / 1e6)).toBe(20);
    // A set within the same second takes no new sample.
    now += 10;
    bar.set(bar.completed + 1);
    expect(Math.round(bar.rate() / 1e6)).toBe(20);
  });

  test("ETA: at most two units, 99h+ past 100 hours", () => {
    expect(etaText(0)).toBe("0s");
    expect(etaText(70)).toBe("1m10s");
    expect(etaText(3599)).toBe("59m59s");
    expect(etaText(3 * 3600 + 5 * 60 + 9)).toBe("3h5m");
    expect(etaText(100 * 3600)).toBe("99h+");
  });
});
