import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planGraph } from "../../src/accel/plan.js";
import { getAccelerator, loadAcceleratorFile } from "../../src/accel/registry.js";
import { InputError } from "../../src/errors.js";
import { getModel } from "../../src/models/index.js";

describe("accelerators: a user's own model from a file (examples/accelerators/mac-array.ts)", () => {
  before(async () => {
    await loadAcceleratorFile("examples/accelerators/mac-array.ts");
  });

  it("registers under its kind and plans LeNet5's conv and FC layers (worked by hand)", () => {
    assert.equal(getAccelerator("mac-array").kind, "mac-array");
    const { graph } = getModel("lenet5").build();
    const plan = planGraph(graph, "mac-array", {});
    const conv0 = plan.steps.find((s) => s.node === "conv0");
    const fc0 = plan.steps.find((s) => s.node === "fc0");
    assert.ok(conv0 && conv0.device === "accelerator" && fc0 && fc0.device === "accelerator");
    // conv0: input 28x28x1 = 784 elements, weights 32x3x3x1, output 26x26x32. Scratchpad 256 KiB
    // = 131,072 fp16; a channel needs 9 weights + 676 outputs = 685; room 131,072 - 784 = 130,288
    // -> up to 190 channels: all 32 in one invocation. MACs 676 * 9 * 32 = 194,688;
    // cycles ceil(194,688 / 64) + 50 = 3,042 + 50 = 3,092.
    assert.equal(conv0.invocations.length, 1);
    assert.equal(conv0.totals.macs, 194688);
    assert.equal(conv0.totals.cycles, 3092);
    // fc0: input 4,608; a neuron needs 4,608 weights + 1 output = 4,609; room 131,072 - 4,608 =
    // 126,464 -> 27 neurons a tile: 27, 27, 27, 27, 20 (5 invocations). A 27-neuron tile:
    // 27 * 4,608 = 124,416 MACs, ceil(/64) = 1,944 + 50 = 1,994 cycles; the last: 92,160 MACs,
    // 1,440 + 50 = 1,490. Total 4 * 1,994 + 1,490 = 9,466 cycles, 589,824 MACs.
    assert.deepEqual(
      fc0.invocations.map((i) => i.cost.cycles),
      [1994, 1994, 1994, 1994, 1490],
    );
    assert.equal(fc0.totals.macs, 128 * 4608);
    assert.equal(fc0.totals.cycles, 9466);
    // The input is loaded once (first invocation), the weights every time.
    assert.deepEqual(
      fc0.invocations.map((i) => i.flags.readInputs),
      [true, false, false, false, false],
    );
    // max pool, flatten and softmax are not mac-array operators: CPU steps with a reason.
    const pool = plan.steps.find((s) => s.node === "pool0");
    assert.ok(pool && pool.device === "cpu" && /does not run max_pool/.test(pool.reason));
  });

  it("its parameters come from the SoC description: more lanes, fewer cycles", () => {
    const { graph } = getModel("lenet5").build();
    const slow = planGraph(graph, "mac-array", { lanes: 64 }).totals.cycles;
    const fast = planGraph(graph, "mac-array", { lanes: 256 }).totals.cycles;
    assert.ok(fast < slow, `${fast} < ${slow}`);
  });

  it("a module that is not an accelerator is refused with the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smaug-accel-"));
    try {
      const bad = join(dir, "bad.mjs");
      writeFileSync(bad, 'export default { kind: "Bad Name", layout: "NHWC" };\n');
      await assert.rejects(
        loadAcceleratorFile(bad),
        (e: unknown) =>
          e instanceof InputError &&
          /bad\.mjs/.test(e.message) &&
          /kind must be/.test(e.message) &&
          /plan must be a function/.test(e.message),
      );
      await assert.rejects(loadAcceleratorFile(join(dir, "missing.mjs")), /cannot load the accelerator module/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
