/**
 * The exclusive time attribution (src/sim/breakdown.ts) on hand-made timelines whose answers are
 * worked out in the comments: every instant of [0, totalNs] goes to one category (priority
 * acceleratorCompute > transfer > cpuPrepare > cpuFinalize > cpuOther, else idle) and one layer
 * (the lowest-numbered layer busy in the winning category; for idle time the first layer whose
 * span covers the instant, else the next layer to start, else the last layer).
 *
 * Times are multiples of 2^-10 ns, so every sum is exact: the checks use assert.equal, never a
 * tolerance.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { attribute, emptyBreakdown, quantise, TIME_QUANTUM } from "../../src/sim/breakdown.js";
import {
  type Breakdown,
  CATEGORIES,
  EVENT_KINDS,
  type EventKind,
  KIND_CATEGORY,
  type TimelineEvent,
} from "../../src/sim/types.js";

/** One event of `kind` on `resource` over [start, end], belonging to `layer`. */
function ev(resource: string, kind: EventKind, start: number, end: number, layer: number): TimelineEvent {
  return { resource, kind, category: KIND_CATEGORY[kind], start, end, layer, op: "" };
}

/** A breakdown with the given categories (others 0) and its total. */
function bd(parts: Partial<Record<(typeof CATEGORIES)[number], number>>): Breakdown {
  const b = emptyBreakdown();
  for (const [c, v] of Object.entries(parts)) {
    b[c as keyof typeof parts] = v;
    b.total += v;
  }
  return b;
}

/** The invariants every attribution must satisfy, exactly. */
function checkSums(a: ReturnType<typeof attribute>, totalNs: number): void {
  let sum = 0;
  for (const c of CATEGORIES) sum += a.breakdown[c];
  assert.equal(sum, a.breakdown.total, "categories sum to the run's total");
  assert.equal(a.breakdown.total, totalNs, "the run's total is totalNs");
  for (const c of [...CATEGORIES, "total"] as const) {
    let perLayer = 0;
    for (const l of a.layers) perLayer += l[c];
    assert.equal(perLayer, a.breakdown[c], `layers sum to the run in ${c}`);
  }
  for (const l of a.layers) {
    let s = 0;
    for (const c of CATEGORIES) s += l[c];
    assert.equal(s, l.total, "a layer's categories sum to its total");
  }
}

describe("sim: breakdown attribution", () => {
  it("maps every event kind to a busy category", () => {
    for (const k of EVENT_KINDS) {
      const c: string = KIND_CATEGORY[k];
      assert.ok(CATEGORIES.includes(c as (typeof CATEGORIES)[number]) && c !== "idle", `${k} → ${c}`);
    }
    assert.equal(KIND_CATEGORY.compute, "acceleratorCompute");
    assert.equal(KIND_CATEGORY.flush, "transfer");
    assert.equal(KIND_CATEGORY.invalidate, "transfer");
    assert.equal(KIND_CATEGORY.reorder, "cpuPrepare");
    assert.equal(KIND_CATEGORY.finalize, "cpuFinalize");
    assert.equal(KIND_CATEGORY.invoke, "cpuOther");
  });

  it("no overlap: each event's duration goes to its own category and layer", () => {
    // Layer 0, one invocation, back to back:
    //   dispatch cpu0 [0, 4]          cpuOther  4
    //   flush    cpu0 [4, 4.5]        transfer  0.5
    //   load     dma0 [4.5, 10.25]    transfer  5.75
    //   compute  smv0 [10.25, 18]     compute   7.75
    //   store    dma0 [18, 19.5]      transfer  1.5
    //   invalid. cpu0 [19.5, 20]      transfer  0.5
    // Layer 1 (a CPU operator):
    //   dispatch cpu0 [20, 24]        cpuOther  4
    //   cpu-op   cpu0 [24, 24 + 2^-10] cpuOther 2^-10
    // Total 24 + 2^-10; transfer 0.5 + 5.75 + 1.5 + 0.5 = 8.25, compute 7.75, cpuOther 8 + 2^-10.
    const q = TIME_QUANTUM;
    const events = [
      ev("cpu0", "dispatch", 0, 4, 0),
      ev("cpu0", "flush", 4, 4.5, 0),
      ev("dma0", "load", 4.5, 10.25, 0),
      ev("smv0", "compute", 10.25, 18, 0),
      ev("dma0", "store", 18, 19.5, 0),
      ev("cpu0", "invalidate", 19.5, 20, 0),
      ev("cpu0", "dispatch", 20, 24, 1),
      ev("cpu0", "cpu-op", 24, 24 + q, 1),
    ];
    const total = 24 + q;
    const a = attribute(events, total, [
      [0, 20],
      [20, 24 + q],
    ]);
    assert.deepEqual(a.breakdown, bd({ acceleratorCompute: 7.75, transfer: 8.25, cpuOther: 8 + q }));
    assert.deepEqual(a.layers, [
      bd({ acceleratorCompute: 7.75, transfer: 8.25, cpuOther: 4 }),
      bd({ cpuOther: 4 + q }),
    ]);
    checkSums(a, total);
    // the order of the event list does not matter
    assert.deepEqual(
      attribute([...events].reverse(), total, [
        [0, 20],
        [20, 24 + q],
      ]),
      a,
    );
  });

  it("overlap: accelerator compute hides a concurrent prepare; the exposed rest of it is cpuPrepare", () => {
    // Layer 0 computes on smv0 [0, 10] while the worker cpu1 prepares layer 1's tile [2, 14]
    // (the overlap schedule). Layer 0 then stores [10, 12] (transfer beats prepare), and
    // layer 1 finalises on cpu2 [14, 16] while the main thread invokes [15, 17]:
    //   [0, 10]   compute (smv0) ......................... acceleratorCompute, layer 0: 10
    //   [10, 12]  store + prepare: transfer wins ............ transfer, layer 0: 2
    //   [12, 14]  prepare alone ........................... cpuPrepare, layer 1: 2
    //   [14, 16]  finalize (+ invoke from 15): finalize wins  cpuFinalize, layer 1: 2
    //   [16, 17]  invoke alone ............................ cpuOther, layer 1: 1
    // The 8 ns of prepare under compute and the 1 ns of invoke under finalize are hidden.
    const events = [
      ev("smv0", "compute", 0, 10, 0),
      ev("cpu1", "prepare", 2, 14, 1),
      ev("dma0", "store", 10, 12, 0),
      ev("cpu2", "finalize", 14, 16, 1),
      ev("cpu0", "invoke", 15, 17, 1),
    ];
    const a = attribute(events, 17, [
      [0, 12],
      [2, 17],
    ]);
    assert.deepEqual(
      a.breakdown,
      bd({ acceleratorCompute: 10, transfer: 2, cpuPrepare: 2, cpuFinalize: 2, cpuOther: 1 }),
    );
    assert.deepEqual(a.layers, [
      bd({ acceleratorCompute: 10, transfer: 2 }),
      bd({ cpuPrepare: 2, cpuFinalize: 2, cpuOther: 1 }),
    ]);
    checkSums(a, 17);
  });

  it("the priority order is acceleratorCompute > transfer > cpuPrepare > cpuFinalize > cpuOther", () => {
    // Five events of layer 0 all starting at 0 and ending at 1, 2, 3, 4, 5 in reverse priority
    // order: each category wins exactly the nanosecond after the higher ones have ended.
    const events = [
      ev("smv0", "compute", 0, 1, 0),
      ev("dma0", "load", 0, 2, 0),
      ev("cpu1", "prepare", 0, 3, 0),
      ev("cpu2", "finalize", 0, 4, 0),
      ev("cpu0", "cpu-op", 0, 5, 0),
    ];
    const a = attribute(events, 5, [[0, 5]]);
    assert.deepEqual(
      a.breakdown,
      bd({ acceleratorCompute: 1, transfer: 1, cpuPrepare: 1, cpuFinalize: 1, cpuOther: 1 }),
    );
    assert.deepEqual(a.layers, [a.breakdown]);
    checkSums(a, 5);
  });

  it("a gap between layers and idle at the end are idle time of the next and the last layer", () => {
    // Layer 0: dispatch [0, 1], gap [1, 3] inside its own span, compute [3, 5] → span [0, 5].
    // Layer 1: cpu-op [8, 10] → span [8, 10]. Total 12.25.
    //   [1, 3]    idle inside layer 0's span ............. idle, layer 0: 2
    //   [5, 8]    idle between the layers: no span covers it, the next to start is layer 1: 3
    //   [10, 12.25] idle at the end: nothing later, the last layer (1): 2.25
    const events = [ev("cpu0", "dispatch", 0, 1, 0), ev("smv0", "compute", 3, 5, 0), ev("cpu0", "cpu-op", 8, 10, 1)];
    const a = attribute(events, 12.25, [
      [0, 5],
      [8, 10],
    ]);
    assert.deepEqual(a.breakdown, bd({ cpuOther: 3, acceleratorCompute: 2, idle: 7.25 }));
    assert.deepEqual(a.layers, [bd({ cpuOther: 1, acceleratorCompute: 2, idle: 2 }), bd({ cpuOther: 2, idle: 5.25 })]);
    checkSums(a, 12.25);
  });

  it("idle at the start goes to the first layer to start; idle covered by two spans to the lower layer", () => {
    // Spans are the layers' first start and last end (as the simulator computes them).
    // Layer 1 starts first: events [2, 3] and [8, 9], span [2, 9]; layer 0: events [4, 5] and
    // [5.5, 6], span [4, 6]. Total 9.
    //   [0, 2]    idle before anything: the next layer to start is layer 1: 2
    //   [3, 4]    idle, covered by layer 1's span only: layer 1: 1
    //   [5, 5.5]  idle, covered by both spans: the first (layer 0): 0.5
    //   [6, 8]    idle, covered by layer 1's span: 2
    const events = [
      ev("cpu0", "cpu-op", 2, 3, 1),
      ev("cpu0", "cpu-op", 4, 5, 0),
      ev("cpu0", "cpu-op", 5.5, 6, 0),
      ev("cpu0", "cpu-op", 8, 9, 1),
    ];
    const a = attribute(events, 9, [
      [4, 6],
      [2, 9],
    ]);
    assert.deepEqual(a.breakdown, bd({ cpuOther: 3.5, idle: 5.5 }));
    assert.deepEqual(a.layers, [bd({ cpuOther: 1.5, idle: 0.5 }), bd({ cpuOther: 2, idle: 5 })]);
    checkSums(a, 9);
  });

  it("two layers busy in the same category at once: the lowest layer index wins", () => {
    // Layer 2 computes on smv1 [0, 10]; layer 0 on smv0 [4, 6]; layer 1 on smv2 [5, 12];
    // layer 0 also transfers [0, 20] (hidden wherever some compute runs).
    //   [0, 4]   compute of layer 2 only ................ layer 2: 4
    //   [4, 6]   layers 0, 1 (from 5) and 2 computing ..... layer 0: 2
    //   [6, 12]  layers 1 and 2 (to 10), then 1 ........... layer 1: 6
    //   [12, 20] no compute: the transfer, layer 0 ........ transfer, layer 0: 8
    // Two prepares of one layer overlapping ([20, 24] on cpu1 and [22, 26] on cpu2) count once.
    //   [20, 26] cpuPrepare, layer 1: 6
    const events = [
      ev("smv1", "compute", 0, 10, 2),
      ev("smv2", "compute", 5, 12, 1),
      ev("smv0", "compute", 4, 6, 0),
      ev("dma0", "load", 0, 20, 0),
      ev("cpu1", "prepare", 20, 24, 1),
      ev("cpu2", "prepare", 22, 26, 1),
    ];
    const spans: [number, number][] = [
      [0, 20],
      [5, 26],
      [0, 10],
    ];
    const a = attribute(events, 26, spans);
    assert.deepEqual(a.breakdown, bd({ acceleratorCompute: 12, transfer: 8, cpuPrepare: 6 }));
    assert.deepEqual(a.layers, [
      bd({ acceleratorCompute: 2, transfer: 8 }),
      bd({ acceleratorCompute: 6, cpuPrepare: 6 }),
      bd({ acceleratorCompute: 4 }),
    ]);
    checkSums(a, 26);
  });

  it("an event that ends when another starts hands over without double counting", () => {
    // [0, 3] on cpu0, [3, 7] on cpu1, both cpuOther of layer 0, then an empty event at 7 (it
    // adds nothing) and a compute [7, 8].
    const events = [
      ev("cpu0", "cpu-op", 0, 3, 0),
      ev("cpu1", "dispatch", 3, 7, 0),
      ev("smv0", "compute", 7, 7, 0),
      ev("smv0", "compute", 7, 8, 0),
    ];
    const a = attribute(events, 8, [[0, 8]]);
    assert.deepEqual(a.breakdown, bd({ cpuOther: 7, acceleratorCompute: 1 }));
    checkSums(a, 8);
  });

  it("zero events: all idle, to the last layer (or no layer at all)", () => {
    const none = attribute([], 0, []);
    assert.deepEqual(none, { breakdown: emptyBreakdown(), layers: [] });
    const empty = attribute([], 0, [[0, 0]]);
    assert.deepEqual(empty, { breakdown: emptyBreakdown(), layers: [emptyBreakdown()] });
    // 5 ns with nothing busy: idle; no span covers 0 and none starts later, so the last layer.
    const idle = attribute([], 5, [
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual(idle.breakdown, bd({ idle: 5 }));
    assert.deepEqual(idle.layers, [emptyBreakdown(), bd({ idle: 5 })]);
    checkSums(idle, 5);
    // with no layers the run still counts the idle time
    assert.deepEqual(attribute([], 5, []).breakdown, bd({ idle: 5 }));
  });

  it("random quantised timelines: categories and layers sum to the total exactly", () => {
    const rand = mulberry32(12345);
    const kinds = EVENT_KINDS;
    for (let trial = 0; trial < 200; trial++) {
      const nLayers = 1 + Math.floor(rand() * 5);
      const events: TimelineEvent[] = [];
      const n = Math.floor(rand() * 40);
      for (let i = 0; i < n; i++) {
        // times up to ~1e6 ns with 2^-10 resolution: awkward values, exact sums
        const start = quantise(rand() * 1e6);
        const end = quantise(start + rand() * 1e5);
        const kind = kinds[Math.floor(rand() * kinds.length)];
        events.push(ev(`r${i % 4}`, kind, start, end, Math.floor(rand() * nLayers)));
      }
      const spans: [number, number][] = Array.from({ length: nLayers }, () => [Number.POSITIVE_INFINITY, 0]);
      for (const e of events) {
        spans[e.layer][0] = Math.min(spans[e.layer][0], e.start);
        spans[e.layer][1] = Math.max(spans[e.layer][1], e.end);
      }
      for (const s of spans) if (s[0] === Number.POSITIVE_INFINITY) s[0] = s[1];
      const last = Math.max(0, ...events.map((e) => e.end));
      const total = quantise(last + rand() * 100);
      const a = attribute(events, total, spans);
      checkSums(a, total);
      // busy time is the measure of the union of the events
      const sorted = [...events].sort((x, y) => x.start - y.start);
      let union = 0;
      let reach = 0;
      for (const e of sorted) {
        if (e.end > reach) union += e.end - Math.max(e.start, reach);
        reach = Math.max(reach, e.end);
      }
      assert.equal(total - a.breakdown.idle, union);
      // compute time is the union of compute events (it has the highest priority)
      let cu = 0;
      reach = 0;
      for (const e of sorted.filter((x) => x.category === "acceleratorCompute")) {
        if (e.end > reach) cu += e.end - Math.max(e.start, reach);
        reach = Math.max(reach, e.end);
      }
      assert.equal(a.breakdown.acceleratorCompute, cu);
    }
  });
});

describe("sim: quantise", () => {
  it("rounds to the nearest 2^-10 ns", () => {
    assert.equal(TIME_QUANTUM, 1 / 1024);
    assert.equal(quantise(0), 0);
    assert.equal(quantise(1), 1);
    assert.equal(quantise(0.1), 102 / 1024); // 0.1 · 1024 = 102.4 → 102
    assert.equal(quantise(0.6 / 1024), 1 / 1024);
    assert.equal(quantise(0.4 / 1024), 0);
    assert.equal(quantise(1 / 2048), 1 / 1024); // halves round up (Math.round)
    assert.equal(quantise(3 / 2048), 2 / 1024);
    assert.equal(quantise(343.74), 351990 / 1024); // 343.74 · 1024 = 351989.76 → 351990
    assert.equal(quantise(4000 / 2.5), 1600); // 10,000 cycles at 2.5 GHz
    assert.equal(quantise(500 / 2.5), 200);
  });

  it("is idempotent, within half a quantum, monotone, and its sums are exact", () => {
    const rand = mulberry32(7);
    let prevX = -1;
    let prevQ = -1;
    const xs = Array.from({ length: 1000 }, () => rand() * 1e7).sort((a, b) => a - b);
    let sum = 0;
    let sumK = 0;
    for (const x of xs) {
      const q = quantise(x);
      assert.equal(quantise(q), q);
      assert.ok(Math.abs(q - x) <= TIME_QUANTUM / 2, `${x} → ${q}`);
      assert.ok(Number.isInteger(q * 1024));
      if (x >= prevX) assert.ok(q >= prevQ);
      prevX = x;
      prevQ = q;
      sum += q;
      sumK += q * 1024;
    }
    // the sum of the quantised values equals the integer sum of their quanta: no rounding error
    assert.equal(sum * 1024, sumK);
    assert.ok(Number.isSafeInteger(sumK));
  });
});
