/** smaug-sim as a library: everything the CLI does is a function call from here. */
export * from "./engine/index.js";
export { crossCheck, randomBatch, randomCacheConfig } from "./engine/selfcheck.js";
export { WORKLOADS, type WorkloadName, workloadBatches } from "./engine/workloads.js";
export { InputError } from "./errors.js";
