import { dirname } from "node:path";

/**
 * Where a Worker's code lives. In development: `devUrl` (beside the caller). In a compiled executable each
 * worker is its own entry point (build.ts lists them), placed by the bundler at its path under src/ with a
 * .js extension, relative to the bundle root where main.js is.
 */
export function workerEntry(srcRelative: string, devUrl: URL): string {
  if (import.meta.path.startsWith("/$bunfs"))
    return `${dirname(import.meta.path)}/${srcRelative.replace(/\.ts$/, ".js")}`;
  return devUrl.href;
}
