/**
 * The accelerator interface. An accelerator model says which operators it runs, the layout and
 * alignment it wants, its scratchpads, how a layer is tiled to fit them, in which order the
 * tiles are invoked (with which flags), and what one invocation costs. The simulator only ever
 * talks to accelerators through this interface, so a user can add one (examples/) without
 * touching the simulator.
 *
 * Everything here is plain data in and plain data out.
 */
import type { z } from "zod";
import type { Engine } from "../engine/types.js";
import type { Graph, Node } from "../graph/types.js";
import type { TiledTensor } from "../tiling/types.js";

/** Flags of one invocation (smaug-facts, SMV): what the accelerator does this time. */
export interface InvocationFlags {
  /** Load the input tile from the host (false when it is still resident in the scratchpad). */
  readInputs: boolean;
  /**
   * Load the weight tile from the host (false when still resident); for SMV also a broadcast
   * elementwise operand (`inputs1`), which lives in the weights scratchpad.
   */
  readWeights: boolean;
  /** Add to the partial sums already in the output scratchpad (input-channel tiles after the first). */
  accumulate: boolean;
  /** Store the output tile to the host (the last input-channel tile of an output tile). */
  sendResults: boolean;
}

/** Action counts of one invocation: what energy and data-movement models consume. */
export interface ActionCounts {
  /** Multiply-accumulates (counting only real, unpadded work). */
  macs: number;
  /** Scratchpad bytes read and written by the datapath. */
  spadReadBytes: number;
  spadWriteBytes: number;
  /** Bytes loaded from host memory into scratchpads, and stored back. */
  hostLoadBytes: number;
  hostStoreBytes: number;
}

export interface InvocationCost extends ActionCounts {
  /** Accelerator cycles of the invocation's compute (not the host transfers, which the memory model times). */
  cycles: number;
}

/** One accelerator invocation: which tile of each tiled tensor it works on. */
export interface Invocation {
  /** Tile index per role ("inputs", "weights", "outputs", ...), into the layer's TiledTensor list. */
  tiles: Record<string, number>;
  flags: InvocationFlags;
  /**
   * Invocations with the same chain id must run on the same accelerator, in order: the input-channel
   * tiles accumulating into one output tile (smaug-facts: "channel-reduction tiles of one output
   * stay on one accelerator").
   */
  chain: number;
  cost: InvocationCost;
}

/** A layer planned on an accelerator: its tiled tensors, invocations in loop-nest order, totals. */
export interface LayerPlan {
  node: string;
  op: string;
  accelerator: string;
  tensors: TiledTensor[];
  invocations: Invocation[];
  totals: InvocationCost;
}

export interface Scratchpad {
  name: string;
  bytes: number;
}

/**
 * An accelerator model. `P` is its resolved parameter object (every field present), produced by
 * `params` (a zod schema with defaults) from the SoC description's `params` of this accelerator.
 */
export interface AcceleratorModel<P = Record<string, unknown>> {
  /** Registry name, used as `kind` in the SoC description. */
  kind: string;
  description: string;
  params: z.ZodType<P>;
  /** 4-D activation layout the accelerator reads (SMV: NHWC). */
  layout: "NHWC" | "NCHW";
  /** The innermost dimension is padded to a multiple of this many elements in host memory (SMV: its vector lanes). */
  alignment(p: P): number;
  /** Bytes per element in host memory and scratchpads (SMV: 2, fp16). */
  elementBytes: number;
  scratchpads(p: P): Scratchpad[];
  /** Operators the accelerator runs; the others run on the CPU. */
  supports(op: string): boolean;
  /**
   * Tile the layer, order its invocations and cost each one. Throws TilingError (an InputError)
   * naming the layer and what did not fit when no tiling exists.
   */
  plan(node: Node, graph: Graph, p: P, context?: PlanContext): LayerPlan;
  /**
   * The cost of one invocation of `node`'s operator on tiles of the given shapes with the given
   * flags, so a scheduler that changes residency (several accelerators) can re-cost it.
   */
  invocationCost(request: InvocationRequest, p: P, context?: PlanContext): InvocationCost;
}

/** One invocation to cost: the layer, the shape and real extent of each role's tile, the flags. */
export interface InvocationRequest {
  node: Node;
  graph: Graph;
  tiles: Record<string, { shape: number[]; valid: number[] }>;
  /** The input tile's own zero padding [top, bottom, left, right], for convolution and pooling. */
  padding?: [number, number, number, number];
  flags: InvocationFlags;
}

/** What a plan may use beyond the layer: the engine for models whose hot loops live there (systolic). */
export interface PlanContext {
  engine?: Engine;
}
