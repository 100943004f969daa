/**
 * SMV, the NVDLA-inspired accelerator of SMAUG (smaug-facts, "The SMV accelerator"), as an
 * AcceleratorModel: the SMV tiling optimiser and loop nests (src/tiling/smv.ts) decide the
 * tiles and invocations, the cycle model (src/accel/smv-cost.ts) costs each invocation.
 * Every number comes from SmvParams, i.e. from the SoC description.
 */
import type { Graph, Node } from "../graph/types.js";
import { tileSmvLayer } from "../tiling/smv.js";
import type { TiledTensor } from "../tiling/types.js";
import { addCost, zeroCost } from "./cost.js";
import { smvInvocationCost } from "./smv-cost.js";
import { SMV_ELEMENT_BYTES, type SmvParams, smvParamsSchema } from "./smv-params.js";
import type { AcceleratorModel, Invocation, LayerPlan } from "./types.js";

/** Operators SMV runs (SMAUG's SMV backend, plus depthwise convolution and global pooling). */
export const SMV_OPS: ReadonlySet<string> = new Set([
  "conv",
  "depthwise_conv",
  "inner_product",
  "max_pool",
  "avg_pool",
  "global_avg_pool",
  "batch_norm",
  "relu",
  "leaky_relu",
  "elu",
  "selu",
  "tanh",
  "hard_tanh",
  "sigmoid",
  "softmax",
  "add",
  "mul",
  "less",
  "less_equal",
  "greater",
  "greater_equal",
]);

export const smv: AcceleratorModel<SmvParams> = {
  kind: "smv",
  description: "SMV (NVDLA-like): PEs of vector MACCs, three fp16 scratchpads, SMAUG's tiling optimiser",
  params: smvParamsSchema,
  layout: "NHWC",
  alignment: (p) => p.vectorLanes,
  elementBytes: SMV_ELEMENT_BYTES,
  scratchpads: (p) => [
    { name: "inputs", bytes: p.inputsSpadKiB * 1024 },
    { name: "weights", bytes: p.weightsSpadKiB * 1024 },
    { name: "outputs", bytes: p.outputsSpadKiB * 1024 },
  ],
  supports: (op) => SMV_OPS.has(op),
  invocationCost: (r, p) =>
    smvInvocationCost({ op: r.node.op, params: r.node.params, tiles: r.tiles, padding: r.padding, flags: r.flags }, p),
  plan(node: Node, graph: Graph, p: SmvParams): LayerPlan {
    const tiling = tileSmvLayer(node, graph, p);
    const tensors = tiling.tensors;
    const byRole = new Map<string, TiledTensor>(tensors.map((t) => [t.role, t]));
    const totals = zeroCost();
    const invocations: Invocation[] = tiling.invocations.map((inv) => {
      const tiles: Record<string, { shape: number[]; valid: number[] }> = {};
      for (const [role, index] of Object.entries(inv.tiles)) {
        const tile = byRole.get(role)?.tiles[index];
        if (tile === undefined)
          throw new Error(`SMV plan of '${node.name}': invocation names missing tile ${role}[${index}]`);
        tiles[role] = { shape: tile.shape, valid: tile.valid };
      }
      const padding = byRole.get("inputs")?.tiles[inv.tiles.inputs ?? -1]?.padding;
      const cost = smvInvocationCost({ op: node.op, params: node.params, tiles, padding, flags: inv.flags }, p);
      addCost(totals, cost);
      return { ...inv, cost };
    });
    return { node: node.name, op: node.op, accelerator: "smv", tensors, invocations, totals };
  },
};
