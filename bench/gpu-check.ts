/**
 * The GPU check: a compiled `tsllm` serving a model fully offloaded (libraries from `--lib`, as TSLLM_LIB_DIR),
 * against llama-bench built from the same llama.cpp source with the same backend (`--anchor` dir). Reports
 * prefill (pp, tokens/s over a ~512-token prompt) and decode (tg, 128 tokens) for one stream, the aggregate
 * decode of 4 concurrent streams through serve, and what /api/ps says about the offload. Self-contained (no
 * npm imports) so that the compiled executable can run it: `BUN_BE_BUN=1 ./tsllm bench/gpu-check.ts ...`.
 * Usage: bench/gpu-check.ts --tsllm PATH --lib DIR --model GGUF --anchor DIR [--reps 3] [--ngl 99]
 * (bench/gpu-check.sh prepares all four on an NVIDIA machine.)
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    tsllm: { type: "string" },
    lib: { type: "string" },
    model: { type: "string" },
    anchor: { type: "string" },
    reps: { type: "string", default: "3" },
    ngl: { type: "string", default: "99" },
    port: { type: "string", default: "11499" },
  },
});
for (const k of ["tsllm", "lib", "model", "anchor"] as const) {
  if (!values[k]) throw new Error(`--${k} is required`);
}
const tsllm = values.tsllm as string;
const model = values.model as string;
const reps = Number(values.reps);
const home = mkdtempSync(join(tmpdir(), "tsllm-gpu-"));
const host = `127.0.0.1:${values.port}`;
const env: Record<string, string | undefined> = {
  ...process.env,
  TSLLM_LIB_DIR: values.lib as string,
  TSLLM_MODELS: join(home, "models"),
  TSLLM_CACHE_DIR: join(home, "cache"),
  TSLLM_HOME: home,
  TSLLM_HOST: host,
  TSLLM_NUM_PARALLEL: "4",
};
// This script runs as `BUN_BE_BUN=1 ./tsllm`; the tsllm processes it starts must be tsllm again.
delete env.BUN_BE_BUN;
const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function run(cmd: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const p = Bun.spawn(cmd, { env: { ...env, ...extraEnv }, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${err.slice(-2000)}`);
  return out;
}

log("tsllm info");
console.log((await run([tsllm, "info"])).trim());

const serve = Bun.spawn([tsllm, "serve"], {
  env,
  stdout: "ignore",
  stderr: Bun.file(join(home, "serve.log")),
});
const url = `http://${host}`;
for (let i = 0; ; i++) {
  if (
    await fetch(`${url}/api/version`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  if (i > 300) throw new Error("serve did not start in 30 s");
  await Bun.sleep(100);
}
try {
  const modelfile = join(home, "Modelfile");
  writeFileSync(modelfile, `FROM ${model}\n`);
  await run([tsllm, "create", "gpu1b", "-f", modelfile]);

  interface Done {
    prompt_eval_count: number;
    prompt_eval_duration: number;
    eval_count: number;
    eval_duration: number;
    total_duration: number;
  }
  const words = "the quick brown fox jumps over a lazy dog while seven small birds sing in green trees".split(
    " ",
  );
  const prompt = (tag: number) => {
    const out = [`Request ${tag}:`];
    for (let i = 0; out.length < 470; i++) out.push(words[(i * 7 + tag) % words.length] as string);
    return out.join(" ");
  };
  const generate = async (tag: number, numPredict: number): Promise<Done> => {
    const r = await fetch(`${url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model: "gpu1b",
        prompt: prompt(tag),
        raw: true,
        stream: false,
        options: {
          temperature: 0,
          seed: 1,
          num_predict: numPredict,
          num_ctx: 4096,
          num_gpu: Number(values.ngl),
        },
      }),
    });
    if (!r.ok) throw new Error(`generate: ${r.status} ${await r.text()}`);
    return (await r.json()) as Done;
  };

  log("warm-up (load + one request)");
  const t0 = performance.now();
  await generate(1000, 8);
  const loadMs = performance.now() - t0;
  const ps = (await (await fetch(`${url}/api/ps`)).json()) as {
    models: { size: number; size_vram: number }[];
  };
  const m = ps.models[0];

  const pp: number[] = [];
  const tg: number[] = [];
  let promptTokens = 0;
  for (let r = 0; r < reps; r++) {
    const d = await generate(r, 128);
    promptTokens = d.prompt_eval_count;
    pp.push(d.prompt_eval_count / (d.prompt_eval_duration / 1e9));
    tg.push(d.eval_count / (d.eval_duration / 1e9));
    log(
      `rep ${r + 1}: pp ${pp.at(-1)?.toFixed(1)} t/s (${d.prompt_eval_count} tokens), tg ${tg.at(-1)?.toFixed(1)} t/s (${d.eval_count} tokens)`,
    );
  }
  // Four concurrent streams: aggregate generated tokens over the wall time of the whole batch.
  const c0 = performance.now();
  const four = await Promise.all([0, 1, 2, 3].map((i) => generate(100 + i, 128)));
  const wall = (performance.now() - c0) / 1000;
  const agg = four.reduce((s, d) => s + d.eval_count, 0) / wall;

  log("llama-bench");
  const anchorOut = await run(
    [
      join(values.anchor as string, "llama-bench"),
      "-m",
      model,
      "-ngl",
      values.ngl as string,
      "-p",
      "512",
      "-n",
      "128",
      "-r",
      String(reps),
      "-o",
      "json",
    ],
    { LD_LIBRARY_PATH: [values.anchor, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") },
  );
  const rows = JSON.parse(anchorOut) as {
    n_prompt: number;
    n_gen: number;
    avg_ts: number;
    gpu_info?: string;
  }[];
  const lbPP = rows.find((x) => x.n_prompt === 512 && x.n_gen === 0)?.avg_ts ?? Number.NaN;
  const lbTG = rows.find((x) => x.n_gen === 128 && x.n_prompt === 0)?.avg_ts ?? Number.NaN;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  console.log(`model ${model.split("/").pop()}; loaded in ${(loadMs / 1000).toFixed(1)} s (first request);`);
  console.log(
    `/api/ps: size ${gib(m?.size ?? 0)} GiB, size_vram ${gib(m?.size_vram ?? 0)} GiB; gpu ${rows[0]?.gpu_info ?? "?"}`,
  );
  console.log("| test | tsllm serve (t/s, median) | llama-bench (t/s) | ratio |");
  console.log("|---|---|---|---|");
  console.log(
    `| prefill (pp${promptTokens} vs pp512) | ${med(pp).toFixed(1)} | ${lbPP.toFixed(1)} | ${(med(pp) / lbPP).toFixed(3)} |`,
  );
  console.log(
    `| decode (tg128) | ${med(tg).toFixed(1)} | ${lbTG.toFixed(1)} | ${(med(tg) / lbTG).toFixed(3)} |`,
  );
  console.log(`| decode, 4 concurrent streams (aggregate) | ${agg.toFixed(1)} | — | — |`);
} finally {
  serve.kill("SIGTERM");
  await serve.exited;
  const tail = await Bun.file(join(home, "serve.log")).text();
  console.error(tail.split("\n").slice(-15).join("\n"));
}
