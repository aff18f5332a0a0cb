/** Starts llama.cpp's llama-server (the anchor) and speaks its /completion API, for benchmarks. */
import type { Subprocess } from "bun";

/** A running llama-server. */
export interface AnchorServer {
  url: string;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** Starts llama-server on a free loopback port and waits until /health is ok. */
export async function startAnchor(
  bin: string,
  model: string,
  o: { ctx: number; parallel: number; threads: number; batch: number; extraArgs?: string[] },
): Promise<AnchorServer> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const proc = Bun.spawn(
    [
      `${bin}/llama-server`,
      "-m",
      model,
      "-c",
      String(o.ctx),
      "-np",
      String(o.parallel),
      "-kvu",
      "-t",
      String(o.threads),
      "-b",
      String(o.batch),
      "-ub",
      String(o.batch),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--no-webui",
      "-fit",
      "off",
      ...(o.extraArgs ?? []),
    ],
    {
      stdout: "ignore",
      stderr: Bun.file(`/tmp/tsllm-anchor-${port}.log`),
      // A shared-library build finds its libraries next to it (bench/build-anchor-prebuilt.sh).
      env: { ...process.env, LD_LIBRARY_PATH: bin },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await Bun.sleep(100);
  }
  return {
    url,
    proc,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Streams one completion; returns time to first token and generated count. */
export async function anchorCompletion(
  url: string,
  prompt: number[],
  body: Record<string, unknown>,
): Promise<{ ttftMs: number; n: number }> {
  const t0 = performance.now();
  // A fresh connection per request: reusing one that llama-server closed after a stream resets.
  const res = await fetch(`${url}/completion`, {
    method: "POST",
    headers: { connection: "close" },
    keepalive: false,
    body: JSON.stringify({ prompt, stream: true, ...body }),
  });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const dec = new TextDecoder();
  let buf = "";
  let ttft = 0;
  let n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    let i = buf.indexOf("\n\n");
    while (i >= 0) {
      const ev = buf.slice(0, i).replace(/^data: /, "");
      buf = buf.slice(i + 2);
      i = buf.indexOf("\n\n");
      if (!ev.trim()) continue;
      const m = JSON.parse(ev);
      if (!ttft) ttft = performance.now() - t0;
      if (m.stop) n = m.timings?.predicted_n ?? m.tokens_predicted ?? n;
    }
  }
  return { ttftMs: ttft, n };
}
