import pkg from "../package.json" with { type: "json" };

/** tsllm's own version. */
export const VERSION: string = pkg.version;

/**
 * The Ollama API version tsllm is compatible with (the newest Ollama release whose wire format it follows):
 * what /api/version answers as `version`, since clients gate features (thinking, tools) on that number.
 */
export const OLLAMA_VERSION = "0.32.15";
