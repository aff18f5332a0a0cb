/**
 * `tsllm rpc-server` for real on loopback: a client process registers it through FFI and sees its device and
 * memory; bad endpoints fail with a clear error, never a hang or an abort; a non-loopback bind warns; SIGTERM and SIGINT end it with status 0.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { probeRpcServer } from "../../src/llama/ffi/rpc-probe.ts";
import { buildExtras, client, freePort, startRpcServer, waitFor } from "./helpers.ts";

const extras = buildExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`rpc-server tests skipped: ${skip}`);
const PROTO = { major: 7, minor: 0, patch: 0 };

describe.skipIf(skip !== null)("tsllm rpc-server", () => {
  const started: ReturnType<typeof startRpcServer>[] = [];
  afterAll(async () => {
    for (const s of started) s.proc.kill("SIGKILL");
    await Promise.all(started.map((s) => s.proc.exited));
  });

  test("serves the CPU device on loopback; a client registers it and sees its memory; SIGTERM ends it with status 0", async () => {
    const port = await freePort();
    const server = startRpcServer("--port", String(port), "--threads", "1");
    started.push(server);
    const endpoint = `127.0.0.1:${port}`;
    const probed = await waitFor(() => probeRpcServer(endpoint, PROTO, { timeoutMs: 2000 }));
    expect(probed.devices).toHaveLength(1);
    expect(probed.devices[0]?.total).toBeGreaterThan(0);
    expect(server.text.out).toContain(`serving CPU on ${endpoint}`);
    expect(server.text.err).not.toContain("WARNING");

    const r = await client("add", endpoint);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const { added, devices } = JSON.parse(r.out);
    expect(added).toHaveLength(1);
    expect(added[0].endpoint).toBe(endpoint);
    expect(added[0].total).toBe(probed.devices[0]?.total);
    expect(added[0].free).toBeGreaterThan(0);
    // The remote device joins ggml's device list of the client process, beside its local CPU.
    expect(devices.map((d: { name: string }) => d.name)).toEqual(
      expect.arrayContaining(["CPU", added[0].name]),
    );

    // A stop is not a failure: exit status 0, and the port is free again.
    server.proc.kill("SIGTERM");
    expect(await server.proc.exited).toBe(0);
    const closed = await client("add", endpoint);
    expect(closed.code).toBe(1);
    expect(closed.err).toContain("cannot connect");
  });

  test("SIGINT ends it with status 0 too", async () => {
    const port = await freePort();
    const server = startRpcServer("--port", String(port), "--threads", "1");
    started.push(server);
    await waitFor(() => probeRpcServer(`127.0.0.1:${port}`, PROTO, { timeoutMs: 2000 }));
    server.proc.kill("SIGINT");
    expect(await server.proc.exited).toBe(0);
  });

  test("a closed port, a port that is not an RPC server, a malformed endpoint: clear errors, no abort", async () => {
    const closed = await client("add", `127.0.0.1:${await freePort()}`);
    expect(closed.code).toBe(1);
    expect(closed.err).toMatch(/RpcServerError: RPC server 127\.0\.0\.1:\d+: cannot connect/);

    // An HTTP server answers garbage to the HELLO frame (or closes): refused, not a crash of the client.
    const http = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("hi") });
    try {
      const r = await client("add", `127.0.0.1:${http.port}`);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/RPC server 127\.0\.0\.1:\d+: .*(not a ggml RPC server|closed the connection)/);
    } finally {
      http.stop(true);
    }

    const bad = await client("add", "no-port-here");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("expected host:port");
  });

  test("binding beyond loopback prints the no-authentication warning", async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this host: the warning comes first, then the bind fails.
    const server = startRpcServer("--host", "192.0.2.1", "--port", String(await freePort()));
    started.push(server);
    const code = await server.proc.exited;
    await server.drained;
    expect(server.text.err).toContain("NO authentication");
    expect(code).toBe(1);
    expect(server.text.err).toContain("cannot listen");
  });

  test("flag errors are usage errors", async () => {
    const server = startRpcServer("--host", "localhost");
    started.push(server);
    expect(await server.proc.exited).toBe(2);
    await server.drained;
    expect(server.text.err).toContain("IPv4 address");
  });
});
