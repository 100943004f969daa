/**
 * SMV's parameters (smaug-facts, "The SMV accelerator", NVDLA-inspired): every number the SMV
 * tiling and cycle models use lives here, so changing the SoC description changes the results.
 */
import { z } from "zod";

/** The smallest scratchpad (KiB) the schema accepts: 512 fp16 elements, two vectors of 256 lanes. */
export const SMV_MIN_SPAD_KIB = 1;
const SPAD_MIN_MESSAGE = `a scratchpad must be at least ${SMV_MIN_SPAD_KIB} KiB (512 fp16 elements)`;

export const smvParamsSchema = z
  .object({
    /** Processing elements; each computes one output channel per cycle group (smaug-facts: 8 PEs). */
    pes: z.number().int().min(1).max(1024).default(8),
    /** MACCs per PE per cycle (smaug-facts: 32 = 4 vectors of 8 lanes). */
    maccsPerPe: z.number().int().min(1).max(4096).default(32),
    /** fp32 vector lanes (smaug-facts: 8-lane vectors); the alignment of the innermost dimension. */
    vectorLanes: z.number().int().min(1).max(256).default(8),
    /**
     * Scratchpad sizes (smaug-facts: 32 KB each, 16,384 fp16 elements). At least 1 KiB each (512
     * fp16 elements): every tile holds whole vectors of L <= 256 lanes, and 1 KiB holds two of the
     * widest; smaller scratchpads are rejected here rather than tiled into tiles that overflow them.
     */
    inputsSpadKiB: z
      .number()
      .min(SMV_MIN_SPAD_KIB, SPAD_MIN_MESSAGE)
      .max(1 << 20)
      .default(32),
    weightsSpadKiB: z
      .number()
      .min(SMV_MIN_SPAD_KIB, SPAD_MIN_MESSAGE)
      .max(1 << 20)
      .default(32),
    outputsSpadKiB: z
      .number()
      .min(SMV_MIN_SPAD_KIB, SPAD_MIN_MESSAGE)
      .max(1 << 20)
      .default(32),
    /** Read and write ports per scratchpad per cycle, each one vector wide. */
    spadPorts: z.number().int().min(1).max(64).default(8),
    /**
     * Vectors per cycle the weights scratchpad streams into a pipelined loop: the inner product's
     * weights (each used once at batch 1), 2-D batch norm's parameters, eltwise's second operand.
     * The convolution keeps its weights in PE registers, loaded once per kernel position and
     * channel block through the R ports, so this does not touch it; at batch 1 it is what bounds
     * fully-connected layers. Support: SMAUG's Aladdin configuration partitions each array
     * cyclically into 8 one-word banks with one port each (smv-accel.cfg; gem5.cfg spad_ports = 1),
     * one 8-lane vector per cycle, and the P PEs of the inner product each read a different weight
     * row. Set to 1 by the calibration to SMAUG's baseline breakdown (docs/model.md).
     */
    weightStreamPorts: z.number().int().min(1).max(64).default(1),
    /** Pipeline depth of the innermost (pipelined) loop: load, multiply, two reduction levels, accumulate. */
    pipelineDepth: z.number().int().min(1).max(1000).default(5),
    /** Cycles of loop control each time a non-pipelined loop level advances. */
    loopOverheadCycles: z.number().int().min(0).max(10000).default(1),
    /** Fixed cycles per invocation (start, argument setup, completion). */
    invocationOverheadCycles: z.number().int().min(0).max(1_000_000).default(100),
  })
  .strict();

export type SmvParams = z.infer<typeof smvParamsSchema>;

/** The defaults: SMAUG's SMV. */
export const SMV_DEFAULTS: SmvParams = smvParamsSchema.parse({});

/** Bytes per element: SMV keeps data in host memory and scratchpads as fp16. */
export const SMV_ELEMENT_BYTES = 2;

/**
 * Bytes per element of an output tile in host memory: compares produce bools (1 byte, SMAUG's
 * dmaStore of bool), everything else fp16. The tiler and the cycle model both use this.
 */
export function smvOutputElementBytes(op: string): number {
  return op === "less" || op === "less_equal" || op === "greater" || op === "greater_equal" ? 1 : SMV_ELEMENT_BYTES;
}

/** Elements a scratchpad holds (32 KiB of fp16 = 16,384). */
export function spadElements(kib: number): number {
  return Math.floor((kib * 1024) / SMV_ELEMENT_BYTES);
}
