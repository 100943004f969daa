/**
 * The kernels against onnxruntime: every operator ONNX also has, on random shapes, strides,
 * paddings, layouts and parameters. Each case is exported to ONNX (test/support/onnx.ts) and run
 * in onnxruntime-node; runGraph must agree within a max relative error of 1e-5 (see maxRelError)
 * for float outputs, and exactly for bool and int32 outputs.
 *
 * Every case draws its shapes and values from a generator seeded with the number printed in a
 * failure message, so a failure reproduces by running the same case with that seed.
 */
import assert from "node:assert/strict";
import { buildGraph } from "../../src/graph/graph.js";
import { fmtShape } from "../../src/graph/tensor.js";
import type { Activation, DType, Graph, Layout, Node, Padding, TensorData, Weights } from "../../src/graph/types.js";
import { runGraph } from "../../src/kernels/execute.js";
import {
  exportOnnx,
  firstMismatch,
  maxRelError,
  pick,
  type Rand,
  randInt,
  randomTensor,
  rng,
  runOnnx,
} from "../support/onnx.js";

const TOLERANCE = 1e-5;

interface Case {
  title: string;
  nodes: Node[];
  outputs?: string[];
  /** Value ranges of data and constant tensors, by node name (default [-1, 1]). */
  ranges?: Record<string, [number, number]>;
  /** Round float inputs to integers, so comparisons meet ties. */
  integers?: boolean;
}

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

function describeGraph(graph: Graph): string {
  return graph.nodes
    .map((n) => {
      const ins = n.inputs.map((r) => `${r}${fmtShape(graph.tensors[r].shape)}`).join(", ");
      const spec = graph.tensors[n.name];
      return `  ${n.name} = ${n.op}(${ins}) ${JSON.stringify(n.params)} -> ${spec.layout} ${spec.dtype} ${fmtShape(spec.shape)}`;
    })
    .join("\n");
}

/** Run one case in runGraph and in onnxruntime, with values drawn from `r`, and compare every output. */
async function check(c: Case, r: Rand, seed: number): Promise<void> {
  const graph = buildGraph({ name: "oracle", nodes: c.nodes, outputs: c.outputs });
  const weights: Weights = new Map();
  const feeds: Record<string, TensorData> = {};
  for (const n of graph.nodes) {
    if (n.op !== "data" && n.op !== "constant") continue;
    const spec = graph.tensors[n.name];
    const [lo, hi] = c.ranges?.[n.name] ?? (spec.dtype === "int32" ? [-4, 4] : [-1, 1]);
    const t = randomTensor(r, spec, lo, hi);
    if (c.integers && spec.dtype === "float32")
      for (let i = 0; i < t.data.length; i++) t.data[i] = Math.round(t.data[i]);
    if (n.op === "data") feeds[n.name] = t;
    else weights.set(n.name, t);
  }
  const ours = runGraph(graph, weights, feeds);
  const theirs = await runOnnx(exportOnnx(graph, weights), feeds);
  for (const ref of graph.outputs) {
    const spec = graph.tensors[ref];
    const what = `${c.title} [seed ${seed}] output '${ref}' ${spec.layout} ${spec.dtype} ${fmtShape(spec.shape)}\n${describeGraph(graph)}\n`;
    const got = ours[ref];
    assert.ok(got, `${what}: runGraph gave a dead tensor`);
    assert.deepEqual(got.shape, spec.shape, `${what}: runGraph's shape is ${fmtShape(got.shape)}`);
    const want = theirs[ref];
    if (spec.dtype === "float32") {
      const err = maxRelError(got.data, want);
      if (!(err <= TOLERANCE)) {
        let worst = 0;
        for (let i = 0; i < want.length; i++)
          if (Math.abs(got.data[i] - want[i]) > Math.abs(got.data[worst] - want[worst])) worst = i;
        assert.fail(
          `${what}: max relative error ${err.toExponential(3)} > ${TOLERANCE}; worst at flat index ${worst}: runGraph ${got.data[worst]}, onnxruntime ${want[worst]}`,
        );
      }
    } else {
      const i = firstMismatch(got.data, want);
      assert.equal(i, -1, `${what}: flat index ${i}: runGraph ${got.data[i]}, onnxruntime ${want[i]}`);
    }
  }
}

/** ONNX_ORACLE_SCALE=k runs k times as many random cases (for a longer hunt; default 1). */
const SCALE = Math.max(1, Number(process.env.ONNX_ORACLE_SCALE ?? 1) || 1);

/** Run `count` random cases (times SCALE), case i drawn from seed base + i (shapes first, then values). */
async function randomCases(base: number, count: number, make: (r: Rand, i: number) => Case): Promise<void> {
  for (let i = 0; i < count * SCALE; i++) {
    const seed = base + i;
    const r = rng(seed);
    await check(make(r, i), r, seed);
  }
}

/** Run fixed cases (values still seeded). */
async function fixedCases(base: number, cases: Case[]): Promise<void> {
  for (const [i, c] of cases.entries()) await check(c, rng(base + i), base + i);
}

// --- parameters -----------------------------------------------------------------------------

/** Fused activations, with non-default parameters where they have any. */
const FUSED: (Activation | undefined)[] = [
  undefined,
  { type: "relu" },
  { type: "leaky_relu", slope: 0.1 },
  { type: "elu", alpha: 0.5 },
  { type: "selu", alpha: 1.5, lambda: 1.2 },
  { type: "tanh" },
  { type: "hard_tanh", min: -0.5, max: 2 },
  { type: "sigmoid" },
  { type: "softmax" },
];

const fusedParam = (a: Activation | undefined) => (a ? { activation: a } : {});
const actName = (a: Activation | undefined) => (a ? ` +${a.type}` : "");
const padName = (p: Padding) => (typeof p === "string" ? p : `[${p.join(",")}]`);

function shape4(layout: "NHWC" | "NCHW", n: number, c: number, h: number, w: number): number[] {
  return layout === "NHWC" ? [n, h, w, c] : [n, c, h, w];
}

// --- convolution and pooling ----------------------------------------------------------------

interface Window {
  n: number;
  c: number;
  h: number;
  w: number;
  k: [number, number];
  stride: [number, number];
  padding: Padding;
}

/** A random window geometry whose kernel fits the padded input; pads stay below the kernel. */
function randomWindow(r: Rand, kernels: number[]): Window {
  const k: [number, number] = r() < 0.75 ? [pick(r, kernels), 0] : [pick(r, kernels), pick(r, kernels)];
  if (k[1] === 0) k[1] = k[0];
  const stride: [number, number] = [pick(r, [1, 2]), pick(r, [1, 2])];
  const u = r();
  const padding: Padding =
    u < 0.35
      ? "same"
      : u < 0.6
        ? "valid"
        : [randInt(r, 0, k[0] - 1), randInt(r, 0, k[0] - 1), randInt(r, 0, k[1] - 1), randInt(r, 0, k[1] - 1)];
  const [t, b, l, rr] = typeof padding === "string" ? [0, 0, 0, 0] : padding;
  const h = randInt(r, padding === "same" ? 1 : Math.max(1, k[0] - t - b), k[0] + 9);
  const w = randInt(r, padding === "same" ? 1 : Math.max(1, k[1] - l - rr), k[1] + 9);
  return { n: randInt(r, 1, 2), c: randInt(r, 1, 13), h, w, k, stride, padding };
}

function convCase(
  op: "conv" | "depthwise_conv",
  layout: "NHWC" | "NCHW",
  g: Window,
  outChannels: number,
  bias: boolean,
  act: Activation | undefined,
): Case {
  const o = op === "conv" ? outChannels : g.c;
  const [kh, kw] = g.k;
  const wShape =
    op === "conv"
      ? layout === "NHWC"
        ? [o, kh, kw, g.c]
        : [o, g.c, kh, kw]
      : layout === "NHWC"
        ? [g.c, kh, kw, 1]
        : [g.c, 1, kh, kw];
  const nodes = [data("x", shape4(layout, g.n, g.c, g.h, g.w), layout), constant("w", wShape, layout)];
  if (bias) nodes.push(constant("b", [o], "N"));
  nodes.push(
    node("y", op, bias ? ["x", "w", "b"] : ["x", "w"], {
      stride: g.stride,
      padding: g.padding,
      ...fusedParam(act),
    }),
  );
  return {
    title: `${op} ${layout} n${g.n} c${g.c}->${o} ${g.h}x${g.w} k${kh}x${kw} s${g.stride.join("x")} ${padName(g.padding)}${bias ? " +bias" : ""}${actName(act)}`,
    nodes,
    ranges: { x: [-2, 2] },
  };
}

/** Geometries every window operator is checked on (besides random ones). */
const FIXED_WINDOWS: Window[] = [
  { n: 2, c: 3, h: 6, w: 5, k: [1, 1], stride: [1, 1], padding: "valid" },
  { n: 1, c: 5, h: 5, w: 7, k: [1, 1], stride: [2, 2], padding: "same" },
  { n: 2, c: 11, h: 7, w: 9, k: [3, 3], stride: [2, 2], padding: "same" },
  { n: 1, c: 7, h: 8, w: 8, k: [3, 3], stride: [1, 1], padding: "same" },
  { n: 2, c: 3, h: 5, w: 6, k: [2, 2], stride: [1, 1], padding: "same" },
  { n: 1, c: 9, h: 5, w: 7, k: [2, 2], stride: [2, 2], padding: "same" },
  { n: 2, c: 4, h: 11, w: 12, k: [5, 5], stride: [2, 2], padding: "valid" },
  { n: 1, c: 6, h: 7, w: 6, k: [5, 5], stride: [1, 1], padding: "same" },
  { n: 2, c: 5, h: 6, w: 7, k: [3, 4], stride: [1, 2], padding: [2, 0, 1, 3] },
  { n: 1, c: 13, h: 4, w: 9, k: [3, 1], stride: [2, 1], padding: [0, 2, 0, 0] },
  { n: 1, c: 2, h: 1, w: 1, k: [3, 3], stride: [1, 1], padding: "same" },
  // large enough that a conv's patch matrix is built in several blocks
  { n: 2, c: 32, h: 20, w: 19, k: [5, 5], stride: [1, 1], padding: "same" },
  { n: 1, c: 64, h: 13, w: 11, k: [3, 3], stride: [2, 1], padding: [1, 2, 0, 1] },
];

describe("kernels against onnxruntime", function () {
  this.timeout(120_000);

  for (const op of ["conv", "depthwise_conv"] as const) {
    describe(op, () => {
      for (const layout of ["NHWC", "NCHW"] as const) {
        it(`${layout}: 1x1, 2x2 same, 3x3, 5x5, strides 1 and 2, odd sizes, asymmetric padding`, async () => {
          await fixedCases(
            op === "conv" ? 1000 : 2000,
            FIXED_WINDOWS.map((g, i) => convCase(op, layout, g, 1 + ((i * 5) % 19), i % 2 === 0, undefined)),
          );
        });
        it(`${layout}: fused activations with non-default parameters`, async () => {
          await fixedCases(
            op === "conv" ? 1100 : 2100,
            FUSED.filter((a) => a !== undefined).map((a, i) =>
              convCase(op, layout, FIXED_WINDOWS[(i + 2) % FIXED_WINDOWS.length], 6, true, a),
            ),
          );
        });
        it(`${layout}: weights and bias fed as graph inputs rather than constants`, async () => {
          const cases = [FIXED_WINDOWS[2], FIXED_WINDOWS[8]].map((g) => {
            const c = convCase(op, layout, g, 7, true, { type: "relu" });
            const nodes = c.nodes.map((n) => (n.op === "constant" ? { ...n, op: "data" } : n));
            return { ...c, title: `${c.title}, weights as data`, nodes };
          });
          await fixedCases(op === "conv" ? 1200 : 2200, cases);
        });
        it(`${layout}: random geometries`, async () => {
          await randomCases((op === "conv" ? 10_000 : 20_000) + (layout === "NCHW" ? 5000 : 0), 40, (r) =>
            convCase(op, layout, randomWindow(r, [1, 2, 3, 5]), randInt(r, 1, 13), r() < 0.5, pick(r, FUSED)),
          );
        });
      }
    });
  }

  for (const op of ["max_pool", "avg_pool"] as const) {
    const poolCase = (layout: "NHWC" | "NCHW", g: Window): Case => ({
      title: `${op} ${layout} n${g.n} c${g.c} ${g.h}x${g.w} pool ${g.k.join("x")} s${g.stride.join("x")} ${padName(g.padding)}`,
      nodes: [
        data("x", shape4(layout, g.n, g.c, g.h, g.w), layout),
        node("y", op, ["x"], { pool: g.k, stride: g.stride, padding: g.padding }),
      ],
      ranges: { x: [-3, 3] },
    });
    describe(op, () => {
      for (const layout of ["NHWC", "NCHW"] as const) {
        it(`${layout}: fixed windows, padding excluded${op === "avg_pool" ? " from the divisor" : ""}`, async () => {
          await fixedCases(
            op === "max_pool" ? 3000 : 4000,
            FIXED_WINDOWS.map((g) => poolCase(layout, g)),
          );
        });
        it(`${layout}: random windows`, async () => {
          await randomCases((op === "max_pool" ? 30_000 : 40_000) + (layout === "NCHW" ? 5000 : 0), 30, (r) =>
            poolCase(layout, randomWindow(r, [1, 2, 3])),
          );
        });
      }
      it("default stride (= pool size)", async () => {
        await fixedCases(op === "max_pool" ? 3100 : 4100, [
          {
            title: `${op} NHWC 7x7 pool 2x2 (stride defaulted)`,
            nodes: [data("x", [2, 7, 7, 3], "NHWC"), node("y", op, ["x"], { pool: [2, 2] })],
          },
          {
            title: `${op} NCHW 9x8 pool 3x2 same (stride defaulted)`,
            nodes: [data("x", [1, 5, 9, 8], "NCHW"), node("y", op, ["x"], { pool: [3, 2], padding: "same" })],
          },
        ]);
      });
    });
  }

  describe("global_avg_pool", () => {
    it("NHWC and NCHW, random shapes", async () => {
      await randomCases(50_000, 20, (r) => {
        const layout = pick(r, ["NHWC", "NCHW"] as const);
        const [n, c, h, w] = [randInt(r, 1, 2), randInt(r, 1, 13), randInt(r, 1, 9), randInt(r, 1, 9)];
        return {
          title: `global_avg_pool ${layout} n${n} c${c} ${h}x${w}`,
          nodes: [data("x", shape4(layout, n, c, h, w), layout), node("y", "global_avg_pool", ["x"])],
          ranges: { x: [-5, 5] },
        };
      });
    });
  });

  // --- fully connected, matmul, normalisation -------------------------------------------------

  describe("inner_product", () => {
    const ipCase = (m: number, k: number, o: number, wl: "NC" | "CN", bias: boolean, act?: Activation): Case => {
      const nodes = [data("x", [m, k], "NC"), constant("w", wl === "NC" ? [o, k] : [k, o], wl)];
      if (bias) nodes.push(constant("b", [o], "N"));
      nodes.push(node("y", "inner_product", bias ? ["x", "w", "b"] : ["x", "w"], fusedParam(act)));
      return { title: `inner_product ${m}x${k} -> ${o}, ${wl} weights${bias ? " +bias" : ""}${actName(act)}`, nodes };
    };
    it("NC ([out, in]) and CN ([in, out]) weights, with and without bias", async () => {
      await fixedCases(5000, [
        ipCase(1, 1, 1, "NC", false),
        ipCase(2, 37, 11, "NC", true),
        ipCase(2, 37, 11, "CN", true),
        ipCase(3, 8, 16, "CN", false),
        ipCase(4, 64, 10, "NC", false),
        ipCase(1, 300, 3, "CN", true),
      ]);
    });
    it("every fused activation, non-default parameters", async () => {
      await fixedCases(
        5100,
        FUSED.map((a, i) => ipCase(2, 13, 9, i % 2 === 0 ? "NC" : "CN", true, a)),
      );
    });
    it("random sizes", async () => {
      await randomCases(51_000, 30, (r) =>
        ipCase(
          randInt(r, 1, 4),
          randInt(r, 1, 40),
          randInt(r, 1, 20),
          pick(r, ["NC", "CN"] as const),
          r() < 0.5,
          pick(r, FUSED),
        ),
      );
    });
  });

  describe("batched_matmul", () => {
    const mmCase = (
      batch: [number, number] | undefined,
      m: number,
      k: number,
      n: number,
      ta: boolean,
      tb: boolean,
    ): Case => {
      const a = ta ? [k, m] : [m, k];
      const b = tb ? [n, k] : [k, n];
      const aShape = batch ? [batch[0], ...a] : a;
      const bShape = batch ? [batch[1], ...b] : b;
      return {
        title: `batched_matmul ${fmtShape(aShape)}${ta ? "^T" : ""} x ${fmtShape(bShape)}${tb ? "^T" : ""}`,
        nodes: [
          data("a", aShape, batch ? "any" : "NC"),
          data("b", bShape, "any"),
          node("y", "batched_matmul", ["a", "b"], { transposeA: ta, transposeB: tb }),
        ],
      };
    };
    it("rank 2, all four transpose combinations", async () => {
      const cases: Case[] = [];
      for (const ta of [false, true]) for (const tb of [false, true]) cases.push(mmCase(undefined, 5, 7, 3, ta, tb));
      await fixedCases(6000, cases);
    });
    it("rank 3, equal batches and a batch of 1 on either side, with transposes", async () => {
      const cases: Case[] = [];
      for (const batch of [
        [3, 3],
        [1, 4],
        [2, 1],
      ] as [number, number][])
        for (const ta of [false, true]) for (const tb of [false, true]) cases.push(mmCase(batch, 4, 6, 5, ta, tb));
      await fixedCases(6100, cases);
    });
    it("random sizes", async () => {
      await randomCases(61_000, 30, (r) => {
        const rank3 = r() < 0.7;
        const b = randInt(r, 1, 3);
        const batch: [number, number] | undefined = rank3
          ? pick(r, [
              [b, b],
              [1, b],
              [b, 1],
            ] as [number, number][])
          : undefined;
        return mmCase(batch, randInt(r, 1, 9), randInt(r, 1, 20), randInt(r, 1, 9), r() < 0.5, r() < 0.5);
      });
    });
  });

  describe("batch_norm", () => {
    const bnCase = (shape: number[], layout: Layout, epsilon: number, act?: Activation): Case => {
      const c = shape[layout === "NHWC" ? 3 : 1];
      return {
        title: `batch_norm ${layout} ${fmtShape(shape)} eps ${epsilon}${actName(act)}`,
        nodes: [
          data("x", shape, layout),
          ...["mean", "variance", "gamma", "beta"].map((k) => constant(k, [c], "N")),
          node("y", "batch_norm", ["x", "mean", "variance", "gamma", "beta"], { epsilon, ...fusedParam(act) }),
        ],
        ranges: { x: [-3, 3], variance: [0.05, 2], gamma: [-2, 2] },
      };
    };
    it("NHWC, NCHW and NC, with fused activations", async () => {
      const cases: Case[] = [];
      FUSED.forEach((a, i) => {
        cases.push(bnCase([2, 3, 4, 5], "NHWC", 1e-5, a));
        cases.push(bnCase([2, 5, 3, 4], "NCHW", 1e-3, a));
        cases.push(bnCase([3, 7], "NC", i % 2 ? 0.1 : 1e-5, a));
      });
      await fixedCases(7000, cases);
    });
    it("random shapes", async () => {
      await randomCases(70_000, 20, (r) => {
        const layout = pick(r, ["NHWC", "NCHW", "NC"] as const);
        const c = randInt(r, 1, 13);
        const n = randInt(r, 1, 3);
        const shape = layout === "NC" ? [n, c] : shape4(layout, n, c, randInt(r, 1, 6), randInt(r, 1, 6));
        return bnCase(shape, layout, pick(r, [1e-5, 1e-3, 0.5]), pick(r, FUSED));
      });
    });
  });

  describe("layer_norm", () => {
    it("over the last axis of rank 2, 3 and 4 tensors", async () => {
      await randomCases(80_000, 20, (r) => {
        const [shape, layout] = pick(r, [
          [[randInt(r, 1, 4), randInt(r, 1, 33)], "NC"],
          [[randInt(r, 1, 3), randInt(r, 1, 6), randInt(r, 2, 20)], "NTC"],
          [[randInt(r, 1, 3), randInt(r, 1, 4), randInt(r, 2, 17)], "any"],
          [[randInt(r, 1, 2), randInt(r, 1, 4), randInt(r, 1, 4), randInt(r, 2, 13)], "NHWC"],
        ] as [number[], Layout][]);
        const d = shape[shape.length - 1];
        const epsilon = pick(r, [1e-5, 1e-3, 0.1]);
        return {
          title: `layer_norm ${layout} ${fmtShape(shape)} eps ${epsilon}`,
          nodes: [
            data("x", shape, layout),
            constant("gamma", [d], "N"),
            constant("beta", [d], "N"),
            node("y", "layer_norm", ["x", "gamma", "beta"], { epsilon }),
          ],
          ranges: { x: [-4, 6], gamma: [-2, 2] },
        };
      });
    });
  });

  // --- activations ----------------------------------------------------------------------------

  describe("activations", () => {
    const standalone: [string, Record<string, unknown>][] = [
      ["relu", {}],
      ["leaky_relu", {}],
      ["leaky_relu", { slope: 0.1 }],
      ["elu", {}],
      ["elu", { alpha: 0.5 }],
      ["selu", {}],
      ["selu", { alpha: 1.5, lambda: 1.2 }],
      ["tanh", {}],
      ["hard_tanh", {}],
      ["hard_tanh", { min: -0.5, max: 2 }],
      ["sigmoid", {}],
    ];
    const shapes: [number[], Layout][] = [
      [[2, 3, 4, 5], "NHWC"],
      [[3, 17], "NC"],
      [[2, 3, 7], "any"],
      [[2, 5, 3, 3], "NCHW"],
    ];
    for (const [op, params] of standalone) {
      it(`${op} ${JSON.stringify(params)}`, async () => {
        await fixedCases(
          9000,
          shapes.map(([shape, layout]) => ({
            title: `${op} ${JSON.stringify(params)} ${layout} ${fmtShape(shape)}`,
            nodes: [data("x", shape, layout), node("y", op, ["x"], params)],
            ranges: { x: [-4, 4] },
          })),
        );
      });
    }
    it("softmax on NC (default axis -1) and along other axes", async () => {
      const cases: [number[], Layout, number | undefined][] = [
        [[3, 10], "NC", undefined],
        [[4, 1], "NC", -1],
        [[3, 10], "NC", 0],
        [[2, 5, 3, 4], "NCHW", 1],
        [[2, 3, 4, 5], "NHWC", -1],
        [[2, 3, 4, 5], "NHWC", 2],
        [[3, 4, 6], "any", -2],
        [[3, 4, 6], "any", 0],
      ];
      await fixedCases(
        9100,
        cases.map(([shape, layout, axis]) => ({
          title: `softmax ${layout} ${fmtShape(shape)} axis ${axis ?? "default"}`,
          nodes: [data("x", shape, layout), node("y", "softmax", ["x"], axis === undefined ? {} : { axis })],
          ranges: { x: [-8, 8] },
        })),
      );
    });
  });

  // --- element-wise ---------------------------------------------------------------------------

  /** Operand pairs: [shape, layout] of a and b, and whether b is a constant. */
  const BROADCASTS: [[number[], Layout], [number[], Layout], boolean][] = [
    [[[2, 3, 4, 5], "NCHW"], [[2, 3, 4, 5], "NCHW"], false],
    [[[2, 3, 4, 5], "NHWC"], [[5], "N"], true],
    [[[2, 3, 4, 5], "any"], [[3, 1, 1], "any"], true],
    [[[2, 3, 4, 5], "NCHW"], [[1, 3, 1, 1], "NCHW"], false],
    [[[3, 1, 5], "any"], [[2, 1, 4, 1], "any"], false],
    [[[4, 1], "any"], [[1, 5], "any"], false],
    [[[1], "N"], [[2, 7], "NC"], false],
    [[[6, 9], "NC"], [[1, 9], "NC"], true],
  ];
  const binaryCase = (op: string, i: number, dtype: DType, integers: boolean): Case => {
    const [[as, al], [bs, bl], bConst] = BROADCASTS[i];
    return {
      title: `${op} ${dtype} ${al}${fmtShape(as)} with ${bl}${fmtShape(bs)}${bConst ? " (constant)" : ""}`,
      nodes: [
        data("a", as, al, dtype),
        bConst ? constant("b", bs, bl, dtype) : data("b", bs, bl, dtype),
        node("y", op, ["a", "b"]),
      ],
      integers,
      ranges: integers && dtype === "float32" ? { a: [-2, 2], b: [-2, 2] } : undefined,
    };
  };

  describe("add and mul", () => {
    for (const op of ["add", "mul"]) {
      it(`${op}: float32 with numpy broadcasting`, async () => {
        await fixedCases(
          10_000,
          BROADCASTS.map((_, i) => binaryCase(op, i, "float32", false)),
        );
      });
      it(`${op}: int32, exact`, async () => {
        await fixedCases(
          10_100,
          BROADCASTS.map((_, i) => binaryCase(op, i, "int32", false)),
        );
      });
    }
  });

  describe("comparisons (bool outputs, exact)", () => {
    for (const op of ["less", "less_equal", "greater", "greater_equal"]) {
      it(`${op}: float32 operands with ties, broadcasting`, async () => {
        await fixedCases(
          11_000,
          BROADCASTS.map((_, i) => binaryCase(op, i, "float32", true)),
        );
      });
      it(`${op}: int32 operands`, async () => {
        await fixedCases(
          11_100,
          BROADCASTS.slice(0, 4).map((_, i) => binaryCase(op, i, "int32", false)),
        );
      });
    }
  });

  // --- data movement --------------------------------------------------------------------------

  describe("reorder", () => {
    it("every supported pair of layouts, and the identity", async () => {
      const pairs: [number[], Layout, Layout][] = [
        [[2, 3, 4, 5], "NCHW", "NHWC"],
        [[2, 3, 4, 5], "NHWC", "NCHW"],
        [[2, 3, 4, 5], "NCHW", "NC"],
        [[2, 3, 4, 5], "NHWC", "NC"],
        [[1, 7, 1, 3], "NHWC", "NC"],
        [[3, 7], "NC", "CN"],
        [[7, 3], "CN", "NC"],
        [[2, 3, 5], "NCT", "NTC"],
        [[2, 5, 3], "NTC", "NCT"],
        [[2, 3, 4, 5], "NHWC", "NHWC"],
      ];
      await fixedCases(
        12_000,
        pairs.map(([shape, from, to]) => ({
          title: `reorder ${from}${fmtShape(shape)} -> ${to}`,
          nodes: [data("x", shape, from), node("y", "reorder", ["x"], { layout: to })],
        })),
      );
    });
    it("a small network: conv NHWC -> max_pool -> reorder NC -> inner_product -> softmax", async () => {
      await fixedCases(12_100, [
        {
          title: "conv-pool-flatten-fc-softmax",
          nodes: [
            data("x", [2, 9, 8, 3], "NHWC"),
            constant("w1", [10, 3, 3, 3], "NHWC"),
            constant("b1", [10], "N"),
            node("conv", "conv", ["x", "w1", "b1"], { activation: { type: "relu" } }),
            node("pool", "max_pool", ["conv"], { pool: [2, 2] }),
            node("flat", "reorder", ["pool"], { layout: "NC" }),
            constant("w2", [6, 4 * 4 * 10], "NC"),
            node("fc", "inner_product", ["flat", "w2"]),
            node("y", "softmax", ["fc"]),
          ],
          outputs: ["conv", "flat", "y"],
        },
      ]);
    });
  });

  describe("concat, split, reshape, repeat, padding", () => {
    it("concat: 2 and 3 inputs along every axis (and negative axes)", async () => {
      await randomCases(13_000, 25, (r) => {
        const rank = pick(r, [2, 3, 4]);
        const layout: Layout = rank === 2 ? "NC" : rank === 4 ? pick(r, ["NCHW", "NHWC"] as const) : "any";
        const base = Array.from({ length: rank }, () => randInt(r, 1, 5));
        const axis = randInt(r, -rank, rank - 1);
        const a = axis < 0 ? axis + rank : axis;
        const count = randInt(r, 2, 3);
        const dtype: DType = r() < 0.25 ? "int32" : "float32";
        const inputs = Array.from({ length: count }, (_, i) => {
          const s = [...base];
          s[a] = randInt(r, 1, 4);
          return data(`x${i}`, s, layout, dtype);
        });
        return {
          title: `concat ${dtype} axis ${axis} of ${inputs.map((n) => fmtShape(n.params.shape as number[])).join(", ")}`,
          nodes: [
            ...inputs,
            node(
              "y",
              "concat",
              inputs.map((n) => n.name),
              { axis },
            ),
          ],
        };
      });
    });
    it("split: random sizes along every axis", async () => {
      await randomCases(13_100, 25, (r) => {
        const rank = pick(r, [2, 3, 4]);
        const shape = Array.from({ length: rank }, () => randInt(r, 1, 6));
        const axis = randInt(r, -rank, rank - 1);
        const a = axis < 0 ? axis + rank : axis;
        shape[a] = randInt(r, 2, 9);
        const sizes: number[] = [];
        let left = shape[a];
        while (left > 0) {
          const s = randInt(r, 1, left);
          sizes.push(s);
          left -= s;
        }
        const outputs = sizes.map((_, i) => (i === 0 ? "y" : `y:${i}`));
        return {
          title: `split ${fmtShape(shape)} axis ${axis} sizes ${sizes.join("+")}`,
          nodes: [data("x", shape, "any"), node("y", "split", ["x"], { axis, sizes })],
          outputs,
        };
      });
    });
    it("reshape: explicit and -1 dimensions, between layouts", async () => {
      const cases: [number[], Layout, number[], Layout][] = [
        [[2, 3, 4, 5], "NCHW", [2, -1], "NC"],
        [[2, 3, 4, 5], "NHWC", [6, 20], "any"],
        [[6, 10], "NC", [2, 5, 3, 2], "NHWC"],
        [[2, 12], "NC", [2, -1, 3], "NTC"],
        [[7], "N", [1, 7], "NC"],
      ];
      await fixedCases(
        13_200,
        cases.map(([s, l, t, tl]) => ({
          title: `reshape ${l}${fmtShape(s)} -> ${tl}${fmtShape(t)}`,
          nodes: [data("x", s, l), node("y", "reshape", ["x"], { shape: t, layout: tl })],
        })),
      );
    });
    it("repeat (Tile): random multiples", async () => {
      await randomCases(13_300, 20, (r) => {
        const rank = pick(r, [1, 2, 3, 4]);
        const shape = Array.from({ length: rank }, () => randInt(r, 1, 4));
        const multiples = Array.from({ length: rank }, () => randInt(r, 1, 3));
        const dtype: DType = r() < 0.25 ? "int32" : "float32";
        return {
          title: `repeat ${dtype} ${fmtShape(shape)} x ${fmtShape(multiples)}`,
          nodes: [data("x", shape, "any", dtype), node("y", "repeat", ["x"], { multiples })],
        };
      });
    });
    it("padding: constant pads with non-zero values, rank 1 to 4", async () => {
      await randomCases(13_400, 25, (r) => {
        const rank = pick(r, [1, 2, 3, 4]);
        const shape = Array.from({ length: rank }, () => randInt(r, 1, 5));
        const pads = shape.map(() => [randInt(r, 0, 2), randInt(r, 0, 2)]);
        const dtype: DType = r() < 0.25 ? "int32" : "float32";
        const value = dtype === "int32" ? pick(r, [0, -3, 7]) : pick(r, [0, -1.5, 3.25, 1e3]);
        return {
          title: `padding ${dtype} ${fmtShape(shape)} pads ${JSON.stringify(pads)} value ${value}`,
          nodes: [data("x", shape, "any", dtype), node("y", "padding", ["x"], { pads, value })],
        };
      });
    });
  });

  describe("the exporter", () => {
    it("refuses switch and merge, which ONNX lacks", () => {
      const graph = buildGraph({
        name: "sw",
        nodes: [
          data("x", [2], "N"),
          data("p", [1], "N", "bool"),
          node("s", "switch", ["x", "p"]),
          node("m", "merge", ["s", "s:1"]),
        ],
      });
      assert.throws(() => exportOnnx(graph, new Map()), /ONNX has no switch/);
    });
    it("refuses fp16 graphs", () => {
      const graph = buildGraph({
        name: "half",
        nodes: [data("x", [2, 3], "NC", "float16"), node("y", "relu", ["x"])],
      });
      assert.throws(() => exportOnnx(graph, new Map()), /fp16 graphs are not exported/);
    });
  });
});
