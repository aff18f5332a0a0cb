import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { gv } from "../typed.ts";
import { GgmlType } from "../types.ts";
import { writeGguf } from "../writer.ts";
import { DEFAULT_TEMPLATE_NAME, namedTemplateSource, resolveTemplate } from "./chat-templates.ts";
import { endlessPlan, eogTokenIds } from "./endless.ts";
import { SynthOptionError } from "./errors.ts";
import { archMetadata, PRESETS, paramCount, tensorPlan } from "./presets.ts";
import { qwen2vlVocabTemplate } from "./qwen2vl.ts";
import { tensorChunks } from "./tensors.ts";
import { CHAT_VOCABS, EMBED_VOCABS, loadVocab } from "./vocab.ts";

/** Storage types a synthetic model's weight matrices can use, with llama.cpp's general.file_type. */
export const QUANTS: Readonly<Record<string, { type: GgmlType; fileType: number }>> = {
  f32: { type: GgmlType.F32, fileType: 0 },
  f16: { type: GgmlType.F16, fileType: 1 },
  q8_0: { type: GgmlType.Q8_0, fileType: 7 },
  q4_0: { type: GgmlType.Q4_0, fileType: 2 },
};

/** Bumped whenever the generator's output changes, so cached models are regenerated. */
export const SYNTH_VERSION = 1;

/** Options of one synthetic model. */
export interface SynthOptions {
  preset: string;
  quant: string;
  vocab: string;
  /** Weight seed (default 1): the same options and seed give byte-identical files. */
  seed?: number;
  out: string;
  /** Pooling of the embedding preset (default mean). */
  pooling?: "mean" | "cls";
  /** Chat template name (chat-templates.ts TEMPLATE_NAMES); default: the vocabulary's own. */
  template?: string;
  /** Llama presets: no end-of-generation token can ever be sampled (endless.ts). */
  endless?: boolean;
}

/** What was written. */
export interface SynthResult {
  path: string;
  bytes: number;
  params: number;
  tensors: number;
}

/** Checks options and resolves the preset and quantization, throwing SynthOptionError when invalid. */
export function resolveSynthOptions(o: Omit<SynthOptions, "out">) {
  const preset = PRESETS[o.preset];
  if (preset === undefined) {
    throw new SynthOptionError(`unknown preset "${o.preset}" (known: ${Object.keys(PRESETS).join(", ")})`);
  }
  const quant = QUANTS[o.quant];
  if (quant === undefined) {
    throw new SynthOptionError(`unknown quant "${o.quant}" (known: ${Object.keys(QUANTS).join(", ")})`);
  }
  // Qwen2-VL's text model carries Qwen2's vocabulary and its own template, nothing else.
  const allowed = preset.arch === "bert" ? EMBED_VOCABS : preset.arch === "qwen2vl" ? ["qwen2"] : CHAT_VOCABS;
  if (!allowed.includes(o.vocab)) {
    throw new SynthOptionError(
      `vocab "${o.vocab}" does not fit preset "${o.preset}" (use: ${allowed.join(", ")})`,
    );
  }
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SynthOptionError(`seed must be an integer in [0, 2^32): ${seed}`);
  }
  if (preset.arch === "qwen2vl" && o.template !== undefined && o.template !== DEFAULT_TEMPLATE_NAME)
    throw new SynthOptionError(`preset "${o.preset}" has its own chat template (Qwen2-VL's)`);
  if (o.endless && preset.arch !== "llama")
    throw new SynthOptionError(`endless models are llama presets only, not "${o.preset}"`);
  const template = resolveTemplate(o.template, o.vocab);
  return { preset, quant, seed, template };
}

/** Writes a synthetic GGUF model (real vocabulary and chat template, seeded random weights). */
export async function synthesize(o: SynthOptions): Promise<SynthResult> {
  const { preset, quant, seed, template } = resolveSynthOptions(o);
  const vocab = await loadVocab(
    o.vocab,
    preset.arch === "qwen2vl"
      ? qwen2vlVocabTemplate()
      : template && o.template
        ? { ...template, source: await namedTemplateSource(o.template) }
        : undefined,
  );
  // Models with a named template say so in their name; default-template names stay as they were.
  const name = template ? `synth-${o.preset}-${o.vocab}-${o.template}` : `synth-${o.preset}-${o.vocab}`;
  const tokenTypes = vocab.metadata["tokenizer.ggml.token_type_count"]?.value;
  const base = tensorPlan(preset, vocab.size, typeof tokenTypes === "number" ? tokenTypes : 2);
  const plan = o.endless ? endlessPlan(base, eogTokenIds(vocab.metadata)) : base;
  const metadata = {
    "general.architecture": gv.str(preset.arch),
    "general.type": gv.str("model"),
    "general.name": gv.str(name),
    "general.file_type": gv.u32(quant.fileType),
    "general.quantization_version": gv.u32(2),
    "tsllm.synth.version": gv.u32(SYNTH_VERSION),
    "tsllm.synth.seed": gv.u32(seed),
    ...(o.endless ? { "tsllm.synth.endless": gv.bool(true) } : {}),
    ...archMetadata(preset, vocab.size, o.pooling ?? "mean"),
    ...vocab.metadata,
  };
  const tensors = plan.map((t) => {
    const type = t.quantize ? quant.type : GgmlType.F32;
    return { name: t.name, shape: t.shape, type, data: () => tensorChunks(t, type, seed) };
  });
  await mkdir(dirname(o.out), { recursive: true });
  const bytes = await writeGguf(o.out, { metadata, tensors });
  return { path: o.out, bytes, params: paramCount(plan), tensors: plan.length };
}
