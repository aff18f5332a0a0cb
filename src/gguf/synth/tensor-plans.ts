/** Tensor plans of the synthetic generator: random-normal matrices (quantized or f32) and constant vectors. */
import type { TensorPlan } from "./presets.ts";

const STD = 0.02;

/** A 2-D weight that takes the model's quantization (random normal, std 0.02 unless given). */
export const matrix = (name: string, shape: number[], std = STD): TensorPlan => ({
  name,
  shape,
  init: "normal",
  std,
  quantize: true,
});

/** A random-normal tensor kept in f32 (projectors are never quantized). */
export const normal = (name: string, shape: number[], std = STD): TensorPlan => ({
  ...matrix(name, shape, std),
  quantize: false,
});

/** A 1-D f32 tensor of ones or zeros (norm weights, biases). */
export const vector = (name: string, n: number, init: "ones" | "zeros"): TensorPlan => ({
  name,
  shape: [n],
  init,
  std: 0,
  quantize: false,
});
