/**
 * Large model layers for resume and benchmark runs. Pulls never parse a model layer, so where a test does not
 * run the model its weights can be random bytes: generated in memory in well under a second per 100 MB
 * instead of minutes of GGUF synthesis.
 */
import { randomFillSync } from "node:crypto";
import { MediaType } from "../../../src/store/index.ts";
import type { SeedLayer } from "./seed.ts";

/** `size` random bytes (incompressible, so no transport can shortcut them). */
export function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  // randomFillSync takes at most 2^31-1 bytes per call.
  for (let at = 0; at < size; at += 1 << 30) randomFillSync(out, at, Math.min(1 << 30, size - at));
  return out;
}

/** The layers of a model whose weights are `size` random bytes, with a small template and params. */
export function randomModelLayers(size: number): SeedLayer[] {
  const enc = new TextEncoder();
  return [
    { mediaType: MediaType.model, bytes: randomBytes(size) },
    { mediaType: MediaType.template, bytes: enc.encode("{{ .Prompt }}") },
    { mediaType: MediaType.params, bytes: enc.encode(JSON.stringify({ temperature: 0 })) },
  ];
}
