/**
 * The operator set: for each operator, its inputs, its parameters (a zod schema that fills in
 * defaults, so a stored graph always carries every parameter explicitly), shape inference, and
 * its multiply-accumulate count. Kernels live in src/kernels; this module only describes.
 */
import { z } from "zod";
import { convOutputSize, samePadding } from "../kernels/conv.js";
import { channelAxis, fmtShape, isFloat, numElements } from "./tensor.js";
import {
  ACTIVATIONS,
  type Activation,
  ACTIVATION_DEFAULTS as D,
  DTYPES,
  LAYOUT_RANK,
  LAYOUTS,
  type Layout,
  type Padding,
  type TensorSpec,
} from "./types.js";

/** Thrown by shape inference; the graph validator prefixes the node name. */
export class ShapeError extends Error {}

function fail(message: string): never {
  throw new ShapeError(message);
}

const posInt = z.number().int().min(1);
const pair = z.tuple([posInt, posInt]);

export const activationSchema = z
  .object({
    type: z.enum(ACTIVATIONS),
    slope: z.number().finite().optional(),
    alpha: z.number().finite().optional(),
    lambda: z.number().finite().optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict()
  .transform((a, ctx): Activation => {
    // Fill every parameter the activation uses, so none is silently ignored or defaulted later.
    switch (a.type) {
      case "leaky_relu":
        return { type: a.type, slope: a.slope ?? D.slope };
      case "elu":
        return { type: a.type, alpha: a.alpha ?? D.eluAlpha };
      case "selu":
        return { type: a.type, alpha: a.alpha ?? D.seluAlpha, lambda: a.lambda ?? D.seluLambda };
      case "hard_tanh": {
        const min = a.min ?? D.min;
        const max = a.max ?? D.max;
        if (!(min < max))
          ctx.addIssue({ code: "custom", message: `hard_tanh min (${min}) must be below max (${max})` });
        return { type: a.type, min, max };
      }
      default: {
        const stray = (["slope", "alpha", "lambda", "min", "max"] as const).filter((k) => a[k] !== undefined);
        if (stray.length > 0)
          ctx.addIssue({ code: "custom", message: `${a.type} takes no parameter ${stray.join(", ")}` });
        return { type: a.type };
      }
    }
  });

const paddingSchema = z.union([
  z.enum(["same", "valid"]),
  z.tuple([z.number().int().min(0), z.number().int().min(0), z.number().int().min(0), z.number().int().min(0)]),
]);

const specParams = z
  .object({
    shape: z.array(posInt).min(1),
    layout: z.enum(LAYOUTS),
    dtype: z.enum(DTYPES).default("float32"),
  })
  .strict();

const convParams = z
  .object({
    stride: pair.default([1, 1]),
    padding: paddingSchema.default("same"),
    activation: activationSchema.optional(),
  })
  .strict();

const poolParams = z
  .object({
    pool: pair,
    stride: pair.optional(),
    padding: paddingSchema.default("valid"),
  })
  .strict()
  .transform((p) => ({ ...p, stride: p.stride ?? p.pool }));

const fusedOnly = z.object({ activation: activationSchema.optional() }).strict();
const none = z.object({}).strict();
const axisParam = z.object({ axis: z.number().int() }).strict();

export interface OpDef {
  /** Number of inputs accepted: [min, max]; max Infinity for variadic operators. */
  arity: [number, number];
  /** What each input is, for error messages and for counting parameters. */
  inputNames: string[];
  params: z.ZodType<Record<string, unknown>>;
  infer(inputs: TensorSpec[], params: Record<string, unknown>): TensorSpec[];
  /** Multiply-accumulates of one execution. */
  macs?(inputs: TensorSpec[], outputs: TensorSpec[], params: Record<string, unknown>): number;
  /**
   * Indices of inputs whose constant values are statistics, not learned parameters
   * (batch norm's running mean and variance), so the count of trainable parameters can match
   * published figures.
   */
  nonTrainableInputs?: number[];
}

/** Spatial geometry of a 4-D tensor in NCHW or NHWC. */
export function spatial(spec: TensorSpec): { n: number; c: number; h: number; w: number } {
  const s = spec.shape;
  if (spec.layout === "NHWC") return { n: s[0], h: s[1], w: s[2], c: s[3] };
  if (spec.layout === "NCHW") return { n: s[0], c: s[1], h: s[2], w: s[3] };
  return fail(`expected a 4-D NCHW or NHWC tensor, got ${spec.layout} ${fmtShape(s)}`);
}

function make4d(layout: Layout, n: number, c: number, h: number, w: number): number[] {
  return layout === "NHWC" ? [n, h, w, c] : [n, c, h, w];
}

/** Explicit [top, bottom, left, right] padding for a window over an input. */
export function resolvePadding(
  padding: Padding,
  h: number,
  w: number,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
): [number, number, number, number] {
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding === "same") {
    const [t, b] = samePadding(h, kh, sh);
    const [l, r] = samePadding(w, kw, sw);
    return [t, b, l, r];
  }
  return padding;
}

function requireFloat(spec: TensorSpec, what: string): void {
  if (!isFloat(spec.dtype)) fail(`${what} must be float32 or float16, got ${spec.dtype}`);
}

function requireVector(spec: TensorSpec, length: number, what: string): void {
  if (spec.shape.length !== 1 || spec.shape[0] !== length)
    fail(`${what} must have shape [${length}], got ${fmtShape(spec.shape)}`);
}

/** Kernel geometry of conv/depthwise weights in the input's layout. */
function convWeights(
  x: TensorSpec,
  w: TensorSpec,
  depthwise: boolean,
): { o: number; kh: number; kw: number; i: number } {
  if (w.layout !== x.layout) fail(`weights layout ${w.layout} must match the input layout ${x.layout}`);
  const s = w.shape;
  if (s.length !== 4) fail(`weights must be 4-D, got ${fmtShape(s)}`);
  const g = w.layout === "NHWC" ? { o: s[0], kh: s[1], kw: s[2], i: s[3] } : { o: s[0], i: s[1], kh: s[2], kw: s[3] };
  const c = spatial(x).c;
  if (depthwise) {
    if (g.i !== 1 || g.o !== c)
      fail(
        `depthwise weights must be ${w.layout === "NHWC" ? `[${c}xKhxKwx1]` : `[${c}x1xKhxKw]`}, got ${fmtShape(s)}`,
      );
  } else if (g.i !== c) {
    fail(`weights have ${g.i} input channels, the input has ${c}`);
  }
  return g;
}

function inferConv(depthwise: boolean) {
  return (inputs: TensorSpec[], p: Record<string, unknown>): TensorSpec[] => {
    const [x, w, bias] = inputs as [TensorSpec, TensorSpec, TensorSpec | undefined];
    requireFloat(x, "input");
    requireFloat(w, "weights");
    const { n, h, w: width } = spatial(x);
    const g = convWeights(x, w, depthwise);
    if (bias) {
      requireFloat(bias, "bias");
      requireVector(bias, g.o, "bias");
    }
    const [sh, sw] = p.stride as [number, number];
    const [t, b, l, r] = resolvePadding(p.padding as Padding, h, width, g.kh, g.kw, sh, sw);
    if (t >= g.kh || b >= g.kh || l >= g.kw || r >= g.kw)
      fail(`padding ${[t, b, l, r]} must be smaller than the kernel`);
    const geom = { n, h, w: width, c: g.i, kh: g.kh, kw: g.kw, strideH: sh, strideW: sw };
    if (h + t + b < g.kh || width + l + r < g.kw)
      fail(`kernel ${g.kh}x${g.kw} is larger than the padded input ${h + t + b}x${width + l + r}`);
    const { outH, outW } = convOutputSize({ ...geom, padTop: t, padBottom: b, padLeft: l, padRight: r });
    return [{ shape: make4d(x.layout, n, g.o, outH, outW), layout: x.layout, dtype: x.dtype }];
  };
}

function convMacs(depthwise: boolean) {
  return (inputs: TensorSpec[], outputs: TensorSpec[]): number => {
    const x = inputs[0];
    const w = inputs[1];
    const out = spatial(outputs[0]);
    const g = convWeights(x, w, depthwise);
    return out.n * out.h * out.w * out.c * g.kh * g.kw * (depthwise ? 1 : g.i);
  };
}

function inferPool(inputs: TensorSpec[], p: Record<string, unknown>): TensorSpec[] {
  const x = inputs[0];
  requireFloat(x, "input");
  const { n, c, h, w } = spatial(x);
  const [ph, pw] = p.pool as [number, number];
  const [sh, sw] = p.stride as [number, number];
  const [t, b, l, r] = resolvePadding(p.padding as Padding, h, w, ph, pw, sh, sw);
  if (t >= ph || b >= ph || l >= pw || r >= pw) fail(`padding ${[t, b, l, r]} must be smaller than the pool window`);
  if (h + t + b < ph || w + l + r < pw) fail(`pool window ${ph}x${pw} is larger than the input ${h}x${w}`);
  const outH = Math.floor((h + t + b - ph) / sh) + 1;
  const outW = Math.floor((w + l + r - pw) / sw) + 1;
  return [{ shape: make4d(x.layout, n, c, outH, outW), layout: x.layout, dtype: x.dtype }];
}

/** numpy broadcasting of two shapes (trailing dimensions aligned; 1 stretches). */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) fail(`shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast`);
    out.push(Math.max(da, db));
  }
  return out;
}

function broadcastLayout(a: TensorSpec, b: TensorSpec, rank: number): Layout {
  if (a.shape.length === b.shape.length && a.layout !== b.layout && a.layout !== "any" && b.layout !== "any")
    fail(`layouts ${a.layout} and ${b.layout} differ`);
  const wider = a.shape.length >= b.shape.length ? a : b;
  const layout =
    wider.layout === "any"
      ? a.shape.length === b.shape.length
        ? a.layout === "any"
          ? b.layout
          : a.layout
        : "any"
      : wider.layout;
  return LAYOUT_RANK[layout] === rank ? layout : "any";
}

function inferBinary(outDtype: "same" | "bool") {
  return (inputs: TensorSpec[]): TensorSpec[] => {
    const [a, b] = inputs as [TensorSpec, TensorSpec];
    if (a.dtype !== b.dtype) fail(`operand data types differ: ${a.dtype} and ${b.dtype}`);
    if (outDtype === "same" && a.dtype === "bool") fail("arithmetic on bool tensors is not defined");
    const shape = broadcastShapes(a.shape, b.shape);
    return [{ shape, layout: broadcastLayout(a, b, shape.length), dtype: outDtype === "bool" ? "bool" : a.dtype }];
  };
}

function unaryFloat(inputs: TensorSpec[]): TensorSpec[] {
  requireFloat(inputs[0], "input");
  return [{ ...inputs[0], shape: [...inputs[0].shape] }];
}

/** Normalise a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

const activationOp = (params: z.ZodType<Record<string, unknown>>): OpDef => ({
  arity: [1, 1],
  inputNames: ["input"],
  params,
  infer: unaryFloat,
});

/** Which layouts a reorder can go between, and the resulting shape. */
export function reorderShape(from: TensorSpec, to: Layout): number[] {
  const s = from.shape;
  if (from.layout === to) return [...s];
  const key = `${from.layout}>${to}`;
  switch (key) {
    case "NCHW>NHWC":
      return [s[0], s[2], s[3], s[1]];
    case "NHWC>NCHW":
      return [s[0], s[3], s[1], s[2]];
    case "NCHW>NC":
    case "NHWC>NC":
      return [s[0], s[1] * s[2] * s[3]];
    case "NC>CN":
    case "CN>NC":
      return [s[1], s[0]];
    case "NCT>NTC":
    case "NTC>NCT":
      return [s[0], s[2], s[1]];
    default:
      return fail(
        `no reorder from ${from.layout} to ${to} (supported: NCHW<->NHWC, NCHW/NHWC->NC, NC<->CN, NCT<->NTC)`,
      );
  }
}

const BN_INPUTS = ["input", "mean", "variance", "gamma", "beta"];

export const OPS: Record<string, OpDef> = {
  data: { arity: [0, 0], inputNames: [], params: specParams, infer: (_i, p) => [specFromParams(p)] },
  constant: { arity: [0, 0], inputNames: [], params: specParams, infer: (_i, p) => [specFromParams(p)] },

  conv: {
    arity: [2, 3],
    inputNames: ["input", "weights", "bias"],
    params: convParams,
    infer: inferConv(false),
    macs: convMacs(false),
  },
  depthwise_conv: {
    arity: [2, 3],
    inputNames: ["input", "weights", "bias"],
    params: convParams,
    infer: inferConv(true),
    macs: convMacs(true),
  },
  max_pool: { arity: [1, 1], inputNames: ["input"], params: poolParams, infer: inferPool },
  avg_pool: { arity: [1, 1], inputNames: ["input"], params: poolParams, infer: inferPool },
  global_avg_pool: {
    arity: [1, 1],
    inputNames: ["input"],
    params: none,
    infer: (inputs) => {
      requireFloat(inputs[0], "input");
      const { n, c } = spatial(inputs[0]);
      return [{ shape: [n, c], layout: "NC", dtype: inputs[0].dtype }];
    },
  },
  inner_product: {
    arity: [2, 3],
    inputNames: ["input", "weights", "bias"],
    params: fusedOnly,
    infer: (inputs) => {
      const [x, w, bias] = inputs as [TensorSpec, TensorSpec, TensorSpec | undefined];
      requireFloat(x, "input");
      requireFloat(w, "weights");
      if (x.layout !== "NC") fail(`input must be NC (flatten 4-D inputs with a reorder first), got ${x.layout}`);
      const [o, k] = innerProductWeights(w);
      if (k !== x.shape[1]) fail(`weights take ${k} inputs, the input has ${x.shape[1]} features`);
      if (bias) {
        requireFloat(bias, "bias");
        requireVector(bias, o, "bias");
      }
      return [{ shape: [x.shape[0], o], layout: "NC", dtype: x.dtype }];
    },
    macs: (inputs, outputs) => outputs[0].shape[0] * outputs[0].shape[1] * innerProductWeights(inputs[1])[1],
  },
  batched_matmul: {
    arity: [2, 2],
    inputNames: ["a", "b"],
    params: z.object({ transposeA: z.boolean().default(false), transposeB: z.boolean().default(false) }).strict(),
    infer: (inputs, p) => {
      const [a, b] = inputs as [TensorSpec, TensorSpec];
      requireFloat(a, "a");
      requireFloat(b, "b");
      const g = matmulGeometry(a, b, p.transposeA as boolean, p.transposeB as boolean);
      const shape = a.shape.length === 2 ? [g.m, g.n] : [g.batch, g.m, g.n];
      return [{ shape, layout: shape.length === 2 && a.layout === "NC" ? "NC" : "any", dtype: a.dtype }];
    },
    macs: (inputs, _o, p) => {
      const g = matmulGeometry(inputs[0], inputs[1], p.transposeA as boolean, p.transposeB as boolean);
      return g.batch * g.m * g.n * g.k;
    },
  },
  batch_norm: {
    arity: [5, 5],
    inputNames: BN_INPUTS,
    params: z
      .object({ epsilon: z.number().positive().default(1e-5), activation: activationSchema.optional() })
      .strict(),
    infer: (inputs) => {
      const x = inputs[0];
      requireFloat(x, "input");
      const axis = channelAxis(x.layout);
      if (axis === undefined || (x.shape.length !== 4 && x.layout !== "NC"))
        fail(`input must be NCHW, NHWC or NC, got ${x.layout}`);
      const c = x.shape[axis];
      for (let i = 1; i < 5; i++) {
        requireFloat(inputs[i], BN_INPUTS[i]);
        requireVector(inputs[i], c, BN_INPUTS[i]);
      }
      return [{ ...x, shape: [...x.shape] }];
    },
    nonTrainableInputs: [1, 2],
  },
  layer_norm: {
    arity: [3, 3],
    inputNames: ["input", "gamma", "beta"],
    params: z.object({ epsilon: z.number().positive().default(1e-5) }).strict(),
    infer: (inputs) => {
      const x = inputs[0];
      requireFloat(x, "input");
      const d = x.shape[x.shape.length - 1];
      requireVector(inputs[1], d, "gamma");
      requireVector(inputs[2], d, "beta");
      return [{ ...x, shape: [...x.shape] }];
    },
  },

  relu: activationOp(none),
  leaky_relu: activationOp(z.object({ slope: z.number().finite().default(D.slope) }).strict()),
  elu: activationOp(z.object({ alpha: z.number().finite().default(D.eluAlpha) }).strict()),
  selu: activationOp(
    z
      .object({
        alpha: z.number().finite().default(D.seluAlpha),
        lambda: z.number().finite().default(D.seluLambda),
      })
      .strict(),
  ),
  tanh: activationOp(none),
  hard_tanh: activationOp(
    z
      .object({ min: z.number().finite().default(D.min), max: z.number().finite().default(D.max) })
      .strict()
      .refine((p) => p.min < p.max, { message: "min must be below max" }),
  ),
  sigmoid: activationOp(none),
  softmax: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z.object({ axis: z.number().int().default(-1) }).strict(),
    infer: (inputs, p) => {
      normAxis(p.axis as number, inputs[0].shape.length);
      return unaryFloat(inputs);
    },
  },

  add: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("same") },
  mul: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("same") },
  less: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("bool") },
  less_equal: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("bool") },
  greater: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("bool") },
  greater_equal: { arity: [2, 2], inputNames: ["a", "b"], params: none, infer: inferBinary("bool") },

  reorder: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z.object({ layout: z.enum(LAYOUTS) }).strict(),
    infer: (inputs, p) => {
      const x = inputs[0];
      return [{ shape: reorderShape(x, p.layout as Layout), layout: p.layout as Layout, dtype: x.dtype }];
    },
  },
  concat: {
    arity: [2, Number.POSITIVE_INFINITY],
    inputNames: ["input"],
    params: axisParam,
    infer: (inputs, p) => {
      const first = inputs[0];
      const axis = normAxis(p.axis as number, first.shape.length);
      let total = 0;
      inputs.forEach((t, i) => {
        if (t.dtype !== first.dtype || t.layout !== first.layout || t.shape.length !== first.shape.length)
          fail(
            `input ${i} is ${t.layout} ${t.dtype} ${fmtShape(t.shape)}, input 0 is ${first.layout} ${first.dtype} ${fmtShape(first.shape)}`,
          );
        t.shape.forEach((d, j) => {
          if (j !== axis && d !== first.shape[j])
            fail(
              `input ${i} shape ${fmtShape(t.shape)} differs from input 0 ${fmtShape(first.shape)} off the concat axis`,
            );
        });
        total += t.shape[axis];
      });
      const shape = [...first.shape];
      shape[axis] = total;
      return [{ ...first, shape }];
    },
  },
  split: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z.object({ axis: z.number().int(), sizes: z.array(posInt).min(1) }).strict(),
    infer: (inputs, p) => {
      const x = inputs[0];
      const axis = normAxis(p.axis as number, x.shape.length);
      const sizes = p.sizes as number[];
      const sum = sizes.reduce((a, b) => a + b, 0);
      if (sum !== x.shape[axis])
        fail(`split sizes ${sizes.join("+")}=${sum} must add up to dimension ${axis} (${x.shape[axis]})`);
      return sizes.map((s) => {
        const shape = [...x.shape];
        shape[axis] = s;
        return { ...x, shape };
      });
    },
  },
  reshape: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z.object({ shape: z.array(z.number().int().min(-1)).min(1), layout: z.enum(LAYOUTS) }).strict(),
    infer: (inputs, p) => {
      const x = inputs[0];
      const target = [...(p.shape as number[])];
      const total = numElements(x.shape);
      const unknown = target.filter((d) => d === -1).length;
      if (unknown > 1) fail("at most one dimension of a reshape may be -1");
      if (target.includes(0)) fail("reshape dimensions must be positive or -1");
      if (unknown === 1) {
        const known = -numElements(target);
        if (total % known !== 0) fail(`cannot reshape ${fmtShape(x.shape)} into ${fmtShape(target)}`);
        target[target.indexOf(-1)] = total / known;
      }
      if (numElements(target) !== total)
        fail(`cannot reshape ${fmtShape(x.shape)} (${total} elements) into ${fmtShape(target)}`);
      const layout = p.layout as Layout;
      checkRank(layout, target);
      return [{ shape: target, layout, dtype: x.dtype }];
    },
  },
  repeat: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z.object({ multiples: z.array(posInt).min(1) }).strict(),
    infer: (inputs, p) => {
      const x = inputs[0];
      const m = p.multiples as number[];
      if (m.length !== x.shape.length) fail(`multiples has ${m.length} entries, the input has rank ${x.shape.length}`);
      return [{ ...x, shape: x.shape.map((d, i) => d * m[i]) }];
    },
  },
  padding: {
    arity: [1, 1],
    inputNames: ["input"],
    params: z
      .object({
        pads: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])).min(1),
        value: z.number().finite().default(0),
      })
      .strict(),
    infer: (inputs, p) => {
      const x = inputs[0];
      const pads = p.pads as [number, number][];
      if (pads.length !== x.shape.length) fail(`pads has ${pads.length} entries, the input has rank ${x.shape.length}`);
      const v = p.value as number;
      if (x.dtype === "int32" && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31))
        fail(`value ${v} is not an int32, the input is int32`);
      if (x.dtype === "bool" && v !== 0 && v !== 1) fail(`value ${v} is not 0 or 1, the input is bool`);
      return [{ ...x, shape: x.shape.map((d, i) => d + pads[i][0] + pads[i][1]) }];
    },
  },

  switch: {
    arity: [2, 2],
    inputNames: ["input", "predicate"],
    params: none,
    infer: (inputs) => {
      const [x, pred] = inputs as [TensorSpec, TensorSpec];
      if (pred.dtype !== "bool" || numElements(pred.shape) !== 1)
        fail(`predicate must be a single bool, got ${pred.dtype} ${fmtShape(pred.shape)}`);
      // Output 0 is live when the predicate is false, output 1 when it is true (TensorFlow's order).
      return [
        { ...x, shape: [...x.shape] },
        { ...x, shape: [...x.shape] },
      ];
    },
  },
  merge: {
    arity: [1, Number.POSITIVE_INFINITY],
    inputNames: ["input"],
    params: none,
    infer: (inputs) => {
      const first = inputs[0];
      inputs.forEach((t, i) => {
        if (t.dtype !== first.dtype || t.layout !== first.layout || fmtShape(t.shape) !== fmtShape(first.shape))
          fail(
            `merge inputs must agree: input ${i} is ${t.layout} ${t.dtype} ${fmtShape(t.shape)}, input 0 is ${first.layout} ${first.dtype} ${fmtShape(first.shape)}`,
          );
      });
      return [{ ...first, shape: [...first.shape] }];
    },
  },
};

/** The definition of an operator, or undefined; never a property of Object.prototype ("toString"). */
export function opDef(op: unknown): OpDef | undefined {
  return typeof op === "string" && Object.hasOwn(OPS, op) ? OPS[op] : undefined;
}

function checkRank(layout: Layout, shape: readonly number[]): void {
  const rank = LAYOUT_RANK[layout];
  if (rank !== undefined && rank !== shape.length)
    fail(`layout ${layout} needs rank ${rank}, shape ${fmtShape(shape)} has ${shape.length}`);
}

function specFromParams(p: Record<string, unknown>): TensorSpec {
  const spec = { shape: [...(p.shape as number[])], layout: p.layout as Layout, dtype: p.dtype as TensorSpec["dtype"] };
  checkRank(spec.layout, spec.shape);
  return spec;
}

/** [outputs, inputs] of inner-product weights: NC is [out, in] (one row per neuron), CN is [in, out]. */
export function innerProductWeights(w: TensorSpec): [number, number] {
  if (w.layout === "NC") return [w.shape[0], w.shape[1]];
  if (w.layout === "CN") return [w.shape[1], w.shape[0]];
  return fail(`inner-product weights must be NC ([out x in]) or CN ([in x out]), got ${w.layout}`);
}

/** Geometry of a (batched) matmul: rank-2 operands, or rank-3 with equal batches or a batch of 1 on either side. */
export function matmulGeometry(
  a: TensorSpec,
  b: TensorSpec,
  transposeA: boolean,
  transposeB: boolean,
): { batch: number; batchA: number; batchB: number; m: number; k: number; n: number } {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra !== rb || (ra !== 2 && ra !== 3))
    fail(`operands must both be rank 2 or both rank 3, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const batchA = ra === 3 ? a.shape[0] : 1;
  const batchB = rb === 3 ? b.shape[0] : 1;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) fail(`batch sizes ${batchA} and ${batchB} do not broadcast`);
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const [m, ka] = transposeA ? [a1, a0] : [a0, a1];
  const [kb, n] = transposeB ? [b1, b0] : [b0, b1];
  if (ka !== kb) fail(`inner dimensions differ: a gives ${ka}, b gives ${kb}`);
  return { batch: Math.max(batchA, batchB), batchA, batchB, m, k: ka, n };
}
