/** Shared by the RPC tests: the native extras (built once, or a reason to skip), children, free ports. */
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");

/** Builds libggml-rpc.so (cached); the output dir, or why this machine cannot (tests skip then). */
export function buildExtras(): { dir: string } | { skip: string } {
  const r = Bun.spawnSync(["bash", join(ROOT, "scripts", "build-native-extras.sh")], { stderr: "pipe" });
  if (r.exitCode === 3) return { skip: r.stderr.toString().trim() };
  if (r.exitCode !== 0) throw new Error(`build-native-extras.sh failed:\n${r.stderr.toString()}`);
  return { dir: r.stdout.toString().trim() };
}

/** Runs test/rpc/client.ts in a child process (native loads and aborts stay out of the test process). */
export async function client(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "client.ts"), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TSLLM_LLM_LIBRARY: "cpu" },
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out, err };
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** `bun src/main.ts rpc-server …` as a child; stdout and stderr collected as they arrive. */
export function startRpcServer(...args: string[]) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src", "main.ts"), "rpc-server", ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TSLLM_LLM_LIBRARY: "cpu" },
  });
  const text = { out: "", err: "" };
  const pump = async (s: ReadableStream<Uint8Array>, k: "out" | "err") => {
    for await (const chunk of s) text[k] += Buffer.from(chunk).toString();
  };
  const drained = Promise.all([pump(proc.stdout, "out"), pump(proc.stderr, "err")]);
  return { proc, text, drained };
}

/** Polls `check` until it returns a value (a condition wait, bounded by `ms`). */
export async function waitFor<T>(check: () => Promise<T | undefined>, ms = 30000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await Bun.sleep(50);
  }
}
