/** Tensor plans of a synthetic projector: f32 (never quantized), random normal or constant. */
import type { TensorPlan } from "./presets.ts";

const STD = 0.02;

/** A random-normal tensor (std 0.02 unless given). */
export const normal = (name: string, shape: number[], std = STD): TensorPlan => ({
  name,
  shape,
  init: "normal",
  std,
  quantize: false,
});

/** A 1-D tensor of ones or zeros (norm weights, biases). */
export const constant = (name: string, n: number, init: "ones" | "zeros"): TensorPlan => ({
  name,
  shape: [n],
  init,
  std: 0,
  quantize: false,
});
