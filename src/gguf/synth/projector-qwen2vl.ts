/**
 * The synthetic Qwen2-VL projector (clip.cpp's `qwen2vl_merger`): a ViT with two patch-embedding kernels (the
 * still-image half of its temporal conv), M-RoPE inside the tower instead of position embeddings, LayerNorm
 * blocks with quick-GELU FFNs, then the merger: post-LayerNorm, 2×2 neighbouring patches concatenated, a GELU
 * MLP into the text model's width. Images keep their aspect ratio (resized to multiples of 28 pixels, between
 * 8 and 4096 tokens), so an image of w×h tokens advances the text position by max(w, h) only.
 */
import { qwenVlImageGrid } from "../clip-grid.ts";
import type { GgufTypedValue } from "../value.ts";
import { gv } from "../typed.ts";
import { GgufValueType } from "../types.ts";
import type { ProjectorShape } from "./projector.ts";
import type { TensorPlan } from "./presets.ts";
import { normal, vector } from "./tensor-plans.ts";

/** The default tower: Qwen2-VL's patch size and merge, tiny widths so an image encodes in milliseconds. */
export const TINY_QWEN2VL_VIT: ProjectorShape = {
  imageSize: 56,
  patchSize: 14,
  nEmbd: 64,
  nHead: 4,
  nFf: 128,
  nLayer: 2,
};

/** Bumped whenever this generator's output changes (it is part of the cached file's name). */
export const QWEN2VL_PROJECTOR_VERSION = 1;

/** Every tensor, in file order (names and ggml shapes as clip.cpp loads a qwen2vl_merger projector). */
export function qwen2vlProjectorPlan(s: ProjectorShape, nEmbdText: number): TensorPlan[] {
  const n = s.nEmbd;
  const merged = 4 * n; // 2×2 patches side by side
  const plan = [
    normal("v.patch_embd.weight", [s.patchSize, s.patchSize, 3, n]),
    normal("v.patch_embd.weight.1", [s.patchSize, s.patchSize, 3, n]),
  ];
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
  // The merger: its LayerNorm (ln_q), then MLP 4n → 4n → text width; 1/sqrt(width) keeps the outputs' scale.
  plan.push(
    vector("v.post_ln.weight", n, "ones"),
    vector("v.post_ln.bias", n, "zeros"),
    normal("mm.0.weight", [merged, merged], 1 / Math.sqrt(merged)),
    vector("mm.0.bias", merged, "zeros"),
    normal("mm.2.weight", [merged, nEmbdText]),
    vector("mm.2.bias", nEmbdText, "zeros"),
  );
  return plan;
}

/** The `clip.*` keys of the projector (Qwen2-VL's normalisation constants; no use_gelu: quick-GELU). */
export function qwen2vlProjectorMetadata(
  s: ProjectorShape,
  nEmbdText: number,
): Record<string, GgufTypedValue> {
  const f32s = (v: number[]) => gv.array(GgufValueType.FLOAT32, v);
  return {
    "clip.has_vision_encoder": gv.bool(true),
    "clip.projector_type": gv.str("qwen2vl_merger"),
    "clip.vision.image_size": gv.u32(s.imageSize),
    "clip.vision.patch_size": gv.u32(s.patchSize),
    "clip.vision.embedding_length": gv.u32(s.nEmbd),
    "clip.vision.feed_forward_length": gv.u32(s.nFf),
    "clip.vision.block_count": gv.u32(s.nLayer),
    "clip.vision.projection_dim": gv.u32(nEmbdText),
    "clip.vision.attention.head_count": gv.u32(s.nHead),
    "clip.vision.attention.layer_norm_epsilon": gv.f32(1e-6),
    "clip.vision.spatial_merge_size": gv.u32(2),
    "clip.vision.image_mean": f32s([0.48145466, 0.4578275, 0.40821073]),
    "clip.vision.image_std": f32s([0.26862954, 0.26130258, 0.27577711]),
  };
}

/** The token grid an image of `width`×`height` pixels becomes with this tower (see gguf/clip-grid.ts). */
export function qwen2vlImageGrid(
  width: number,
  height: number,
  s: ProjectorShape = TINY_QWEN2VL_VIT,
): { nx: number; ny: number } {
  return qwenVlImageGrid(width, height, s.patchSize);
}
