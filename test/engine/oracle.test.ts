/**
 * An independent oracle for L1 hits: in a fully associative LRU cache of C lines, an access hits
 * exactly when fewer than C distinct lines were touched since the previous access to the same
 * line (its reuse, or stack, distance; Mattson et al. 1970). The oracle below computes stack
 * distances directly from the trace, sharing no code with the engines. The LLC is made large
 * enough that inclusion never evicts from the L1.
 */
import assert from "node:assert/strict";
import { CacheHierarchy, loadEngine, RunBatch } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { testEngineNames } from "../support/engines.js";

function lruHitsByStackDistance(lines: number[], capacity: number): number {
  const stack: number[] = []; // most recent first
  let hits = 0;
  for (const line of lines) {
    const d = stack.indexOf(line);
    if (d >= 0 && d < capacity) hits++;
    if (d >= 0) stack.splice(d, 1);
    stack.unshift(line);
  }
  return hits;
}

describe("L1 hits against a stack-distance oracle", () => {
  for (const name of testEngineNames()) {
    it(`${name}: fully associative LRU L1 agrees with the stack-distance count`, () => {
      const engine = loadEngine(name);
      const r = mulberry32(99);
      for (const capacity of [1, 3, 8, 32]) {
        const lineBytes = 32;
        const sim = new CacheHierarchy(engine, {
          cores: 1,
          l1d: { sizeBytes: capacity * lineBytes, lineBytes, ways: "full", hitLatencyCycles: 2 },
          llc: { sizeBytes: 4096 * lineBytes, lineBytes, ways: 16, hitLatencyCycles: 20 },
        });
        // a skewed stream over 200 lines: a hot set reused often, a cold tail rarely
        const lines: number[] = [];
        const batch = new RunBatch();
        for (let i = 0; i < 5000; i++) {
          const line = r() < 0.7 ? Math.floor(r() * 2 * capacity) : Math.floor(r() * 200);
          lines.push(line);
          batch.push(line * lineBytes + Math.floor(r() * lineBytes), 1, r() < 0.3 ? 1 : 0, 0);
        }
        const s = sim.run(batch);
        assert.equal(s.total.l1Hits, lruHitsByStackDistance(lines, capacity), `capacity ${capacity}`);
        assert.equal(s.total.l1Misses, 5000 - s.total.l1Hits);
        assert.equal(s.total.backInvalidations, 0);
      }
    });
  }
});
