import assert from "node:assert/strict";
import { GraphBuilder, type Tensor } from "../../src/graph/builder.js";
import { GraphError } from "../../src/graph/graph.js";
import type { TensorData } from "../../src/graph/types.js";
import { runGraph } from "../../src/kernels/execute.js";

const values = (t: TensorData | null | undefined) => Array.from(t?.data ?? []);

describe("builder", () => {
  it("names are unique: conv, conv_1, ...; weights named after their layer; explicit names are claimed", () => {
    const b = new GraphBuilder("g");
    const x = b.input([1, 8, 8, 3]);
    const c1 = b.conv(x, { filters: 4, kernel: 3 });
    const c2 = b.conv(c1, { filters: 4, kernel: 3, bias: true });
    const named = b.relu(c2, "act");
    assert.deepEqual([c1.ref, c2.ref, named.ref], ["conv", "conv_1", "act"]);
    assert.throws(() => b.relu(named, "act"), /already used/);
    const { graph, weights } = b.build();
    assert.deepEqual(
      graph.nodes.map((n) => n.name),
      ["input", "conv/weights", "conv", "conv_1/weights", "conv_1/bias", "conv_1", "act"],
    );
    assert.deepEqual([...weights.keys()].sort(), ["conv/weights", "conv_1/bias", "conv_1/weights"]);
  });

  it("SMV backend: an NCHW input gets one reorder to NHWC before the conv, and FC gets a flatten", () => {
    const b = new GraphBuilder("g", { backend: "smv" });
    const x = b.input([1, 3, 8, 8], { layout: "NCHW" });
    const c = b.conv(x, { filters: 4, kernel: 3 });
    const p = b.maxPool(c, { pool: 2 });
    const fc = b.innerProduct(p, { units: 10 });
    const { graph } = b.build();
    const ops = graph.nodes.filter((n) => n.op !== "constant").map((n) => `${n.op}:${graph.tensors[n.name].layout}`);
    assert.deepEqual(ops, [
      "data:NCHW",
      "reorder:NHWC",
      "conv:NHWC",
      "max_pool:NHWC",
      "reorder:NC",
      "inner_product:NC",
    ]);
    assert.deepEqual(graph.tensors[c.ref].shape, [1, 8, 8, 4]);
    assert.deepEqual(graph.tensors["conv/weights"].shape, [4, 3, 3, 3]); // OHWI
    assert.deepEqual(fc.spec.shape, [1, 10]);
  });

  it("reference backend keeps NCHW and needs no reorder for an NCHW input", () => {
    const b = new GraphBuilder("g", { backend: "reference" });
    const x = b.input([1, 3, 8, 8], { layout: "NCHW" });
    b.conv(x, { filters: 4, kernel: 3 });
    const { graph } = b.build();
    assert.equal(
      graph.nodes.some((n) => n.op === "reorder"),
      false,
    );
    assert.deepEqual(graph.tensors["conv/weights"].shape, [4, 3, 3, 3]); // OIHW
    assert.equal(graph.tensors.conv?.layout, "NCHW");
  });

  it("the same network on both backends computes the same numbers", () => {
    // Weights written once in NCHW terms: conv OIHW [3,2,2,2], FC over the (c,h,w) flatten of a
    // 3x3x3 map. The SMV graph gets them permuted to OHWI and to the (h,w,c) flatten order.
    const oihw = (o: number, i: number, h: number, w: number) => ((o * 7 + i * 5 + h * 3 + w) % 5) - 2;
    const fcW = (u: number, c: number, h: number, w: number) => ((u * 11 + c * 7 + h * 3 + w) % 3) - 1;
    const convRef: number[] = [];
    const convSmv: number[] = [];
    for (let o = 0; o < 3; o++) {
      for (let i = 0; i < 2; i++)
        for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) convRef.push(oihw(o, i, h, w));
      for (let h = 0; h < 2; h++)
        for (let w = 0; w < 2; w++) for (let i = 0; i < 2; i++) convSmv.push(oihw(o, i, h, w));
    }
    const fcRef: number[] = [];
    const fcSmv: number[] = [];
    for (let u = 0; u < 2; u++) {
      for (let c = 0; c < 3; c++) for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) fcRef.push(fcW(u, c, h, w));
      for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) for (let c = 0; c < 3; c++) fcSmv.push(fcW(u, c, h, w));
    }
    const outputs = (["smv", "reference"] as const).map((backend) => {
      const b = new GraphBuilder("g", { backend });
      const x = b.input([1, 2, 5, 5], { layout: "NCHW" });
      const c = b.conv(x, { filters: 3, kernel: 2, stride: 2, weights: backend === "smv" ? convSmv : convRef });
      b.innerProduct(c, { units: 2, weights: backend === "smv" ? fcSmv : fcRef });
      const { graph, weights } = b.build();
      return values(runGraph(graph, weights, { input: Array.from({ length: 50 }, (_, i) => i / 10) }).fc);
    });
    assert.equal(outputs[0].length, 2);
    for (const [i, v] of outputs[0].entries())
      assert.ok(Math.abs(v - outputs[1][i]) <= 1e-5 * Math.max(1, Math.abs(v)), `${outputs}`);
    assert.ok(outputs[0].some((v) => v !== 0));
  });

  it("broadcasting with plain numbers and vectors: x*2 + [1,2,3] (worked example)", () => {
    const b = new GraphBuilder("g");
    const x = b.input([2, 3], { layout: "NC" });
    const y = b.add(b.mul(x, 2), [1, 2, 3]);
    const { graph, weights } = b.build();
    const out = runGraph(graph, weights, { input: [0, 1, 2, 3, 4, 5] });
    // [0,1,2]*2+[1,2,3] = [1,4,7]; [3,4,5]*2+[1,2,3] = [7,10,13]
    assert.deepEqual(values(out[y.ref]), [1, 4, 7, 7, 10, 13]);
  });

  it("shape errors surface at the builder call, naming the node", () => {
    const b = new GraphBuilder("g");
    const x = b.input([2, 3], { layout: "NC" });
    assert.throws(
      () => b.add(x, [1, 2]),
      (e: unknown) => e instanceof GraphError && /node 'add'.*do not broadcast/.test(e.message),
    );
  });

  it("standalone activation parameters are honoured (SMAUG ignored them)", () => {
    const b = new GraphBuilder("g");
    const x = b.input([1, 4], { layout: "NC" });
    const leaky = b.leakyRelu(x, 0.1);
    const elu = b.elu(x, 0.5);
    const ht = b.hardTanh(x, -0.5, 2);
    const selu = b.selu(x, { alpha: 2, lambda: 3 });
    const { graph, weights } = b.build();
    const out = runGraph(graph, weights, { input: [-2, -0.25, 1, 3] });
    const close = (a: number[], e: number[]) => {
      for (const [i, v] of a.entries()) assert.ok(Math.abs(v - e[i]) < 1e-6, `${a} vs ${e}`);
    };
    close(values(out[leaky.ref]), [-0.2, -0.025, 1, 3]);
    close(values(out[elu.ref]), [0.5 * Math.expm1(-2), 0.5 * Math.expm1(-0.25), 1, 3]);
    close(values(out[ht.ref]), [-0.5, -0.25, 1, 2]);
    close(values(out[selu.ref]), [3 * 2 * Math.expm1(-2), 3 * 2 * Math.expm1(-0.25), 3, 9]);
  });

  it("a fused softmax is applied, not dropped (SMAUG dropped it)", () => {
    const b = new GraphBuilder("g");
    const x = b.input([2, 3], { layout: "NC" });
    const fc = b.innerProduct(x, { units: 4, activation: "softmax", weights: [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1] });
    const { graph, weights } = b.build();
    const out = values(runGraph(graph, weights, { input: [1, 2, 3, 0, 0, 0] })[fc.ref]);
    // row 1 logits [1,2,3,6]: softmax = e^(l-6) / sum; row 2 logits all 0: uniform 0.25
    const e = [1, 2, 3, 6].map((l) => Math.exp(l - 6));
    const sum = e.reduce((a, v) => a + v, 0);
    for (const [i, v] of e.entries()) assert.ok(Math.abs(out[i] - v / sum) < 1e-6);
    for (let i = 4; i < 8; i++) assert.ok(Math.abs(out[i] - 0.25) < 1e-7);
  });

  it("cond: only the taken branch computes; its result comes out of the merge", () => {
    const b = new GraphBuilder("g");
    const x = b.input([1, 3], { layout: "NC" });
    const flag = b.input([1], { layout: "N", name: "flag" });
    const pred = b.greater(flag, 0);
    let thenOut: Tensor | undefined;
    let elseOut: Tensor | undefined;
    const [y] = b.cond(
      pred,
      [x],
      (t) => {
        thenOut = b.relu(t, "then_relu");
        return [thenOut];
      },
      (e) => {
        elseOut = b.mul(e, -1, "else_neg");
        return [elseOut];
      },
    );
    if (!y || !thenOut || !elseOut) throw new Error("cond returned no tensor");
    const { graph, weights } = b.build({ outputs: [y, thenOut, elseOut] });
    assert.deepEqual(
      graph.nodes.filter((n) => n.op === "switch" || n.op === "merge").map((n) => n.op),
      ["switch", "switch", "switch", "merge"], // the operand, then each branch result
    );
    const taken = runGraph(graph, weights, { input: [-1, 2, -3], flag: [1] });
    assert.deepEqual(values(taken[y.ref]), [0, 2, 0]); // relu
    assert.equal(taken[elseOut.ref], null); // the else branch is dead: never computed
    const notTaken = runGraph(graph, weights, { input: [-1, 2, -3], flag: [0] });
    assert.deepEqual(values(notTaken[y.ref]), [1, -2, 3]); // negate
    assert.equal(notTaken[thenOut.ref], null);
  });

  it("fp16 builder: inputs, weights and every result hold fp16-representable values", () => {
    const b = new GraphBuilder("g", { dtype: "float16" });
    const x = b.input([1, 3], { layout: "NC" });
    const y = b.mul(x, 1 / 3);
    const { graph, weights } = b.build();
    const out = values(runGraph(graph, weights, { input: [1, 0.1, 3] })[y.ref]);
    // fp16(1/3) = 0.333251953125; fp16(0.1) = 0.0999755859375;
    // 1 * 0.333251953125 = 0.333251953125 (exact); 0.0999755859375 * 0.333251953125 = 0.03331708908...
    // rounds to fp16 0.0333251953125 (spacing 2^-16 in [2^-5, 2^-4)); 3 * 0.333251953125 = 1 - 2^-12, halfway
    // between the fp16 neighbours 1 - 2^-11 and 1: round-to-even gives 1.
    assert.deepEqual(out, [0.333251953125, 0.0333251953125, 1]);
  });
});

describe("builder: review fixes", () => {
  it("cond picks the right branch even when a branch ignores the operands", () => {
    const b = new GraphBuilder("g");
    const x = b.input([1, 2], { layout: "NC" });
    const y = b.input([1, 2], { layout: "NC", name: "y" });
    const flag = b.input([1], { layout: "N", name: "flag" });
    const [r] = b.cond(
      b.greater(flag, 0),
      [x],
      () => [b.add(y, 100)], // ignores x: always computable, must still lose the merge when not taken
      (xf) => [b.mul(xf, 2)],
    );
    const { graph, weights } = b.build({ outputs: [r] });
    const run = (f: number) => values(runGraph(graph, weights, { input: [1, 2], y: [3, 4], flag: [f] })[r.ref]);
    assert.deepEqual(run(1), [103, 104]);
    assert.deepEqual(run(0), [2, 4]);
  });

  it("elementwise operands in different 4-D layouts are reordered before broadcasting", () => {
    const b = new GraphBuilder("g", { backend: "smv" });
    const a = b.input([1, 2, 2, 3], { layout: "NHWC" });
    const c = b.input([1, 3, 2, 2], { layout: "NCHW", name: "c" });
    const s = b.add(a, c);
    const { graph, weights } = b.build();
    assert.deepEqual(s.spec.shape, [1, 2, 2, 3]);
    // a = 0..11 in NHWC order; c holds the same tensor in NCHW order: the sum is 2a.
    const nhwc = Array.from({ length: 12 }, (_, i) => i);
    const nchw: number[] = [];
    for (let ch = 0; ch < 3; ch++)
      for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) nchw.push(nhwc[(h * 2 + w) * 3 + ch]);
    const out = values(runGraph(graph, weights, { input: nhwc, c: nchw })[s.ref]);
    assert.deepEqual(
      out,
      nhwc.map((v) => 2 * v),
    );
  });

  it("any valid name can be claimed (no clash with internal stand-ins); bad calls are GraphErrors naming the node", () => {
    const b = new GraphBuilder("g");
    const x = b.input([1, 2], { layout: "NC" });
    assert.equal(b.relu(x, "in0").ref, "in0");
    assert.throws(
      () => b.conv(b.input([1, 4, 4, 2], { name: "img" }), { filters: 0, kernel: 3, name: "c0" }),
      (e: unknown) => e instanceof GraphError && /c0\/weights.*shape/.test(e.message),
    );
    assert.throws(
      () => b.node("toString", [x]),
      (e: unknown) => e instanceof GraphError && /unknown operator 'toString'/.test(e.message),
    );
    assert.throws(
      () => b.leakyRelu(x, Number.NaN, "leaky"),
      (e: unknown) => e instanceof GraphError && /node 'leaky'.*params\.slope/.test(e.message),
    );
  });

  it("padding values must fit the data type", () => {
    const b = new GraphBuilder("g");
    const i = b.input([2, 2], { layout: "NC", dtype: "int32", name: "i" });
    assert.throws(
      () =>
        b.pad(
          i,
          [
            [1, 0],
            [0, 0],
          ],
          2.7,
        ),
      /value 2\.7 is not an int32/,
    );
    const p = b.pad(
      i,
      [
        [1, 0],
        [0, 0],
      ],
      -7,
    );
    const { graph, weights } = b.build({ outputs: [p] });
    assert.deepEqual(values(runGraph(graph, weights, { i: [1, 2, 3, 4] })[p.ref]), [-7, -7, 1, 2, 3, 4]);
  });
});
