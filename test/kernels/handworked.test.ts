/**
 * What onnxruntime cannot check: switch and merge (ONNX has no dead tensors), and our own
 * semantic choices, each with expected values worked out by hand in the comments.
 */
import assert from "node:assert/strict";
import { buildGraph } from "../../src/graph/graph.js";
import { makeTensor } from "../../src/graph/tensor.js";
import type { DType, Layout, Node, TensorData, Weights } from "../../src/graph/types.js";
import { runGraph } from "../../src/kernels/execute.js";

const node = (name: string, op: string, inputs: string[], params: Record<string, unknown> = {}): Node => ({
  name,
  op,
  inputs,
  params,
});
const data = (name: string, shape: number[], layout: Layout, dtype: DType = "float32"): Node =>
  node(name, "data", [], { shape, layout, dtype });
const constant = (name: string, shape: number[], layout: Layout, dtype: DType = "float32"): Node =>
  node(name, "constant", [], { shape, layout, dtype });
const tensor = (shape: number[], layout: Layout, values: number[], dtype: DType = "float32"): TensorData =>
  makeTensor({ shape, layout, dtype }, values);

/** Assert that an output is live and holds the expected values (exactly, unless a tolerance is given). */
function live(out: Record<string, TensorData | null>, ref: string, expected: number[], tolerance = 0): void {
  const t = out[ref];
  assert.ok(t, `'${ref}' should be live, runGraph gave a dead tensor`);
  assert.equal(t.data.length, expected.length, `'${ref}' has ${t.data.length} elements, expected ${expected.length}`);
  expected.forEach((e, i) => {
    const g = t.data[i];
    assert.ok(
      Math.abs(g - e) <= tolerance,
      `'${ref}'[${i}] = ${g}, expected ${e} (all: ${Array.from(t.data).join(", ")})`,
    );
  });
}

function dead(out: Record<string, TensorData | null>, ref: string): void {
  assert.ok(ref in out, `'${ref}' is not among the outputs`);
  assert.equal(out[ref], null, `'${ref}' should be dead (null), runGraph gave ${JSON.stringify(out[ref])}`);
}

describe("hand-worked kernels: switch and merge", () => {
  // x -> switch(p) -> output 0 (live when p is false) -> relu -> a
  //                -> output 1 (live when p is true)  -> mul by [2, 2] -> b
  // merge(a, b) forwards whichever is live.
  const graph = buildGraph({
    name: "switch-merge",
    nodes: [
      data("x", [2], "N"),
      data("p", [1], "N", "bool"),
      constant("two", [2], "N"),
      node("s", "switch", ["x", "p"]),
      node("a", "relu", ["s"]),
      node("b", "mul", ["s:1", "two"]),
      // a dead operand kills the node even when its other operand is live
      node("mixed", "add", ["s:1", "x"]),
      node("m", "merge", ["a", "b"]),
      node("m_rev", "merge", ["b", "a"]),
    ],
    outputs: ["s", "s:1", "a", "b", "mixed", "m", "m_rev"],
  });
  const weights: Weights = new Map([["two", tensor([2], "N", [2, 2])]]);
  const x = tensor([2], "N", [-1.5, 2]);

  it("predicate false: output 0 is live, output 1 and everything it feeds is dead, merge forwards the relu branch", () => {
    const out = runGraph(graph, weights, { x, p: tensor([1], "N", [0], "bool") });
    live(out, "s", [-1.5, 2]); // output 0 = x unchanged
    dead(out, "s:1");
    live(out, "a", [0, 2]); // relu([-1.5, 2]) = [max(-1.5, 0), max(2, 0)] = [0, 2]
    dead(out, "b"); // mul(dead, two) is dead
    dead(out, "mixed"); // add(dead, x) is dead although x is live
    live(out, "m", [0, 2]); // merge(a live, b dead) = a
    live(out, "m_rev", [0, 2]); // merge(b dead, a live) = a: the live one, whatever its position
  });

  it("predicate true: output 1 is live, output 0 and the relu branch are dead, merge forwards the mul branch", () => {
    const out = runGraph(graph, weights, { x, p: tensor([1], "N", [1], "bool") });
    dead(out, "s");
    live(out, "s:1", [-1.5, 2]);
    dead(out, "a"); // relu(dead) is dead
    live(out, "b", [-3, 4]); // [-1.5 * 2, 2 * 2] = [-3, 4]
    live(out, "mixed", [-3, 4]); // [-1.5 + -1.5, 2 + 2] = [-3, 4]
    live(out, "m", [-3, 4]);
    live(out, "m_rev", [-3, 4]);
  });

  // A predicate computed in the graph: v > 0 selects between two chains of two nodes each.
  //   false (v <= 0): y = relu(x + c)   on output 0
  //   true  (v > 0):  y = tanh(x * k)   on output 1
  const computed = buildGraph({
    name: "computed-predicate",
    nodes: [
      data("x", [1, 3], "NC"),
      data("v", [1], "N"),
      constant("zero", [1], "N"),
      constant("c", [3], "N"),
      constant("k", [3], "N"),
      node("gt", "greater", ["v", "zero"]),
      node("sw", "switch", ["x", "gt"]),
      node("plus", "add", ["sw", "c"]),
      node("f_branch", "relu", ["plus"]),
      node("times", "mul", ["sw:1", "k"]),
      node("t_branch", "tanh", ["times"]),
      node("y", "merge", ["f_branch", "t_branch"]),
    ],
    outputs: ["gt", "plus", "f_branch", "times", "t_branch", "y"],
  });
  const w2: Weights = new Map([
    ["zero", tensor([1], "N", [0])],
    ["c", tensor([3], "N", [1, -5, 0.5])],
    ["k", tensor([3], "N", [0, 0.5, -1])],
  ]);
  const x2 = tensor([1, 3], "NC", [2, 1, -4]);

  it("greater(v, 0) false (v = -1): the add-relu chain runs, the mul-tanh chain is dead", () => {
    const out = runGraph(computed, w2, { x: x2, v: tensor([1], "N", [-1]) });
    live(out, "gt", [0]); // -1 > 0 is false
    live(out, "plus", [3, -4, -3.5]); // [2 + 1, 1 - 5, -4 + 0.5]
    live(out, "f_branch", [3, 0, 0]); // relu([3, -4, -3.5])
    dead(out, "times");
    dead(out, "t_branch"); // dead through two nodes
    live(out, "y", [3, 0, 0]);
  });

  it("greater(v, 0) true (v = 3): the mul-tanh chain runs, the add-relu chain is dead", () => {
    const out = runGraph(computed, w2, { x: x2, v: tensor([1], "N", [3]) });
    live(out, "gt", [1]); // 3 > 0
    dead(out, "plus");
    dead(out, "f_branch");
    live(out, "times", [0, 0.5, 4]); // [2 * 0, 1 * 0.5, -4 * -1]
    // tanh(0) = 0, tanh(0.5) = 0.46211715726, tanh(4) = 0.99932929973
    live(out, "t_branch", [0, 0.46211715726, 0.99932929973], 1e-6);
    live(out, "y", [0, 0.46211715726, 0.99932929973], 1e-6);
  });

  it("greater(v, 0) at the tie v = 0 is false", () => {
    const out = runGraph(computed, w2, { x: x2, v: tensor([1], "N", [0]) });
    live(out, "gt", [0]);
    live(out, "y", [3, 0, 0]);
  });
});

describe("hand-worked kernels: our semantic choices", () => {
  // x (NHWC 1x3x3x1):
  //   1 2 3
  //   4 5 6
  //   7 8 9
  const x33 = tensor([1, 3, 3, 1], "NHWC", [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it("SAME padding with an even (2x2) kernel puts the extra row at the bottom and column at the right", () => {
    // total padding = (3 - 1) * 1 + 2 - 3 = 1 per axis: top 0, bottom 1, left 0, right 1, so
    // out[i][j] = x[i][j] + x[i][j+1] + x[i+1][j] + x[i+1][j+1] with x = 0 outside:
    //   1+2+4+5 = 12   2+3+5+6 = 16   3+6 = 9
    //   4+5+7+8 = 24   5+6+8+9 = 28   6+9 = 15
    //   7+8     = 15   8+9     = 17   9
    // (with the extra row/column at the top/left, out[0][0] would be 1.)
    const graph = buildGraph({
      name: "same-even",
      nodes: [
        data("x", [1, 3, 3, 1], "NHWC"),
        constant("ones", [1, 2, 2, 1], "NHWC"),
        node("conv", "conv", ["x", "ones"], { padding: "same" }),
        node("pool", "max_pool", ["x"], { pool: [2, 2], stride: [1, 1], padding: "same" }),
      ],
    });
    const out = runGraph(graph, new Map([["ones", tensor([1, 2, 2, 1], "NHWC", [1, 1, 1, 1])]]), { x: x33 });
    live(out, "conv", [12, 16, 9, 24, 28, 15, 15, 17, 9]);
    // max over the same windows: max(1,2,4,5)=5, max(2,3,5,6)=6, max(3,6)=6; 8, 9, 9; 8, 9, 9
    live(out, "pool", [5, 6, 6, 8, 9, 9, 8, 9, 9]);
  });

  it("SAME padding with a 1x4 kernel: 3 columns of padding, 1 on the left and 2 on the right", () => {
    // x = [1, 2, 3, 4] (1x1x4x1), kernel 1x4 of ones, stride 1: total = 3 + 4 - 4 = 3, left 1, right 2
    //   out[0] = x[-1] + x[0] + x[1] + x[2] = 0 + 1 + 2 + 3 = 6
    //   out[1] = x[0..3] = 1 + 2 + 3 + 4         = 10
    //   out[2] = x[1..4] = 2 + 3 + 4 + 0         = 9
    //   out[3] = x[2..5] = 3 + 4 + 0 + 0         = 7
    // (left 2, right 1 would give 3, 6, 10, 9.)
    const graph = buildGraph({
      name: "same-1x4",
      nodes: [
        data("x", [1, 1, 4, 1], "NHWC"),
        constant("ones", [1, 1, 4, 1], "NHWC"),
        node("conv", "conv", ["x", "ones"], { padding: "same" }),
      ],
    });
    const out = runGraph(graph, new Map([["ones", tensor([1, 1, 4, 1], "NHWC", [1, 1, 1, 1])]]), {
      x: tensor([1, 1, 4, 1], "NHWC", [1, 2, 3, 4]),
    });
    live(out, "conv", [6, 10, 9, 7]);
  });

  it("SAME padding with a 2x2 kernel, stride 2, on an odd size pads only the bottom and right", () => {
    // H = W = 3, stride 2: out = ceil(3/2) = 2, total = (2 - 1) * 2 + 2 - 3 = 1: bottom/right only.
    //   windows: rows {0,1} x cols {0,1} -> 1+2+4+5 = 12    rows {0,1} x cols {2} -> 3+6 = 9
    //            rows {2}   x cols {0,1} -> 7+8     = 15    rows {2}   x cols {2} -> 9
    const graph = buildGraph({
      name: "same-even-s2",
      nodes: [
        data("x", [1, 3, 3, 1], "NHWC"),
        constant("ones", [1, 2, 2, 1], "NHWC"),
        node("conv", "conv", ["x", "ones"], { stride: [2, 2], padding: "same" }),
      ],
    });
    const out = runGraph(graph, new Map([["ones", tensor([1, 2, 2, 1], "NHWC", [1, 1, 1, 1])]]), { x: x33 });
    live(out, "conv", [12, 9, 15, 9]);
  });

  it("avg_pool excludes padding from the divisor (ONNX count_include_pad = 0)", () => {
    // pool 2x2, stride 1, SAME (pad bottom/right 1): each sum above divided by the number of
    // real elements in the window, not by 4:
    //   12/4 = 3     16/4 = 4     9/2 = 4.5
    //   24/4 = 6     28/4 = 7    15/2 = 7.5
    //   15/2 = 7.5   17/2 = 8.5   9/1 = 9
    // pool 3x3, stride 2, explicit padding 1 on every side -> 2x2 outputs, each window holding 4
    // real elements (and 5 padded ones):
    //   (1+2+4+5)/4 = 3   (2+3+5+6)/4 = 4
    //   (4+5+7+8)/4 = 6   (5+6+8+9)/4 = 7
    // (counting the padding would give 12/9 = 1.33 for the first.)
    const graph = buildGraph({
      name: "avg-pad",
      nodes: [
        data("x", [1, 3, 3, 1], "NHWC"),
        node("same", "avg_pool", ["x"], { pool: [2, 2], stride: [1, 1], padding: "same" }),
        node("explicit", "avg_pool", ["x"], { pool: [3, 3], stride: [2, 2], padding: [1, 1, 1, 1] }),
      ],
    });
    const out = runGraph(graph, new Map(), { x: x33 });
    live(out, "same", [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9]);
    live(out, "explicit", [3, 4, 6, 7]);
  });

  it("avg_pool on NCHW input gives the same per-channel values", () => {
    // two channels: channel 0 is the 3x3 above, channel 1 is 10x it; SAME 2x2 pool as above
    const graph = buildGraph({
      name: "avg-pad-nchw",
      nodes: [
        data("x", [1, 2, 3, 3], "NCHW"),
        node("y", "avg_pool", ["x"], { pool: [2, 2], stride: [1, 1], padding: "same" }),
      ],
    });
    const ch0 = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const out = runGraph(graph, new Map(), { x: tensor([1, 2, 3, 3], "NCHW", [...ch0, ...ch0.map((v) => v * 10)]) });
    const expected0 = [3, 4, 4.5, 6, 7, 7.5, 7.5, 8.5, 9];
    live(out, "y", [...expected0, ...expected0.map((v) => v * 10)]);
  });

  it("reorder NHWC -> NC flattens in NHWC memory order (h, w, c), unlike going through NCHW", () => {
    // x: NHWC [1, 2, 2, 3], x[0, h, w, c] = 6h + 3w + c, i.e. memory holds 0, 1, ..., 11.
    // NHWC -> NC keeps that order: feature f = 6h + 3w + c -> [0, 1, ..., 11].
    // NHWC -> NCHW -> NC orders by (c, h, w): c = 0: x[.,0,0,0]=0, x[.,0,1,0]=3, x[.,1,0,0]=6, x[.,1,1,0]=9,
    //   then c = 1: 1, 4, 7, 10, then c = 2: 2, 5, 8, 11.
    const graph = buildGraph({
      name: "flatten-order",
      nodes: [
        data("x", [1, 2, 2, 3], "NHWC"),
        node("flat", "reorder", ["x"], { layout: "NC" }),
        node("nchw", "reorder", ["x"], { layout: "NCHW" }),
        node("flat_nchw", "reorder", ["nchw"], { layout: "NC" }),
      ],
      outputs: ["flat", "nchw", "flat_nchw"],
    });
    const values = Array.from({ length: 12 }, (_, i) => i);
    const out = runGraph(graph, new Map(), { x: tensor([1, 2, 2, 3], "NHWC", values) });
    assert.deepEqual(out.flat?.shape, [1, 12]);
    live(out, "flat", values);
    assert.deepEqual(out.nchw?.shape, [1, 3, 2, 2]);
    live(out, "nchw", [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    live(out, "flat_nchw", [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });

  it("reorder NHWC -> NC keeps batches apart", () => {
    // x: NHWC [2, 1, 2, 2], values 0..7; each batch row is its own 4 values in (h, w, c) order.
    const graph = buildGraph({
      name: "flatten-batch",
      nodes: [data("x", [2, 1, 2, 2], "NHWC"), node("flat", "reorder", ["x"], { layout: "NC" })],
    });
    const out = runGraph(graph, new Map(), { x: tensor([2, 1, 2, 2], "NHWC", [0, 1, 2, 3, 4, 5, 6, 7]) });
    assert.deepEqual(out.flat?.shape, [2, 4]);
    live(out, "flat", [0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
