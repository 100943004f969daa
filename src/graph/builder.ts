/**
 * The builder API: networks written as code, with the ergonomics of SMAUG's Python API.
 *   - inputs and weights are created implicitly (weights from a seed at build() unless given);
 *   - node names are unique: a repeated base name gets a suffix (conv, conv_1, conv_2, ...);
 *   - 4-D activations are kept in the backend's preferred layout (SMV: NHWC, reference: NCHW),
 *     with a reorder inserted when a tensor arrives in the other one, and a flatten inserted
 *     before an inner product on a 4-D tensor, as SMAUG does;
 *   - elementwise operators broadcast numpy-style and accept plain numbers as operands;
 *   - cond(pred, operands, then, else) is built on switch and merge.
 *
 *   const b = new GraphBuilder("tiny", { backend: "smv" });
 *   const x = b.input([1, 28, 28, 1], { layout: "NHWC" });
 *   const y = b.conv(x, { filters: 8, kernel: 3, activation: "relu" });
 *   const { graph, weights } = b.build({ seed: 1 });
 */
import { describeIssues } from "../engine/cache.js";
import { buildGraph, type GraphDefinition, GraphError, NODE_NAME, NODE_NAME_RULE, tensorRef } from "./graph.js";
import { initWeights } from "./init.js";
import { broadcastShapes, innerProductWeights, opDef, reorderShape, ShapeError } from "./ops.js";
import { makeTensor } from "./tensor.js";
import type { Activation, ActivationType, DType, Graph, Layout, Node, Padding, TensorSpec, Weights } from "./types.js";

export type Backend = "smv" | "reference";

/** The 4-D layout each backend's kernels want (SMAUG: SMV is NHWC, the reference backend NCHW). */
export const PREFERRED_LAYOUT: Record<Backend, "NHWC" | "NCHW"> = { smv: "NHWC", reference: "NCHW" };

/** A tensor of the graph under construction. */
export interface Tensor {
  readonly ref: string;
  readonly spec: TensorSpec;
}

export type ActivationArg = ActivationType | Activation;

type Values = ArrayLike<number>;

export interface ConvOptions {
  filters: number;
  kernel: number | [number, number];
  stride?: number | [number, number];
  padding?: Padding;
  activation?: ActivationArg;
  bias?: boolean;
  weights?: Values;
  biasValues?: Values;
  name?: string;
}

export interface DepthwiseOptions extends Omit<ConvOptions, "filters"> {}

export interface PoolOptions {
  pool: number | [number, number];
  stride?: number | [number, number];
  padding?: Padding;
  name?: string;
}

export interface InnerProductOptions {
  units: number;
  activation?: ActivationArg;
  bias?: boolean;
  /** Values for new weights, or an existing [units x in] NC constant to share (e.g. across LSTM steps). */
  weights?: Values | Tensor;
  /** Values for a new bias, or an existing [units] constant to share. */
  biasValues?: Values | Tensor;
  name?: string;
}

const isTensor = (v: unknown): v is Tensor => typeof v === "object" && v !== null && "ref" in v && "spec" in v;
const pair = (v: number | [number, number]): [number, number] => (typeof v === "number" ? [v, v] : v);
const activation = (a: ActivationArg | undefined): Activation | undefined =>
  a === undefined ? undefined : typeof a === "string" ? { type: a } : a;

export class GraphBuilder {
  readonly backend: Backend;
  readonly dtype: DType;
  private readonly nodes: Node[] = [];
  private readonly specs = new Map<string, TensorSpec>();
  private readonly given: Weights = new Map();
  private readonly counts = new Map<string, number>();

  constructor(
    readonly name: string,
    options: { backend?: Backend; dtype?: DType } = {},
  ) {
    this.backend = options.backend ?? "smv";
    this.dtype = options.dtype ?? "float32";
  }

  get preferredLayout(): "NHWC" | "NCHW" {
    return PREFERRED_LAYOUT[this.backend];
  }

  /** A unique node name: the base itself the first time, then base_1, base_2, ... */
  uniqueName(base: string): string {
    let n = this.counts.get(base) ?? 0;
    let candidate = n === 0 ? base : `${base}_${n}`;
    while (this.specs.has(candidate) || this.nodes.some((x) => x.name === candidate)) candidate = `${base}_${++n}`;
    this.counts.set(base, n + 1);
    return candidate;
  }

  /** Add a node of any operator; returns its output tensors (shapes inferred now, so errors surface at the call). */
  node(op: string, inputs: Tensor[], params: Record<string, unknown> = {}, name?: string): Tensor[] {
    const nodeName = name !== undefined ? this.claim(name) : this.uniqueName(op);
    const where = `node '${nodeName}' (${op})`;
    const def = opDef(op);
    if (def === undefined) throw new GraphError(`node '${nodeName}': unknown operator '${op}'`);
    if (!NODE_NAME.test(nodeName)) throw new GraphError(`node '${nodeName}': ${NODE_NAME_RULE}`);
    const [min, max] = def.arity;
    if (inputs.length < min || inputs.length > max)
      throw new GraphError(`${where}: takes ${min === max ? min : `${min} to ${max}`} inputs, got ${inputs.length}`);
    const parsed = def.params.safeParse(params);
    if (!parsed.success) throw new GraphError(`${where}: ${describeIssues(parsed.error, "params")}`);
    // Infer now, so a shape error surfaces at the call that caused it.
    let specs: TensorSpec[];
    try {
      specs = def.infer(
        inputs.map((t) => t.spec),
        parsed.data,
      );
    } catch (e) {
      if (e instanceof ShapeError) throw new GraphError(`${where}: ${e.message}`);
      throw e;
    }
    this.nodes.push({ name: nodeName, op, inputs: inputs.map((t) => t.ref), params: parsed.data });
    return specs.map((spec, i) => {
      const ref = tensorRef(nodeName, i);
      this.specs.set(ref, spec);
      return { ref, spec };
    });
  }

  private one(op: string, inputs: Tensor[], params: Record<string, unknown> = {}, name?: string): Tensor {
    return this.node(op, inputs, params, name)[0];
  }

  private claim(name: string): string {
    if (this.nodes.some((n) => n.name === name)) throw new GraphError(`node '${name}': the name is already used`);
    return name;
  }

  input(shape: number[], options: { layout?: Layout; dtype?: DType; name?: string } = {}): Tensor {
    const layout = options.layout ?? (shape.length === 4 ? this.preferredLayout : shape.length === 2 ? "NC" : "any");
    return this.one(
      "data",
      [],
      { shape, layout, dtype: options.dtype ?? this.dtype },
      options.name ?? this.uniqueName("input"),
    );
  }

  /** A constant tensor; values are drawn at build() from the seed unless given here. */
  constant(shape: number[], layout: Layout, options: { values?: Values; name?: string; dtype?: DType } = {}): Tensor {
    const dtype = options.dtype ?? this.dtype;
    const t = this.one("constant", [], { shape, layout, dtype }, options.name ?? this.uniqueName("const"));
    if (options.values !== undefined) this.given.set(t.ref, makeTensor(t.spec, options.values));
    return t;
  }

  /** A scalar or array operand as a constant broadcastable against `like`. */
  private operand(v: Tensor | number | Values, like: Tensor): Tensor {
    if (isTensor(v)) return v;
    const values = typeof v === "number" ? [v] : Array.from(v as Values);
    return this.constant([values.length], "N", { values, dtype: like.spec.dtype });
  }

  /** Bring a 4-D activation into the backend's layout, inserting a reorder when needed. */
  private preferred(x: Tensor): Tensor {
    const want = this.preferredLayout;
    if (x.spec.shape.length === 4 && (x.spec.layout === "NCHW" || x.spec.layout === "NHWC") && x.spec.layout !== want)
      return this.reorder(x, want);
    return x;
  }

  /** Run a shape check before creating any node, reporting a failure as the node it would have been. */
  private check(op: string, name: string | undefined, fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof ShapeError) throw new GraphError(`node '${name ?? op}' (${op}): ${e.message}`);
      throw e;
    }
  }

  reorder(x: Tensor, layout: Layout, name?: string): Tensor {
    this.check("reorder", name, () => reorderShape(x.spec, layout));
    return this.one("reorder", [x], { layout }, name);
  }

  /** 4-D → NC (SMAUG flattens in the tensor's own memory order). */
  flatten(x: Tensor, name?: string): Tensor {
    return x.spec.layout === "NC" ? x : this.reorder(x, "NC", name ?? this.uniqueName("flatten"));
  }

  conv(x: Tensor, o: ConvOptions): Tensor {
    const input = this.preferred(x);
    const [kh, kw] = pair(o.kernel);
    const c = input.spec.layout === "NHWC" ? input.spec.shape[3] : input.spec.shape[1];
    const name = o.name ?? this.uniqueName("conv");
    const wShape = input.spec.layout === "NHWC" ? [o.filters, kh, kw, c] : [o.filters, c, kh, kw];
    const w = this.constant(wShape, input.spec.layout, { values: o.weights, name: `${name}/weights` });
    const ins = [input, w];
    if (o.bias) ins.push(this.constant([o.filters], "N", { values: o.biasValues, name: `${name}/bias` }));
    return this.one("conv", ins, this.convParams(o), this.claim(name));
  }

  depthwiseConv(x: Tensor, o: DepthwiseOptions): Tensor {
    const input = this.preferred(x);
    const [kh, kw] = pair(o.kernel);
    const c = input.spec.layout === "NHWC" ? input.spec.shape[3] : input.spec.shape[1];
    const name = o.name ?? this.uniqueName("dwconv");
    const wShape = input.spec.layout === "NHWC" ? [c, kh, kw, 1] : [c, 1, kh, kw];
    const w = this.constant(wShape, input.spec.layout, { values: o.weights, name: `${name}/weights` });
    const ins = [input, w];
    if (o.bias) ins.push(this.constant([c], "N", { values: o.biasValues, name: `${name}/bias` }));
    return this.one("depthwise_conv", ins, this.convParams(o), this.claim(name));
  }

  private convParams(o: DepthwiseOptions): Record<string, unknown> {
    const p: Record<string, unknown> = { stride: pair(o.stride ?? 1), padding: o.padding ?? "same" };
    const act = activation(o.activation);
    if (act) p.activation = act;
    return p;
  }

  maxPool(x: Tensor, o: PoolOptions): Tensor {
    return this.pool("max_pool", x, o);
  }

  avgPool(x: Tensor, o: PoolOptions): Tensor {
    return this.pool("avg_pool", x, o);
  }

  private pool(op: string, x: Tensor, o: PoolOptions): Tensor {
    const p: Record<string, unknown> = { pool: pair(o.pool), padding: o.padding ?? "valid" };
    if (o.stride !== undefined) p.stride = pair(o.stride);
    return this.one(op, [this.preferred(x)], p, o.name);
  }

  globalAvgPool(x: Tensor, name?: string): Tensor {
    return this.one("global_avg_pool", [this.preferred(x)], {}, name);
  }

  innerProduct(x: Tensor, o: InnerProductOptions): Tensor {
    const input = this.flatten(x);
    const name = o.name ?? this.uniqueName("fc");
    const k = input.spec.shape[1];
    const w = isTensor(o.weights)
      ? o.weights
      : this.constant([o.units, k], "NC", { values: o.weights, name: `${name}/weights` });
    this.check("inner_product", name, () => innerProductWeights(w.spec));
    const ins = [input, w];
    if (o.bias)
      ins.push(
        isTensor(o.biasValues)
          ? o.biasValues
          : this.constant([o.units], "N", { values: o.biasValues, name: `${name}/bias` }),
      );
    const act = activation(o.activation);
    return this.one("inner_product", ins, act ? { activation: act } : {}, this.claim(name));
  }

  /** Batch norm after a conv (per channel of a 4-D tensor) or after an FC (per feature of NC). */
  batchNorm(x: Tensor, o: { epsilon?: number; activation?: ActivationArg; name?: string } = {}): Tensor {
    const input = this.preferred(x);
    const axis = input.spec.layout === "NCHW" || input.spec.layout === "NC" ? 1 : input.spec.shape.length - 1;
    const c = input.spec.shape[axis];
    const name = o.name ?? this.uniqueName("bn");
    const params = ["mean", "variance", "gamma", "beta"].map((p) => this.constant([c], "N", { name: `${name}/${p}` }));
    const p: Record<string, unknown> = {};
    if (o.epsilon !== undefined) p.epsilon = o.epsilon;
    const act = activation(o.activation);
    if (act) p.activation = act;
    return this.one("batch_norm", [input, ...params], p, this.claim(name));
  }

  layerNorm(x: Tensor, o: { epsilon?: number; name?: string } = {}): Tensor {
    const d = x.spec.shape[x.spec.shape.length - 1];
    const name = o.name ?? this.uniqueName("layer_norm");
    const gamma = this.constant([d], "N", { name: `${name}/gamma` });
    const beta = this.constant([d], "N", { name: `${name}/beta` });
    return this.one(
      "layer_norm",
      [x, gamma, beta],
      o.epsilon !== undefined ? { epsilon: o.epsilon } : {},
      this.claim(name),
    );
  }

  relu(x: Tensor, name?: string): Tensor {
    return this.one("relu", [x], {}, name);
  }
  leakyRelu(x: Tensor, slope = 0.2, name?: string): Tensor {
    return this.one("leaky_relu", [x], { slope }, name);
  }
  elu(x: Tensor, alpha = 1.0, name?: string): Tensor {
    return this.one("elu", [x], { alpha }, name);
  }
  selu(x: Tensor, o: { alpha?: number; lambda?: number } = {}, name?: string): Tensor {
    return this.one("selu", [x], o, name);
  }
  tanh(x: Tensor, name?: string): Tensor {
    return this.one("tanh", [x], {}, name);
  }
  hardTanh(x: Tensor, min = -1, max = 1, name?: string): Tensor {
    return this.one("hard_tanh", [x], { min, max }, name);
  }
  sigmoid(x: Tensor, name?: string): Tensor {
    return this.one("sigmoid", [x], {}, name);
  }
  softmax(x: Tensor, axis = -1, name?: string): Tensor {
    return this.one("softmax", [x], { axis }, name);
  }

  add(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("add", a, b, name);
  }
  mul(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("mul", a, b, name);
  }
  less(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("less", a, b, name);
  }
  lessEqual(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("less_equal", a, b, name);
  }
  greater(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("greater", a, b, name);
  }
  greaterEqual(a: Tensor, b: Tensor | number | Values, name?: string): Tensor {
    return this.binary("greater_equal", a, b, name);
  }

  private binary(op: string, a: Tensor, bv: Tensor | number | Values, name?: string): Tensor {
    // Same-rank 4-D operands in different layouts: the second is brought to the first's layout
    // (a reorder node) before the shapes are compared.
    const relayout =
      isTensor(bv) && a.spec.shape.length === 4 && bv.spec.shape.length === 4 && a.spec.layout !== bv.spec.layout;
    let bShape: readonly number[] = typeof bv === "number" ? [1] : isTensor(bv) ? bv.spec.shape : [bv.length];
    if (relayout) this.check("reorder", name, () => (bShape = reorderShape((bv as Tensor).spec, a.spec.layout)));
    this.check(op, name, () => broadcastShapes(a.spec.shape, bShape));
    let b = this.operand(bv, a);
    if (relayout) b = this.reorder(b, a.spec.layout);
    return this.one(op, [a, b], {}, name);
  }

  concat(xs: Tensor[], axis: number, name?: string): Tensor {
    return this.one("concat", xs, { axis }, name);
  }
  split(x: Tensor, sizes: number[], axis: number, name?: string): Tensor[] {
    return this.node("split", [x], { axis, sizes }, name);
  }
  reshape(x: Tensor, shape: number[], layout: Layout, name?: string): Tensor {
    return this.one("reshape", [x], { shape, layout }, name);
  }
  repeat(x: Tensor, multiples: number[], name?: string): Tensor {
    return this.one("repeat", [x], { multiples }, name);
  }
  pad(x: Tensor, pads: [number, number][], value = 0, name?: string): Tensor {
    return this.one("padding", [x], { pads, value }, name);
  }
  matmul(a: Tensor, b: Tensor, o: { transposeA?: boolean; transposeB?: boolean; name?: string } = {}): Tensor {
    const p = { transposeA: o.transposeA ?? false, transposeB: o.transposeB ?? false };
    return this.one("batched_matmul", [a, b], p, o.name);
  }

  /** switch: [live when pred is false, live when pred is true]. */
  switch(x: Tensor, pred: Tensor, name?: string): [Tensor, Tensor] {
    const outs = this.node("switch", [x, pred], {}, name);
    return [outs[0], outs[1]] as [Tensor, Tensor];
  }
  merge(xs: Tensor[], name?: string): Tensor {
    return this.one("merge", xs, {}, name);
  }

  /**
   * if pred then thenFn(operands) else elseFn(operands): each operand passes through a switch, so
   * only the taken branch computes; the branches' results are merged pairwise.
   */
  cond(
    pred: Tensor,
    operands: Tensor[],
    thenFn: (...xs: Tensor[]) => Tensor[],
    elseFn: (...xs: Tensor[]) => Tensor[],
  ): Tensor[] {
    const switched = operands.map((x) => this.switch(x, pred, this.uniqueName("cond/switch")));
    const yes = thenFn(...switched.map((s) => s[1]));
    const no = elseFn(...switched.map((s) => s[0]));
    if (yes.length !== no.length)
      throw new GraphError(`cond: the branches return ${yes.length} and ${no.length} tensors`);
    // Each result passes a switch of its own, so a result that does not depend on the operands
    // (always live) still cannot win the merge when its branch is not taken.
    return yes.map((y, i) => {
      const fromThen = this.switch(y, pred, this.uniqueName("cond/then"))[1];
      const fromElse = this.switch(no[i], pred, this.uniqueName("cond/else"))[0];
      return this.merge([fromThen, fromElse], this.uniqueName("cond/merge"));
    });
  }

  /** The graph definition (nodes as added) without weights. */
  definition(outputs?: Tensor[]): GraphDefinition {
    return {
      name: this.name,
      nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs] })),
      outputs: outputs?.map((t) => t.ref),
    };
  }

  /**
   * Validate the whole graph and fill the weights that were not given, from `seed`. The weights
   * are drawn on first access (tens of millions of values for the big networks), so callers
   * that only need the topology, like `smaug models`, do not pay for them.
   */
  build(options: { seed?: number; outputs?: Tensor[] } = {}): { graph: Graph; weights: Weights } {
    const graph = buildGraph(this.definition(options.outputs));
    const given = new Map(this.given);
    let weights: Weights | undefined;
    return {
      graph,
      get weights(): Weights {
        weights ??= initWeights(graph, options.seed ?? 0, given);
        return weights;
      },
    };
  }
}
