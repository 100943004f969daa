/**
 * Whole networks against onnxruntime-node: a graph and its weights are exported to ONNX
 * (test/support/onnx.ts, which shares no arithmetic with src/kernels) and run by onnxruntime;
 * every output of runGraph must match.
 *
 * Criterion: maxRelError(ours, onnxruntime) <= 1e-4, i.e.
 *   max_i |ours_i - ort_i| / max(1, max_j |ort_j|)
 * (absolute for outputs of magnitude <= 1 such as probabilities, relative to the largest value
 * otherwise). Single operators are held to 1e-5 in test/kernels; a whole network accumulates the
 * rounding of many differently ordered fp32 sums, so it gets ten times more room, still orders of
 * magnitude below what a wrong index, padding, layout or parameter gives.
 *
 * Both the network's output and the tensor that feeds its final softmax (the logits) are
 * compared, since probabilities near 0 or 1 hide logit errors.
 *
 * Every zoo network runs in full (ResNet-50 and ELU24 take about 5 s each, most of it ONNX
 * serialisation and onnxruntime); the reduced graphs below (a ResNet bottleneck block with
 * projection shortcut, a MobileNet stem with depthwise-separable blocks) localise a failure.
 */
import assert from "node:assert/strict";
import { GraphBuilder } from "../../src/graph/builder.js";
import type { Graph, TensorData, Weights } from "../../src/graph/types.js";
import { runGraph } from "../../src/kernels/execute.js";
import { getModel, type ModelOptions } from "../../src/models/index.js";
import { bottleneck } from "../../src/models/resnet50.js";
import { exportOnnx, maxRelError, randomTensor, rng, runOnnx } from "../support/onnx.js";

const TOLERANCE = 1e-4;

/** Also expose the input of a final softmax (the logits) as a graph output. */
function withLogits(graph: Graph): Graph {
  const extra: string[] = [];
  for (const ref of graph.outputs) {
    const node = graph.nodes.find((n) => n.name === ref);
    if (node?.op === "softmax") extra.push(node.inputs[0]);
  }
  return { ...graph, outputs: [...graph.outputs, ...extra] };
}

/** Run a graph here and in onnxruntime on the same random inputs; compare every output. */
async function compare(graph0: Graph, weights: Weights, seed = 1): Promise<void> {
  const graph = withLogits(graph0);
  const r = rng(seed);
  const feeds: Record<string, TensorData> = {};
  for (const n of graph.nodes.filter((x) => x.op === "data")) feeds[n.name] = randomTensor(r, graph.tensors[n.name]);
  const ours = runGraph(graph, weights, feeds);
  const theirs = await runOnnx(exportOnnx(graph, weights), feeds);
  for (const ref of graph.outputs) {
    const got = ours[ref];
    const want = theirs[ref];
    assert.ok(got != null && want !== undefined, `${graph.name}: output '${ref}' missing`);
    const data = Array.from(got.data);
    assert.ok(
      data.every((v) => Number.isFinite(v)),
      `${graph.name}: output '${ref}' has non-finite values`,
    );
    assert.ok(
      data.some((v) => v !== 0),
      `${graph.name}: output '${ref}' is all zero`,
    );
    const err = maxRelError(got.data, want);
    assert.ok(err <= TOLERANCE, `${graph.name}: output '${ref}' differs from onnxruntime by ${err} (> ${TOLERANCE})`);
  }
}

describe("zoo networks against onnxruntime", () => {
  const cases: [string, ModelOptions][] = [
    ["lenet5", {}],
    ["lenet5", { batch: 2, seed: 3 }],
    ["lenet5", { backend: "reference" }],
    ["minerva", {}],
    ["cnn10", {}],
    ["elu16", {}],
    ["lstm", { batch: 2 }],
    ["transformer", { batch: 2 }],
  ];
  for (const [name, options] of cases) {
    it(`${name} ${JSON.stringify(options)}`, async function () {
      this.timeout(120_000);
      const { graph, weights } = getModel(name).build(options);
      await compare(graph, weights);
    });
  }

  for (const name of ["vgg16", "elu24", "mobilenet_v1", "resnet50"]) {
    it(`${name} (full size)`, async function () {
      this.timeout(600_000);
      const { graph, weights } = getModel(name).build();
      await compare(graph, weights);
    });
  }
});

describe("reduced networks against onnxruntime", () => {
  it("a ResNet bottleneck block with projection shortcut, BN and ReLU on 1x16x16x32", async () => {
    for (const [stride, seed] of [
      [1, 11],
      [2, 12],
    ] as const) {
      const b = new GraphBuilder(`bottleneck_s${stride}`);
      const x = b.input([1, 16, 16, 32], { name: "input" });
      let y = bottleneck(b, x, { name: "layer.0", width: 16, stride, project: true });
      y = bottleneck(b, y, { name: "layer.1", width: 16, stride: 1, project: false });
      const { graph, weights } = b.build({ seed, outputs: [y] });
      assert.deepEqual(graph.tensors[graph.outputs[0]].shape, [1, 16 / stride, 16 / stride, 64]);
      await compare(graph, weights, seed);
    }
  });

  it("a ResNet stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool with torchvision's padding) and head", async () => {
    const b = new GraphBuilder("resnet_stem_head");
    let x = b.input([2, 32, 32, 3], { name: "input" });
    x = b.conv(x, { filters: 16, kernel: 7, stride: 2, padding: [3, 3, 3, 3], name: "conv1" });
    x = b.batchNorm(x, { activation: "relu", name: "bn1" });
    x = b.maxPool(x, { pool: 3, stride: 2, padding: [1, 1, 1, 1], name: "maxpool" });
    x = bottleneck(b, x, { name: "layer1.0", width: 8, stride: 1, project: true });
    x = b.globalAvgPool(x, "avgpool");
    x = b.innerProduct(x, { units: 10, bias: true, name: "fc" });
    const y = b.softmax(x, -1, "softmax");
    const { graph, weights } = b.build({ seed: 21, outputs: [y] });
    assert.deepEqual(graph.tensors.maxpool?.shape, [2, 8, 8, 16]);
    await compare(graph, weights, 21);
  });

  it("a MobileNet-v1 stem and depthwise-separable blocks with ReLU6 on 1x32x32x3", async () => {
    const relu6 = { type: "hard_tanh", min: 0, max: 6 } as const;
    const b = new GraphBuilder("mobilenet_reduced");
    let x = b.input([1, 32, 32, 3], { name: "input" });
    x = b.conv(x, { filters: 16, kernel: 3, stride: 2, padding: "same", name: "conv1" });
    x = b.batchNorm(x, { epsilon: 1e-3, activation: relu6, name: "conv1_bn" });
    for (const [i, [stride, filters]] of [
      [1, 32],
      [2, 64],
      [1, 64],
    ].entries()) {
      x = b.depthwiseConv(x, { kernel: 3, stride, padding: "same", name: `conv_dw_${i}` });
      x = b.batchNorm(x, { epsilon: 1e-3, activation: relu6, name: `conv_dw_${i}_bn` });
      x = b.conv(x, { filters, kernel: 1, padding: "valid", name: `conv_pw_${i}` });
      x = b.batchNorm(x, { epsilon: 1e-3, activation: relu6, name: `conv_pw_${i}_bn` });
    }
    x = b.globalAvgPool(x, "pool");
    x = b.innerProduct(x, { units: 10, bias: true, name: "fc" });
    const y = b.softmax(x, -1, "softmax");
    const { graph, weights } = b.build({ seed: 31, outputs: [y] });
    await compare(graph, weights, 31);
  });
});
