/**
 * The text half of a synthetic Qwen2-VL pair: llama.cpp's `qwen2vl` architecture (Qwen2 blocks with q/k/v
 * biases, M-RoPE over `rope.dimension_sections`), Qwen2's vocabulary with its vision control tokens, and the
 * chat template Qwen2-VL-Instruct ships. Its projector is projector-qwen2vl.ts.
 */
import { gv } from "../typed.ts";
import { GgufValueType } from "../types.ts";
import type { GgufTypedValue } from "../value.ts";
import { NAMED_TEMPLATES, type NamedTemplate } from "./chat-templates.ts";
import type { TensorPlan } from "./presets.ts";
import type { VocabTemplate } from "./vocab.ts";
import { matrix, vector } from "./tensor-plans.ts";

/** Shape of a Qwen2-VL text model. */
export interface Qwen2VlPreset {
  arch: "qwen2vl";
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  contextLength: number;
}

/**
 * Qwen/Qwen2-VL-7B-Instruct's chat template: a string content is written as is (the runner's media marker in
 * it becomes <|vision_start|>…<|vision_end|> in libmtmd), list content puts
 * <|vision_start|><|image_pad|><|vision_end|> per image.
 */
export const QWEN2VL_TEMPLATE = String.raw`{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system
You are a helpful assistant.<|im_end|>
{% endif %}<|im_start|>{{ message['role'] }}
{% if message['content'] is string %}{{ message['content'] }}<|im_end|>
{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>
{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
{% endif %}`;

/**
 * How many of a head's rotary pairs each M-RoPE axis (time, height, width, unused) rotates: Qwen2-VL's
 * [16, 24, 24, 0] of 64 pairs, scaled to `headDim / 2` pairs (the sections must cover them exactly).
 */
export function ropeSections(headDim: number): number[] {
  const pairs = headDim / 2;
  const t = Math.round((pairs * 16) / 64);
  const h = Math.floor((pairs - t) / 2);
  return [t, h, pairs - t - h, 0];
}

/** Every tensor of the text model, in file order (names and shapes as llama.cpp's qwen2vl loads them). */
export function qwen2vlPlan(p: Qwen2VlPreset, nVocab: number): TensorPlan[] {
  const kv = (p.nEmbd / p.nHead) * p.nHeadKv;
  // Queries and keys 10× the usual scale: attention scores of a few units, so attention (and the output)
  // depends on where each token sits. At 0.02 it is near uniform and a misplaced token would go unnoticed.
  const QK_STD = 0.2;
  const plan = [matrix("token_embd.weight", [p.nEmbd, nVocab])];
  for (let i = 0; i < p.nLayer; i++) {
    const b = `blk.${i}`;
    plan.push(
      vector(`${b}.attn_norm.weight`, p.nEmbd, "ones"),
      matrix(`${b}.attn_q.weight`, [p.nEmbd, p.nEmbd], QK_STD),
      vector(`${b}.attn_q.bias`, p.nEmbd, "zeros"),
      matrix(`${b}.attn_k.weight`, [p.nEmbd, kv], QK_STD),
      vector(`${b}.attn_k.bias`, kv, "zeros"),
      matrix(`${b}.attn_v.weight`, [p.nEmbd, kv]),
      vector(`${b}.attn_v.bias`, kv, "zeros"),
      matrix(`${b}.attn_output.weight`, [p.nEmbd, p.nEmbd]),
      vector(`${b}.ffn_norm.weight`, p.nEmbd, "ones"),
      matrix(`${b}.ffn_gate.weight`, [p.nEmbd, p.nFf]),
      matrix(`${b}.ffn_up.weight`, [p.nEmbd, p.nFf]),
      matrix(`${b}.ffn_down.weight`, [p.nFf, p.nEmbd]),
    );
  }
  // As llamaPlan: 1/sqrt(n_embd) gives logits of std ~1, a spread-out distribution to sample from.
  plan.push(
    vector("output_norm.weight", p.nEmbd, "ones"),
    matrix("output.weight", [p.nEmbd, nVocab], 1 / Math.sqrt(p.nEmbd)),
  );
  return plan;
}

/** The `qwen2vl.*` hyper-parameters, Qwen2-VL's values where size does not matter. */
export function qwen2vlMetadata(p: Qwen2VlPreset, nVocab: number): Record<string, GgufTypedValue> {
  return {
    "qwen2vl.context_length": gv.u32(p.contextLength),
    "qwen2vl.embedding_length": gv.u32(p.nEmbd),
    "qwen2vl.block_count": gv.u32(p.nLayer),
    "qwen2vl.feed_forward_length": gv.u32(p.nFf),
    "qwen2vl.attention.head_count": gv.u32(p.nHead),
    "qwen2vl.attention.head_count_kv": gv.u32(p.nHeadKv),
    "qwen2vl.rope.freq_base": gv.f32(1000000),
    "qwen2vl.attention.layer_norm_rms_epsilon": gv.f32(1e-6),
    "qwen2vl.rope.dimension_sections": gv.array(GgufValueType.INT32, ropeSections(p.nEmbd / p.nHead)),
    "qwen2vl.vocab_size": gv.u32(nVocab),
  };
}

/** The vocabulary fix-ups of the real model: Qwen2.5's added tokens (the vision ones among them) and its template. */
export function qwen2vlVocabTemplate(): VocabTemplate {
  const qwen25 = NAMED_TEMPLATES["qwen2.5"] as NamedTemplate;
  return { source: QWEN2VL_TEMPLATE, tokens: qwen25.tokens, overrides: qwen25.overrides };
}
