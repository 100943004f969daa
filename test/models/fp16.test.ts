/**
 * fp16 networks against their fp32 twins. A graph built with dtype "float16" holds every tensor
 * rounded to fp16 between operators (as SMV stores data in memory) and computes in fp32; built
 * with the same seed, its weights are the fp16 roundings of the fp32 graph's weights. Its output
 * must stay within 1e-2 of the fp32 output, relative to the output's scale:
 *
 *   max_i |fp16_i - fp32_i| / max_j |fp32_j| <= 1e-2
 *
 * (fp16 has a unit roundoff of 2^-11 ~ 4.9e-4; a few layers of rounded activations and weights
 * stay well inside 1e-2), and every fp16 value must be fp16-representable: f16round(x) === x.
 */
import assert from "node:assert/strict";
import { f16round } from "@petamoriken/float16";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { type Backend, GraphBuilder } from "../../src/graph/builder.js";
import { makeTensor, numElements } from "../../src/graph/tensor.js";
import type { DType, Graph, TensorData, Weights } from "../../src/graph/types.js";
import { runGraph } from "../../src/kernels/execute.js";
import { getModel } from "../../src/models/index.js";

/** The value, or a test failure naming what was missing. */
function defined<T>(v: T | null | undefined, what: string): T {
  if (v === null || v === undefined) assert.fail(`${what} is missing`);
  return v;
}

/** Three 3x3 convs (8 -> 16 -> 16 -> 8 channels) each with batch norm and ReLU, on 1x16x16x8. */
function convStack(dtype: DType, backend: Backend = "smv"): { graph: Graph; weights: Weights } {
  const b = new GraphBuilder("conv_stack", { dtype, backend });
  let x = b.input(backend === "smv" ? [1, 16, 16, 8] : [1, 8, 16, 16], { name: "input" });
  for (const [i, filters] of [16, 16, 8].entries()) {
    x = b.conv(x, { filters, kernel: 3, padding: "same", bias: true, name: `conv${i}` });
    x = b.batchNorm(x, { activation: "relu", name: `bn${i}` });
  }
  return b.build({ seed: 42, outputs: [x] });
}

/** The same uniform [-1, 1) values as a tensor of either dtype (fp16 rounds them on store). */
function input(graph: Graph, seed: number): Record<string, TensorData> {
  const r = mulberry32(seed);
  const feeds: Record<string, TensorData> = {};
  for (const n of graph.nodes.filter((x) => x.op === "data")) {
    const spec = graph.tensors[n.name];
    feeds[n.name] = makeTensor(
      spec,
      Array.from({ length: numElements(spec.shape) }, () => r() * 2 - 1),
    );
  }
  return feeds;
}

/** max |a - b| / max |b|. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  assert.ok(scale > 0, "the fp32 output is all zero");
  return worst / scale;
}

function assertFp16(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++)
    if (f16round(data[i]) !== data[i]) assert.fail(`${what}[${i}] = ${data[i]} is not an fp16 value`);
}

/** Build a network in fp16 and fp32 with the same seed, run both on the same input and compare. */
function compare(build: (dtype: DType) => { graph: Graph; weights: Weights }, seed = 7): number {
  const h = build("float16");
  const f = build("float32");
  // Same seed: the fp16 weights are exactly the fp16 roundings of the fp32 ones.
  assert.deepEqual([...h.weights.keys()].sort(), [...f.weights.keys()].sort());
  for (const [ref, t] of h.weights) {
    const w32 = defined(f.weights.get(ref), `fp32 weights ${ref}`);
    assert.equal(t.dtype, "float16", ref);
    assert.equal(w32.dtype, "float32", ref);
    for (let i = 0; i < t.data.length; i++)
      if (t.data[i] !== f16round(w32.data[i]))
        assert.fail(`${ref}[${i}]: ${t.data[i]} is not f16round(${w32.data[i]})`);
  }
  const out = h.graph.outputs[0];
  assert.equal(h.graph.tensors[out].dtype, "float16");
  // Every intermediate tensor too, not just the output.
  const all = (g: Graph): Graph => ({
    ...g,
    outputs: g.nodes.filter((n) => n.op !== "constant" && n.op !== "data").map((n) => n.name),
  });
  const yh = runGraph(all(h.graph), h.weights, input(h.graph, seed));
  const yf = runGraph(all(f.graph), f.weights, input(f.graph, seed));
  for (const [ref, v] of Object.entries(yh)) {
    const t = defined(v, ref);
    assert.equal(t.dtype, "float16", ref);
    assertFp16(t.data, ref);
  }
  return scaledError(defined(yh[out], "fp16 output").data, defined(yf[out], "fp32 output").data);
}

describe("fp16 networks against fp32", () => {
  it("a conv stack (3 x conv 3x3 + BN + ReLU on 1x16x16x8) stays within 1e-2 of fp32, in fp16 values", () => {
    const err = compare((dtype) => convStack(dtype));
    assert.ok(err <= 1e-2, `error ${err}`);
    // And it is not trivially equal: fp16 rounding is visible.
    assert.ok(err > 0, "fp16 and fp32 outputs are identical");
  });

  it("the same conv stack on the reference backend (NCHW)", () => {
    const err = compare((dtype) => convStack(dtype, "reference"));
    assert.ok(err <= 1e-2 && err > 0, `error ${err}`);
  });

  for (const name of ["lenet5", "cnn10", "lstm", "transformer"]) {
    it(`${name} in fp16 stays within 1e-2 of fp32`, () => {
      const err = compare((dtype) => getModel(name).build({ dtype, seed: 3 }));
      assert.ok(err <= 1e-2 && err > 0, `error ${err}`);
    });
  }
});
