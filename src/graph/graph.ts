/**
 * Graph validation: from a list of nodes in any order to a validated Graph (unique names, known
 * operators, complete parameters, resolvable inputs, no cycles, nodes in topological order, every
 * tensor's shape, layout and type inferred). Every error names the node it is about.
 */

import { describeIssues } from "../engine/cache.js";
import { InputError } from "../errors.js";
import { OPS, type OpDef, opDef, ShapeError } from "./ops.js";
import { numElements } from "./tensor.js";
import type { Graph, Node, TensorSpec } from "./types.js";

export class GraphError extends InputError {}

export interface GraphDefinition {
  name: string;
  nodes: Node[];
  /** Graph outputs; by default every tensor that no node consumes (constants excepted). */
  outputs?: string[];
}

/** Split a tensor reference `node` or `node:i`. */
export function parseRef(ref: string): { node: string; index: number } {
  const m = /^(.*):(\d+)$/.exec(ref);
  if (m) return { node: m[1], index: Number(m[2]) };
  return { node: ref, index: 0 };
}

/** The reference of output `index` of a node: `node` for output 0, `node:i` otherwise. */
export function tensorRef(node: string, index = 0): string {
  return index === 0 ? node : `${node}:${index}`;
}

/** What a node name may be: `:` is reserved to separate output indices. */
export const NODE_NAME = /^[A-Za-z0-9_.\-/]+$/;
export const NODE_NAME_RULE =
  "a node name is letters, digits and _ . - / only (no ':', which separates output indices)";

export function buildGraph(def: GraphDefinition): Graph {
  if (typeof def.name !== "string" || def.name === "") throw new GraphError("graph: name must be a non-empty string");
  if (!Array.isArray(def.nodes) || def.nodes.length === 0) throw new GraphError(`graph '${def.name}': has no nodes`);
  const byName = new Map<string, Node>();
  for (const raw of def.nodes) {
    const where = `node '${String(raw?.name)}'`;
    if (typeof raw?.name !== "string" || !NODE_NAME.test(raw.name)) throw new GraphError(`${where}: ${NODE_NAME_RULE}`);
    if (byName.has(raw.name)) throw new GraphError(`${where}: the name is used twice`);
    const def = opDef(raw.op);
    if (def === undefined)
      throw new GraphError(`${where}: unknown operator '${raw.op}' (known: ${Object.keys(OPS).sort().join(", ")})`);
    if (!Array.isArray(raw.inputs) || raw.inputs.some((i) => typeof i !== "string"))
      throw new GraphError(`${where} (${raw.op}): inputs must be a list of tensor references`);
    const [min, max] = def.arity;
    if (raw.inputs.length < min || raw.inputs.length > max) {
      const want = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
      throw new GraphError(
        `${where} (${raw.op}): takes ${want} inputs (${def.inputNames.join(", ")}), got ${raw.inputs.length}`,
      );
    }
    const parsed = def.params.safeParse(raw.params ?? {});
    if (!parsed.success) throw new GraphError(`${where} (${raw.op}): ${describeIssues(parsed.error, "params")}`);
    byName.set(raw.name, { name: raw.name, op: raw.op, inputs: [...raw.inputs], params: parsed.data });
  }

  const order = topologicalOrder(def.name, [...byName.values()], byName);
  const tensors: Record<string, TensorSpec> = {};
  const outputCount = new Map<string, number>();
  for (const node of order) {
    const inputs = node.inputs.map((ref, i) => {
      const spec = tensors[ref] ?? tensors[canonical(ref)];
      if (spec === undefined) {
        const { node: producer, index } = parseRef(ref);
        throw new GraphError(
          `node '${node.name}' (${node.op}): input ${i} '${ref}' refers to output ${index} of '${producer}', which has ${outputCount.get(producer)} output(s)`,
        );
      }
      return spec;
    });
    let outs: TensorSpec[];
    try {
      outs = (opDef(node.op) as OpDef).infer(inputs, node.params);
    } catch (e) {
      if (e instanceof ShapeError) throw new GraphError(`node '${node.name}' (${node.op}): ${e.message}`);
      throw e;
    }
    outs.forEach((spec, i) => {
      tensors[tensorRef(node.name, i)] = spec;
    });
    outputCount.set(node.name, outs.length);
    node.inputs = node.inputs.map(canonical);
  }

  let outputs: string[];
  if (def.outputs !== undefined) {
    outputs = def.outputs.map((ref) => {
      const c = canonical(ref);
      if (tensors[c] === undefined)
        throw new GraphError(`graph '${def.name}': output '${ref}' is not a tensor of the graph`);
      return c;
    });
  } else {
    const consumed = new Set(order.flatMap((n) => n.inputs));
    outputs = order
      .filter((n) => n.op !== "constant")
      .flatMap((n) => Array.from({ length: outputCount.get(n.name) ?? 0 }, (_, i) => tensorRef(n.name, i)))
      .filter((ref) => !consumed.has(ref));
  }
  if (outputs.length === 0) throw new GraphError(`graph '${def.name}': has no outputs`);
  return { name: def.name, nodes: order, tensors, outputs };
}

function canonical(ref: string): string {
  const { node, index } = parseRef(ref);
  return tensorRef(node, index);
}

/**
 * Kahn's algorithm, taking ready nodes in the order they were given so a graph written in
 * order keeps its order. A cycle is reported with the names of the nodes on it.
 */
function topologicalOrder(graphName: string, nodes: Node[], byName: Map<string, Node>): Node[] {
  const indegree = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const n of nodes) {
    indegree.set(n.name, n.inputs.length);
    n.inputs.forEach((ref, i) => {
      const producer = parseRef(ref).node;
      if (!byName.has(producer))
        throw new GraphError(
          `node '${n.name}' (${n.op}): input ${i} '${ref}' refers to no node of graph '${graphName}' (dangling input)`,
        );
      const list = consumers.get(producer) ?? [];
      list.push(n.name);
      consumers.set(producer, list);
    });
  }
  const position = new Map(nodes.map((n, i) => [n.name, i]));
  const ready = nodes.filter((n) => n.inputs.length === 0).map((n) => n.name);
  const order: Node[] = [];
  while (ready.length > 0) {
    // Smallest original position first: stable for graphs already in order.
    let best = 0;
    for (let i = 1; i < ready.length; i++)
      if ((position.get(ready[i]) ?? 0) < (position.get(ready[best]) ?? 0)) best = i;
    const name = ready.splice(best, 1)[0];
    const node = byName.get(name);
    if (node) order.push(node);
    for (const c of consumers.get(name) ?? []) {
      const d = (indegree.get(c) ?? 0) - 1;
      indegree.set(c, d);
      if (d === 0) ready.push(c);
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((n) => (indegree.get(n.name) ?? 0) > 0).map((n) => `'${n.name}'`);
    throw new GraphError(`graph '${graphName}': has a cycle through node(s) ${stuck.join(", ")}`);
  }
  return order;
}

/** One row of a per-layer summary. */
export interface LayerStats {
  name: string;
  op: string;
  outputShape: number[];
  /** Elements of the constant tensors this node consumes (each constant counted at its first consumer). */
  params: number;
  macs: number;
}

export interface GraphStats {
  layers: LayerStats[];
  /** Every stored parameter element. */
  params: number;
  /** Learned parameters only (excludes batch-norm running mean and variance), as published counts are. */
  trainableParams: number;
  macs: number;
  inputs: { name: string; shape: number[]; layout: string; dtype: string }[];
}

/** Per-layer parameters and MACs; layers are all nodes other than data and constants. */
export function graphStats(graph: Graph): GraphStats {
  const constants = new Set(graph.nodes.filter((n) => n.op === "constant").map((n) => n.name));
  const counted = new Set<string>();
  const nonTrainable = new Set<string>();
  const layers: LayerStats[] = [];
  let params = 0;
  let macs = 0;
  for (const node of graph.nodes) {
    if (node.op === "constant" || node.op === "data") continue;
    const def = opDef(node.op) as OpDef;
    let p = 0;
    node.inputs.forEach((ref, i) => {
      if (!constants.has(ref)) return;
      if (def.nonTrainableInputs?.includes(i)) nonTrainable.add(ref);
      if (counted.has(ref)) return;
      counted.add(ref);
      p += numElements(graph.tensors[ref].shape);
    });
    const inputs = node.inputs.map((r) => graph.tensors[r]);
    const outputs = Array.from(
      { length: countOutputs(graph, node.name) },
      (_, i) => graph.tensors[tensorRef(node.name, i)],
    );
    const m = def.macs ? def.macs(inputs, outputs, node.params) : 0;
    layers.push({ name: node.name, op: node.op, outputShape: [...outputs[0].shape], params: p, macs: m });
    params += p;
    macs += m;
  }
  let nt = 0;
  for (const ref of nonTrainable) nt += numElements(graph.tensors[ref].shape);
  const inputs = graph.nodes.filter((n) => n.op === "data").map((n) => ({ name: n.name, ...graph.tensors[n.name] }));
  return { layers, params, trainableParams: params - nt, macs, inputs };
}

/** Number of outputs a node has in a validated graph. */
export function countOutputs(graph: Graph, node: string): number {
  let i = 0;
  while (graph.tensors[tensorRef(node, i)] !== undefined) i++;
  return i;
}
