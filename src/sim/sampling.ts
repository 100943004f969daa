/**
 * Sampling of accelerator invocations, after SMAUG's --sample-level / --sample-num: the levels
 * name which loops of an accelerated layer are sampled, sample-num how many iterations of each
 * sampled loop are simulated in detail; the other iterations are extrapolated from them.
 *
 * SMAUG samples the loops inside its Aladdin kernels. Here the expensive part of a run is each
 * invocation's memory simulation (cache engine, DMA and DRAM models), so the sampled loops are the
 * layer's tile loops, in SMAUG's order:
 *
 *   low        output-channel blocks (the weights tile's first grid coordinate)
 *   medium     + output-row blocks (the output tile's row coordinate; SMAUG adds kernel rows and
 *              columns here, which live inside one invocation in this model)
 *   high       + input-channel blocks (the reduction chain: the input tile's channel coordinate,
 *              or the weights tile's second coordinate for inner products)
 *   very_high  + every other tile loop (batch, output columns, flat element tiles)
 *
 * An invocation whose coordinate in some sampled loop is >= sample-num is *replayed*: it takes the
 * timeline slots (load, compute, store durations) of the last simulated invocation with the same
 * signature (tile shapes and flags) instead of running the memory models; with no such invocation
 * yet it is simulated and becomes the representative. Replays leave the caches untouched, which is
 * the source of sampling's error (reported against an unsampled run by the sampling benchmark).
 */
import type { LayerPlan } from "../accel/index.js";
import { InputError } from "../errors.js";
import { SAMPLE_LEVELS, type SampleLevel } from "./types.js";

export interface SampleIndex {
  /** May invocation k be replayed from a representative? */
  replayable(k: number): boolean;
}

const NONE: SampleIndex = { replayable: () => false };

/** Loop coordinates of one invocation: [output channel, output row, input channel, other]. */
function coordinates(step: LayerPlan, k: number): [number, number, number, number] {
  const inv = step.invocations[k];
  const grid = (role: string): number[] | undefined => {
    const t = step.tensors.find((x) => x.role === role);
    const i = inv.tiles[role];
    return t === undefined || i === undefined ? undefined : t.tiles[i].grid;
  };
  const w = grid("weights");
  const o = grid("outputs");
  const x = grid("inputs");
  const four = o !== undefined && o.length === 4;
  const outChannel = w !== undefined ? w[0] : four ? (o?.[3] ?? 0) : 0;
  const outRow = four ? (o?.[1] ?? 0) : 0;
  let inChannel = 0;
  if (x !== undefined && x.length === 4) inChannel = x[3];
  else if (w !== undefined && w.length === 2) inChannel = w[1];
  let other = 0;
  if (o !== undefined) other = o.reduce((m, g, d) => (four && (d === 1 || d === 3) ? m : Math.max(m, g)), 0);
  return [outChannel, outRow, inChannel, other];
}

/** How many of the four loops each level samples. */
const DEPTH: Record<SampleLevel, number> = { no: 0, low: 1, medium: 2, high: 3, very_high: 4 };

export function checkSampling(level: string, num: number): void {
  if (!(SAMPLE_LEVELS as readonly string[]).includes(level))
    throw new InputError(`sample level '${level}': must be one of ${SAMPLE_LEVELS.join(", ")}`);
  if (!Number.isSafeInteger(num) || num < 1) throw new InputError(`sample num ${num}: must be an integer >= 1`);
}

export function samplePlan(level: SampleLevel, num: number): (step: LayerPlan) => SampleIndex {
  checkSampling(level, num);
  const depth = DEPTH[level];
  if (depth === 0) return () => NONE;
  return (step) => ({
    replayable: (k) => {
      const c = coordinates(step, k);
      for (let d = 0; d < depth; d++) if (c[d] >= num) return true;
      return false;
    },
  });
}
