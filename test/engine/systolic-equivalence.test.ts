/**
 * Seeded property test: random arrays, dataflows, SRAM sizes, bandwidths and layers give
 * identical systolic results (every field, bit for bit) on the js (reference), wasm and native
 * engines. An engine that cannot load fails the test.
 */
import assert from "node:assert/strict";
import type { SystolicLayer, SystolicParamsInput } from "../../src/accel/systolic.js";
import { simulateSystolicLayers, systolicLayerFromNode, systolicParamVector } from "../../src/accel/systolic.js";
import {
  jsEngine,
  loadEngine,
  NUM_SYSTOLIC_LAYER,
  NUM_SYSTOLIC_RESULTS,
  SYSTOLIC_RESULTS,
} from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { getModel } from "../../src/models/index.js";
import { testEngineNames } from "../support/engines.js";

const mulberry = mulberry32;

/** One random configuration and a batch of random layers (E, K, N) in engine form. */
function randomBatch(rand: () => number, layers: number) {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  // SRAMs from a handful of words (blocks of one row) to far more than any operand (resident)
  const sram = () => (rand() < 0.2 ? 64 : int(1, 3000) / 1024);
  const params: SystolicParamsInput = {
    rows: int(1, 40),
    cols: int(1, 40),
    dataflow: (["os", "ws", "is"] as const)[int(0, 2)],
    wordBytes: int(1, 2),
    ifmapSramKiB: sram(),
    filterSramKiB: sram(),
    ofmapSramKiB: sram(),
    bandwidthWordsPerCycle: rand() < 0.1 ? Number.POSITIVE_INFINITY : int(1, 64) / int(1, 7),
  };
  const dims = new Float64Array(layers * NUM_SYSTOLIC_LAYER);
  for (let i = 0; i < dims.length; i++) dims[i] = rand() < 0.1 ? 1 : int(1, 300);
  return { params, vector: systolicParamVector(params).vector, dims };
}

function firstDifference(want: Float64Array, got: Float64Array): string {
  for (let i = 0; i < want.length; i++)
    if (want[i] !== got[i])
      return `layer ${Math.floor(i / NUM_SYSTOLIC_RESULTS)} ${SYSTOLIC_RESULTS[i % NUM_SYSTOLIC_RESULTS]}: js ${want[i]}, got ${got[i]}`;
  return want.length === got.length ? "" : `length ${got.length}, expected ${want.length}`;
}

describe("systolic engine equivalence (seeded random arrays, layers, dataflows)", function () {
  this.timeout(120_000);
  for (const name of testEngineNames().filter((n) => n !== "js")) {
    for (const seed of [1, 2, 3, 20261127]) {
      it(`${name} matches js exactly, seed ${seed}`, () => {
        const engine = loadEngine(name);
        const rand = mulberry(seed);
        let stalled = 0;
        for (let c = 0; c < 60; c++) {
          const { vector, dims } = randomBatch(rand, 8);
          const want = jsEngine.simulateSystolic(vector, dims, 8);
          const got = engine.simulateSystolic(vector, dims, 8);
          assert.equal(firstDifference(want, got), "", `case ${c}, params ${Array.from(vector)}`);
          for (let l = 0; l < 8; l++)
            if (want[l * NUM_SYSTOLIC_RESULTS + SYSTOLIC_RESULTS.indexOf("stallCycles")] > 0) stalled++;
        }
        // the check must have exercised the stall model, not only stall-free runs
        assert.ok(stalled > 100, `only ${stalled} layers stalled`);
      });
    }

    it(`${name} matches js on ResNet-50 (32x32, ws, 64 KiB SRAMs, 10 words/cycle) and on batches past the wasm staging size`, () => {
      const engine = loadEngine(name);
      const { graph } = getModel("resnet50").build();
      const layers = graph.nodes
        .filter((n) => n.op === "conv")
        .map((n) => systolicLayerFromNode(n, graph) as SystolicLayer);
      const params: SystolicParamsInput = {
        rows: 32,
        cols: 32,
        dataflow: "ws",
        ifmapSramKiB: 64,
        filterSramKiB: 64,
        ofmapSramKiB: 64,
        bandwidthWordsPerCycle: 10,
      };
      assert.deepEqual(
        simulateSystolicLayers(engine, params, layers),
        simulateSystolicLayers(jsEngine, params, layers),
      );
      // 5000 layers cross the wasm engine's 4096-layer staging chunk
      const { vector, dims } = randomBatch(mulberry(99), 5000);
      assert.equal(
        firstDifference(jsEngine.simulateSystolic(vector, dims, 5000), engine.simulateSystolic(vector, dims, 5000)),
        "",
      );
    });
  }
});
