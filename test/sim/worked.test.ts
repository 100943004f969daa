/**
 * Worked examples as an independent oracle of the timeline (src/sim/simulate.ts): a network on the
 * SMAUG baseline SoC (one SMV accelerator, one thread, AllDma, schedule smaug), whose accelerated
 * layer with a single invocation is timed here by hand from docs/memory-model.md and the SoC's
 * constants:
 *
 *   CPU 2.5 GHz: dispatch 10,000 cycles = 4000 ns per operator, invoke 500 cycles = 200 ns per
 *     invocation; flush / invalidate 20 cycles (8 ns) per 32 B line some cache holds, 2 cycles
 *     (0.8 ns) per line none holds, plus line / 25.6 GB/s per dirty line flushed.
 *   DMA: setup 100 cycles at 1 GHz = 100 ns per 4 KiB page piece (pipelined: a piece's setup hides
 *     behind the previous piece's data); 64 B chunks, 16 in flight, 64 / 25.6 = 2.5 ns of bus each;
 *     DRAM 51.56 ns to a precharged bank (the first access of each channel's row), 51.56 − 12.45 =
 *     39.11 ns on an open row. A chunk's two lines go to two of the 4 channels (32 B interleave).
 *   SMV 1 GHz: compute = the invocation's cycles (src/accel/smv-cost.ts, derived below).
 *
 * The order of one invocation (smaug schedule, nothing else running): dispatch → invoke → for each
 * tensor it reads: flush, load → compute → store → invalidate; each event starts when the previous
 * one ends. Times are rounded to 2^-10 ns event by event (`quantise` of each end), so the expected
 * timeline is built the same way from the hand durations, and compared exactly.
 *
 * Addresses (needed for the DRAM rows): every tensor is placed up front, in graph order, at the
 * next 4 KiB boundary from 64 KiB (65536), sized as its aligned shape x 2 B (fp16).
 */
import assert from "node:assert/strict";
import { planGraph } from "../../src/accel/index.js";
import { selectEngine } from "../../src/engine/index.js";
import { GraphBuilder } from "../../src/graph/builder.js";
import { dmaTransferTime } from "../../src/memory/index.js";
import { getModel } from "../../src/models/index.js";
import { quantise } from "../../src/sim/breakdown.js";
import { runNetwork } from "../../src/sim/run.js";
import { type Breakdown, CATEGORIES, KIND_CATEGORY, type TimelineEvent } from "../../src/sim/types.js";
import { SMAUG_BASELINE } from "../../src/soc/index.js";

const soc = SMAUG_BASELINE;
const engine = selectEngine().engine;
const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

/** One expected event: where, what, how long (ns, by hand). */
type Step = Pick<TimelineEvent, "resource" | "kind"> & { ns: number; tensor?: string; bytes?: number };

/** The expected events from `t0`, back to back, each end quantised as the simulator does. */
function chain(t0: number, steps: Step[]): { resource: string; kind: string; start: number; end: number }[] {
  let t = t0;
  return steps.map((s) => {
    const start = t;
    t = quantise(start + s.ns);
    return { resource: s.resource, kind: s.kind, start, end: t };
  });
}

function breakdownOf(events: { kind: string; start: number; end: number }[]): Breakdown {
  const b: Breakdown = {
    acceleratorCompute: 0,
    transfer: 0,
    cpuPrepare: 0,
    cpuFinalize: 0,
    cpuOther: 0,
    idle: 0,
    total: 0,
  };
  for (const e of events) {
    const c = KIND_CATEGORY[e.kind as keyof typeof KIND_CATEGORY];
    b[c] += e.end - e.start;
    b.total += e.end - e.start;
  }
  return b;
}

/** One thread, one accelerator, smaug: nothing overlaps, and the events tile [0, total] with no gap. */
function assertBackToBack(events: readonly TimelineEvent[], totalNs: number): void {
  const sorted = [...events].sort((a, b) => a.start - b.start);
  assert.equal(sorted[0].start, 0);
  for (let i = 1; i < sorted.length; i++)
    assert.equal(sorted[i].start, sorted[i - 1].end, `${sorted[i].kind} starts when ${sorted[i - 1].kind} ends`);
  assert.equal(sorted[sorted.length - 1].end, totalNs);
}

// Hand-timed DMA transfers (docs/memory-model.md, "The engine"); see each test for the rows.
/** 512 B from a page boundary: 8 chunks, all in flight; chunks 0-1 open the 4 channels' rows
 *  (51.56 ns), 2-7 hit (39.11) but the bus paces them: 51.56 + 7·2.5 = 69.06; + setup 100. */
const DMA_512 = 100 + 51.56 + 7 * 2.5; // 169.06
/** 32 B (one line, one chunk) from a page boundary: one activation, 51.56 ns; + setup 100. */
const DMA_32 = 100 + 51.56; // 151.56

describe("sim: worked example, a one-layer network (inner product 256 → 16)", () => {
  // x [1, 256] → fc (16 units, no bias) → [1, 16]; weights [16, 256]. SMV tiles: one tile each.
  const b = new GraphBuilder("tiny", { backend: "smv" });
  const x = b.input([1, 256], { layout: "NC", name: "x" });
  const y = b.innerProduct(x, { units: 16, bias: false, name: "fc" });
  const { graph, weights } = b.build({ seed: 1, outputs: [y] });

  // Addresses: x 512 B at 65536 (16 pages); fc/weights 8192 B at the next page, 69632 (17 pages);
  // fc [1, 16] 32 B at 77824 (19 pages).
  const X = { addr: 65536, bytes: 512 };
  const W = { addr: 69632, bytes: 8192 };
  const Y = { addr: 77824, bytes: 32 };

  // fc/weights, 8192 B from 69632: two pieces of 4096 B (64 chunks each). Channel addresses are
  // a / 4 (4 channels, 32 B interleave): piece 1 covers [17408, 18432) of each channel, 2 KiB row
  // segment 8 (bank 0); piece 2 [18432, 19456), segment 9 (bank 1, precharged). In each piece
  // chunks 0-1 open the rows (51.56), the other 62 hit (39.11 < 16·2.5 = 40: bus-paced):
  // D = 51.56 + 63·2.5 = 209.06. Setup 1 [0, 100], data 1 [100, 309.06], setup 2 [100, 200]
  // (pipelined, hidden), data 2 [309.06, 518.12].
  const DMA_W = 100 + 2 * (51.56 + 63 * 2.5); // 518.12

  // SMV inner product (smv-cost.ts header), P = 8 PEs, M = 32 MACCs, L = 8 lanes, R = 8 ports,
  // Rw = 1 weight vector streamed per cycle, D = 5 stages, Lo = 1, Ci = 100: I = 256 → Ib = 32
  // vectors, V = 32 / 8 = 4, nIC = 8, v = 4; O = 16 → two neuron groups of g = 8;
  // II = max(1, ⌈4/8⌉, ⌈32/1⌉, ⌈32/32⌉) = 32; pipe(32, 8) = (5 − 1) + 32·8 = 260;
  // main = 1·(1 + 2·(1 + 260)) = 523; + Ci = 623 cycles = 623 ns.
  const COMPUTE = 623;

  // Nothing is cached (cold caches; the input is in DRAM, weights were tiled before the run):
  // flush x: 16 lines x 2 cycles = 32 cycles = 12.8 ns; flush weights: 256 lines x 2 = 512 cycles
  // = 204.8 ns; invalidate fc: 1 line x 2 = 0.8 ns.
  const steps: Step[] = [
    { resource: "cpu0", kind: "dispatch", ns: 10000 / 2.5 },
    { resource: "cpu0", kind: "invoke", ns: 500 / 2.5 },
    { resource: "dma0", kind: "flush", ns: (16 * 2) / 2.5, tensor: "x", bytes: 512 },
    { resource: "dma0", kind: "load", ns: DMA_512, tensor: "x", bytes: 512 },
    { resource: "dma0", kind: "flush", ns: (256 * 2) / 2.5, tensor: "fc/weights", bytes: 8192 },
    { resource: "dma0", kind: "load", ns: DMA_W, tensor: "fc/weights", bytes: 8192 },
    { resource: "smv0", kind: "compute", ns: COMPUTE },
    { resource: "dma0", kind: "store", ns: DMA_32, tensor: "fc", bytes: 32 },
    { resource: "dma0", kind: "invalidate", ns: (1 * 2) / 2.5, tensor: "fc", bytes: 32 },
  ];
  const expected = chain(0, steps);

  it("the plan has one layer, one invocation, and the hand-derived cycles", () => {
    const plan = planGraph(graph, "smv");
    assert.equal(plan.steps.length, 1);
    const step = plan.steps[0];
    assert.ok(step.device === "accelerator");
    assert.equal(step.invocations.length, 1);
    assert.deepEqual(step.invocations[0].flags, {
      readInputs: true,
      readWeights: true,
      accumulate: false,
      sendResults: true,
    });
    assert.equal(step.invocations[0].cost.cycles, COMPUTE);
    for (const t of step.tensors) assert.equal(t.tiles.length, 1);
  });

  it("the hand-timed transfers agree with the DMA model at those addresses", () => {
    close(DMA_512, 169.06);
    close(DMA_W, 518.12);
    close(DMA_32, 151.56);
    close(dmaTransferTime(soc, [X]).ns, DMA_512, 1e-9);
    close(dmaTransferTime(soc, [W]).ns, DMA_W, 1e-9);
    close(dmaTransferTime(soc, [Y]).ns, DMA_32, 1e-9);
  });

  it("every event, in order, back to back: dispatch, invoke, flush+load x, flush+load weights, compute, store, invalidate", () => {
    const r = runNetwork({ graph, weights, soc, engine });
    const got = r.sim.events.map((e) => ({ resource: e.resource, kind: e.kind, start: e.start, end: e.end }));
    assert.deepStrictEqual(got, expected);
    // transfers carry their tensor and bytes
    r.sim.events.forEach((e, i) => {
      if (steps[i].tensor !== undefined) {
        assert.equal(e.tensor, steps[i].tensor);
        assert.equal(e.bytes, steps[i].bytes);
      }
      assert.equal(e.layer, 0);
    });
    // durations within rounding of the hand values
    r.sim.events.forEach((e, i) => {
      close(e.end - e.start, steps[i].ns, 1 / 1024);
    });
  });

  it("latency = dispatch + invoke + flushes + loads + compute + store + invalidate = 5880.14 ns", () => {
    const r = runNetwork({ graph, soc, engine, timingOnly: true });
    // 4000 + 200 + 12.8 + 169.06 + 204.8 + 518.12 + 623 + 151.56 + 0.8 = 5880.14
    const hand = 4000 + 200 + 12.8 + 169.06 + 204.8 + 518.12 + 623 + 151.56 + 0.8;
    close(hand, 5880.14);
    assert.equal(r.sim.totalNs, expected[expected.length - 1].end);
    close(r.sim.totalNs, hand, 9 / 2048); // nine rounded ends
    assert.deepStrictEqual(r.sim.breakdown, breakdownOf(expected));
    assert.equal(r.sim.breakdown.cpuOther, 4200);
    assert.equal(r.sim.breakdown.acceleratorCompute, 623);
    assert.equal(r.sim.breakdown.idle, 0);
    assert.deepStrictEqual(r.sim.layers[0].breakdown, r.sim.breakdown);
    assertBackToBack(r.sim.events, r.sim.totalNs);
    // bytes: 512 + 8192 loaded, 32 stored, all by DMA; nothing else reaches DRAM
    assert.equal(r.sim.memory.dmaBytes, 512 + 8192 + 32);
    assert.equal(r.sim.memory.acpBytes, 0);
    assert.equal(r.sim.layers[0].hostLoadBytes, 8704);
    assert.equal(r.sim.layers[0].hostStoreBytes, 32);
    assert.equal(r.sim.memory.dramReadBytes, 8704);
    assert.equal(r.sim.memory.dramWriteBytes, 32);
    assert.equal(r.sim.invocations, 1);
  });

  it("with one layer the overlap schedule has the same timeline", () => {
    const smaug = runNetwork({ graph, soc, engine, timingOnly: true });
    const overlap = runNetwork({ graph, soc, engine, timingOnly: true, schedule: "overlap" });
    assert.deepStrictEqual(overlap.sim.events, smaug.sim.events);
    assert.equal(overlap.sim.totalNs, smaug.sim.totalNs);
  });
});

describe("sim: worked example, Minerva's last inner product (fc3) in the middle of a run", () => {
  const { graph } = getModel("minerva").build({ backend: "smv" });

  // Addresses, graph order, 4 KiB aligned from 65536 (sizes: aligned shape x 2 B):
  //   input 1568 B @ 65536; fc0/weights 401408 @ 69632; fc0/bias 512 @ 471040; fc0 512 @ 475136;
  //   fc1/weights 131072 @ 479232; fc1/bias @ 610304; fc1 @ 614400; fc2/weights @ 618496;
  //   fc2/bias @ 749568; fc2 512 B @ 753664; fc3/weights 5120 B @ 757760 (185 pages);
  //   fc3/bias 20 B @ 765952; fc3 [1, 16] 32 B @ 770048.
  const FC2 = { addr: 753664, bytes: 512 };
  const W3 = { addr: 757760, bytes: 5120 };
  const FC3 = { addr: 770048, bytes: 32 };

  // fc3/weights, 5120 B from 757760 (an odd page, so channel address 189440 = 92.5 rows of
  // 2048 B): piece 1 = 4096 B, channel bytes [189440, 190464) in row segment 92 (bank 4): chunks
  // 0-1 open the rows, 62 hits, bus-paced: 51.56 + 63·2.5 = 209.06. Piece 2 = 1024 B (16 chunks),
  // channel bytes [190464, 190720): segment 93 (bank 5, precharged): 51.56 + 15·2.5 = 89.06.
  // Data 1 [100, 309.06]; setup 2 hidden; data 2 [309.06, 398.12].
  const DMA_W3 = 100 + 51.56 + 63 * 2.5 + (51.56 + 15 * 2.5); // 398.12

  // SMV: I = 256 → Ib = 32, nIC = 8, v = 4; O = min(10 weights, 10 outputs) = 10 → neuron groups
  // of g = 8 and g = 2, weights streamed at Rw = 1: II(8) = max(1, 1, ⌈32/1⌉, 1) = 32 → pipe =
  // 4 + 256 = 260; II(2) = max(1, 1, ⌈8/1⌉, 1) = 8 → pipe = 4 + 64 = 68;
  // main = 1 + (1 + 260) + (1 + 68) = 331; + 100 = 431.
  const COMPUTE = 431;

  // Caches: fc2's tensor was just written by the CPU (layer fc2's outputs are four 1x64 tiles,
  // which the CPU copies into fc2 after they are stored: finalize), so all 16 of its lines are
  // cached and dirty: flush = 16 x 20 cycles = 128 ns + 16 x 32 B / 25.6 GB/s = 20 ns = 148 ns.
  // fc3/weights (a single tile, read in place) and fc3 were never touched: 160 lines x 2 cycles
  // = 128 ns, and 1 line x 2 cycles = 0.8 ns.
  const steps: Step[] = [
    { resource: "cpu0", kind: "dispatch", ns: 4000 },
    { resource: "cpu0", kind: "invoke", ns: 200 },
    { resource: "dma0", kind: "flush", ns: (16 * 20) / 2.5 + (16 * 32) / 25.6, tensor: "fc2", bytes: 512 },
    { resource: "dma0", kind: "load", ns: DMA_512, tensor: "fc2", bytes: 512 },
    { resource: "dma0", kind: "flush", ns: (160 * 2) / 2.5, tensor: "fc3/weights", bytes: 5120 },
    { resource: "dma0", kind: "load", ns: DMA_W3, tensor: "fc3/weights", bytes: 5120 },
    { resource: "smv0", kind: "compute", ns: COMPUTE },
    { resource: "dma0", kind: "store", ns: DMA_32, tensor: "fc3", bytes: 32 },
    { resource: "dma0", kind: "invalidate", ns: (1 * 2) / 2.5, tensor: "fc3", bytes: 32 },
  ];

  it("fc3 is planned as one invocation of single tiles (no CPU copy), with the hand-derived cycles", () => {
    const plan = planGraph(graph, "smv");
    const step = plan.steps.find((s) => s.node === "fc3");
    assert.ok(step !== undefined && step.device === "accelerator");
    assert.equal(step.invocations.length, 1);
    assert.equal(step.invocations[0].cost.cycles, COMPUTE);
    assert.deepEqual(
      step.tensors.map((t) => [t.role, t.tensor, t.tiles.length, t.tiles[0].shape]),
      [
        ["inputs", "fc2", 1, [1, 256]],
        ["weights", "fc3/weights", 1, [10, 256]],
        ["outputs", "fc3", 1, [1, 16]],
      ],
    );
    // fc2 (the layer before) stores four output tiles that the CPU then copies into fc2
    const fc2 = plan.steps.find((s) => s.node === "fc2");
    assert.ok(fc2 !== undefined && fc2.device === "accelerator");
    assert.equal(fc2.tensors.find((t) => t.role === "outputs")?.tiles.length, 4);
  });

  it("the hand-timed transfers agree with the DMA model at those addresses", () => {
    close(DMA_W3, 398.12);
    close(dmaTransferTime(soc, [FC2]).ns, DMA_512, 1e-9);
    close(dmaTransferTime(soc, [W3]).ns, DMA_W3, 1e-9);
    close(dmaTransferTime(soc, [FC3]).ns, DMA_32, 1e-9);
    // the odd page matters: the same 5120 B from an even page stay in one row of each channel,
    // and piece 2 hits the open rows: 100 + 209.06 + max(39.11 + 15·2.5, ...) = 385.67
    close(dmaTransferTime(soc, [{ addr: 757760 - 4096, bytes: 5120 }]).ns, 100 + 209.06 + 39.11 + 15 * 2.5);
  });

  it("fc3's events follow fc2's last finalize back to back, as timed by hand; its latency is their sum", () => {
    const r = runNetwork({ graph, soc, engine, timingOnly: true });
    const layer = r.sim.layers.findIndex((l) => l.name === "fc3");
    assert.equal(layer, 3);
    // the layer before ends with the CPU copying its four output tiles into fc2
    const before = r.sim.events.filter((e) => e.layer === layer - 1);
    assert.deepEqual(
      before.slice(-4).map((e) => [e.resource, e.kind, e.tensor]),
      Array.from({ length: 4 }, () => ["cpu0", "finalize", "fc2"]),
    );
    const t0 = before[before.length - 1].end;
    const events = r.sim.events.filter((e) => e.layer === layer);
    const expected = chain(t0, steps);
    assert.deepStrictEqual(
      events.map((e) => ({ resource: e.resource, kind: e.kind, start: e.start, end: e.end })),
      expected,
    );
    events.forEach((e, i) => {
      if (steps[i].tensor !== undefined) {
        assert.equal(e.tensor, steps[i].tensor);
        assert.equal(e.bytes, steps[i].bytes);
      }
      close(e.end - e.start, steps[i].ns, 1 / 1024);
    });
    assert.equal(events[2].cycles, 16 * 20 + 20 * 2.5); // the flush: 320 lookup + 50 write-back cycles

    // latency of the layer: 4000 + 200 + 148 + 169.06 + 128 + 398.12 + 431 + 151.56 + 0.8
    const hand = 4000 + 200 + 148 + 169.06 + 128 + 398.12 + 431 + 151.56 + 0.8;
    close(hand, 5626.54);
    const l = r.sim.layers[layer];
    assert.equal(l.startNs, t0);
    assert.equal(l.endNs, expected[expected.length - 1].end);
    close(l.endNs - l.startNs, hand, 9 / 2048);
    assert.deepStrictEqual(l.breakdown, breakdownOf(expected));
    assert.equal(l.breakdown.total, l.endNs - l.startNs);
    assert.equal(l.breakdown.cpuOther, 4200);
    assert.equal(l.breakdown.acceleratorCompute, 431);
    assert.equal(l.breakdown.idle, 0);
    assert.equal(l.invocations, 1);
    assert.equal(l.hostLoadBytes, 512 + 5120);
    assert.equal(l.hostStoreBytes, 32);
    assert.equal(l.prepareBytes + l.finalizeBytes, 0);
    // the next layer (softmax) is dispatched the moment fc3's invalidate ends
    const next = r.sim.events.find((e) => e.layer === layer + 1);
    assert.deepEqual([next?.kind, next?.start], ["dispatch", l.endNs]);
  });

  it("one thread, one accelerator: the whole run is back to back, its latency the sum of all events", () => {
    const r = runNetwork({ graph, soc, engine, timingOnly: true });
    assertBackToBack(r.sim.events, r.sim.totalNs);
    let busy = 0;
    for (const e of r.sim.events) busy += e.end - e.start;
    assert.equal(busy, r.sim.totalNs);
    assert.equal(r.sim.breakdown.idle, 0);
    // five operators dispatched, 16 + 4 + 4 + 1 + 1 invocations
    assert.equal(r.sim.invocations, 26);
    assert.equal(r.sim.breakdown.cpuOther, 5 * 4000 + 26 * 200);
    for (const c of CATEGORIES) assert.ok(r.sim.breakdown[c] >= 0);
  });
});
