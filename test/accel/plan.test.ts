import assert from "node:assert/strict";
import { planGraph } from "../../src/accel/index.js";
import { GraphBuilder } from "../../src/graph/builder.js";
import { graphStats } from "../../src/graph/graph.js";
import { getModel } from "../../src/models/index.js";
import { resolveSoc } from "../../src/soc/index.js";
import { TilingError } from "../../src/tiling/smv.js";

describe("planning whole networks on SMV", () => {
  it("ResNet-50: every conv, BN, pool, add and the FC on SMV; MACs over all invocations equal the network's", () => {
    const { graph } = getModel("resnet50").build();
    const plan = planGraph(graph, "smv");
    const stats = graphStats(graph);
    assert.equal(plan.totals.macs, stats.macs); // 4,089,184,256: every MAC of the network is on SMV exactly once
    const onCpu = plan.steps.filter((s) => s.device === "cpu").map((s) => s.op);
    // Global average pooling yields NC directly, so not even a flatten is left to the CPU.
    assert.deepEqual(onCpu, []);
    assert.ok(plan.totals.invocations > plan.totals.acceleratedLayers);
    for (const step of plan.steps) {
      if (step.device !== "accelerator") continue;
      const chains = new Map<number, number>();
      for (const inv of step.invocations)
        if (inv.flags.sendResults) chains.set(inv.chain, (chains.get(inv.chain) ?? 0) + 1);
      for (const [chain, sends] of chains) assert.equal(sends, 1, `${step.node} chain ${chain}`);
    }
  });

  it("LeNet5 leaves exactly the flatten (a layout reorder) to the CPU", () => {
    const plan = planGraph(getModel("lenet5").build().graph, "smv");
    assert.deepEqual(
      plan.steps.filter((s) => s.device === "cpu").map((s) => `${s.node}:${s.op}`),
      ["flatten:reorder"],
    );
  });

  it("MobileNet-v1 runs accelerated: its depthwise convolutions are SMV layers (SMAUG never had them)", () => {
    const { graph } = getModel("mobilenet_v1").build();
    const plan = planGraph(graph, "smv");
    const dw = plan.steps.filter((s) => s.op === "depthwise_conv");
    assert.equal(dw.length, 13);
    for (const s of dw) assert.equal(s.device, "accelerator");
    assert.equal(plan.totals.macs, graphStats(graph).macs);
  });

  it("the SoC description drives the plan: bigger scratchpads, fewer invocations; more PEs, fewer cycles", () => {
    const { graph } = getModel("vgg16").build();
    const base = resolveSoc({}).accelerators[0].params;
    const big = resolveSoc({
      accelerators: [{ kind: "smv", params: { inputsSpadKiB: 128, weightsSpadKiB: 128, outputsSpadKiB: 128 } }],
    }).accelerators[0].params;
    const wide = resolveSoc({ accelerators: [{ kind: "smv", params: { pes: 16 } }] }).accelerators[0].params;
    const a = planGraph(graph, "smv", base).totals;
    const b = planGraph(graph, "smv", big).totals;
    const c = planGraph(graph, "smv", wide).totals;
    assert.ok(b.invocations < a.invocations, `${b.invocations} < ${a.invocations}`);
    assert.ok(c.cycles < a.cycles, `${c.cycles} < ${a.cycles}`);
    assert.equal(a.macs, b.macs);
    assert.equal(a.macs, c.macs);
  });

  it("compare results are 1-byte bools for the tiler (copy plans) and the cycle model alike", () => {
    const b = new GraphBuilder("cmp");
    const x = b.input([1, 8, 8, 16]);
    b.greater(x, 0, "gt");
    const plan = planGraph(b.build().graph, "smv");
    const gt = plan.steps.find((s) => s.node === "gt");
    assert.ok(gt && gt.device === "accelerator");
    const out = gt.tensors.find((t) => t.role === "outputs");
    const input = gt.tensors.find((t) => t.role === "inputs");
    assert.equal(out?.elementBytes, 1);
    assert.equal(input?.elementBytes, 2);
    // 8 x 8 x 16 = 1,024 bools stored back: 1,024 bytes.
    assert.equal(gt.totals.hostStoreBytes, 1024);
  });

  it("an impossible layer is a TilingError naming it", () => {
    const b = new GraphBuilder("huge");
    const x = b.input([1, 8, 4000, 64]);
    b.conv(x, { filters: 8, kernel: 11, name: "wide" });
    const { graph } = b.build();
    assert.throws(
      () => planGraph(graph, "smv"),
      (e: unknown) => e instanceof TilingError && /'wide'/.test(e.message),
    );
  });
});
