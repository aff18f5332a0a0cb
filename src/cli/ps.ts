/** `tsllm ps`: loaded models as NAME ID SIZE PROCESSOR CONTEXT UNTIL. */
import { ENV } from "../config/env.ts";
import { defineCommand } from "./command.ts";
import { humanBytes, humanTime } from "./duration.ts";
import { printModels, shortId } from "./list.ts";
import type { RunningModel } from "./wire.ts";

/** "100% GPU", "100% CPU", "48%/52% CPU/GPU", plus the libllama variant when it is not plain cpu. */
export function processorText(m: RunningModel): string {
  const vram = m.size_vram ?? 0;
  let text: string;
  if (vram === 0) text = "100% CPU";
  else if (vram === m.size) text = "100% GPU";
  else if (vram > m.size || m.size === 0) text = "Unknown";
  else {
    const cpu = Math.round(((m.size - vram) / m.size) * 100);
    text = `${cpu}%/${100 - cpu}% CPU/GPU`;
  }
  return m.library && m.library !== "cpu" ? `${text} (${m.library})` : text;
}

/** A /api/ps row with tsllm's per-host split (present only when a model is split over RPC servers). */
type SplitModel = RunningModel & { split?: { host: string; size: number }[] };

/** " on local 10%, 10.0.0.2:50052 90%" for a model split over RPC servers, else "". */
export function splitText(m: SplitModel): string {
  if (!m.split?.length || !(m.size > 0)) return "";
  return ` on ${m.split.map((h) => `${h.host} ${Math.round((h.size / m.size) * 100)}%`).join(", ")}`;
}

/** "4 minutes from now", "Forever", or "Stopping..." once the deadline has passed. */
export function untilText(expires: string | null | undefined, now = Date.now()): string {
  if (expires && new Date(expires).getTime() < now) return "Stopping...";
  return humanTime(expires, "Never", now);
}

/** The ps command. */
export const psCommand = defineCommand(
  {
    name: "ps",
    usage: "",
    summary: "List running models",
    minArgs: 0,
    maxArgs: 1,
    flags: [],
    env: [ENV.HOST.name, ENV.OLLAMA_HOST.name],
  },
  ({ args }, io) =>
    printModels<SplitModel>(
      io,
      "/api/ps",
      args[0],
      ["NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"],
      (m) => [
        m.name,
        shortId(m.digest),
        humanBytes(m.size),
        processorText(m) + splitText(m),
        String(m.context_length ?? 0),
        untilText(m.expires_at),
      ],
    ),
);
