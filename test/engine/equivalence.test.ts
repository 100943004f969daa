/**
 * Seeded property test: random geometries and random batches give identical counters on the
 * js (reference), wasm and native engines. An engine that cannot load fails the test.
 */
import assert from "node:assert/strict";
import { jsEngine, loadEngine } from "../../src/engine/index.js";
import { crossCheck } from "../../src/engine/selfcheck.js";
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
