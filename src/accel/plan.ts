/**
 * Planning a whole graph on one accelerator model: each operator the accelerator supports is
 * tiled and costed (LayerPlan); the rest are CPU work (layout reorders, concatenation, data and
 * constants, control flow), listed with the reason, for the CPU cost model to time.
 */
import type { Graph } from "../graph/types.js";
import { addCost, zeroCost } from "./cost.js";
import { getAccelerator } from "./registry.js";
import type { AcceleratorModel, InvocationCost, LayerPlan, PlanContext } from "./types.js";

export interface CpuStep {
  node: string;
  op: string;
  device: "cpu";
  reason: string;
}

export type StepPlan = (LayerPlan & { device: "accelerator" }) | CpuStep;

export interface GraphPlan {
  graph: string;
  accelerator: string;
  params: Record<string, unknown>;
  steps: StepPlan[];
  totals: InvocationCost & { invocations: number; acceleratedLayers: number; cpuLayers: number };
}

/** Operators that are bookkeeping, not work: no step at all. */
const NO_WORK = new Set(["data", "constant"]);

/**
 * Plan every node of `graph` on the accelerator `kind` with its (partial) parameters, which the
 * model's schema completes with defaults. An operator runs on the accelerator when the model
 * supports it and its activation input is in the model's layout.
 */
export function planGraph(graph: Graph, kind: string, params: unknown = {}, context: PlanContext = {}): GraphPlan {
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds models of any parameter type
  const model: AcceleratorModel<any> = getAccelerator(kind);
  const p = model.params.parse(params);
  const steps: StepPlan[] = [];
  const totals = zeroCost();
  let invocations = 0;
  let acceleratedLayers = 0;
  let cpuLayers = 0;
  for (const node of graph.nodes) {
    if (NO_WORK.has(node.op)) continue;
    const input = graph.tensors[node.inputs[0] ?? ""];
    const wrongLayout = input !== undefined && input.shape.length === 4 && input.layout !== model.layout;
    if (!model.supports(node.op) || wrongLayout) {
      cpuLayers++;
      steps.push({
        node: node.name,
        op: node.op,
        device: "cpu",
        reason: wrongLayout
          ? `input is ${input?.layout}, ${kind} reads ${model.layout}`
          : `${kind} does not run ${node.op}`,
      });
      continue;
    }
    const plan = model.plan(node, graph, p, context);
    acceleratedLayers++;
    invocations += plan.invocations.length;
    addCost(totals, plan.totals);
    steps.push({ ...plan, device: "accelerator" });
  }
  return {
    graph: graph.name,
    accelerator: kind,
    params: p,
    steps,
    totals: { ...totals, invocations, acceleratedLayers, cpuLayers },
  };
}
