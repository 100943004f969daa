/**
 * Seeded property test: random geometries and random batches give identical counters on the
 * js (reference), wasm and native engines. An engine that cannot load fails the test.
 */
import assert from "node:assert/strict";
import { CacheHierarchy, jsEngine, loadEngine, SMAUG_BASELINE_CACHES } from "../../src/engine/index.js";
import { crossCheck, mulberry32, randomBatch } from "../../src/engine/selfcheck.js";
import { type WorkloadName, workloadBatches } from "../../src/engine/workloads.js";
import { testEngineNames } from "../support/engines.js";

describe("engine equivalence (seeded random hierarchies and batches)", () => {
  for (const name of testEngineNames().filter((n) => n !== "js")) {
    for (const seed of [1, 2, 3, 20261127]) {
      it(`${name} matches js exactly, seed ${seed}`, () => {
        const engine = loadEngine(name);
        const [result] = crossCheck(jsEngine, [engine], seed, 40, 4, 400);
        assert.ok(result.ok, result.mismatch);
        assert.equal(result.cases, 40);
        // the check must have exercised real work, not empty batches
        assert.ok(result.lineAccesses > 100_000, `only ${result.lineAccesses} line accesses`);
      });
    }
  }
});

describe("engine equivalence on the SMAUG baseline hierarchy (the production path)", () => {
  // Paper Table 2 geometry, 8 cores and an ACP port, driven by the built-in workloads and by
  // random batches over a footprint that makes the LLC both hit and miss.
  const workloads: WorkloadName[] = ["sequential", "strided", "random", "acp"];
  for (const name of testEngineNames().filter((n) => n !== "js")) {
    it(`${name} matches js on every built-in workload and on random batches`, () => {
      const sims = [jsEngine, loadEngine(name)].map((e) => new CacheHierarchy(e, SMAUG_BASELINE_CACHES));
      for (const w of workloads) {
        for (const batch of workloadBatches(w, { bytes: 4 * 2 ** 20, cores: 4, firstPort: sims[0].portId(0) }))
          for (const sim of sims) sim.run(batch);
        assert.deepEqual(sims[1].rawCounters(), sims[0].rawCounters(), `after ${w}`);
      }
      const r = mulberry32(7);
      for (let b = 0; b < 20; b++) {
        const batch = randomBatch(r, SMAUG_BASELINE_CACHES, 2000);
        for (const sim of sims) sim.run(batch);
      }
      const [want, got] = sims.map((s) => s.cumulative());
      assert.deepEqual(got, want);
      assert.ok(want.total.llcHits > 0 && want.total.llcEvictions > 0 && want.total.coherenceWritebacks > 0);
    });
  }
});
