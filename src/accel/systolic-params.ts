/**
 * Systolic array parameters, in SCALE-Sim v2's terms (its .cfg: ArrayHeight, ArrayWidth,
 * IfmapSramSzkB, FilterSramSzkB, OfmapSramSzkB, Dataflow, Bandwidth), so an architect can carry
 * a configuration between the two. The SMAUG paper's systolic array is 8x8 PEs at 1 GHz with
 * 32 KB scratchpads (smaug-facts, Table 2).
 */
import { z } from "zod";

export const DATAFLOWS = ["os", "ws", "is"] as const;
export type Dataflow = (typeof DATAFLOWS)[number];

export const systolicParamsSchema = z
  .object({
    /** PE rows (SCALE-Sim ArrayHeight). */
    rows: z.number().int().min(1).max(4096).default(8),
    /** PE columns (SCALE-Sim ArrayWidth). */
    cols: z.number().int().min(1).max(4096).default(8),
    /** output-, weight- or input-stationary (SCALE-Sim Dataflow). */
    dataflow: z.enum(DATAFLOWS).default("os"),
    /** SRAM sizes in KiB (SCALE-Sim IfmapSramSzkB / FilterSramSzkB / OfmapSramSzkB); each is double-buffered. */
    ifmapSramKiB: z
      .number()
      .positive()
      .max(1 << 22)
      .default(32),
    filterSramKiB: z
      .number()
      .positive()
      .max(1 << 22)
      .default(32),
    ofmapSramKiB: z
      .number()
      .positive()
      .max(1 << 22)
      .default(32),
    /** DRAM interface bandwidth in words per cycle (SCALE-Sim Bandwidth). */
    bandwidthWordsPerCycle: z
      .number()
      .min(1 / 65536)
      .max(1 << 20)
      .default(10),
    /** Bytes per word (SMAUG keeps data as fp16). */
    wordBytes: z.number().int().min(1).max(8).default(2),
  })
  .strict();

export type SystolicParams = z.infer<typeof systolicParamsSchema>;
export const SYSTOLIC_DEFAULTS: SystolicParams = systolicParamsSchema.parse({});
