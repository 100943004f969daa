/**
 * A whole run is the same on every engine: the simulator drives the cache engine (copies,
 * flushes, ACP) and, for the systolic array, the engine's array model, so the timelines, the
 * memory statistics and the energy must be identical, not merely close.
 */
import assert from "node:assert/strict";
import { loadEngine, probeEngines } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { runNetwork } from "../../src/sim/run.js";
import { resolveSoc } from "../../src/soc/index.js";

describe("sim: js, wasm and native runs agree exactly", function () {
  this.timeout(120_000);
  const available = probeEngines()
    .filter((p) => p.available)
    .map((p) => p.name);
  it("js and wasm are always available (native when the addon built)", () => {
    assert.ok(available.includes("js") && available.includes("wasm"), available.join(", "));
  });
  const cases: [string, unknown][] = [
    ["cnn10", {}],
    ["lenet5", { memoryPolicy: "AllAcp", accelerators: [{ kind: "smv", count: 3 }], threads: { workers: 4 } }],
    ["lenet5", { accelerators: [{ kind: "systolic", count: 2 }], memoryPolicy: "AllAcpWithDmaForWeights" }],
  ];
  for (const [name, partial] of cases)
    it(`${name} on ${JSON.stringify(partial)}: identical events, memory statistics and energy`, () => {
      const { graph } = getModel(name).build();
      const soc = resolveSoc(partial);
      const runs = available.map((e) => {
        const r = runNetwork({ graph, soc, engine: loadEngine(e), timingOnly: true, schedule: "overlap" });
        return { events: r.sim.events, memory: r.sim.memory, energy: r.energy, breakdown: r.sim.breakdown };
      });
      for (let i = 1; i < runs.length; i++) assert.deepEqual(runs[i], runs[0], `${available[i]} vs ${available[0]}`);
    });
});
