import type { Env } from "../../config/env.ts";

/** `tsllm runner …` (placeholder until the runner lands). */
export async function runnerMain(_args: string[], _env: Env): Promise<number> {
  return 1;
}
