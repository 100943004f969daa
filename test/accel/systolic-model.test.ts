import assert from "node:assert/strict";
import { planGraph } from "../../src/accel/index.js";
import { loadEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { testEngineNames } from "../support/engines.js";

describe("the systolic array as an accelerator model", () => {
  const { graph } = getModel("lenet5").build();

  it("LeNet5's conv0 on an 8x8 output-stationary array: SCALE-Sim's stall-free cycles (worked by hand)", () => {
    // conv0: 26x26 outputs (E = 676 ofmap pixels), window K = 3*3*1 = 9, N = 32 filters.
    // os: Sr = E = 676 rows of work, Sc = N = 32, T = K = 9; folds ceil(676/8) * ceil(32/8) = 85 * 4 = 340,
    // each R + C + T - 2 = 8 + 8 + 9 - 2 = 23 cycles: 7,820 stall-free cycles.
    const ample = planGraph(graph, "systolic", { rows: 8, cols: 8, dataflow: "os", bandwidthWordsPerCycle: 1 << 20 });
    const conv0 = ample.steps.find((s) => s.node === "conv0");
    assert.ok(conv0 && conv0.device === "accelerator");
    assert.equal(conv0.totals.macs, 676 * 9 * 32);
    // With practically unlimited bandwidth only the first fill and the last drain remain (a cycle or two each).
    assert.ok(conv0.totals.cycles >= 7820 && conv0.totals.cycles <= 7820 + 8, `${conv0.totals.cycles}`);
    // A narrow DRAM interface can only add stalls.
    const narrow = planGraph(graph, "systolic", { rows: 8, cols: 8, dataflow: "os", bandwidthWordsPerCycle: 1 });
    const slow = narrow.steps.find((s) => s.node === "conv0");
    assert.ok(slow && slow.device === "accelerator" && slow.totals.cycles > conv0.totals.cycles);
  });

  it("runs conv and FC layers, leaves pooling and softmax to the CPU, and every engine gives the same plan", () => {
    const plans = testEngineNames().map((name) =>
      planGraph(graph, "systolic", { rows: 16, cols: 16, dataflow: "ws" }, { engine: loadEngine(name) }),
    );
    const first = plans[0];
    assert.deepEqual(
      first.steps.filter((s) => s.device === "accelerator").map((s) => s.node),
      ["conv0", "conv1", "fc0", "fc1"],
    );
    assert.equal(first.totals.macs, 26 * 26 * 32 * 9 + 24 * 24 * 32 * 288 + 4608 * 128 + 128 * 10);
    for (const p of plans.slice(1)) assert.deepEqual(p.totals, first.totals);
  });

  it("a bandwidth the integer engines cannot represent is refused, never silently rounded", () => {
    assert.throws(() => planGraph(graph, "systolic", { bandwidthWordsPerCycle: 1e-5 }), /bandwidthWordsPerCycle/);
    assert.throws(
      () => planGraph(graph, "systolic", { bandwidthWordsPerCycle: Math.PI }),
      /is not a fraction num\/den with den <= 65536/,
    );
    // 2.5 = 5/2 and 1/3 are exact fractions: accepted.
    assert.ok(planGraph(graph, "systolic", { bandwidthWordsPerCycle: 2.5 }).totals.cycles > 0);
    assert.ok(planGraph(graph, "systolic", { bandwidthWordsPerCycle: 1 / 3 }).totals.cycles > 0);
  });
});
