/**
 * The network model as plain data.
 *
 * A graph is a list of nodes in topological order. Every node produces one or more tensors; a
 * tensor is named by its producing node (`conv1`, output 0) or `node:i` for output i > 0 of a
 * multi-output node (split, switch). Weights are the outputs of `constant` nodes and their values
 * live beside the graph, in a map from tensor name to data, so that the topology stays small,
 * JSON-serialisable and separate from the parameters, like SMAUG's topology/params split.
 */

/** Element types. fp16 tensors are stored rounded to fp16 and computed in fp32 (as SMV does). */
export const DTYPES = ["float32", "float16", "int32", "bool"] as const;
export type DType = (typeof DTYPES)[number];

/**
 * Data layouts (SMAUG's set). "any" means the dimensions carry no layout meaning (e.g. the 3-D
 * operands of a batched matmul). N: batch, C: channels/features, H/W: spatial, T: time.
 */
export const LAYOUTS = ["NCHW", "NHWC", "NC", "CN", "NCT", "NTC", "N", "any"] as const;
export type Layout = (typeof LAYOUTS)[number];

/** Number of dimensions each layout has; "any" has any rank. */
export const LAYOUT_RANK: Record<Layout, number | undefined> = {
  NCHW: 4,
  NHWC: 4,
  NC: 2,
  CN: 2,
  NCT: 3,
  NTC: 3,
  N: 1,
  any: undefined,
};

export interface TensorSpec {
  shape: number[];
  layout: Layout;
  dtype: DType;
}

/** Activation functions that can stand alone or be fused into conv, inner product and batch norm. */
export const ACTIVATIONS = ["relu", "leaky_relu", "elu", "selu", "tanh", "hard_tanh", "sigmoid", "softmax"] as const;
export type ActivationType = (typeof ACTIVATIONS)[number];

/** A fused activation with its parameters; every parameter is honoured (SMAUG ignored some). */
export interface Activation {
  type: ActivationType;
  /** leaky_relu slope (default 0.2, SMAUG's). */
  slope?: number;
  /** elu/selu alpha (defaults 1.0 and 1.6733). */
  alpha?: number;
  /** selu lambda (default 1.0507). */
  lambda?: number;
  /** hard_tanh bounds (defaults -1, 1). */
  min?: number;
  max?: number;
}

/**
 * Defaults of activation parameters, one place for the schema and the kernels:
 * leaky_relu slope 0.2 (SMAUG's); elu alpha 1; selu alpha and lambda the self-normalising
 * constants of Klambauer et al. 2017; hard_tanh [-1, 1].
 */
export const ACTIVATION_DEFAULTS = {
  slope: 0.2,
  eluAlpha: 1.0,
  seluAlpha: 1.6732632423543772,
  seluLambda: 1.0507009873554805,
  min: -1,
  max: 1,
} as const;

/** Padding: "same" (TF/ONNX SAME_UPPER: extra row/col at the bottom/right), "valid", or explicit [top, bottom, left, right]. */
export type Padding = "same" | "valid" | [number, number, number, number];

export interface Node {
  name: string;
  op: string;
  /** Tensor references: `node` (output 0) or `node:i`. */
  inputs: string[];
  params: Record<string, unknown>;
}

/** A validated graph: nodes topologically ordered, every tensor's spec inferred. */
export interface Graph {
  name: string;
  nodes: Node[];
  /** Spec of every tensor, by reference (`node` or `node:i`). */
  tensors: Record<string, TensorSpec>;
  /** Tensor references that are the graph's outputs (by default, every tensor nobody consumes). */
  outputs: string[];
}

/** Storage of a tensor's elements: float32 and float16 in Float32Array, int32 in Int32Array, bool in Uint8Array. */
export type TensorArray = Float32Array | Int32Array | Uint8Array;

/** A tensor with values. */
export interface TensorData extends TensorSpec {
  data: TensorArray;
}

/** Values of the constant (weight) tensors of a graph, by tensor reference. */
export type Weights = Map<string, TensorData>;
