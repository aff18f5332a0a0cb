/**
 * `tsllm rpc-server`: serves this host's ggml devices over ggml's RPC protocol, so serve on another host can
 * put model layers here. The protocol has no authentication: loopback unless told, loud warning otherwise.
 */
import { mkdirSync } from "node:fs";
import { ENV } from "../config/env.ts";
import { initBackend } from "../llama/engine/backend.ts";
import { rpcBackendInfo, rpcServeDevices, serveRpc } from "../llama/ffi/rpc.ts";
import { exitZeroOnStop } from "../llama/ffi/rpc-signals.ts";
import { defineCommand } from "./command.ts";
import { UsageError } from "./errors.ts";
import { intFlag } from "./flags.ts";
import { backendOptions } from "./info.ts";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The warning printed when the server listens beyond this host. */
export const UNAUTHENTICATED_WARNING = [
  "!!! WARNING: tsllm rpc-server is listening on a non-loopback address.",
  "!!! The ggml RPC protocol has NO authentication and NO encryption: anyone who can reach this port can",
  "!!! run computations and read or write memory on this host's devices. Bind it to a private network only.",
].join("\n");

/** The rpc-server command. */
export const rpcServerCommand = defineCommand(
  {
    name: "rpc-server",
    usage: "",
    summary: "Serve this host's devices to other hosts over ggml RPC",
    minArgs: 0,
    maxArgs: 0,
    flags: [
      {
        name: "host",
        type: "string",
        value: "address",
        description: "IPv4 address to listen on (default 127.0.0.1)",
      },
      { name: "port", short: "p", type: "int", description: "TCP port (default 50052)" },
      {
        name: "device",
        short: "d",
        type: "string",
        value: "names",
        description: "Comma-separated ggml devices to serve (default: GPUs, else CPU)",
      },
      { name: "threads", short: "t", type: "int", description: "CPU threads (default: half the cores)" },
      {
        name: "cache",
        type: "string",
        value: "dir",
        description: "Cache received tensors in this directory (faster reloads)",
      },
    ],
    env: [ENV.LLM_LIBRARY.name, ENV.LIB_DIR.name],
  },
  async (parsed, io) => {
    const { flags } = parsed;
    const host = typeof flags.host === "string" ? flags.host : "127.0.0.1";
    const ip = IPV4.exec(host);
    if (!ip || ip.slice(1).some((o) => Number(o) > 255)) {
      throw new UsageError(`--host must be an IPv4 address such as 127.0.0.1 or 10.0.0.2 (got "${host}")`);
    }
    const port = intFlag(parsed, "port") ?? 50052;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535`);
    const cores = navigator.hardwareConcurrency || 1;
    const threads = intFlag(parsed, "threads") ?? Math.max(1, Math.floor(cores / 2));
    if (!Number.isInteger(threads) || threads < 1)
      throw new UsageError("--threads must be a positive integer");
    const names =
      typeof flags.device === "string"
        ? flags.device
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    const cacheDir = typeof flags.cache === "string" ? flags.cache : undefined;
    if (cacheDir !== undefined) mkdirSync(cacheDir, { recursive: true });

    if (ip[1] !== "127") io.err.write(`\n${UNAUTHENTICATED_WARNING}\n\n`);
    const lib = initBackend(backendOptions(io.env));
    const rpc = rpcBackendInfo();
    const devices = rpcServeDevices(names);
    const endpoint = `${host}:${port}`;
    io.out.write(
      `tsllm rpc-server: serving ${devices.map((d) => d.name).join(", ")} on ${endpoint} ` +
        `(ggml RPC protocol ${rpc.version}, llama.cpp ${lib.llamaVersion}, ${lib.lib.variant} libraries)\n`,
    );
    // ggml's server loop blocks this thread for good, so SIGTERM/SIGINT are handled natively: exit status 0
    // (a service manager's stop is not a failure), the kernel closing the socket.
    exitZeroOnStop();
    serveRpc({ endpoint, devices, threads, cacheDir });
  },
);
