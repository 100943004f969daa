/**
 * The systolic-array simulation: hand-worked cycle counts in each dataflow, stalls derived by
 * hand where the bandwidth is the limit, SCALE-Sim v2's closed forms on layers of its own
 * topology files, properties over seeded random layers, a row-by-row reference for the event
 * stepping, and the SCALE-Sim file readers and graph-node mapping.
 *
 * Conventions (src/engine/js/systolic.ts): R x C array; ifmap E x K, filter K x N, ofmap E x N;
 * os: Sr = E, Sc = N, T = K; ws: Sr = K, Sc = N, T = E; is: Sr = K, Sc = E, T = N;
 * folds = ceil(Sr / R) * ceil(Sc / C); per fold os R + C + T - 2, ws/is 2R + C + T - 2 cycles;
 * SCALE-Sim's "Total Cycles" = compute + stalls - 1 (counted from 0).
 */
import assert from "node:assert/strict";
import {
  parseScaleSimConfig,
  parseScaleSimTopology,
  type SystolicLayer,
  type SystolicParamsInput,
  type SystolicReport,
  simulateSystolicLayer,
  simulateSystolicLayers,
  systolicLayerFromNode,
  systolicParamVector,
} from "../../src/accel/systolic.js";
import { jsEngine, loadEngine } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { SYSTOLIC_RESULTS } from "../../src/engine/types.js";
import { InputError } from "../../src/errors.js";
import { getModel } from "../../src/models/index.js";
import { testEngineNames } from "../support/engines.js";

/** SRAM sizes in KiB of one-byte words: `words(64)` is a 64-word SRAM (two halves of 32). */
const words = (n: number) => n / 1024;
const BIG = 64; // KiB: every operand of the small cases is resident
const UNLIMITED: SystolicParamsInput = {
  rows: 4,
  cols: 4,
  wordBytes: 1,
  ifmapSramKiB: BIG,
  filterSramKiB: BIG,
  ofmapSramKiB: BIG,
  bandwidthWordsPerCycle: Number.POSITIVE_INFINITY,
};

const gemm = (m: number, n: number, k: number): SystolicLayer => ({ kind: "gemm", m, n, k });

function pick(r: SystolicReport, keys: (keyof SystolicReport)[]): Partial<SystolicReport> {
  return Object.fromEntries(keys.map((k) => [k, r[k]]));
}

for (const name of testEngineNames()) {
  describe(`systolic, hand-worked (${name} engine)`, () => {
    const engine = () => loadEngine(name);

    it("GEMM 8x8x8 on a 4x4 array, os: 2 x 2 folds of 4 + 4 + 8 - 2 = 14 cycles", () => {
      const r = simulateSystolicLayer(engine(), { ...UNLIMITED, dataflow: "os" }, gemm(8, 8, 8));
      assert.deepEqual(
        pick(r, ["sr", "sc", "t", "rowFolds", "colFolds", "cyclesPerFold", "computeCycles", "totalCycles"]),
        // Sr = M = 8, Sc = N = 8, T = K = 8; 4 folds * 14 = 56 cycles, SCALE-Sim prints 55
        { sr: 8, sc: 8, t: 8, rowFolds: 2, colFolds: 2, cyclesPerFold: 14, computeCycles: 56, totalCycles: 55 },
      );
      // every fold streams T = 8 rows: 4 ifmap words and 4 filter words per row
      // ifmap: colFolds * M * K = 2 * 64 = 128; filter: rowFolds * K * N = 128; ofmap: M * N = 64
      assert.deepEqual(pick(r, ["ifmapSramReads", "filterSramReads", "ofmapSramWrites"]), {
        ifmapSramReads: 128,
        filterSramReads: 128,
        ofmapSramWrites: 64,
      });
      // all 16 PEs used in every fold; 512 MACs over 55 * 16 PE-cycles
      assert.equal(r.mappingEfficiency, 1);
      assert.equal(r.overallUtilisation, 512 / (55 * 16));
      assert.equal(r.computeUtilisation, 512 / (56 * 16));
      // resident operands are fetched once; every ofmap word is drained once
      assert.deepEqual(
        pick(r, ["ifmapDramReads", "filterDramReads", "ofmapDramWrites", "stallCycles", "drainCycles"]),
        {
          ifmapDramReads: 64,
          filterDramReads: 64,
          ofmapDramWrites: 64,
          stallCycles: 0,
          drainCycles: 0,
        },
      );
    });

    it("GEMM 8x8x8 on a 4x4 array, ws and is: 4 folds of 2*4 + 4 + 8 - 2 = 18 cycles", () => {
      const ws = simulateSystolicLayer(engine(), { ...UNLIMITED, dataflow: "ws" }, gemm(8, 8, 8));
      // Sr = K = 8, Sc = N = 8, T = M = 8: 72 cycles
      // ifmap colFolds * M * K = 128, filter K * N = 64 (each weight loaded once), ofmap rowFolds * M * N = 128
      assert.deepEqual(
        pick(ws, ["rowFolds", "colFolds", "cyclesPerFold", "computeCycles", "ifmapSramReads", "filterSramReads"]),
        { rowFolds: 2, colFolds: 2, cyclesPerFold: 18, computeCycles: 72, ifmapSramReads: 128, filterSramReads: 64 },
      );
      assert.equal(ws.ofmapSramWrites, 128);
      const is = simulateSystolicLayer(engine(), { ...UNLIMITED, dataflow: "is" }, gemm(8, 8, 8));
      // Sr = K = 8, Sc = M = 8, T = N = 8: 72 cycles; ifmap M * K = 64, filter colFolds * K * N = 128
      assert.deepEqual(
        pick(is, ["computeCycles", "totalCycles", "ifmapSramReads", "filterSramReads", "ofmapSramWrites"]),
        { computeCycles: 72, totalCycles: 71, ifmapSramReads: 64, filterSramReads: 128, ofmapSramWrites: 128 },
      );
    });

    it("conv 5x5x2, 3 filters 3x3, stride 1 on a 4x4 array in each dataflow", () => {
      // ofmap 3x3: E = 9, K = 3 * 3 * 2 = 18, N = 3
      const conv: SystolicLayer = {
        kind: "conv",
        ifmapH: 5,
        ifmapW: 5,
        filterH: 3,
        filterW: 3,
        channels: 2,
        filters: 3,
        strideH: 1,
      };
      const run = (dataflow: "os" | "ws" | "is") => simulateSystolicLayer(engine(), { ...UNLIMITED, dataflow }, conv);
      const keys: (keyof SystolicReport)[] = [
        "rowFolds",
        "colFolds",
        "cyclesPerFold",
        "computeCycles",
        "ifmapSramReads",
        "filterSramReads",
        "ofmapSramWrites",
      ];
      const os = run("os");
      // Sr = 9: row folds of 4, 4, 1; Sc = 3: one column fold using 3 of 4 columns; T = 18
      // P = 4 + 4 + 18 - 2 = 24, 3 folds: 72; ifmap 1 * 9 * 18 = 162, filter 3 * 18 * 3 = 162, ofmap 27
      assert.deepEqual(pick(os, keys), {
        rowFolds: 3,
        colFolds: 1,
        cyclesPerFold: 24,
        computeCycles: 72,
        ifmapSramReads: 162,
        filterSramReads: 162,
        ofmapSramWrites: 27,
      });
      // used PEs per fold 4*3, 4*3, 1*3 = 27 of 3 * 16
      assert.equal(os.mappingEfficiency, 27 / 48);
      const ws = run("ws");
      // Sr = 18: row folds 4, 4, 4, 4, 2; Sc = 3; T = 9; P = 8 + 4 + 9 - 2 = 19, 5 folds: 95
      // ifmap 1 * 9 * 18 = 162, filter 18 * 3 = 54, ofmap 5 * 9 * 3 = 135; PEs 18 * 3 = 54 of 5 * 16
      assert.deepEqual(pick(ws, keys), {
        rowFolds: 5,
        colFolds: 1,
        cyclesPerFold: 19,
        computeCycles: 95,
        ifmapSramReads: 162,
        filterSramReads: 54,
        ofmapSramWrites: 135,
      });
      assert.equal(ws.mappingEfficiency, 54 / 80);
      const is = run("is");
      // Sr = 18: 5 row folds; Sc = 9: column folds 4, 4, 1; T = 3; P = 8 + 4 + 3 - 2 = 13, 15 folds: 195
      // ifmap 9 * 18 = 162, filter 3 * 18 * 3 = 162, ofmap 5 * 3 * 9 = 135; PEs 18 * 9 = 162 of 15 * 16
      assert.deepEqual(pick(is, keys), {
        rowFolds: 5,
        colFolds: 3,
        cyclesPerFold: 13,
        computeCycles: 195,
        ifmapSramReads: 162,
        filterSramReads: 162,
        ofmapSramWrites: 135,
      });
      assert.equal(is.mappingEfficiency, 162 / 240);
      // explicit padding is added to the ifmap (3x3 padded by 1 is the same 5x5), and a 7x7
      // ifmap at stride 2 has the same ofmap: ceil((7 - 3 + 2) / 2) = 3
      const padded = simulateSystolicLayer(
        engine(),
        { ...UNLIMITED, dataflow: "is" },
        { ...conv, ifmapH: 3, ifmapW: 3, padding: [1, 1, 1, 1] },
      );
      assert.deepEqual(padded, is);
      const strided = simulateSystolicLayer(
        engine(),
        { ...UNLIMITED, dataflow: "is" },
        { ...conv, ifmapH: 7, ifmapW: 7, strideH: 2 },
      );
      assert.equal(strided.ofmapPixels, 9);
      assert.equal(strided.computeCycles, 195);
      // SCALE-Sim counts a last partial window: 8x8 at stride 2 gives ceil((8 - 3 + 2) / 2) = 4
      // rows and columns (a framework would give 3)
      const partial = simulateSystolicLayer(
        engine(),
        { ...UNLIMITED, dataflow: "is" },
        { ...conv, ifmapH: 8, ifmapW: 8, strideH: 2 },
      );
      assert.equal(partial.ofmapPixels, 16);
    });

    it("os, bandwidth the limit: the ifmap and filter streams of 4000 words at 1 word/cycle", () => {
      // GEMM M = 4, N = 4, K = 1000 on 4x4, os: one fold, T = 1000, P = 4 + 4 + 1000 - 2 = 1006.
      // Per cycle the array consumes a row of 4 ifmap words and a row of 4 filter words, but each
      // port delivers 1 word per cycle: row t (0-based) of either stream arrives at 4 (t + 1).
      // The array uses row t at progress t, so it must have stalled 4 (t + 1) - t = 3t + 4 by
      // then; the last row (t = 999) fixes the stalls at 4000 - 999 = 3001.
      // The 16 outputs leave in the fold's last 4 cycles into one ofmap half; it closes at the end
      // of compute and drains 16 words at 1 word/cycle: 16 cycles past compute.
      const layer = gemm(4, 4, 1000);
      const base = { ...UNLIMITED, dataflow: "os" as const, bandwidthWordsPerCycle: 1 };
      // resident: each operand (4000 words) fits in a 32 Ki-word half: one block each
      const resident = simulateSystolicLayer(engine(), base, layer);
      // 64-word SRAMs: halves of 32 words = 8 rows; 125 blocks, double-buffered. Block k + 2 may
      // start when block k is consumed, at cycle 32k + 33 at the latest, before the port is free
      // (32 (k + 2)): the port never idles and the arrival times are the same as above.
      const streamed = simulateSystolicLayer(
        engine(),
        { ...base, ifmapSramKiB: words(64), filterSramKiB: words(64) },
        layer,
      );
      for (const r of [resident, streamed]) {
        assert.deepEqual(
          pick(r, ["computeCycles", "stallCycles", "drainCycles", "totalCycles", "latencyCycles", "ifmapDramReads"]),
          {
            computeCycles: 1006,
            stallCycles: 3001,
            drainCycles: 16,
            totalCycles: 1006 + 3001 - 1,
            latencyCycles: 1006 + 3001 + 16,
            ifmapDramReads: 4000,
          },
        );
        // both streams need the same stall at the same time; the ifmap is charged first
        assert.deepEqual([r.ifmapStallCycles, r.filterStallCycles, r.ofmapStallCycles], [3001, 0, 0]);
      }
      assert.deepEqual([resident.ifmapFills, resident.filterFills], [1, 1]);
      assert.deepEqual([streamed.ifmapFills, streamed.filterFills], [125, 125]);
    });

    it("ws, all three operands stall: prefetch overlaps compute, the ofmap halves drain at 1 word/cycle", () => {
      // GEMM 8x8x8 on 4x4, ws: folds (fc, fr) = (0,0), (0,1), (1,0), (1,1), P = 18, 72 cycles.
      // filter: resident (64 words), one 4x4 tile (4 rows of 4 words) per fold, needed at
      //   progress 18f + 0..3; tiles fetched back to back at 1 word/cycle: [0,16), [16,32), [32,48), [48,64).
      // ifmap: resident, one 8x4 tile per row fold (8 rows of 4 words), needed at 18f + 4..11
      //   for f = 0, 1 (the column fold 1 reuses them); fetched [0,32) and [32,64).
      // ofmap: 64-word SRAM, halves of 32 words = one fold's 8 rows of 4, written at 18f + 10..17.
      // Stalls (the least total such that each row has arrived when used):
      //   filter tile 0: row i arrives at 4 (i + 1), used at i: 16 - 3 = 13 (row 3)
      //   ifmap tile 0: row i arrives at 4 (i + 1), used at 4 + i: 32 - 11 = 21 (row 7): +8
      //   ofmap half 0 closes at progress 18 = cycle 39: drains [39, 71)
      //   ifmap tile 1: row i arrives at 32 + 4 (i + 1), used at 22 + i: 64 - 29 = 35: +14
      //   ofmap half 1 closes at 36 = cycle 71: drains [71, 103); half 2 closes at 54 = 89: [103, 135)
      //   ofmap fold 3 writes half 1 again from progress 64 = cycle 99 but it drains until 103: +4
      //   filter tiles 1..3 arrive at 32, 48, 64, before they are used (cycles 39+, 71+, 89+)
      // Total 13 + 8 + 14 + 4 = 39: filter 13, ifmap 22, ofmap 4. The last half closes at progress
      // 72 = cycle 111 and drains [135, 167): 56 cycles past compute.
      const r = simulateSystolicLayer(
        engine(),
        { ...UNLIMITED, dataflow: "ws", ofmapSramKiB: words(64), bandwidthWordsPerCycle: 1 },
        gemm(8, 8, 8),
      );
      assert.deepEqual(
        pick(r, [
          "computeCycles",
          "stallCycles",
          "filterStallCycles",
          "ifmapStallCycles",
          "ofmapStallCycles",
          "drainCycles",
          "ofmapDrains",
          "filterFills",
          "ifmapFills",
        ]),
        {
          computeCycles: 72,
          stallCycles: 39,
          filterStallCycles: 13,
          ifmapStallCycles: 22,
          ofmapStallCycles: 4,
          drainCycles: 56,
          ofmapDrains: 4,
          filterFills: 4,
          ifmapFills: 2,
        },
      );
      // at 2 words/cycle only the first filter tile stalls: row 3 arrives at 8, used at 3
      const fast = simulateSystolicLayer(
        engine(),
        { ...UNLIMITED, dataflow: "ws", ofmapSramKiB: words(64), bandwidthWordsPerCycle: 2 },
        gemm(8, 8, 8),
      );
      assert.deepEqual([fast.stallCycles, fast.filterStallCycles, fast.drainCycles], [5, 5, 16]);
    });
  });
}

// ---- SCALE-Sim v2's closed forms on its own topologies ------------------------------------

/** Excerpts of scale-sim-v2 topologies/conv_nets (MIT), verbatim, with their quirks. */
const RESNET50_CSV = `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,,,Eh,Ew,e2
,,,,,,,,,,,,
Conv1,224,224,7,7,3,64,2,,,110,110,12100
CB2a_1,56,56,1,1,64,64,1,,,,,
CB2a_2,56,56,3,3,64,64,1,,,,,
IB5c_3,7,7,1,1,512,2048,1,,,,,
FC6,1,1,1,1,2048,1000,1,,,,,
`;
const ALEXNET_CSV = `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,
Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,
`;
const GEMM_CSV = "Layer Name, M, N, K,\nTest 1, 128, 64, 256,";
const SCALE_CFG = `[general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64 
FilterSramSzkB:  64 
OfmapSramSzkB:   64 
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC 
`;

/** SCALE-Sim's figures from its formulas (systolic_compute_*.py, single_layer_sim.py), re-derived here. */
function scaleSimClosedForm(df: "os" | "ws" | "is", R: number, C: number, E: number, K: number, N: number) {
  const [sr, sc, t] = df === "os" ? [E, N, K] : df === "ws" ? [K, N, E] : [K, E, N];
  const folds = Math.ceil(sr / R) * Math.ceil(sc / C);
  const cycles = folds * ((df === "os" ? R : 2 * R) + C + t - 2);
  // mean over folds of rowsUsed * colsUsed / (R * C); the used PEs over all folds sum to Sr * Sc
  return {
    totalCycles: cycles - 1,
    mappingEfficiency: (sr * sc) / (folds * R * C),
    overallUtil: (E * K * N) / ((cycles - 1) * R * C),
  };
}

describe("systolic vs SCALE-Sim v2's closed forms (its topology files, 32x32 array)", () => {
  const array = { ...UNLIMITED, rows: 32, cols: 32 };

  it("alexnet Conv1 and Conv2 in all dataflows", () => {
    const layers = parseScaleSimTopology(ALEXNET_CSV);
    assert.equal(layers.length, 2);
    // Conv1: ofmap ceil((224 - 11 + 4) / 4) = 55: E = 3025, K = 11 * 11 * 3 = 363, N = 96
    const os = simulateSystolicLayer(jsEngine, { ...array, dataflow: "os" }, layers[0]);
    // os: ceil(3025 / 32) = 95 row folds x 3 column folds, 32 + 32 + 363 - 2 = 425 cycles each
    assert.deepEqual(pick(os, ["ofmapPixels", "windowSize", "folds", "cyclesPerFold", "totalCycles"]), {
      ofmapPixels: 3025,
      windowSize: 363,
      folds: 285,
      cyclesPerFold: 425,
      totalCycles: 285 * 425 - 1,
    });
    assert.equal(os.mappingEfficiency, (3025 * 96) / (285 * 1024));
    // ws: ceil(363 / 32) = 12 x 3 folds of 64 + 32 + 3025 - 2 = 3119 cycles; mapping 363 * 96 / (36 * 1024)
    const ws = simulateSystolicLayer(jsEngine, { ...array, dataflow: "ws" }, layers[0]);
    assert.deepEqual([ws.totalCycles, ws.mappingEfficiency], [36 * 3119 - 1, 0.9453125]);
    // is: 12 x 95 folds of 64 + 32 + 96 - 2 = 190 cycles
    const is = simulateSystolicLayer(jsEngine, { ...array, dataflow: "is" }, layers[0]);
    assert.equal(is.totalCycles, 1140 * 190 - 1);
    for (const df of ["os", "ws", "is"] as const) {
      for (const layer of layers) {
        const r = simulateSystolicLayer(jsEngine, { ...array, dataflow: df }, layer);
        const want = scaleSimClosedForm(df, 32, 32, r.ofmapPixels, r.windowSize, r.filters);
        assert.deepEqual(
          [r.totalCycles, r.mappingEfficiency, r.overallUtilisation],
          [want.totalCycles, want.mappingEfficiency, want.overallUtil],
          `${layer.name} ${df}`,
        );
      }
    }
  });

  it("Resnet50.csv (extra columns, blank row): Conv1 on ws matches the file's own ofmap size", () => {
    const layers = parseScaleSimTopology(RESNET50_CSV);
    assert.deepEqual(
      layers.map((l) => l.name),
      ["Conv1", "CB2a_1", "CB2a_2", "IB5c_3", "FC6"],
    );
    const [conv1] = simulateSystolicLayers(jsEngine, { ...array, dataflow: "ws" }, layers);
    // ceil((224 - 7 + 2) / 2) = 110: E = 12100, the file's e2 column; K = 147, N = 64
    // ws: ceil(147 / 32) = 5 x 2 folds of 64 + 32 + 12100 - 2 = 12194 cycles: 121940, SCALE-Sim 121939
    assert.deepEqual(pick(conv1, ["ofmapPixels", "windowSize", "folds", "computeCycles", "totalCycles"]), {
      ofmapPixels: 12100,
      windowSize: 147,
      folds: 10,
      computeCycles: 121940,
      totalCycles: 121939,
    });
    // mapping: 147 * 64 / (10 * 1024); SRAM reads: ifmap 2 * 12100 * 147, filter 147 * 64, ofmap 5 * 12100 * 64
    assert.equal(conv1.mappingEfficiency, 0.91875);
    assert.deepEqual([conv1.ifmapSramReads, conv1.filterSramReads, conv1.ofmapSramWrites], [3557400, 9408, 3872000]);
    for (const df of ["os", "ws", "is"] as const) {
      const reports = simulateSystolicLayers(jsEngine, { ...array, dataflow: df }, layers);
      for (const r of reports) {
        const want = scaleSimClosedForm(df, 32, 32, r.ofmapPixels, r.windowSize, r.filters);
        assert.equal(r.totalCycles, want.totalCycles, `${r.name} ${df}`);
        assert.equal(r.mappingEfficiency, want.mappingEfficiency, `${r.name} ${df}`);
      }
    }
  });

  it("GEMM topology: test_mnk_input.csv, M = 128, N = 64, K = 256", () => {
    const [layer] = parseScaleSimTopology(GEMM_CSV);
    assert.deepEqual(layer, { kind: "gemm", name: "Test 1", m: 128, n: 64, k: 256 });
    // os: 4 x 2 folds of 32 + 32 + 256 - 2 = 318: 2544; ws: 8 x 2 folds of 64 + 32 + 128 - 2 = 222: 3552
    const os = simulateSystolicLayer(jsEngine, { ...array, dataflow: "os" }, layer);
    const ws = simulateSystolicLayer(jsEngine, { ...array, dataflow: "ws" }, layer);
    assert.deepEqual([os.computeCycles, ws.computeCycles], [2544, 3552]);
    assert.deepEqual([os.mappingEfficiency, ws.mappingEfficiency], [1, 1]);
  });

  it("SCALE-Sim configs: scale.cfg", () => {
    const cfg = parseScaleSimConfig(SCALE_CFG);
    assert.equal(cfg.runName, "scale_example_run_32x32_os");
    assert.equal(cfg.interfaceBandwidth, "CALC");
    assert.equal(cfg.configuredBandwidth, 10);
    assert.deepEqual(cfg.params, {
      rows: 32,
      cols: 32,
      dataflow: "os",
      ifmapSramKiB: 64,
      filterSramKiB: 64,
      ofmapSramKiB: 64,
      // CALC: SCALE-Sim estimates the bandwidth instead of limiting it
      bandwidthWordsPerCycle: Number.POSITIVE_INFINITY,
      wordBytes: 1,
    });
    const user = parseScaleSimConfig(SCALE_CFG.replace("CALC", "USER").replace("Dataflow : os", "Dataflow : ws"));
    assert.deepEqual([user.params.bandwidthWordsPerCycle, user.params.dataflow], [10, "ws"]);
    // the parsed parameters run as they are
    const r = simulateSystolicLayer(jsEngine, cfg.params, gemm(128, 64, 256));
    assert.equal(r.stallCycles, 0);
    assert.throws(() => parseScaleSimConfig(SCALE_CFG.replace("Dataflow : os", "Dataflow : xs")), InputError);
    assert.throws(() => parseScaleSimConfig(SCALE_CFG.replace("ArrayHeight:    32", "ArrayHeight: ")), InputError);
  });

  it("topology reader: depthwise (DP) rows, bad rows", () => {
    const [dp] = parseScaleSimTopology("Layer name, H, W, FH, FW, C, N, S,\nDP1, 10, 10, 3, 3, 8, 1, 1,\n");
    // SCALE-Sim runs one single-channel layer per channel: here channels 1, repeat 8
    assert.deepEqual(dp, {
      kind: "conv",
      name: "DP1",
      ifmapH: 10,
      ifmapW: 10,
      filterH: 3,
      filterW: 3,
      channels: 1,
      filters: 1,
      strideH: 1,
      strideW: 1,
      repeat: 8,
    });
    const r = simulateSystolicLayer(jsEngine, { ...UNLIMITED, dataflow: "os" }, dp);
    const one = simulateSystolicLayer(jsEngine, { ...UNLIMITED, dataflow: "os" }, { ...dp, repeat: 1 });
    assert.equal(r.computeCycles, 8 * one.computeCycles);
    assert.equal(r.macs, 8 * 8 * 8 * 9);
    assert.throws(() => parseScaleSimTopology("h\nL1, 3, 3, 5, 5, 1, 1, 1,\n"), /filter 5x5 is larger/);
    assert.throws(() => parseScaleSimTopology("h\nL1, 3, x, 1, 1, 1, 1, 1,\n"), /column 3 must be a positive integer/);
  });
});

// ---- properties over seeded random layers --------------------------------------------------

const mulberry = mulberry32;

function randomCase(rand: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const params: SystolicParamsInput = {
    rows: int(1, 12),
    cols: int(1, 12),
    dataflow: (["os", "ws", "is"] as const)[int(0, 2)],
    wordBytes: 1,
    ifmapSramKiB: words(int(1, 400)),
    filterSramKiB: words(int(1, 400)),
    ofmapSramKiB: words(int(1, 400)),
    bandwidthWordsPerCycle: int(1, 24) / int(1, 4),
  };
  return {
    params,
    layer: gemm(int(1, 60), int(1, 60), int(1, 60)) as SystolicLayer & { m: number; n: number; k: number },
  };
}

describe("systolic properties (seeded random layers, js engine)", () => {
  it("compute cycles never decrease when the layer grows, nor total cycles with unlimited bandwidth", () => {
    const rand = mulberry(11);
    for (let i = 0; i < 600; i++) {
      const { params, layer } = randomCase(rand);
      const grown = { ...layer };
      const dim = (["m", "n", "k"] as const)[i % 3];
      grown[dim] += 1 + Math.floor(rand() * 40);
      const p = { ...params, bandwidthWordsPerCycle: Number.POSITIVE_INFINITY };
      const [a, b] = simulateSystolicLayers(jsEngine, p, [layer, grown]);
      assert.ok(b.computeCycles >= a.computeCycles, JSON.stringify({ params, layer, grown }));
      assert.ok(b.totalCycles >= a.totalCycles);
    }
  });

  it("stalls and drain are 0 with unlimited bandwidth", () => {
    const rand = mulberry(12);
    for (let i = 0; i < 600; i++) {
      const { params, layer } = randomCase(rand);
      const r = simulateSystolicLayer(jsEngine, { ...params, bandwidthWordsPerCycle: Number.POSITIVE_INFINITY }, layer);
      assert.deepEqual([r.stallCycles, r.drainCycles], [0, 0], JSON.stringify({ params, layer }));
      assert.equal(r.totalCycles, r.computeCycles - 1);
    }
  });

  it("more bandwidth never increases stalls, total cycles or latency", () => {
    const rand = mulberry(13);
    for (let i = 0; i < 600; i++) {
      const { params, layer } = randomCase(rand);
      const bw = params.bandwidthWordsPerCycle ?? 1;
      const [slow, fast, faster] = [bw, bw * 1.5, bw * 4].map((b) =>
        simulateSystolicLayer(jsEngine, { ...params, bandwidthWordsPerCycle: b }, layer),
      );
      for (const [a, b] of [
        [slow, fast],
        [fast, faster],
      ]) {
        const why = JSON.stringify({ params, layer });
        assert.ok(b.stallCycles <= a.stallCycles, why);
        assert.ok(b.totalCycles <= a.totalCycles, why);
        assert.ok(b.latencyCycles <= a.latencyCycles, why);
      }
    }
  });

  it("accounting: stalls add up, every operand word is fetched at least once, DRAM bounds the time", () => {
    const rand = mulberry(14);
    for (let i = 0; i < 600; i++) {
      const { params, layer } = randomCase(rand);
      const r = simulateSystolicLayer(jsEngine, params, layer);
      const why = JSON.stringify({ params, layer });
      assert.equal(r.ifmapStallCycles + r.filterStallCycles + r.ofmapStallCycles, r.stallCycles, why);
      assert.ok(r.ifmapDramReads >= layer.m * layer.k && r.ifmapDramReads <= r.ifmapSramReads, why);
      assert.ok(r.filterDramReads >= layer.k * layer.n && r.filterDramReads <= r.filterSramReads, why);
      assert.equal(r.ofmapDramWrites, r.ofmapSramWrites, why);
      assert.equal(r.mappingEfficiency, (r.sr * r.sc) / (r.folds * r.rows * r.cols), why);
      // the ports are serial: all reads arrive before compute ends, all writes before the latency ends
      const bw = params.bandwidthWordsPerCycle ?? 1;
      const busy = (w: number) => Math.ceil(w / bw - 1e-9);
      assert.ok(r.computeCycles + r.stallCycles >= busy(r.ifmapDramReads), why);
      assert.ok(r.computeCycles + r.stallCycles >= busy(r.filterDramReads), why);
      assert.ok(r.latencyCycles >= busy(r.ofmapDramWrites), why);
    }
  });
});

// ---- the event stepping against a row-by-row reference ------------------------------------

/**
 * A second, plain implementation of the stall model: explicit block lists and one step per
 * stall-free cycle, checking every row where it is used. The engines step from event to event
 * and evaluate the rows in between lazily; both must give the same totals.
 */
function rowByRow(v: Float64Array, E: number, K: number, N: number) {
  const [R, C, df, ifmapWords, filterWords, ofmapWords, num, den] = Array.from(v);
  const [Sr, Sc, T] = df === 0 ? [E, N, K] : df === 1 ? [K, N, E] : [K, E, N];
  const rowFolds = Math.ceil(Sr / R);
  const colFolds = Math.ceil(Sc / C);
  const folds = rowFolds * colFolds;
  const P = (df === 0 ? R : 2 * R) + C + T - 2;
  const transfer = (w: number) => (num === 0 ? 0 : Math.floor((w * den + num - 1) / num));
  const rU = (fr: number) => Math.min(R, Sr - fr * R);
  const cU = (fc: number) => Math.min(C, Sc - fc * C);

  type Block = { rows: number; width: number; need: number; release: number; start: number };
  const read = (ifmap: boolean, sram: number, matrix: number) => {
    const half = Math.floor(sram / 2);
    const resident = matrix <= half;
    const blocks: Block[] = [];
    const seen = new Set<string>();
    let prev: string | undefined;
    for (let f = 0; f < folds; f++) {
      const fr = f % rowFolds;
      const fc = Math.floor(f / rowFolds);
      const stationary = (df === 1 && !ifmap) || (df === 2 && ifmap);
      const rows = stationary ? rU(fr) : T;
      const width = stationary ? cU(fc) : df === 0 && !ifmap ? cU(fc) : rU(fr);
      const offset = stationary ? R - rU(fr) : df === 0 ? 0 : R;
      const key = stationary ? `${fr},${fc}` : df === 0 && !ifmap ? `c${fc}` : `r${fr}`;
      const base = f * P + offset;
      const block = (r: number, need: number) => ({ rows: r, width, need, release: need + r, start: -1 });
      if (resident) {
        if (!seen.has(key)) blocks.push(block(rows, base));
        seen.add(key);
      } else if (rows * width <= half) {
        if (key === prev) blocks[blocks.length - 1].release = base + rows;
        else blocks.push(block(rows, base));
        prev = key;
      } else {
        prev = undefined;
        const per = Math.max(1, Math.floor(half / width));
        for (let first = 0; first < rows; first += per) blocks.push(block(Math.min(per, rows - first), base + first));
      }
    }
    return { resident, blocks, portFree: 0, dram: 0 };
  };
  const ops = [read(true, ifmapWords, E * K), read(false, filterWords, K * N)];
  const schedule = (op: (typeof ops)[number], k: number, earliest: number) => {
    const b = op.blocks[k];
    b.start = Math.max(op.portFree, earliest);
    op.portFree = b.start + transfer(b.rows * b.width);
    op.dram += b.rows * b.width;
  };
  for (const op of ops) for (let k = 0; k < op.blocks.length; k++) if (op.resident || k < 2) schedule(op, k, 0);

  // the ofmap rows packed into halves
  const half = Math.floor(ofmapWords / 2);
  const outs: { open: number; close: number; words: number; drainEnd: number }[] = [];
  for (let f = 0; f < folds; f++) {
    const rows = df === 0 ? rU(f % rowFolds) : T;
    const width = cU(Math.floor(f / rowFolds));
    for (let i = 0; i < rows; i++) {
      const p = f * P + P - rows + i;
      const last = outs[outs.length - 1];
      if (last && last.words + width <= half) {
        last.words += width;
        last.close = p + 1;
      } else outs.push({ open: p, close: p + 1, words: width, drainEnd: 0 });
    }
  }
  let ofmapPort = 0;

  // blocks are released and used in order, halves opened and closed in order: one pointer each
  const rel = [0, 0];
  const use = [0, 0];
  let closed = 0;
  let opened = 0;
  let stalls = 0;
  for (let q = 0; q <= folds * P; q++) {
    // releases and closes at q see the stalls of the rows used before q
    ops.forEach((op, o) => {
      for (; rel[o] < op.blocks.length && op.blocks[rel[o]].release === q; rel[o]++) {
        const k = rel[o];
        if (!op.resident && k + 2 < op.blocks.length) schedule(op, k + 2, q + stalls);
      }
    });
    for (; closed < outs.length && outs[closed].close === q; closed++) {
      const o = outs[closed];
      o.drainEnd = Math.max(ofmapPort, q + stalls) + transfer(o.words);
      ofmapPort = o.drainEnd;
    }
    // rows used at q
    ops.forEach((op, o) => {
      while (use[o] < op.blocks.length && op.blocks[use[o]].need + op.blocks[use[o]].rows <= q) use[o]++;
      const b = op.blocks[use[o]];
      if (b === undefined || b.need > q) return;
      const need = b.start + transfer((q - b.need + 1) * b.width) - q;
      stalls = Math.max(stalls, need);
    });
    for (; opened < outs.length && outs[opened].open === q; opened++) {
      const k = opened;
      if (k >= 2) stalls = Math.max(stalls, outs[k - 2].drainEnd - q);
    }
  }
  return {
    stallCycles: stalls,
    drainCycles: Math.max(0, ofmapPort - (folds * P + stalls)),
    ifmapDramReads: ops[0].dram,
    filterDramReads: ops[1].dram,
    ifmapFills: ops[0].blocks.length,
    filterFills: ops[1].blocks.length,
    ofmapDrains: outs.length,
  };
}

describe("systolic event stepping = row-by-row stepping", function () {
  this.timeout(60_000);
  it("seeded random small layers, all dataflows, tiny to resident SRAMs", () => {
    const rand = mulberry(15);
    let stalled = 0;
    for (let i = 0; i < 400; i++) {
      const { params, layer } = randomCase(rand);
      const { vector } = systolicParamVector(params);
      const want = rowByRow(vector, layer.m, layer.k, layer.n);
      const out = jsEngine.simulateSystolic(vector, Float64Array.from([layer.m, layer.k, layer.n]), 1);
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, out[SYSTOLIC_RESULTS.indexOf(k as never)]]));
      assert.deepEqual(got, want, JSON.stringify({ params, layer }));
      if (want.stallCycles > 0) stalled++;
    }
    assert.ok(stalled > 200, `only ${stalled} cases stalled`);
  });
});

// ---- graph nodes and validation -------------------------------------------------------------

describe("systolic layers from graph nodes, and validation", () => {
  it("ResNet-50: 53 convolutions and the classifier; a padded conv keeps its output size", () => {
    const { graph } = getModel("resnet50").build();
    const layers = graph.nodes.map((n) => systolicLayerFromNode(n, graph)).filter((l) => l !== undefined);
    assert.equal(layers.filter((l) => l.kind === "conv").length, 53);
    const conv1 = layers.find((l) => l.name === "conv1");
    // 224x224x3 padded by 3 on each side to 230x230, 64 filters 7x7, stride 2: ofmap
    // floor((230 - 7) / 2) + 1 = 112; the windows cover (112 - 1) * 2 + 7 = 229 rows and columns
    // (SCALE-Sim's ceil((230 - 7 + 2) / 2) would give 113)
    assert.deepEqual(conv1, {
      kind: "conv",
      name: "conv1",
      ifmapH: 229,
      ifmapW: 229,
      filterH: 7,
      filterW: 7,
      channels: 3,
      filters: 64,
      strideH: 2,
      strideW: 2,
      batch: 1,
    });
    // E = 112 * 112 = 12544, K = 147
    const r = simulateSystolicLayer(jsEngine, { rows: 32, cols: 32, dataflow: "ws" }, conv1 as SystolicLayer);
    assert.deepEqual([r.ofmapPixels, r.windowSize, r.filters], [12544, 147, 64]);
    assert.deepEqual(
      layers.find((l) => l.name === "fc"),
      { kind: "gemm", name: "fc", m: 1, k: 2048, n: 1000 },
    );
    // a batch of 2 stacks the images' ofmap pixels
    const { graph: g2 } = getModel("resnet50").build({ batch: 2 });
    const c2 = systolicLayerFromNode(g2.nodes.find((n) => n.name === "conv1") ?? g2.nodes[0], g2);
    assert.equal(simulateSystolicLayer(jsEngine, {}, c2 as SystolicLayer).ofmapPixels, 2 * 12544);
  });

  it("depthwise convolutions and batched matmuls", () => {
    const { graph } = getModel("mobilenet_v1").build();
    const dw = graph.nodes.find((n) => n.op === "depthwise_conv");
    const layer = dw && systolicLayerFromNode(dw, graph);
    assert.ok(layer?.kind === "conv" && layer.channels === 1 && layer.filters === 1 && (layer.repeat ?? 0) > 1);
    const t = getModel("transformer").build().graph;
    for (const n of t.nodes.filter((x) => x.op === "batched_matmul")) {
      const l = systolicLayerFromNode(n, t);
      assert.ok(l?.kind === "gemm", n.name);
    }
    assert.equal(systolicLayerFromNode(graph.nodes[0], graph), undefined); // the data node
  });

  it("rejects bad parameters and layers with InputError", () => {
    assert.throws(() => simulateSystolicLayer(jsEngine, { rows: 0 }, gemm(1, 1, 1)), InputError);
    assert.throws(() => simulateSystolicLayer(jsEngine, { bandwidthWordsPerCycle: 0 }, gemm(1, 1, 1)), InputError);
    assert.throws(() => simulateSystolicLayer(jsEngine, {}, gemm(1, 0, 1)), /n must be an integer/);
    assert.throws(
      () =>
        simulateSystolicLayer(
          jsEngine,
          {},
          {
            kind: "conv",
            ifmapH: 2,
            ifmapW: 2,
            filterH: 3,
            filterW: 3,
            channels: 1,
            filters: 1,
            strideH: 1,
          },
        ),
      /larger than the \(padded\) ifmap/,
    );
    assert.throws(() => simulateSystolicLayer(jsEngine, {}, gemm(2 ** 31, 2 ** 31, 2 ** 31)), /too large/);
    // fractional bandwidths become exact fractions: 2.5 words per cycle = 5/2
    assert.deepEqual(Array.from(systolicParamVector({ bandwidthWordsPerCycle: 2.5 }).vector.slice(6)), [5, 2]);
  });
});
