import pkg from "../package.json" with { type: "json" };

/** tsllm's own version. */
export const VERSION: string = pkg.version;
