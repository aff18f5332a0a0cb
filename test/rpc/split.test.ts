/**
 * A model split across this host and two loopback `tsllm rpc-server`s through serve's TSLLM_RPC_SERVERS and a
 * pin (PARAMETER rpc_servers): the same greedy tokens as a local load, /api/ps shows each host's share, a server
 * killed mid-generation ends the stream with an error naming it and the next request loads without it; a pin
 * naming a foreign server and bad lists fail clearly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GREEDY, type Json, models, startTestServer, type TestServer } from "../api/helpers.ts";
import { probeRpcServer } from "../../src/llama/ffi/rpc-probe.ts";
import { buildExtras, freePort, startRpcServer, waitFor } from "./helpers.ts";

const PROTO = { major: 7, minor: 0, patch: 0 };
const extras = buildExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`RPC split tests skipped: ${skip}`);

/** Reads an NDJSON response to its end: the records, parsed. */
async function records(res: Response, onRecord?: (r: Json) => void): Promise<Json[]> {
  const out: Json[] = [];
  let buf = "";
  for await (const chunk of res.body as ReadableStream<Uint8Array>) {
    buf += Buffer.from(chunk).toString();
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) {
        const r = JSON.parse(line) as Json;
        out.push(r);
        onRecord?.(r);
      }
      nl = buf.indexOf("\n");
    }
  }
  if (buf.trim()) out.push(JSON.parse(buf));
  return out;
}

describe.skipIf(skip !== null)("a model split over RPC servers", () => {
  const servers: ReturnType<typeof startRpcServer>[] = [];
  const endpoints: string[] = [];
  let s: TestServer;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      servers.push(startRpcServer("--port", String(port), "--threads", "1"));
      endpoints.push(`127.0.0.1:${port}`);
    }
    for (const ep of endpoints) await waitFor(() => probeRpcServer(ep, PROTO, { timeoutMs: 2000 }));
    s = await startTestServer({ TSLLM_RPC_SERVERS: endpoints.join(",") });
    const gguf = await models.chat();
    await s.createFrom("tiny", gguf);
    // Pinned to both servers (a Modelfile PARAMETER): its layers spread over them. The tiny model has two
    // blocks and the output head; num_gpu 2 puts one block on each server and keeps the head on this host.
    await s.createFrom("pinned", gguf, { parameters: { rpc_servers: endpoints.join(","), num_gpu: 2 } });
  }, 120000);

  afterAll(async () => {
    await s?.stop();
    for (const r of servers) r.proc.kill("SIGKILL");
    await Promise.all(servers.map((r) => r.proc.exited));
  });

  const generate = async (model: string, options: Json = {}) => {
    const res = await s.request("/api/generate", {
      model,
      prompt: "Why is the sky blue?",
      stream: false,
      options: { ...GREEDY, num_predict: 24, ...options },
    });
    const body = await res.json();
    expect(body.error).toBeUndefined();
    expect(res.status).toBe(200);
    return body;
  };
  const ps = async (): Promise<Json> =>
    ((await (await s.request("/api/ps", undefined, "GET")).json()).models as Json[])[0] ?? {};
  const unloadAll = async () => {
    for (const model of ["tiny", "pinned"]) await s.request("/api/generate", { model, keep_alive: 0 });
    await waitFor(async () => ((await ps()).name === undefined ? true : undefined));
  };

  test("split over this host and both servers: same greedy tokens as a local load; /api/ps shows the three-way split", async () => {
    const split = await generate("pinned");
    const row = await ps();
    expect(row.name).toBe("pinned:latest");
    const hosts = (row.split ?? []).map((h: Json) => h.host).sort();
    expect(hosts).toEqual([...endpoints, "local"].sort());
    for (const h of row.split) expect(h.size).toBeGreaterThan(0);
    expect(row.split.reduce((n: number, h: Json) => n + h.size, 0)).toBe(row.size);

    await unloadAll();
    const local = await generate("tiny", { num_gpu: 0 });
    expect((await ps()).split).toBeUndefined();
    expect(local.context).toEqual(split.context);
    expect(local.response).toBe(split.response);
  }, 120000);

  test("a pin naming a server TSLLM_RPC_SERVERS does not list is refused, naming it", async () => {
    const res = await s.request("/api/generate", {
      model: "tiny",
      prompt: "Hi",
      stream: false,
      options: { rpc_servers: "10.9.8.7:50052" },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain("10.9.8.7:50052 is not in TSLLM_RPC_SERVERS");
  });

  test("a server killed mid-generation ends the stream with an error naming it; the next request loads without it", async () => {
    await unloadAll();
    await generate("pinned");
    expect(((await ps()).split as Json[]).map((h) => h.host).sort()).toEqual([...endpoints, "local"].sort());
    const victim = servers[0] as (typeof servers)[number];
    const used = endpoints[0] as string;
    const res = await s.request("/api/generate", {
      model: "pinned",
      prompt: "Tell me a long story.",
      options: { ...GREEDY, num_predict: 20000 },
    });
    let killed = false;
    const recs = await records(res, (r) => {
      if (!killed && r.response !== undefined) {
        killed = true;
        victim.proc.kill("SIGKILL");
      }
    });
    expect(killed).toBe(true);
    const last = recs.at(-1) as Json;
    expect(last.error).toContain(used);

    await generate("pinned");
    const hosts = ((await ps()).split ?? []).map((h: Json) => h.host).sort();
    expect(hosts).toEqual([endpoints[1], "local"].sort());
  }, 120000);
});

describe.skipIf(skip !== null)("TSLLM_RPC_SERVERS errors", () => {
  test("a malformed entry stops serve with an error naming it", async () => {
    expect(startTestServer({ TSLLM_RPC_SERVERS: "127.0.0.1:50052,nohostport" })).rejects.toThrow(
      /TSLLM_RPC_SERVERS: entry 2 "nohostport" is not host:port/,
    );
  });

  test("an unreachable server: serve starts, models load locally", async () => {
    const s = await startTestServer({ TSLLM_RPC_SERVERS: `127.0.0.1:${await freePort()}` });
    try {
      await s.createFrom("tiny", await models.chat());
      const res = await s.request("/api/generate", {
        model: "tiny",
        prompt: "Hi",
        stream: false,
        options: { ...GREEDY, num_predict: 4 },
      });
      expect(res.status).toBe(200);
      const rows = (await (await s.request("/api/ps", undefined, "GET")).json()).models as Json[];
      expect(rows[0]?.split).toBeUndefined();
    } finally {
      await s.stop();
    }
  }, 60000);
});
