// Helper process for the parent-death test: starts a runner, prints its pid, then waits to be killed.
import { startRunner } from "./helpers.ts";

const r = await startRunner(process.argv[2] as string, { num_parallel: 1 });
process.stdout.write(`${r.pid}\n`);
await new Promise(() => {});
