/** The accelerators: the interface, the registry with the built-in models, and graph planning. */
import { registerAccelerator } from "./registry.js";
import { smv } from "./smv.js";
import { systolic } from "./systolic-model.js";

registerAccelerator(smv);
registerAccelerator(systolic);

export { addCost, zeroCost } from "./cost.js";
export { type CpuStep, type GraphPlan, planGraph, type StepPlan } from "./plan.js";
export {
  acceleratorKinds,
  getAccelerator,
  hasAccelerator,
  loadAcceleratorFile,
  registerAccelerator,
} from "./registry.js";
export { SMV_OPS, smv } from "./smv.js";
export { SMV_DEFAULTS, type SmvParams, smvParamsSchema } from "./smv-params.js";
export { simulateSystolicLayer, simulateSystolicLayers, systolicLayerFromNode } from "./systolic.js";
export { systolic } from "./systolic-model.js";
export { SYSTOLIC_DEFAULTS, type SystolicParams, systolicParamsSchema } from "./systolic-params.js";
export type * from "./types.js";
