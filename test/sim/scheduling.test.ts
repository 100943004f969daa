/**
 * Round-robin dispatch over several accelerators (what each scratchpad holds decides which tiles
 * are loaded again) and sampling (which invocations are replayed, and how). The expected values
 * are restated here from the rules in docs/model.md, not read from the simulator.
 */
import assert from "node:assert/strict";
import type { LayerPlan } from "../../src/accel/index.js";
import { selectEngine } from "../../src/engine/index.js";
import { InputError } from "../../src/errors.js";
import { numElements } from "../../src/graph/tensor.js";
import { getModel } from "../../src/models/index.js";
import { runNetwork } from "../../src/sim/run.js";
import { samplePlan } from "../../src/sim/sampling.js";
import { SAMPLE_LEVELS } from "../../src/sim/types.js";
import { resolveSoc } from "../../src/soc/index.js";

const engine = selectEngine().engine;
const WEIGHT_ROLES = new Set(["weights", "inputs1"]);

/**
 * Bytes the accelerators load, by SMAUG's round-robin: per layer, each reduction chain goes to
 * the next accelerator (starting at 0), and an operand tile is loaded when the plan says so or
 * when that accelerator's scratchpad does not hold it.
 */
function expectedLoadBytes(steps: LayerPlan[], accels: number): number {
  let bytes = 0;
  for (const step of steps) {
    const chainAccel = new Map<number, number>();
    const held = Array.from({ length: accels }, () => new Map<string, number>());
    for (const inv of step.invocations) {
      if (!chainAccel.has(inv.chain)) chainAccel.set(inv.chain, chainAccel.size % accels);
      const a = chainAccel.get(inv.chain) as number;
      for (const t of step.tensors) {
        const i = inv.tiles[t.role];
        if (t.role === "outputs" || i === undefined) continue;
        const planned = WEIGHT_ROLES.has(t.role) ? inv.flags.readWeights : inv.flags.readInputs;
        const load = accels === 1 ? planned : planned || held[a].get(t.role) !== i;
        if (load) bytes += numElements(t.tiles[i].shape) * t.elementBytes;
        held[a].set(t.role, i);
      }
    }
  }
  return bytes;
}

describe("sim: several accelerators", function () {
  this.timeout(120_000);
  for (const name of ["lenet5", "cnn10", "vgg16"])
    it(`${name}: tiles a scratchpad does not hold are loaded again (1, 2, 3 and 8 accelerators)`, () => {
      const { graph } = getModel(name).build();
      let one = 0;
      for (const count of [1, 2, 3, 8]) {
        const soc = resolveSoc({ accelerators: [{ kind: "smv", count }] });
        const r = runNetwork({ graph, soc, engine, timingOnly: true });
        const steps = r.plan.steps.filter(
          (s): s is LayerPlan & { device: "accelerator" } => s.device === "accelerator",
        );
        const stores = r.sim.layers.reduce((s, l) => s + l.hostStoreBytes, 0);
        const loads = r.sim.memory.dmaBytes - stores;
        assert.equal(loads, expectedLoadBytes(steps, count), `${count} accelerators`);
        if (count === 1) one = loads;
        else assert.ok(loads >= one, "more accelerators never load less");
        // Each accelerator computes only its own chains; all of them are used when there are enough chains.
        const used = r.sim.resources.filter((x) => x.kind === "accelerator" && x.busyNs > 0).length;
        const chains = Math.max(...steps.map((s) => new Set(s.invocations.map((i) => i.chain)).size));
        assert.equal(used, Math.min(count, chains));
      }
    });
});

describe("sim: sampling", function () {
  this.timeout(120_000);
  const { graph } = getModel("vgg16").build();
  const soc = resolveSoc({});
  const run = (sampleLevel: (typeof SAMPLE_LEVELS)[number], sampleNum = 1) =>
    runNetwork({ graph, soc, engine, timingOnly: true, sampleLevel, sampleNum });
  const base = run("no");

  it("level no replays nothing; every other level replays some invocations, more for deeper levels", () => {
    assert.equal(base.sim.replayedInvocations, 0);
    let previous = 0;
    for (const level of SAMPLE_LEVELS.slice(1)) {
      const r = run(level);
      assert.ok(r.sim.replayedInvocations >= previous, `${level} replays at least as many as the level before`);
      previous = r.sim.replayedInvocations;
      assert.equal(r.sim.invocations, base.sim.invocations);
    }
    assert.ok(previous > 0);
  });

  it("low samples the output-channel loop: exactly the invocations at weights block >= N with a simulated twin are replayed", () => {
    for (const num of [1, 2]) {
      const r = run("low", num);
      let expected = 0;
      for (const s of r.plan.steps) {
        if (s.device !== "accelerator") continue;
        const weights = s.tensors.find((t) => t.role === "weights");
        const outputs = s.tensors.find((t) => t.role === "outputs");
        const seen = new Set<string>();
        for (const inv of s.invocations) {
          const sig = `${s.tensors.map((t) => (inv.tiles[t.role] === undefined ? "" : t.tiles[inv.tiles[t.role]].shape.join("x"))).join(",")}|${Object.values(inv.flags).join()}`;
          // The output-channel block: the weights tile's first coordinate; without weights (pooling), the 4-D output tile's channel coordinate.
          const out = outputs === undefined ? undefined : outputs.tiles[inv.tiles.outputs].grid;
          const block =
            weights !== undefined ? weights.tiles[inv.tiles.weights].grid[0] : out?.length === 4 ? out[3] : 0;
          if (block >= num && seen.has(sig)) expected++;
          else seen.add(sig);
        }
      }
      assert.equal(r.sim.replayedInvocations, expected, `sample-num ${num}`);
    }
  });

  it("a replayed invocation takes its representative's compute time; the breakdown still sums exactly", () => {
    const r = run("very_high");
    assert.equal(r.sim.breakdown.total, r.sim.totalNs);
    const compute = r.sim.events.filter((e) => e.kind === "compute");
    const plannedCycles = base.sim.events.filter((e) => e.kind === "compute").map((e) => e.cycles);
    // Same invocations in the same order; compute cycles follow the plan (replays copy a twin with the same tile shapes and flags).
    assert.deepEqual(
      compute.map((e) => e.cycles),
      plannedCycles,
    );
  });

  it("the sampled latency stays within 10% of the unsampled run (SMAUG: under 6%)", () => {
    for (const level of SAMPLE_LEVELS.slice(1)) {
      const r = run(level);
      const error = Math.abs(r.sim.totalNs - base.sim.totalNs) / base.sim.totalNs;
      assert.ok(error < 0.1, `${level}: ${(100 * error).toFixed(2)}%`);
    }
  });

  it("rejects an unknown level or a sample-num below 1", () => {
    assert.throws(() => samplePlan("extreme" as never, 1), InputError);
    assert.throws(() => samplePlan("low", 0), InputError);
  });
});
