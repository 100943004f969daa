/**
 * Functional execution of a validated graph with the reference kernels: the network's real
 * outputs. Nodes run in the graph's topological order. Float tensors are computed in fp32 or
 * better (accumulations in float64) and every result is stored in its tensor's data type, so
 * fp16 tensors hold fp16-rounded values between operators, as SMV keeps them in memory.
 *
 * Conditional execution: a switch makes one of its outputs dead; any node with a dead input
 * produces dead outputs (and does no work), except merge, which forwards its first live input.
 */
import { InputError } from "../errors.js";
import { tensorRef } from "../graph/graph.js";
import { innerProductWeights, matmulGeometry, resolvePadding, spatial } from "../graph/ops.js";
import { allocate, channelAxis, fmtShape, makeTensor, numElements, storeAs } from "../graph/tensor.js";
import type { Activation, Graph, Layout, Node, Padding, TensorData, TensorSpec, Weights } from "../graph/types.js";
import { applyActivation, softmax } from "./activation.js";
import { conv2dNHWC, depthwiseConv2dNHWC } from "./conv.js";
import { BINARY, binaryBroadcast } from "./elementwise.js";
import { gemmAB, gemmABt } from "./gemm.js";
import { concat, pad, permute, repeat, split } from "./movement.js";
import { batchNorm, layerNorm } from "./norm.js";
import { avgPoolNHWC, globalAvgPoolNHWC, maxPoolNHWC } from "./pool.js";

/** A tensor's value during execution; null when the tensor is dead (an untaken branch). */
export type Value = TensorData | null;

export interface RunOptions {
  /** Called after each node runs (for progress reporting). */
  onNode?: (node: Node, index: number, total: number) => void;
}

/**
 * Run `graph` on `feeds` (one tensor per data node, by node name) with the constant values in
 * `weights`. Returns every graph output by tensor reference; null marks a dead output.
 */
export function runGraph(
  graph: Graph,
  weights: Weights,
  feeds: Record<string, TensorData | ArrayLike<number>>,
  options: RunOptions = {},
): Record<string, Value> {
  const values = new Map<string, Value>();
  const remaining = remainingUses(graph);
  const keep = new Set(graph.outputs);
  graph.nodes.forEach((node, index) => {
    const inputs = node.inputs.map((r) => values.get(r) as Value);
    const outs = runNode(graph, node, inputs, weights, feeds);
    outs.forEach((v, i) => {
      values.set(tensorRef(node.name, i), v);
    });
    // Drop intermediate values once their last consumer has run, to bound memory on big networks.
    for (const r of node.inputs) {
      const left = (remaining.get(r) ?? 0) - 1;
      remaining.set(r, left);
      if (left === 0 && !keep.has(r)) values.delete(r);
    }
    options.onNode?.(node, index, graph.nodes.length);
  });
  const result: Record<string, Value> = {};
  for (const r of graph.outputs) result[r] = values.get(r) ?? null;
  return result;
}

function remainingUses(graph: Graph): Map<string, number> {
  const uses = new Map<string, number>();
  for (const n of graph.nodes) for (const r of n.inputs) uses.set(r, (uses.get(r) ?? 0) + 1);
  return uses;
}

function outputSpecs(graph: Graph, node: Node): TensorSpec[] {
  const specs: TensorSpec[] = [];
  for (let i = 0; graph.tensors[tensorRef(node.name, i)] !== undefined; i++)
    specs.push(graph.tensors[tensorRef(node.name, i)]);
  return specs;
}

function checkValue(what: string, spec: TensorSpec, value: TensorData | ArrayLike<number> | undefined): TensorData {
  if (value === undefined)
    throw new InputError(`${what}: no value given (needs ${spec.dtype} ${spec.layout} ${fmtShape(spec.shape)})`);
  if ("shape" in value && "data" in value) {
    const t = value as TensorData;
    if (fmtShape(t.shape) !== fmtShape(spec.shape) || t.dtype !== spec.dtype || t.layout !== spec.layout)
      throw new InputError(
        `${what}: value is ${t.dtype} ${t.layout} ${fmtShape(t.shape)}, the graph needs ${spec.dtype} ${spec.layout} ${fmtShape(spec.shape)}`,
      );
    return makeTensor(spec, t.data);
  }
  if (value.length !== numElements(spec.shape))
    throw new InputError(
      `${what}: ${value.length} values given, shape ${fmtShape(spec.shape)} needs ${numElements(spec.shape)}`,
    );
  return makeTensor(spec, value);
}

function runNode(
  graph: Graph,
  node: Node,
  inputs: Value[],
  weights: Weights,
  feeds: Record<string, TensorData | ArrayLike<number>>,
): Value[] {
  const specs = outputSpecs(graph, node);
  if (node.op === "data") return [checkValue(`input '${node.name}'`, specs[0], feeds[node.name])];
  if (node.op === "constant")
    return [checkValue(`weights of constant '${node.name}'`, specs[0], weights.get(node.name))];
  if (node.op === "merge") {
    const live = inputs.find((v) => v !== null);
    return [live === undefined ? null : { ...live, shape: [...live.shape] }];
  }
  if (inputs.some((v) => v === null)) return specs.map(() => null);
  const ins = inputs as TensorData[];
  if (node.op === "switch") {
    const taken = ins[1].data[0] !== 0;
    return [taken ? null : ins[0], taken ? ins[0] : null];
  }
  const outs = specs.map((s) => ({ ...s, shape: [...s.shape], data: allocate(s.dtype, numElements(s.shape)) }));
  compute(node, ins, outs);
  for (const o of outs) storeAs(o.dtype, o.data);
  return outs;
}

function f32(t: TensorData): Float32Array {
  return t.data as Float32Array;
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

function toNHWC(t: TensorData): Float32Array {
  if (t.layout === "NHWC") return f32(t);
  const out = new Float32Array(t.data.length);
  permute(t.data, t.shape, TO_NHWC, out);
  return out;
}

/** Run an NHWC kernel on a tensor in either 4-D layout, writing `out` in its own layout. */
function viaNHWC(
  layout: Layout,
  outShape: readonly number[],
  out: Float32Array,
  kernel: (dst: Float32Array) => void,
): void {
  if (layout === "NHWC") {
    kernel(out);
    return;
  }
  const tmp = new Float32Array(out.length);
  kernel(tmp);
  const nhwcShape = [outShape[0], outShape[2], outShape[3], outShape[1]];
  permute(tmp, nhwcShape, TO_NCHW, out);
}

function compute(node: Node, ins: TensorData[], outs: TensorData[]): void {
  const p = node.params;
  const out = outs[0];
  switch (node.op) {
    case "conv":
    case "depthwise_conv": {
      const [x, w, bias] = ins as [TensorData, TensorData, TensorData | undefined];
      const { n, c, h, w: width } = spatial(x);
      const wNHWC = w.layout === "NHWC" || node.op === "depthwise_conv" ? f32(w) : toNHWC(w);
      const kh = w.layout === "NHWC" ? w.shape[1] : w.shape[2];
      const kw = w.layout === "NHWC" ? w.shape[2] : w.shape[3];
      const [sh, sw] = p.stride as [number, number];
      const [t, b, l, r] = resolvePadding(p.padding as Padding, h, width, kh, kw, sh, sw);
      const g = {
        n,
        h,
        w: width,
        c,
        kh,
        kw,
        strideH: sh,
        strideW: sw,
        padTop: t,
        padBottom: b,
        padLeft: l,
        padRight: r,
      };
      const xs = toNHWC(x);
      const bs = bias ? f32(bias) : undefined;
      viaNHWC(x.layout, out.shape, f32(out), (dst) => {
        if (node.op === "conv") conv2dNHWC(xs, wNHWC, bs, w.shape[0], g, dst);
        else depthwiseConv2dNHWC(xs, wNHWC, bs, g, dst);
      });
      fused(p, out);
      return;
    }
    case "max_pool":
    case "avg_pool": {
      const x = ins[0];
      const { n, c, h, w } = spatial(x);
      const [ph, pw] = p.pool as [number, number];
      const [sh, sw] = p.stride as [number, number];
      const [t, b, l, r] = resolvePadding(p.padding as Padding, h, w, ph, pw, sh, sw);
      const g = { n, h, w, c, ph, pw, strideH: sh, strideW: sw, padTop: t, padBottom: b, padLeft: l, padRight: r };
      const xs = toNHWC(x);
      viaNHWC(x.layout, out.shape, f32(out), (dst) => (node.op === "max_pool" ? maxPoolNHWC : avgPoolNHWC)(xs, g, dst));
      return;
    }
    case "global_avg_pool": {
      const x = ins[0];
      const { n, c, h, w } = spatial(x);
      globalAvgPoolNHWC(toNHWC(x), n, h, w, c, f32(out));
      return;
    }
    case "inner_product": {
      const [x, w, bias] = ins as [TensorData, TensorData, TensorData | undefined];
      const [o, k] = innerProductWeights(w);
      const m = x.shape[0];
      // CN weights ([in, out]) are transposed to one row per neuron so the bias is added before
      // the single rounding to fp32, exactly as for NC weights.
      let rows = f32(w);
      if (w.layout === "CN") {
        rows = new Float32Array(w.data.length);
        permute(w.data, w.shape, [1, 0], rows);
      }
      gemmABt(f32(x), rows, bias ? f32(bias) : undefined, m, o, k, f32(out));
      fused(p, out);
      return;
    }
    case "batched_matmul": {
      batchedMatmul(ins[0], ins[1], p.transposeA as boolean, p.transposeB as boolean, f32(out));
      return;
    }
    case "batch_norm": {
      const [x, mean, variance, gamma, beta] = ins as [TensorData, TensorData, TensorData, TensorData, TensorData];
      const axis = channelAxis(x.layout) ?? 1;
      batchNorm(f32(x), x.shape, axis, f32(mean), f32(variance), f32(gamma), f32(beta), p.epsilon as number, f32(out));
      fused(p, out);
      return;
    }
    case "layer_norm": {
      const [x, gamma, beta] = ins as [TensorData, TensorData, TensorData];
      layerNorm(f32(x), x.shape[x.shape.length - 1], f32(gamma), f32(beta), p.epsilon as number, f32(out));
      return;
    }
    case "relu":
    case "leaky_relu":
    case "elu":
    case "selu":
    case "tanh":
    case "hard_tanh":
    case "sigmoid":
      out.data.set(ins[0].data);
      applyActivation({ type: node.op, ...p } as Activation, f32(out), out.shape);
      return;
    case "softmax":
      out.data.set(ins[0].data);
      softmax(f32(out), out.shape, p.axis as number);
      return;
    case "add":
    case "mul":
    case "less":
    case "less_equal":
    case "greater":
    case "greater_equal": {
      const [a, b] = ins as [TensorData, TensorData];
      binaryBroadcast(BINARY[node.op], a.data, a.shape, b.data, b.shape, out.data, out.shape);
      return;
    }
    case "reorder":
      reorder(ins[0], out);
      return;
    case "reshape":
      out.data.set(ins[0].data);
      return;
    case "concat":
      concat(ins, axisOf(p.axis as number, out.shape.length), out.data);
      return;
    case "split": {
      const x = ins[0];
      split(
        x.data,
        x.shape,
        axisOf(p.axis as number, x.shape.length),
        outs.map((o) => o.data),
        p.sizes as number[],
      );
      return;
    }
    case "repeat":
      repeat(ins[0].data, ins[0].shape, p.multiples as number[], out.data);
      return;
    case "padding":
      pad(ins[0].data, ins[0].shape, p.pads as [number, number][], p.value as number, out.data);
      return;
    default:
      throw new Error(`node '${node.name}': no kernel for operator '${node.op}'`);
  }
}

function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function fused(p: Record<string, unknown>, out: TensorData): void {
  const act = p.activation as Activation | undefined;
  // A fused softmax runs over the channel axis (the last axis of NC and NHWC, axis 1 of NCHW); SMAUG dropped it silently.
  if (act) applyActivation(act, f32(out), out.shape, act.type === "softmax" ? (channelAxis(out.layout) ?? -1) : -1);
}

function reorder(x: TensorData, out: TensorData): void {
  const key = `${x.layout}>${out.layout}`;
  const perms: Record<string, number[]> = {
    "NCHW>NHWC": TO_NHWC,
    "NHWC>NCHW": TO_NCHW,
    "NC>CN": [1, 0],
    "CN>NC": [1, 0],
    "NCT>NTC": [0, 2, 1],
    "NTC>NCT": [0, 2, 1],
  };
  const perm = perms[key];
  // Same layout or a 4-D -> NC flatten: the memory order is unchanged.
  if (perm === undefined) out.data.set(x.data);
  else permute(x.data, x.shape, perm, out.data);
}

function batchedMatmul(a: TensorData, b: TensorData, ta: boolean, tb: boolean, out: Float32Array): void {
  const g = matmulGeometry(a, b, ta, tb);
  const { m, k, n } = g;
  for (let i = 0; i < g.batch; i++) {
    const aOff = (g.batchA === 1 ? 0 : i) * m * k;
    const bOff = (g.batchB === 1 ? 0 : i) * k * n;
    let aMat = f32(a);
    let aBase = aOff;
    if (ta) {
      aMat = new Float32Array(m * k);
      permute(f32(a).subarray(aOff, aOff + m * k), [k, m], [1, 0], aMat);
      aBase = 0;
    }
    if (tb) gemmABt(aMat, f32(b).subarray(bOff, bOff + n * k), undefined, m, n, k, out, aBase, i * m * n);
    else gemmAB(aMat, f32(b), m, n, k, out, aBase, bOff, i * m * n);
  }
}
