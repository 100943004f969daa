/**
 * The systolic array as an AcceleratorModel: a layer (conv, depthwise conv, inner product,
 * batched matmul) is one invocation of the engine's systolic simulation (src/accel/systolic.ts,
 * SCALE-Sim v2 conventions), which folds the layer over the array and models its own
 * double-buffered SRAMs and DRAM bandwidth. Its cycles are the layer's latency: stall-free
 * compute + stalls + the final ofmap drain. Host bytes are the simulation's DRAM words.
 */
import { selectEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { InputError } from "../errors.js";
import type { Graph, Node } from "../graph/types.js";
import type { TiledTensor } from "../tiling/types.js";
import { simulateSystolicLayer, systolicLayerFromNode } from "./systolic.js";
import { type SystolicParams, systolicParamsSchema } from "./systolic-params.js";
import type { AcceleratorModel, InvocationCost, LayerPlan } from "./types.js";

const OPS = new Set(["conv", "depthwise_conv", "inner_product", "batched_matmul"]);

let defaultEngine: Engine | undefined;

/** A whole, untiled tensor: the array's SRAMs stream it; folds are inside the simulation. */
function whole(tensor: string, role: string, shape: number[], elementBytes: number): TiledTensor {
  const zeros = shape.map(() => 0);
  return {
    tensor,
    role,
    shape,
    realShape: shape,
    elementBytes,
    strategy: "None",
    tileShape: shape,
    gridShape: shape.map(() => 1),
    tiles: [{ index: 0, grid: zeros, origin: zeros, shape, valid: shape }],
  };
}

/** The layer on the array (the engine's simulation) as an invocation cost. */
function layerCost(node: Node, graph: Graph, p: SystolicParams, engine: Engine | undefined): InvocationCost {
  const layer = systolicLayerFromNode(node, graph);
  if (layer === undefined)
    throw new InputError(`layer '${node.name}' (${node.op}): the systolic array does not run it`);
  defaultEngine ??= selectEngine().engine;
  const r = simulateSystolicLayer(engine ?? defaultEngine, p, layer);
  const wb = p.wordBytes;
  return {
    cycles: r.latencyCycles,
    macs: r.macs,
    spadReadBytes: (r.ifmapSramReads + r.filterSramReads + r.ofmapSramReads) * wb,
    spadWriteBytes: (r.ifmapSramWrites + r.filterSramWrites + r.ofmapSramWrites) * wb,
    hostLoadBytes: (r.ifmapDramReads + r.filterDramReads) * wb,
    hostStoreBytes: r.ofmapDramWrites * wb,
  };
}

export const systolic: AcceleratorModel<SystolicParams> = {
  kind: "systolic",
  description: "systolic array (os/ws/is dataflow, double-buffered SRAMs, SCALE-Sim v2 conventions)",
  params: systolicParamsSchema,
  layout: "NHWC",
  alignment: () => 1,
  elementBytes: 2,
  scratchpads: (p) => [
    { name: "ifmap", bytes: p.ifmapSramKiB * 1024 },
    { name: "filter", bytes: p.filterSramKiB * 1024 },
    { name: "ofmap", bytes: p.ofmapSramKiB * 1024 },
  ],
  supports: (op) => OPS.has(op),
  // The array folds a whole layer itself: an invocation is the layer, whatever the tiles.
  invocationCost: (r, p, context = {}) => layerCost(r.node, r.graph, p, context.engine),
  plan(node: Node, graph: Graph, p: SystolicParams, context = {}): LayerPlan {
    const cost = layerCost(node, graph, p, context.engine);
    const wb = p.wordBytes;
    const tensors = [
      whole(node.inputs[0], "inputs", graph.tensors[node.inputs[0]].shape, wb),
      whole(node.inputs[1], "weights", graph.tensors[node.inputs[1]].shape, wb),
      whole(node.name, "outputs", graph.tensors[node.name].shape, wb),
    ];
    const flags = { readInputs: true, readWeights: true, accumulate: false, sendResults: true };
    return {
      node: node.name,
      op: node.op,
      accelerator: "systolic",
      tensors,
      invocations: [{ tiles: { inputs: 0, weights: 0, outputs: 0 }, flags, chain: 0, cost }],
      totals: { ...cost },
    };
  },
};
