/**
 * The calibration point (docs/model.md, "Calibration") against SMAUG's published figures
 * (smaug-facts, "Where time goes"): on the baseline SoC (1 SMV, AllDma, 1 worker thread, schedule
 * smaug) every paper network spends between 20% and 45% of its latency in accelerator compute, and
 * on average the accelerator is the minority of the time, with data transfer and the CPU the rest.
 * The bounds are the paper's, not this model's output; the test fails when a change to the model
 * or to a default moves a network out of them.
 */
import assert from "node:assert/strict";
import { selectEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { runNetwork } from "../../src/sim/run.js";
import { SMAUG_BASELINE } from "../../src/soc/index.js";

const PAPER_NETWORKS = ["minerva", "lenet5", "cnn10", "vgg16", "elu16", "elu24", "resnet50"];
const engine = selectEngine().engine;

describe("sim: calibration to SMAUG's baseline breakdown", function () {
  this.timeout(300_000);
  const shares = new Map<string, { accelerator: number; transfer: number; cpu: number; prepFinal: number }>();

  before(() => {
    for (const name of PAPER_NETWORKS) {
      const { graph } = getModel(name).build({});
      const { sim } = runNetwork({ graph, soc: SMAUG_BASELINE, engine, timingOnly: true });
      const b = sim.breakdown;
      const cpu = b.cpuPrepare + b.cpuFinalize + b.cpuOther + b.idle;
      shares.set(name, {
        accelerator: b.acceleratorCompute / sim.totalNs,
        transfer: b.transfer / sim.totalNs,
        cpu: cpu / sim.totalNs,
        prepFinal: (b.cpuPrepare + b.cpuFinalize) / cpu,
      });
    }
  });

  for (const name of PAPER_NETWORKS)
    it(`${name}: accelerator compute is 20-45% of the latency`, () => {
      const s = shares.get(name);
      assert.ok(s !== undefined);
      assert.ok(s.accelerator >= 0.2 && s.accelerator <= 0.45, `${name}: ${(100 * s.accelerator).toFixed(1)}%`);
    });

  it("averaged over the seven, the accelerator is the minority; transfer and CPU are each a sizeable part", () => {
    const avg = (k: "accelerator" | "transfer" | "cpu" | "prepFinal") =>
      [...shares.values()].reduce((sum, s) => sum + s[k], 0) / shares.size;
    // Paper: ~25% accelerator, ~34% transfer, ~42% CPU; preparation + finalisation ~85% of the CPU.
    assert.ok(avg("accelerator") < 0.4, `accelerator ${avg("accelerator")}`);
    assert.ok(avg("transfer") > 0.25 && avg("transfer") < 0.45, `transfer ${avg("transfer")}`);
    assert.ok(avg("cpu") > 0.3 && avg("cpu") < 0.55, `cpu ${avg("cpu")}`);
    assert.ok(avg("prepFinal") > 0.7, `preparation + finalisation ${avg("prepFinal")} of the CPU`);
  });
});
