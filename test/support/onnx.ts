/**
 * An independent oracle for the kernels: export a Graph and its Weights to an ONNX model and run
 * it with onnxruntime-node. The exporter shares no arithmetic with src/kernels: it only maps
 * each operator to its ONNX counterpart (with Transpose nodes around the operators ONNX defines
 * on NCHW only), so agreement between runGraph and onnxruntime checks our kernels against an
 * implementation written by other people.
 *
 * Everything is exported as float32 (fp16 graphs are refused), int32 and bool keep their types.
 * Switch and merge have no ONNX counterpart and are refused with an error.
 */

import type { onnx as OnnxTypes } from "onnx-proto";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { channelAxis, makeTensor, numElements } from "../../src/graph/tensor.js";
import type {
  Activation,
  DType,
  Graph,
  Node,
  Padding,
  TensorArray,
  TensorData,
  TensorSpec,
  Weights,
} from "../../src/graph/types.js";

// onnx-proto is CommonJS with its namespace assigned at run time, so Node's ESM loader sees no
// named export `onnx`: take it from the default export (module.exports).
const { onnx } = onnxProto;

/** The opset the exported models declare (17: the first with LayerNormalization). */
export const ONNX_OPSET = 17;

/** ONNX TensorProto.DataType codes. */
const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, bool: 9 } as const;

export class OnnxExportError extends Error {}

function onnxType(dtype: DType, where: string): number {
  if (dtype === "float16")
    throw new OnnxExportError(`${where}: fp16 graphs are not exported to ONNX (export the fp32 graph)`);
  return ONNX_DTYPE[dtype];
}

type Attr = { f: number } | { i: number } | { ints: number[] } | { s: string };

function attribute(name: string, a: Attr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ("f" in a) return { name, type: T.FLOAT, f: a.f };
  if ("i" in a) return { name, type: T.INT, i: a.i };
  if ("ints" in a) return { name, type: T.INTS, ints: a.ints };
  return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
}

function rawBytes(data: TensorArray | Float64Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** Transpose a row-major array like numpy.transpose: output axis k is input axis perm[k]. */
export function transposeArray<T extends TensorArray>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k] * inStrides[perm[k]];
    out[o] = data[src];
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

/**
 * SAME_UPPER padding of one spatial axis, written out here rather than taken from the kernels:
 * the output has ceil(in/stride) positions and the padding the window needs for that is split
 * with the odd one at the end (bottom/right), as ONNX's auto_pad=SAME_UPPER and TensorFlow do.
 */
function sameUpper(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const begin = Math.floor(total / 2);
  return [begin, total - begin];
}

/** ONNX pads [top, left, bottom, right] of a window op on an NCHW/NHWC input. */
function onnxPads(padding: Padding, h: number, w: number, kh: number, kw: number, sh: number, sw: number): number[] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const [t, b] = sameUpper(h, kh, sh);
    const [l, r] = sameUpper(w, kw, sw);
    return [t, l, b, r];
  }
  const [t, b, l, r] = padding;
  return [t, l, b, r];
}

class Exporter {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly initialized = new Set<string>();
  private readonly ops: Map<string, Node>;
  private counter = 0;

  constructor(
    private readonly graph: Graph,
    private readonly weights: Weights,
  ) {
    this.ops = new Map(graph.nodes.map((n) => [n.name, n]));
  }

  spec(ref: string): TensorSpec {
    const s = this.graph.tensors[ref];
    if (s === undefined) throw new OnnxExportError(`graph '${this.graph.name}': no tensor '${ref}'`);
    return s;
  }

  /** A fresh value name; '#' cannot occur in our node names, so it never collides. */
  fresh(hint: string): string {
    return `${hint}#${this.counter++}`;
  }

  node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): void {
    this.nodes.push({
      opType,
      name: this.fresh(`${outputs[0]}/${opType}`),
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  initializer(name: string, dataType: number, dims: readonly number[], raw: Uint8Array): string {
    if (!this.initialized.has(name)) {
      this.initialized.add(name);
      this.initializers.push({ name, dataType, dims: [...dims], rawData: raw });
    }
    return name;
  }

  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(
      this.fresh(hint),
      ONNX_DTYPE.int64,
      [values.length],
      rawBytes(BigInt64Array.from(values, (v) => BigInt(v))),
    );
  }

  /** A scalar of the given element type (for Clip bounds and Pad's value). */
  scalar(hint: string, dtype: DType, value: number): string {
    const data =
      dtype === "int32"
        ? Int32Array.of(value)
        : dtype === "bool"
          ? Uint8Array.of(value ? 1 : 0)
          : Float32Array.of(value);
    return this.initializer(this.fresh(hint), onnxType(dtype, hint), [], rawBytes(data));
  }

  /** The ONNX value of one of our tensor references; a constant becomes an initializer when first used. */
  value(ref: string): string {
    const producer = this.ops.get(ref);
    if (producer?.op === "constant") {
      const t = this.constant(ref);
      this.initializer(ref, onnxType(t.dtype, ref), t.shape, rawBytes(t.data));
    }
    return ref;
  }

  constant(name: string): TensorData {
    const t = this.weights.get(name);
    if (t === undefined) throw new OnnxExportError(`constant '${name}' has no value in the weights`);
    const spec = this.spec(name);
    if (t.data.length !== numElements(spec.shape))
      throw new OnnxExportError(`constant '${name}': ${t.data.length} values for shape [${spec.shape.join("x")}]`);
    return { ...spec, data: t.data };
  }

  /** A value permuted by `perm`: a transposed initializer for a constant, a Transpose node otherwise. */
  transposed(ref: string, perm: number[]): string {
    const producer = this.ops.get(ref);
    if (producer?.op === "constant") {
      const t = this.constant(ref);
      const name = `${ref}#perm${perm.join("")}`;
      return this.initializer(
        name,
        onnxType(t.dtype, ref),
        perm.map((p) => t.shape[p]),
        rawBytes(transposeArray(t.data, t.shape, perm)),
      );
    }
    const out = this.fresh(`${ref}/perm${perm.join("")}`);
    this.node("Transpose", [this.value(ref)], [out], { perm: { ints: perm } });
    return out;
  }

  /** An NCHW view of a 4-D input in NCHW or NHWC. */
  toNCHW(ref: string): string {
    return this.spec(ref).layout === "NHWC" ? this.transposed(ref, NHWC_TO_NCHW) : this.value(ref);
  }

  /**
   * Emit an NCHW-only operator on our NCHW or NHWC input, then its fused activation (applied in
   * our own layout, after transposing back).
   */
  windowOp(
    node: Node,
    opType: string,
    inputs: string[],
    attrs: Record<string, Attr>,
    activation: Activation | undefined,
  ): void {
    const layout = this.spec(node.name).layout;
    const raw = activation ? this.fresh(node.name) : node.name;
    const nchwOut = layout === "NHWC" ? this.fresh(`${node.name}/nchw`) : raw;
    this.node(opType, inputs, [nchwOut], attrs);
    if (layout === "NHWC") this.node("Transpose", [nchwOut], [raw], { perm: { ints: NCHW_TO_NHWC } });
    if (activation) this.fusedActivation(activation, raw, node.name);
  }

  /** A fused activation; a fused softmax runs over the channel axis (axis 1 of NCHW, the last of NHWC and NC). */
  fusedActivation(a: Activation, input: string, output: string): void {
    this.activation(a, input, output, channelAxis(this.spec(output).layout) ?? -1);
  }

  activation(a: Activation, input: string, output: string, softmaxAxis: number): void {
    const param = (key: "slope" | "alpha" | "lambda" | "min" | "max"): number => {
      const v = a[key];
      if (v === undefined)
        throw new OnnxExportError(`activation ${a.type} has no ${key} (buildGraph fills in every parameter)`);
      return v;
    };
    const inputs = [input];
    let attrs: Record<string, Attr> = {};
    let opType: string;
    switch (a.type) {
      case "relu":
        opType = "Relu";
        break;
      case "leaky_relu":
        opType = "LeakyRelu";
        attrs = { alpha: { f: param("slope") } };
        break;
      case "elu":
        opType = "Elu";
        attrs = { alpha: { f: param("alpha") } };
        break;
      case "selu":
        opType = "Selu";
        attrs = { alpha: { f: param("alpha") }, gamma: { f: param("lambda") } };
        break;
      case "tanh":
        opType = "Tanh";
        break;
      case "sigmoid":
        opType = "Sigmoid";
        break;
      case "hard_tanh":
        opType = "Clip";
        inputs.push(
          this.scalar(`${output}/min`, "float32", param("min")),
          this.scalar(`${output}/max`, "float32", param("max")),
        );
        break;
      case "softmax":
        opType = "Softmax";
        attrs = { axis: { i: softmaxAxis } };
        break;
    }
    this.node(opType, inputs, [output], attrs);
  }

  /** Export one of our nodes; its outputs get our tensor references as ONNX value names. */
  emit(n: Node): void {
    const p = n.params;
    const ins = n.inputs;
    const where = `node '${n.name}' (${n.op})`;
    const out = this.spec(n.name);
    const act = p.activation as Activation | undefined;
    switch (n.op) {
      case "data":
      case "constant":
        return;
      case "conv":
      case "depthwise_conv": {
        const x = this.spec(ins[0]);
        const w = this.spec(ins[1]);
        const nhwc = x.layout === "NHWC";
        const [kh, kw] = nhwc ? [w.shape[1], w.shape[2]] : [w.shape[2], w.shape[3]];
        const [h, width] = nhwc ? [x.shape[1], x.shape[2]] : [x.shape[2], x.shape[3]];
        const c = nhwc ? x.shape[3] : x.shape[1];
        const [sh, sw] = p.stride as [number, number];
        // OHWI -> OIHW, and depthwise [C,kH,kW,1] -> [C,1,kH,kW]: the same permutation.
        const weights = nhwc ? this.transposed(ins[1], NHWC_TO_NCHW) : this.value(ins[1]);
        const inputs = [this.toNCHW(ins[0]), weights];
        if (ins[2] !== undefined) inputs.push(this.value(ins[2]));
        this.windowOp(
          n,
          "Conv",
          inputs,
          {
            kernel_shape: { ints: [kh, kw] },
            strides: { ints: [sh, sw] },
            pads: { ints: onnxPads(p.padding as Padding, h, width, kh, kw, sh, sw) },
            dilations: { ints: [1, 1] },
            group: { i: n.op === "depthwise_conv" ? c : 1 },
          },
          act,
        );
        return;
      }
      case "max_pool":
      case "avg_pool": {
        const x = this.spec(ins[0]);
        const nhwc = x.layout === "NHWC";
        const [h, width] = nhwc ? [x.shape[1], x.shape[2]] : [x.shape[2], x.shape[3]];
        const [kh, kw] = p.pool as [number, number];
        const [sh, sw] = p.stride as [number, number];
        const attrs: Record<string, Attr> = {
          kernel_shape: { ints: [kh, kw] },
          strides: { ints: [sh, sw] },
          pads: { ints: onnxPads(p.padding as Padding, h, width, kh, kw, sh, sw) },
        };
        if (n.op === "avg_pool") attrs.count_include_pad = { i: 0 };
        this.windowOp(n, n.op === "max_pool" ? "MaxPool" : "AveragePool", [this.toNCHW(ins[0])], attrs, undefined);
        return;
      }
      case "global_avg_pool": {
        const pooled = this.fresh(`${n.name}/pooled`);
        this.node("GlobalAveragePool", [this.toNCHW(ins[0])], [pooled]);
        this.node("Flatten", [pooled], [n.name], { axis: { i: 1 } });
        return;
      }
      case "inner_product": {
        const w = this.spec(ins[1]);
        const inputs = [this.value(ins[0]), this.value(ins[1])];
        if (ins[2] !== undefined) inputs.push(this.value(ins[2]));
        const raw = act ? this.fresh(n.name) : n.name;
        // NC weights are [out, in]: Y = X W^T; CN weights are [in, out]: Y = X W.
        this.node("Gemm", inputs, [raw], { transB: { i: w.layout === "NC" ? 1 : 0 } });
        if (act) this.fusedActivation(act, raw, n.name);
        return;
      }
      case "batched_matmul": {
        const swap = (ref: string): string => {
          const rank = this.spec(ref).shape.length;
          return this.transposed(ref, rank === 2 ? [1, 0] : [0, 2, 1]);
        };
        const a = p.transposeA ? swap(ins[0]) : this.value(ins[0]);
        const b = p.transposeB ? swap(ins[1]) : this.value(ins[1]);
        this.node("MatMul", [a, b], [n.name]);
        return;
      }
      case "batch_norm": {
        const x = this.spec(ins[0]);
        // ours: [x, mean, variance, gamma, beta]; ONNX: [X, scale, B, input_mean, input_var]
        const [mean, variance, gamma, beta] = ins.slice(1).map((r) => this.value(r));
        const inputs = [this.toNCHW(ins[0]), gamma, beta, mean, variance];
        const attrs = { epsilon: { f: p.epsilon as number } };
        if (x.shape.length === 4) {
          this.windowOp(n, "BatchNormalization", inputs, attrs, act);
          return;
        }
        const raw = act ? this.fresh(n.name) : n.name;
        this.node("BatchNormalization", inputs, [raw], attrs);
        if (act) this.fusedActivation(act, raw, n.name);
        return;
      }
      case "layer_norm": {
        const epsilon = { f: p.epsilon as number };
        this.node(
          "LayerNormalization",
          ins.map((r) => this.value(r)),
          [n.name],
          { axis: { i: -1 }, epsilon },
        );
        return;
      }
      case "relu":
      case "leaky_relu":
      case "elu":
      case "selu":
      case "tanh":
      case "hard_tanh":
      case "sigmoid":
        this.activation({ type: n.op, ...p } as Activation, this.value(ins[0]), n.name, -1);
        return;
      case "softmax":
        this.activation({ type: "softmax" }, this.value(ins[0]), n.name, p.axis as number);
        return;
      case "add":
      case "mul":
      case "less":
      case "less_equal":
      case "greater":
      case "greater_equal": {
        const opType = {
          add: "Add",
          mul: "Mul",
          less: "Less",
          less_equal: "LessOrEqual",
          greater: "Greater",
          greater_equal: "GreaterOrEqual",
        }[n.op];
        this.node(
          opType,
          ins.map((r) => this.value(r)),
          [n.name],
        );
        return;
      }
      case "reorder": {
        const x = this.spec(ins[0]);
        const to = p.layout as string;
        const key = `${x.layout}>${to}`;
        const input = this.value(ins[0]);
        if (x.layout === to) {
          this.node("Identity", [input], [n.name]);
          return;
        }
        const perms: Record<string, number[]> = {
          "NCHW>NHWC": NCHW_TO_NHWC,
          "NHWC>NCHW": NHWC_TO_NCHW,
          "NC>CN": [1, 0],
          "CN>NC": [1, 0],
          "NCT>NTC": [0, 2, 1],
          "NTC>NCT": [0, 2, 1],
        };
        if (perms[key]) {
          this.node("Transpose", [input], [n.name], { perm: { ints: perms[key] } });
          return;
        }
        // NCHW -> NC and NHWC -> NC flatten in the input's own memory order.
        if (to === "NC" && x.shape.length === 4) {
          this.node("Flatten", [input], [n.name], { axis: { i: 1 } });
          return;
        }
        throw new OnnxExportError(`${where}: no ONNX mapping for a reorder ${key}`);
      }
      case "concat":
        this.node(
          "Concat",
          ins.map((r) => this.value(r)),
          [n.name],
          { axis: { i: p.axis as number } },
        );
        return;
      case "split": {
        const sizes = p.sizes as number[];
        const outputs = sizes.map((_, i) => (i === 0 ? n.name : `${n.name}:${i}`));
        this.node("Split", [this.value(ins[0]), this.int64s(`${n.name}/sizes`, sizes)], outputs, {
          axis: { i: p.axis as number },
        });
        return;
      }
      case "reshape":
        // the inferred shape, with any -1 resolved
        this.node("Reshape", [this.value(ins[0]), this.int64s(`${n.name}/shape`, out.shape)], [n.name]);
        return;
      case "repeat":
        this.node("Tile", [this.value(ins[0]), this.int64s(`${n.name}/repeats`, p.multiples as number[])], [n.name]);
        return;
      case "padding": {
        const pads = p.pads as [number, number][];
        const x = this.spec(ins[0]);
        this.node(
          "Pad",
          [
            this.value(ins[0]),
            this.int64s(`${n.name}/pads`, [...pads.map((q) => q[0]), ...pads.map((q) => q[1])]),
            this.scalar(`${n.name}/value`, x.dtype, p.value as number),
          ],
          [n.name],
          { mode: { s: "constant" } },
        );
        return;
      }
      case "switch":
      case "merge":
        throw new OnnxExportError(
          `${where}: ONNX has no ${n.op} (dataflow control with dead tensors); such graphs cannot be exported, check them by hand`,
        );
      default:
        throw new OnnxExportError(`${where}: no ONNX mapping for operator '${n.op}'`);
    }
  }
}

function valueInfo(name: string, spec: TensorSpec): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxType(spec.dtype, `tensor '${name}'`),
        shape: { dim: spec.shape.map((d) => ({ dimValue: d })) },
      },
    },
  };
}

/**
 * Export a graph and its weights to a serialised ONNX ModelProto (IR 8, opset 17). Data nodes
 * become graph inputs (named after the node), constants become initializers, and graph.outputs
 * become outputs named by their tensor references (`node` or `node:i`).
 */
export function exportOnnx(graph: Graph, weights: Weights): Uint8Array {
  for (const [ref, spec] of Object.entries(graph.tensors))
    onnxType(spec.dtype, `graph '${graph.name}', tensor '${ref}'`);
  const ex = new Exporter(graph, weights);
  for (const n of graph.nodes) ex.emit(n);
  const producers = new Map(graph.nodes.map((n) => [n.name, n.op]));
  for (const ref of graph.outputs) {
    const op = producers.get(ref);
    if (op === "data" || op === "constant")
      throw new OnnxExportError(
        `graph '${graph.name}': output '${ref}' is a ${op} node; ONNX outputs must be computed`,
      );
  }
  const model: OnnxTypes.IModelProto = {
    irVersion: 8,
    producerName: "smaug-sim test exporter",
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    graph: {
      name: graph.name,
      node: ex.nodes,
      initializer: ex.initializers,
      input: graph.nodes.filter((n) => n.op === "data").map((n) => valueInfo(n.name, graph.tensors[n.name])),
      output: graph.outputs.map((ref) => valueInfo(ref, graph.tensors[ref])),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

export type OnnxOutput = Float32Array | Uint8Array | Int32Array;

/**
 * Run an exported model in onnxruntime (CPU, one thread). Feeds are keyed by data-node name
 * (extra feeds are ignored); the result is keyed by output tensor reference.
 */
export async function runOnnx(
  model: Uint8Array,
  feeds: Record<string, TensorData>,
): Promise<Record<string, OnnxOutput>> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    logSeverityLevel: 3,
  });
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = feeds[name];
      if (t === undefined) throw new Error(`runOnnx: no feed for input '${name}'`);
      if (t.dtype === "float16") throw new Error(`runOnnx: feed '${name}' is fp16`);
      const type = t.dtype === "float32" ? "float32" : t.dtype === "int32" ? "int32" : "bool";
      inputs[name] = new ort.Tensor(type, t.data, t.shape);
    }
    const results = await session.run(inputs);
    const out: Record<string, OnnxOutput> = {};
    for (const name of session.outputNames) {
      const data = results[name].data;
      if (!(data instanceof Float32Array || data instanceof Uint8Array || data instanceof Int32Array))
        throw new Error(`runOnnx: output '${name}' has an unexpected element type ${results[name].type}`);
      out[name] = data;
    }
    return out;
  } finally {
    await session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Test helpers

export type Rand = () => number;

/** A seeded generator (mulberry32), so a failing random case reproduces from its seed. */
export function rng(seed: number): Rand {
  return mulberry32(seed);
}

/** An integer in [lo, hi]. */
export function randInt(r: Rand, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: Rand, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/**
 * A tensor of uniform random values in [lo, hi) (float), integers in [lo, hi] (int32), or 0/1
 * (bool).
 */
export function randomTensor(r: Rand, spec: TensorSpec, lo = -1, hi = 1): TensorData {
  const n = numElements(spec.shape);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (spec.dtype === "bool") values[i] = r() < 0.5 ? 1 : 0;
    else if (spec.dtype === "int32") values[i] = randInt(r, lo, hi);
    else values[i] = lo + (hi - lo) * r();
  }
  return makeTensor(spec, values);
}

/**
 * Worst error of `got` against the reference `want`, relative to the reference's scale:
 *
 *   max_i |got_i - want_i| / max(1, max_j |want_j|)
 *
 * i.e. an absolute error for tensors whose values are at most 1 in magnitude and a relative one
 * for larger tensors. Element-wise relative error would be meaningless where the reference is
 * near zero (a sum of many products that cancels keeps the absolute rounding error of its
 * terms), while normalising by the tensor's largest value makes 1e-5 a fair bound for fp32
 * (unit roundoff 6e-8, so this allows ~160 ulps of the largest value: enough for differently
 * ordered sums of a few hundred terms, far too little for a wrong index, padding or parameter).
 * NaN anywhere it is not also in the reference, or a length mismatch, gives Infinity.
 */
export function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Number.POSITIVE_INFINITY;
  let scale = 1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - b) / scale);
  }
  return worst;
}

/** Index of the first element where two arrays differ (or -1), for exact comparisons of bool/int outputs. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}
