/**
 * A worked custom accelerator: a flat array of MAC lanes with one shared scratchpad.
 * It runs convolutions and inner products; nothing else. Load it with
 * `loadAcceleratorFile("examples/accelerators/mac-array.ts")` (or from a compiled .js in the CLI)
 * and name it as `kind: mac-array` in a SoC file.
 *
 * Tiling: the whole input stays resident; weights are cut by output channel into the largest
 * group that fits beside the input and its outputs. Cost of one invocation:
 *   cycles = ceil(MACs / lanes) + setupCycles
 * and every byte it loads or stores crosses the host interface once.
 */
import { z } from "zod";
import { addCost, zeroCost } from "../../src/accel/cost.js";
import type { AcceleratorModel, Invocation, LayerPlan } from "../../src/accel/types.js";
import { InputError } from "../../src/errors.js";
import { numElements } from "../../src/graph/tensor.js";
import type { Graph, Node } from "../../src/graph/types.js";
import type { TiledTensor } from "../../src/tiling/types.js";

const params = z.object({
  lanes: z.number().int().min(1).default(64),
  spadKiB: z.number().positive().default(256),
  setupCycles: z.number().int().min(0).default(50),
});
type Params = z.infer<typeof params>;
const BYTES = 2; // fp16 in memory

/** A tensor cut along dimension 0 into pieces of `step` (the last may be smaller). */
function cut(tensor: string, role: string, shape: number[], dim: number, step: number): TiledTensor {
  const count = Math.ceil(shape[dim] / step);
  const tiles = Array.from({ length: count }, (_, i) => {
    const origin = shape.map(() => 0);
    origin[dim] = i * step;
    const s = [...shape];
    s[dim] = Math.min(step, shape[dim] - i * step);
    const grid = shape.map(() => 0);
    grid[dim] = i;
    return { index: i, grid, origin, shape: s, valid: [...s] };
  });
  const tileShape = [...shape];
  tileShape[dim] = Math.min(step, shape[dim]);
  const gridShape = shape.map((_, d) => (d === dim ? count : 1));
  return {
    tensor,
    role,
    shape,
    realShape: shape,
    elementBytes: BYTES,
    strategy: count > 1 ? "DimN" : "None",
    tileShape,
    gridShape,
    tiles,
  };
}

export const macArray: AcceleratorModel<Params> = {
  kind: "mac-array",
  description: "flat MAC array with one shared scratchpad (examples/accelerators/mac-array.ts)",
  params,
  layout: "NHWC",
  alignment: () => 1,
  elementBytes: BYTES,
  scratchpads: (p) => [{ name: "shared", bytes: p.spadKiB * 1024 }],
  supports: (op) => op === "conv" || op === "inner_product",
  invocationCost({ tiles, flags }, p) {
    // Each output element takes one MAC per weight of its channel: outputs x weights per channel.
    const w = tiles.weights.shape;
    const outputs = numElements(tiles.outputs.shape);
    const macs = outputs * (numElements(w) / w[0]);
    const load = (flags.readInputs ? numElements(tiles.inputs.shape) : 0) + (flags.readWeights ? numElements(w) : 0);
    const store = flags.sendResults ? outputs : 0;
    return {
      cycles: Math.ceil(macs / p.lanes) + p.setupCycles,
      macs,
      spadReadBytes: 2 * macs * BYTES, // one activation and one weight per MAC
      spadWriteBytes: outputs * BYTES,
      hostLoadBytes: load * BYTES,
      hostStoreBytes: store * BYTES,
    };
  },
  plan(node: Node, graph: Graph, p: Params): LayerPlan {
    const [x, w] = node.inputs.map((r) => graph.tensors[r]);
    const out = graph.tensors[node.name];
    const outChannels = out.shape[out.shape.length - 1];
    const perChannel = numElements(w.shape) / w.shape[0] + numElements(out.shape) / outChannels;
    const room = (p.spadKiB * 1024) / BYTES - numElements(x.shape);
    const group = Math.min(outChannels, Math.floor(room / perChannel));
    if (group < 1)
      throw new InputError(`mac-array: layer '${node.name}' does not fit: its input alone needs the whole scratchpad`);
    const tensors = [
      cut(node.inputs[0], "inputs", x.shape, 0, x.shape[0]),
      cut(node.inputs[1], "weights", w.shape, 0, group),
      cut(node.name, "outputs", out.shape, out.shape.length - 1, group),
    ];
    const invocations: Invocation[] = tensors[1].tiles.map((t, i) => {
      const tiles = { inputs: tensors[0].tiles[0], weights: t, outputs: tensors[2].tiles[i] };
      const flags = { readInputs: i === 0, readWeights: true, accumulate: false, sendResults: true };
      return {
        tiles: { inputs: 0, weights: i, outputs: i },
        flags,
        chain: i,
        cost: this.invocationCost({ node, graph, tiles, flags }, p),
      };
    });
    const totals = zeroCost();
    for (const inv of invocations) addCost(totals, inv.cost);
    return { node: node.name, op: node.op, accelerator: "mac-array", tensors, invocations, totals };
  },
};

export default macArray;
