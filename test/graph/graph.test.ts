import assert from "node:assert/strict";
import { buildGraph, type GraphDefinition, GraphError, graphStats } from "../../src/graph/graph.js";
import { alignedShape } from "../../src/graph/tensor.js";
import type { Node } from "../../src/graph/types.js";

const data = (name: string, shape: number[], layout = "NHWC", dtype = "float32"): Node => ({
  name,
  op: "data",
  inputs: [],
  params: { shape, layout, dtype },
});
const constant = (name: string, shape: number[], layout: string): Node => ({
  name,
  op: "constant",
  inputs: [],
  params: { shape, layout },
});
const node = (name: string, op: string, inputs: string[], params: Record<string, unknown> = {}): Node => ({
  name,
  op,
  inputs,
  params,
});

function expectError(def: GraphDefinition, ...fragments: (string | RegExp)[]): void {
  assert.throws(
    () => buildGraph(def),
    (e: unknown) => {
      assert.ok(e instanceof GraphError, `expected GraphError, got ${e}`);
      for (const f of fragments) {
        if (typeof f === "string") assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
        else assert.match(e.message, f);
      }
      return true;
    },
  );
}

describe("graph: validation names the node and what is wrong", () => {
  it("a cycle lists the nodes on it", () => {
    expectError(
      {
        name: "g",
        nodes: [data("x", [1, 4]), node("a", "add", ["x", "b"]), node("b", "relu", ["a"])],
      },
      "cycle",
      "'a'",
      "'b'",
    );
  });

  it("a dangling input names the node, the input index and the reference", () => {
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "relu", ["nothere"])] },
      "node 'r'",
      "input 0",
      "'nothere'",
      "dangling",
    );
  });

  it("an output index the producer does not have", () => {
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "relu", ["x:1"])] },
      "node 'r'",
      "output 1 of 'x'",
      "1 output",
    );
  });

  it("an unknown operator lists the known ones", () => {
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "gelu", ["x"])] },
      "node 'r'",
      "unknown operator 'gelu'",
      "relu",
    );
  });

  it("an operator named like an Object.prototype property is unknown, not a crash", () => {
    for (const op of ["toString", "__proto__", "hasOwnProperty"])
      expectError(
        { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", op, ["x"])] },
        "node 'r'",
        `unknown operator '${op}'`,
      );
  });

  it("a wrong number of inputs says how many the operator takes", () => {
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "relu", ["x", "x"])] },
      "node 'r' (relu)",
      "takes 1 inputs",
      "got 2",
    );
    expectError(
      { name: "g", nodes: [data("x", [1, 8, 8, 3]), node("c", "conv", ["x"])] },
      "node 'c' (conv)",
      "2 to 3 inputs",
    );
  });

  it("a bad parameter names its path", () => {
    expectError(
      {
        name: "g",
        nodes: [
          data("x", [1, 8, 8, 3]),
          constant("w", [4, 3, 3, 3], "NHWC"),
          node("c", "conv", ["x", "w"], { stride: [0, 1] }),
        ],
      },
      "node 'c' (conv)",
      "params.stride.0",
    );
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "leaky_relu", ["x"], { slope: 0.1, alpha: 2 })] },
      "node 'r'",
      "alpha",
    );
    expectError(
      { name: "g", nodes: [data("x", [1, 4], "NC"), node("r", "hard_tanh", ["x"], { min: 1, max: 0 })] },
      "node 'r'",
      "min must be below max",
    );
  });

  it("shape mismatches: conv channels, inner-product features, broadcasting, concat", () => {
    expectError(
      {
        name: "g",
        nodes: [data("x", [1, 8, 8, 3]), constant("w", [4, 3, 3, 5], "NHWC"), node("c", "conv", ["x", "w"])],
      },
      "node 'c' (conv)",
      "5 input channels, the input has 3",
    );
    expectError(
      {
        name: "g",
        nodes: [data("x", [2, 10], "NC"), constant("w", [4, 12], "NC"), node("fc", "inner_product", ["x", "w"])],
      },
      "node 'fc'",
      "12 inputs",
      "10 features",
    );
    expectError(
      { name: "g", nodes: [data("a", [2, 3], "NC"), data("b", [4, 3], "NC"), node("s", "add", ["a", "b"])] },
      "node 's' (add)",
      "do not broadcast",
    );
    expectError(
      {
        name: "g",
        nodes: [data("a", [1, 2, 2, 3]), data("b", [1, 3, 2, 3]), node("c", "concat", ["a", "b"], { axis: 3 })],
      },
      "node 'c' (concat)",
      "off the concat axis",
    );
  });

  it("layout mismatches: conv weights vs input, same-rank elementwise operands, bad reorder", () => {
    expectError(
      {
        name: "g",
        nodes: [data("x", [1, 8, 8, 3]), constant("w", [4, 3, 3, 3], "NCHW"), node("c", "conv", ["x", "w"])],
      },
      "node 'c'",
      "weights layout NCHW must match the input layout NHWC",
    );
    expectError(
      { name: "g", nodes: [data("a", [1, 2, 2, 2]), data("b", [1, 2, 2, 2], "NCHW"), node("s", "mul", ["a", "b"])] },
      "node 's'",
      "layouts NHWC and NCHW differ",
    );
    expectError(
      { name: "g", nodes: [data("a", [2, 3], "NC"), node("r", "reorder", ["a"], { layout: "NHWC" })] },
      "node 'r'",
      "no reorder from NC to NHWC",
    );
    expectError({ name: "g", nodes: [data("a", [2, 3, 4], "NC")] }, "node 'a'", "layout NC needs rank 2");
  });

  it("duplicate names, names with ':' and unknown outputs", () => {
    expectError({ name: "g", nodes: [data("x", [1, 4], "NC"), node("x", "relu", ["x"])] }, "node 'x'", "used twice");
    expectError({ name: "g", nodes: [data("x:1", [1, 4], "NC")] }, "node 'x:1'", "no ':'");
    expectError({ name: "g", nodes: [data("x", [1, 4], "NC")], outputs: ["y"] }, "output 'y'");
  });
});

describe("graph: order and shape inference (worked examples)", () => {
  it("nodes given out of order come back topologically ordered, stable otherwise", () => {
    const g = buildGraph({
      name: "g",
      nodes: [node("b", "relu", ["a"]), node("a", "relu", ["x"]), data("x", [1, 4], "NC"), node("c", "sigmoid", ["x"])],
    });
    assert.deepEqual(
      g.nodes.map((n) => n.name),
      ["x", "a", "b", "c"],
    );
    assert.deepEqual(g.outputs, ["b", "c"]);
  });

  it("conv: SAME with stride 2 gives ceil(in/stride); VALID gives floor((in-k)/s)+1; explicit padding", () => {
    const g = buildGraph({
      name: "g",
      nodes: [
        data("x", [1, 224, 224, 3]),
        constant("w", [64, 7, 7, 3], "NHWC"),
        node("same", "conv", ["x", "w"], { stride: [2, 2], padding: "same" }),
        node("valid", "conv", ["x", "w"], { stride: [2, 2], padding: "valid" }),
        node("explicit", "conv", ["x", "w"], { stride: [1, 2], padding: [3, 0, 1, 2] }),
      ],
    });
    assert.deepEqual(g.tensors.same?.shape, [1, 112, 112, 64]); // ceil(224/2)
    assert.deepEqual(g.tensors.valid?.shape, [1, 109, 109, 64]); // floor((224-7)/2)+1 = 109
    // H: 224+3+0-7 = 220, /1 + 1 = 221; W: 224+1+2-7 = 220, /2 + 1 = 111
    assert.deepEqual(g.tensors.explicit?.shape, [1, 221, 111, 64]);
  });

  it("NCHW conv, depthwise, pooling, global pooling, flatten, split, concat, reshape, repeat, padding", () => {
    const g = buildGraph({
      name: "g",
      nodes: [
        data("x", [2, 6, 9, 7], "NCHW"),
        constant("w", [4, 6, 3, 3], "NCHW"),
        constant("dw", [6, 1, 5, 5], "NCHW"),
        node("c", "conv", ["x", "w"], { padding: "valid" }),
        node("d", "depthwise_conv", ["x", "dw"], { stride: [2, 2] }),
        node("p", "max_pool", ["x"], { pool: [2, 2] }),
        node("ap", "avg_pool", ["x"], { pool: [3, 3], stride: [2, 2], padding: "same" }),
        node("gp", "global_avg_pool", ["x"]),
        node("f", "reorder", ["x"], { layout: "NC" }),
        node("t", "reorder", ["x"], { layout: "NHWC" }),
        node("s", "split", ["x"], { axis: 1, sizes: [2, 4] }),
        node("cat", "concat", ["s:1", "s", "x"], { axis: 1 }),
        node("r", "reshape", ["x"], { shape: [-1, 63], layout: "NC" }),
        node("rep", "repeat", ["x"], { multiples: [1, 2, 1, 3] }),
        node("pad", "padding", ["x"], {
          pads: [
            [0, 0],
            [1, 2],
            [0, 0],
            [3, 0],
          ],
          value: -1,
        }),
      ],
    });
    const shape = (r: string) => g.tensors[r].shape;
    assert.deepEqual(shape("c"), [2, 4, 7, 5]);
    assert.deepEqual(shape("d"), [2, 6, 5, 4]); // ceil(9/2), ceil(7/2)
    assert.deepEqual(shape("p"), [2, 6, 4, 3]);
    assert.deepEqual(shape("ap"), [2, 6, 5, 4]);
    assert.deepEqual(shape("gp"), [2, 6]);
    assert.equal(g.tensors.gp?.layout, "NC");
    assert.deepEqual(shape("f"), [2, 378]);
    assert.deepEqual(shape("t"), [2, 9, 7, 6]);
    assert.deepEqual(shape("s"), [2, 2, 9, 7]);
    assert.deepEqual(shape("s:1"), [2, 4, 9, 7]);
    assert.deepEqual(shape("cat"), [2, 12, 9, 7]);
    assert.deepEqual(shape("r"), [12, 63]);
    assert.deepEqual(shape("rep"), [2, 12, 9, 21]);
    assert.deepEqual(shape("pad"), [2, 9, 9, 10]);
  });

  it("broadcasting, compares give bool, batched matmul with transposes", () => {
    const g = buildGraph({
      name: "g",
      nodes: [
        data("a", [2, 3, 4, 5], "NHWC"),
        data("v", [5], "N"),
        data("col", [3, 1, 1], "any"),
        data("q", [4, 7, 16], "any"),
        data("k", [4, 7, 16], "any"),
        node("s1", "add", ["a", "v"]),
        node("s2", "mul", ["col", "a"]),
        node("lt", "less", ["a", "v"]),
        node("mm", "batched_matmul", ["q", "k"], { transposeB: true }),
      ],
    });
    assert.deepEqual(g.tensors.s1?.shape, [2, 3, 4, 5]);
    assert.equal(g.tensors.s1?.layout, "NHWC");
    assert.deepEqual(g.tensors.s2?.shape, [2, 3, 4, 5]);
    assert.equal(g.tensors.lt?.dtype, "bool");
    assert.deepEqual(g.tensors.mm?.shape, [4, 7, 7]);
  });

  it("params are stored resolved: defaults filled in, fused activation parameters completed", () => {
    const g = buildGraph({
      name: "g",
      nodes: [
        data("x", [1, 4, 4, 2]),
        constant("w", [3, 3, 3, 2], "NHWC"),
        node("c", "conv", ["x", "w"], { activation: { type: "elu" } }),
        node("m", "max_pool", ["c"], { pool: [2, 2] }),
      ],
    });
    assert.deepEqual(g.nodes[2].params, { stride: [1, 1], padding: "same", activation: { type: "elu", alpha: 1 } });
    assert.deepEqual(g.nodes[3].params, { pool: [2, 2], stride: [2, 2], padding: "valid" });
  });

  it("stats: parameters per layer, trainable excludes BN statistics, MACs by formula", () => {
    const g = buildGraph({
      name: "g",
      nodes: [
        data("x", [1, 8, 8, 3]),
        constant("w", [16, 3, 3, 3], "NHWC"),
        constant("mean", [16], "N"),
        constant("var", [16], "N"),
        constant("gamma", [16], "N"),
        constant("beta", [16], "N"),
        node("c", "conv", ["x", "w"], { stride: [2, 2] }),
        node("bn", "batch_norm", ["c", "mean", "var", "gamma", "beta"]),
      ],
    });
    const s = graphStats(g);
    // conv: 16 x 3 x 3 x 3 = 432 weights; output 4x4x16, each 27 MACs: 256 x 27 = 6912
    assert.deepEqual(s.layers[0], { name: "c", op: "conv", outputShape: [1, 4, 4, 16], params: 432, macs: 6912 });
    assert.equal(s.params, 432 + 64);
    assert.equal(s.trainableParams, 432 + 32);
    assert.equal(s.macs, 6912);
  });

  it("SMV alignment pads the innermost dimension to a multiple of 8", () => {
    assert.deepEqual(alignedShape([1, 28, 28, 1]), [1, 28, 28, 8]);
    assert.deepEqual(alignedShape([1, 7, 7, 64]), [1, 7, 7, 64]);
    assert.deepEqual(alignedShape([2, 1000]), [2, 1000]);
    assert.deepEqual(alignedShape([2, 10]), [2, 16]);
  });
});
