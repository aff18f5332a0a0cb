/**
 * CPU seconds of a process's threads, from /proc/<pid>/task/<tid>/stat (Linux): sampled while work runs, so
 * threads that end before the last sample (a download's workers) still count.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_S = 0.01;

/** `[name, cpu seconds]` of one thread (or process), from its stat line; undefined once it is gone. */
function readStat(path: string): [string, number] | undefined {
  try {
    const s = readFileSync(path, "utf8");
    const close = s.lastIndexOf(")");
    const f = s.slice(close + 2).split(" ");
    return [s.slice(s.indexOf("(") + 1, close), (Number(f[11]) + Number(f[12])) * TICK_S];
  } catch {
    return undefined;
  }
}

/** CPU seconds of process `pid` (all its threads, past ones included). */
export function processCpu(pid: number): number {
  return readStat(`/proc/${pid}/stat`)?.[1] ?? 0;
}

/** Samples the threads of `pid` every `everyMs` until `stop()`, which returns CPU seconds used per thread. */
export function sampleThreads(
  pid: number,
  everyMs = 20,
): { stop(): Map<number, { name: string; cpu: number }> } {
  const base = new Map<number, number>();
  const last = new Map<number, { name: string; cpu: number }>();
  const sample = (into: (tid: number, name: string, cpu: number) => void) => {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return;
    }
    for (const t of tids) {
      const r = readStat(`/proc/${pid}/task/${t}/stat`);
      if (r) into(Number(t), r[0], r[1]);
    }
  };
  sample((tid, _name, cpu) => base.set(tid, cpu));
  const record = (tid: number, name: string, cpu: number) => last.set(tid, { name, cpu });
  const timer = setInterval(() => sample(record), everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample(record);
      const used = new Map<number, { name: string; cpu: number }>();
      for (const [tid, v] of last) used.set(tid, { name: v.name, cpu: v.cpu - (base.get(tid) ?? 0) });
      return used;
    },
  };
}
