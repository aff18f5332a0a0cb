/** Helpers for the /metrics tests: scraping, reading samples, and running promtool on the text. */

/** GET `path` (default /metrics) as text (throws on a non-200). */
export async function scrapePath(url: string, path = "/metrics", headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { headers });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.text();
}

/** Both sets as one text: /metrics (tsllm_*) and /metrics/llamacpp (llama-server's names). */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const [own, llamacpp] = await Promise.all([
    scrapePath(url, "/metrics", headers),
    scrapePath(url, "/metrics/llamacpp", headers),
  ]);
  return own + llamacpp;
}

/** The value of the sample line `series` (exact name and label set), or undefined. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every sample line of the family `name` (any labels). */
export function samples(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

/** Polls `get` until `ok` holds for its value (no fixed sleeps); fails after `timeoutMs`. */
export async function waitFor<T>(
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (performance.now() > deadline) throw new Error("timed out waiting for the condition");
    await Bun.sleep(5);
  }
}

/** `promtool check metrics` on `text`: its exit code and problem lines; null when promtool is not installed. */
export function promtool(text: string): { code: number; problems: string[] } | null {
  if (!Bun.which("promtool")) return null;
  const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(text) });
  const out = `${r.stdout.toString()}${r.stderr.toString()}`;
  return {
    code: r.exitCode ?? -1,
    problems: out
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean),
  };
}
