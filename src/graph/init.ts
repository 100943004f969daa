/**
 * Deterministic weights from a seed, scaled as trained networks are initialised, so activations
 * stay in a healthy range through deep networks and functional outputs are meaningful numbers:
 *   conv / depthwise / inner-product / matmul weights: He normal, std = sqrt(2 / fanIn)
 *     (He et al. 2015), fanIn = kH*kW*inC (kH*kW for depthwise), or in-features;
 *     weights whose layer has no ReLU-family activation (ReLU, leaky ReLU, ELU, SELU, ReLU6 =
 *     hard_tanh(0, 6)) use Glorot normal,
 *     std = sqrt(2 / (fanIn + fanOut)) (Glorot & Bengio 2010);
 *   biases, batch-norm beta and mean: uniform in [-0.1, 0.1); BN gamma and variance: [0.8, 1.2);
 *   layer-norm gamma 1 and beta 0; any other constant: uniform in [-1, 1).
 * Each constant draws from its own stream, seeded by the graph seed and the constant's name, so
 * a weight does not change when unrelated nodes are added or reordered.
 */
import { mulberry32 } from "../engine/selfcheck.js";
import { permute } from "../kernels/movement.js";
import { makeTensor, numElements } from "./tensor.js";
import type { Activation, Graph, Node, TensorSpec, Weights } from "./types.js";

/** FNV-1a of a string mixed with the seed: a per-tensor stream seed. */
function streamSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

type Filler = (random: () => number, count: number) => Float64Array;

const uniform =
  (lo: number, hi: number): Filler =>
  (random, count) => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = lo + (hi - lo) * random();
    return out;
  };

const normal =
  (std: number): Filler =>
  (random, count) => {
    // Box-Muller: two uniforms give two independent standard normals.
    const out = new Float64Array(count);
    for (let i = 0; i < count; i += 2) {
      const u = 1 - random();
      const v = random();
      const r = Math.sqrt(-2 * Math.log(u)) * std;
      out[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return out;
  };

const RELU_FAMILY = new Set(["relu", "leaky_relu", "elu", "selu"]);

/** ReLU-like for initialisation: the ReLU family, and hard_tanh clipped at 0 below (ReLU6). */
function reluLike(act: Activation | Record<string, unknown>, op = act.type as string): boolean {
  return RELU_FAMILY.has(op) || (op === "hard_tanh" && act.min === 0);
}

/** Fill every constant of `graph` that `existing` lacks; returns a new map with both. */
export function initWeights(graph: Graph, seed: number, existing: Weights = new Map()): Weights {
  const weights: Weights = new Map(existing);
  const fillers = new Map<string, { filler: Filler; order: Reorder | undefined }>();
  const consumers = new Map<string, { op: string; index: number; activation: boolean; node: Node }[]>();
  for (const node of graph.nodes) {
    const act = node.params.activation as Activation | undefined;
    const followedByRelu = act !== undefined && reluLike(act);
    node.inputs.forEach((ref, index) => {
      const list = consumers.get(ref) ?? [];
      list.push({ op: node.op, index, activation: followedByRelu || reluConsumes(graph, node.name), node });
      consumers.set(ref, list);
    });
  }
  for (const node of graph.nodes) {
    if (node.op !== "constant" || weights.has(node.name)) continue;
    const spec = graph.tensors[node.name];
    const use = consumers.get(node.name)?.[0];
    fillers.set(node.name, { filler: chooseFiller(spec, use), order: canonicalOrder(graph, spec, use) });
  }
  for (const [name, { filler, order }] of fillers) {
    const spec = graph.tensors[name];
    const drawn = Float32Array.from(filler(mulberry32(streamSeed(seed, name)), numElements(spec.shape)));
    let values = drawn;
    if (order) {
      values = new Float32Array(drawn.length);
      permute(drawn, order.shape, order.perm, values);
    }
    weights.set(name, makeTensor(spec, values));
  }
  return weights;
}

/** Draw in `shape` (the canonical order), then transpose by `perm` into the tensor's own layout. */
interface Reorder {
  shape: number[];
  perm: number[];
}

/**
 * Values are drawn in one canonical order whatever the backend's layout, so a zoo network with a
 * given seed is the same network on either backend (same outputs for the same image):
 * conv weights as OHWI, and inner-product weights as [out, in] with the inputs in the (h, w, c)
 * order an NHWC flatten gives. Returns how to move the drawn values into the tensor's layout,
 * or undefined when the canonical order is already the tensor's.
 */
function canonicalOrder(
  graph: Graph,
  spec: TensorSpec,
  use: { op: string; index: number; node: Node } | undefined,
): Reorder | undefined {
  if (use === undefined || use.index !== 1) return undefined;
  const s = spec.shape;
  if (use.op === "conv" && spec.layout === "NCHW") return { shape: [s[0], s[2], s[3], s[1]], perm: [0, 3, 1, 2] };
  if (use.op !== "inner_product") return undefined;
  const [out, k] = spec.layout === "NC" ? [s[0], s[1]] : [s[1], s[0]];
  // An NCHW flatten feeds features in (c, h, w) order: draw them as (h, w, c) and move them.
  const producer = graph.nodes.find((n) => n.name === use.node.inputs[0]);
  const source = producer?.op === "reorder" ? graph.tensors[producer.inputs[0]] : undefined;
  const fromNCHW = source?.layout === "NCHW" && producer?.params.layout === "NC";
  if (fromNCHW) {
    const [, c, h, w] = source.shape;
    // [out, h, w, c] -> [out, c, h, w], then for CN weights on to [c, h, w, out].
    return spec.layout === "NC"
      ? { shape: [out, h, w, c], perm: [0, 3, 1, 2] }
      : { shape: [out, h, w, c], perm: [3, 1, 2, 0] };
  }
  return spec.layout === "CN" ? { shape: [out, k], perm: [1, 0] } : undefined;
}

/** True when the only consumer of a node's output is a ReLU-family activation. */
function reluConsumes(graph: Graph, name: string): boolean {
  const users = graph.nodes.filter((n) => n.inputs.includes(name));
  return (
    users.length > 0 &&
    users.every((n) => reluLike(n.params, n.op) || (n.op === "batch_norm" && reluAfterBn(graph, n.name, n.params)))
  );
}

function reluAfterBn(graph: Graph, name: string, params: Record<string, unknown>): boolean {
  const act = params.activation as Activation | undefined;
  if (act) return reluLike(act);
  return reluConsumes(graph, name);
}

function chooseFiller(spec: TensorSpec, use: { op: string; index: number; activation: boolean } | undefined): Filler {
  if (use === undefined) return uniform(-1, 1);
  const { op, index } = use;
  if ((op === "conv" || op === "depthwise_conv" || op === "inner_product") && index === 2) return uniform(-0.1, 0.1);
  if ((op === "conv" || op === "depthwise_conv") && index === 1) {
    const s = spec.shape;
    const [o, kh, kw, i] = spec.layout === "NHWC" ? [s[0], s[1], s[2], s[3]] : [s[0], s[2], s[3], s[1]];
    const fanIn = kh * kw * i;
    const fanOut = op === "depthwise_conv" ? kh * kw : kh * kw * o;
    return use.activation ? normal(Math.sqrt(2 / fanIn)) : normal(Math.sqrt(2 / (fanIn + fanOut)));
  }
  if (op === "inner_product" && index === 1) {
    const [a, b] = spec.shape as [number, number];
    const [fanOut, fanIn] = spec.layout === "NC" ? [a, b] : [b, a];
    return use.activation ? normal(Math.sqrt(2 / fanIn)) : normal(Math.sqrt(2 / (fanIn + fanOut)));
  }
  if (op === "batched_matmul") {
    const fanIn = spec.shape[spec.shape.length - 2];
    const fanOut = spec.shape[spec.shape.length - 1];
    return normal(Math.sqrt(2 / (fanIn + fanOut)));
  }
  if (op === "batch_norm") return index === 1 || index === 4 ? uniform(-0.1, 0.1) : uniform(0.8, 1.2);
  if (op === "layer_norm") return index === 1 ? uniform(1, 1) : uniform(0, 0);
  return uniform(-1, 1);
}
