/** Re-quantizing a GGUF file through libllama (llama_model_quantize). */
import { addressOf } from "../ffi/memory.ts";
import { native } from "../ffi/native.ts";
import { QuantizeParams, StructView } from "../ffi/structs.ts";
import { TsllmError } from "../../errors.ts";
import { drainNativeLog } from "./backend.ts";
import { lastError } from "./model.ts";

/** llama_ftype numbers by the names Ollama's `quantize` accepts. */
export const FTYPES: Record<string, number> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q4_1: 3,
  q8_0: 7,
  q5_0: 8,
  q5_1: 9,
  q2_k: 10,
  q3_k_s: 11,
  q3_k_m: 12,
  q3_k_l: 13,
  q4_k_s: 14,
  q4_k_m: 15,
  q5_k_s: 16,
  q5_k_m: 17,
  q6_k: 18,
  bf16: 32,
};

/** Quantization failed or the type is unknown. */
export class QuantizeError extends TsllmError {
  constructor(message: string, status = 500) {
    super(message, { code: "quantize", status });
  }
}

/** Writes `output` as `input` quantized to `type` (e.g. "q4_K_M"). */
export function quantizeModel(input: string, output: string, type: string, threads = 0): void {
  const ftype = FTYPES[type.toLowerCase()];
  if (ftype === undefined) throw new QuantizeError(`unsupported quantization type "${type}"`, 400);
  const { shim, llama } = native();
  const p = new StructView(QuantizeParams);
  shim.tsllm_quantize_default_params(addressOf(p.bytes));
  p.set("nthread", threads).set("ftype", ftype);
  drainNativeLog();
  const rc = llama.llama_model_quantize(
    Buffer.from(`${input}\0`),
    Buffer.from(`${output}\0`),
    addressOf(p.bytes),
  );
  const log = drainNativeLog();
  if (rc !== 0) throw new QuantizeError(`quantizing to ${type} failed: ${lastError(log)}`);
}
