/** Runner processes seen through /proc: the children of a serve that run `runner`, for crash and drain tests. */
import { readdirSync, readFileSync } from "node:fs";

/** Pids of `parent`'s runner children, optionally only those whose command line contains `match`. */
export function runnerPids(parent: number, match = ""): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (ppid === parent && cmd.includes("\0runner\0") && cmd.includes(match)) pids.push(Number(name));
    } catch {
      // the process ended while being read
    }
  }
  return pids;
}
