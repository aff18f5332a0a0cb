/**
 * Synthetic vision projectors (mmproj GGUF, llama.cpp's `clip` architecture) for tests and benchmarks: for a
 * qwen2vl preset Qwen2-VL's merger (projector-qwen2vl.ts), else LLaVA's "mlp" projector type over a tiny ViT (32×32 images in 8×8 patches: 16 image tokens, two blocks), seeded
 * random weights, output width = the text model's n_embd so libmtmd accepts it for that model. Encoding
 * takes milliseconds on a CPU; every code path (decode, resize, ViT, projection, placement) is real.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { gv } from "../typed.ts";
import { GgmlType, GgufValueType } from "../types.ts";
import { writeGguf } from "../writer.ts";
import { SynthOptionError } from "./errors.ts";
import { PRESETS, paramCount, type TensorPlan } from "./presets.ts";
import {
  QWEN2VL_PROJECTOR_VERSION,
  qwen2vlProjectorMetadata,
  qwen2vlProjectorPlan,
  TINY_QWEN2VL_VIT,
} from "./projector-qwen2vl.ts";
import { normal, vector } from "./tensor-plans.ts";
import { tensorChunks } from "./tensors.ts";

/** The vision tower's shape. */
export interface ProjectorShape {
  imageSize: number;
  patchSize: number;
  nEmbd: number;
  nHead: number;
  nFf: number;
  nLayer: number;
}

/** The default tower: small enough to encode in milliseconds. */
export const TINY_VIT: ProjectorShape = {
  imageSize: 32,
  patchSize: 8,
  nEmbd: 64,
  nHead: 4,
  nFf: 128,
  nLayer: 2,
};

/** Patches per side pooled into one image token by the Gemma 3 projector. */
export const GEMMA3_MERGE = 2;

/** The Gemma 3 projector's default tower: 64-pixel images, 8×8 patches pooled to 16 image tokens. */
export const TINY_GEMMA3_VIT: ProjectorShape = { ...TINY_VIT, imageSize: 64 };

/** Bumped whenever the projector generator's output changes, so cached files are regenerated. */
export const PROJECTOR_VERSION = 1;

/** Image tokens one image becomes with `shape` (one per patch: the mlp projector neither merges nor adds). */
export const imageTokens = (shape: ProjectorShape = TINY_VIT): number =>
  (shape.imageSize / shape.patchSize) ** 2;

/** Every tensor of the projector, in file order (names and ggml shapes as tools/mtmd/clip.cpp loads them). */
export function projectorPlan(
  s: ProjectorShape,
  nEmbdText: number,
  kind: "mlp" | "gemma3" = "mlp",
): TensorPlan[] {
  const n = s.nEmbd;
  const nPatches = imageTokens(s);
  const plan = [
    normal("v.patch_embd.weight", [s.patchSize, s.patchSize, 3, n]),
    vector("v.patch_embd.bias", n, "zeros"),
    normal("v.position_embd.weight", [n, nPatches]),
  ];
  if (kind === "mlp") plan.push(vector("v.pre_ln.weight", n, "ones"), vector("v.pre_ln.bias", n, "zeros"));
  for (let i = 0; i < s.nLayer; i++) {
    const b = `v.blk.${i}`;
    for (const x of ["attn_q", "attn_k", "attn_v", "attn_out"])
      plan.push(normal(`${b}.${x}.weight`, [n, n]), vector(`${b}.${x}.bias`, n, "zeros"));
    plan.push(
      vector(`${b}.ln1.weight`, n, "ones"),
      vector(`${b}.ln1.bias`, n, "zeros"),
      vector(`${b}.ln2.weight`, n, "ones"),
      vector(`${b}.ln2.bias`, n, "zeros"),
      // ffn_down's input width (ne[0]) is n_ff, never n_embd: clip.cpp swaps up/down of old files otherwise.
      normal(`${b}.ffn_up.weight`, [n, s.nFf]),
      vector(`${b}.ffn_up.bias`, s.nFf, "zeros"),
      normal(`${b}.ffn_down.weight`, [s.nFf, n]),
      vector(`${b}.ffn_down.bias`, n, "zeros"),
    );
  }
  if (kind === "gemma3") {
    // Gemma 3's SigLIP: post-LayerNorm, patches average-pooled, RMS-normed, one projection (no bias).
    plan.push(
      vector("v.post_ln.weight", n, "ones"),
      vector("v.post_ln.bias", n, "zeros"),
      vector("mm.soft_emb_norm.weight", n, "ones"),
      normal("mm.input_projection.weight", [nEmbdText, n], 1 / Math.sqrt(n)),
    );
    return plan;
  }
  // LLaVA's two-layer MLP into the text model's embedding space; 1/sqrt(width) keeps its outputs' scale.
  plan.push(
    normal("mm.0.weight", [n, nEmbdText], 1 / Math.sqrt(n)),
    vector("mm.0.bias", nEmbdText, "zeros"),
    normal("mm.2.weight", [nEmbdText, nEmbdText]),
    vector("mm.2.bias", nEmbdText, "zeros"),
  );
  return plan;
}

/** Options of one synthetic projector. */
export interface ProjectorOptions {
  /** The chat preset (presets.ts) whose n_embd the projector feeds, e.g. "tiny". */
  preset: string;
  /**
   * For a llama preset: LLaVA's "mlp" (default), or Gemma 3's projector, whose image tokens attend to each
   * other both ways (non-causal) and are pooled `GEMMA3_MERGE`² patches to one.
   */
  kind?: "mlp" | "gemma3";
  seed?: number;
  out: string;
  shape?: ProjectorShape;
}

/** Writes a synthetic projector GGUF for models of `preset`; the same options give byte-identical files. */
export async function synthesizeProjector(
  o: ProjectorOptions,
): Promise<{ path: string; bytes: number; params: number; tensors: number }> {
  const preset = PRESETS[o.preset];
  if (preset === undefined || preset.arch === "bert")
    throw new SynthOptionError(
      `a projector needs a chat preset (${Object.keys(PRESETS)
        .filter((k) => PRESETS[k]?.arch !== "bert")
        .join(", ")}): ${o.preset}`,
    );
  const merger = preset.arch === "qwen2vl";
  const kind = o.kind ?? "mlp";
  const s = o.shape ?? (merger ? TINY_QWEN2VL_VIT : kind === "gemma3" ? TINY_GEMMA3_VIT : TINY_VIT);
  if (s.imageSize % s.patchSize !== 0 || s.nEmbd % s.nHead !== 0 || s.nFf === s.nEmbd)
    throw new SynthOptionError(
      "projector shape: image size must be a multiple of the patch size, n_embd of n_head, n_ff other than n_embd",
    );
  const seed = o.seed ?? 1;
  const plan = merger ? qwen2vlProjectorPlan(s, preset.nEmbd) : projectorPlan(s, preset.nEmbd, kind);
  const f32s = (v: number[]) => gv.array(GgufValueType.FLOAT32, v);
  const general = {
    "general.architecture": gv.str("clip"),
    "general.type": gv.str("mmproj"),
    "general.name": gv.str(`synth-projector-${o.preset}`),
    "general.file_type": gv.u32(0),
    "tsllm.synth.version": gv.u32(merger ? QWEN2VL_PROJECTOR_VERSION : PROJECTOR_VERSION),
    "tsllm.synth.seed": gv.u32(seed),
  };
  const metadata = merger
    ? { ...general, ...qwen2vlProjectorMetadata(s, preset.nEmbd) }
    : {
        ...general,
        "clip.has_vision_encoder": gv.bool(true),
        "clip.projector_type": gv.str(kind),
        ...(kind === "gemma3" ? { "clip.vision.projector.scale_factor": gv.u32(GEMMA3_MERGE) } : {}),
        "clip.use_gelu": gv.bool(true),
        "clip.vision.image_size": gv.u32(s.imageSize),
        "clip.vision.patch_size": gv.u32(s.patchSize),
        "clip.vision.embedding_length": gv.u32(s.nEmbd),
        "clip.vision.feed_forward_length": gv.u32(s.nFf),
        "clip.vision.block_count": gv.u32(s.nLayer),
        "clip.vision.projection_dim": gv.u32(preset.nEmbd),
        "clip.vision.attention.head_count": gv.u32(s.nHead),
        "clip.vision.attention.layer_norm_epsilon": gv.f32(1e-6),
        "clip.vision.image_mean": f32s([0.5, 0.5, 0.5]),
        "clip.vision.image_std": f32s([0.5, 0.5, 0.5]),
      };
  const tensors = plan.map((t) => ({
    name: t.name,
    shape: t.shape,
    type: GgmlType.F32,
    data: () => tensorChunks(t, GgmlType.F32, seed),
  }));
  await mkdir(dirname(o.out), { recursive: true });
  const bytes = await writeGguf(o.out, { metadata, tensors });
  return { path: o.out, bytes, params: paramCount(plan), tensors: plan.length };
}
