/** The accelerators: the interface, the registry with the built-in models, and graph planning. */
import { registerAccelerator } from "./registry.js";
import { smv } from "./smv.js";

registerAccelerator(smv);

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
export { SYSTOLIC_DEFAULTS, type SystolicParams, systolicParamsSchema } from "./systolic-params.js";
export type * from "./types.js";
