/** The pure-TS memory planner: model facts, cost model, layer assignment, default context length. */
export { type Assignment, assignLayers, findBestFit, greedyFit } from "./assign.ts";
export { defaultContextLength } from "./context.ts";
export {
  type GraphEstimate,
  graphSize,
  type KvCacheType,
  kvBytesPerElement,
  kvCacheBytes,
  layerCosts,
} from "./cost.ts";
export { humanBytes, InsufficientMemoryError, RequireFullOffloadError } from "./errors.ts";
export { type GgufLike, type GgufTensorInfo, type ModelFacts, modelFactsFromGguf } from "./facts.ts";
export { fileTypeName } from "./file-type.ts";
export {
  DEFAULT_GPU_MINIMUM,
  type DeviceUse,
  type GpuInfo,
  type GpuPlacement,
  type LayoutInput,
  type LayoutPlan,
  planLayout,
} from "./plan.ts";
