/**
 * Sampling of accelerator invocations (SMAUG's --sample-level / --sample-num). Placeholder
 * until the sampled loop levels are implemented: only "no" is accepted.
 */
import type { LayerPlan } from "../accel/index.js";
import { InputError } from "../errors.js";
import type { SampleLevel } from "./types.js";

export interface SampleIndex {
  /** Cycles to replay for invocation k instead of its own cost, or undefined to simulate it. */
  replay(k: number): number | undefined;
  /** Record the cost of invocation k (simulated or not). */
  observe(k: number, cycles: number): void;
}

const NONE: SampleIndex = { replay: () => undefined, observe: () => {} };

export function samplePlan(level: SampleLevel, num: number): (step: LayerPlan) => SampleIndex {
  if (level !== "no") throw new InputError(`--sample-level ${level}: not implemented yet (only "no")`);
  if (!Number.isInteger(num) || num < 1) throw new InputError(`--sample-num ${num}: must be an integer >= 1`);
  return () => NONE;
}
