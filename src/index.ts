/** smaug-sim as a library: everything the CLI does is a function call from here. */

export * from "./energy/index.js";
export * from "./engine/index.js";
export { crossCheck, randomBatch, randomCacheConfig } from "./engine/selfcheck.js";
export { WORKLOADS, type WorkloadName, workloadBatches } from "./engine/workloads.js";
export { InputError } from "./errors.js";
export * from "./graph/builder.js";
export {
  buildGraph,
  type GraphDefinition,
  GraphError,
  type GraphStats,
  graphStats,
  type LayerStats,
  parseRef,
  tensorRef,
} from "./graph/graph.js";
export { initWeights } from "./graph/init.js";
export { OPS } from "./graph/ops.js";
export { alignedShape, makeTensor, numElements } from "./graph/tensor.js";
export * from "./graph/types.js";
export { loadGraph, saveGraph } from "./io/graph-file.js";
export { type RunOptions, runGraph, type Value } from "./kernels/execute.js";
export * from "./memory/index.js";
export { getModel, MODELS, type ModelInfo, type ModelOptions } from "./models/index.js";
export * from "./soc/index.js";
