/**
 * report.timeline: the run's events merged per resource into segments a chart can draw. Checked
 * on real simulations against the events themselves: every event is covered by a segment of its
 * own category and layer, the merged busy time is the events' plus at most one resolution per
 * merge, segments are sorted and disjoint, and the summary of ResNet-50 stays small.
 */
import assert from "node:assert/strict";
import { selectEngine } from "../../src/engine/index.js";
import type { RunReport } from "../../src/report/report.js";
import type { RunResult } from "../../src/sim/run.js";
import type { ScheduleName, TimelineEvent } from "../../src/sim/types.js";
import { resolveSoc, SMAUG_BASELINE, type Soc } from "../../src/soc/index.js";
import { simulateReport } from "../support/report.js";

const _engine = selectEngine().engine;

function simulate(name: string, soc: Soc, schedule: ScheduleName): { run: RunResult; report: RunReport } {
  return simulateReport(name, soc, { schedule });
}

/** The properties every timeline summary must have, checked against the events it summarises. */
function checkTimeline(report: RunReport, events: readonly TimelineEvent[], what: string): void {
  const t = report.timeline;
  assert.equal(t.resolutionNs, report.latencyNs / 4000, `${what}: resolution`);
  assert.equal(t.events, events.length, `${what}: event count`);
  assert.deepEqual(
    t.resources.map((r) => [r.name, r.kind]),
    report.resources.map((r) => [r.name, r.kind]),
    `${what}: the timeline lists the report's resources in order`,
  );
  for (const res of t.resources) {
    const segs = res.segments;
    const mine = events.filter((e) => e.resource === res.name).sort((a, b) => a.start - b.start || a.end - b.end);
    // sorted, each well-formed, no two overlapping
    segs.forEach(([s, e], i) => {
      assert.ok(s <= e, `${what} ${res.name}: segment ${i} ends before it starts`);
      if (i > 0)
        assert.ok(segs[i - 1][1] <= s, `${what} ${res.name}: segments ${i - 1} and ${i} overlap or are unsorted`);
    });
    // every event inside a segment of its category and layer (binary search on the sorted starts)
    const busyOf = new Array<number>(segs.length).fill(0);
    for (const ev of mine) {
      let lo = 0;
      let hi = segs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (segs[mid][0] <= ev.start) lo = mid;
        else hi = mid - 1;
      }
      const seg = segs[lo];
      assert.ok(
        seg !== undefined && seg[0] <= ev.start && ev.end <= seg[1] && seg[2] === ev.category && seg[3] === ev.layer,
        `${what} ${res.name}: event ${ev.kind} [${ev.start}, ${ev.end}] layer ${ev.layer} not inside a ${ev.category} segment (nearest ${JSON.stringify(seg)})`,
      );
      busyOf[lo] += ev.end - ev.start;
    }
    // Each segment's busy time is the sum of its events' durations (times are multiples of
    // 2^-10 ns, so these sums are exact), and no more than its span.
    segs.forEach((seg, i) => {
      assert.equal(seg[4], busyOf[i], `${what} ${res.name}: segment ${i} busy time`);
      assert.ok(seg[4] <= seg[1] - seg[0], `${what} ${res.name}: segment ${i} busier than its span`);
    });
    // Restated merge rule: a new segment starts at each event whose predecessor differs in
    // category or layer, or ends a resolution or more before it starts.
    let expected = 0;
    let lastEnd = Number.NEGATIVE_INFINITY;
    let prev: TimelineEvent | undefined;
    for (const ev of mine) {
      if (
        prev === undefined ||
        prev.category !== ev.category ||
        prev.layer !== ev.layer ||
        ev.start - lastEnd >= t.resolutionNs
      ) {
        expected++;
        lastEnd = ev.end;
      } else lastEnd = Math.max(lastEnd, ev.end);
      prev = ev;
    }
    assert.equal(segs.length, expected, `${what} ${res.name}: segment count`);
    // Busy time: at least the events' (busyNs), and more by less than a resolution per merge.
    const busy = report.resources.find((r) => r.name === res.name)?.busyNs ?? Number.NaN;
    const merged = segs.reduce((s, [a, b]) => s + (b - a), 0);
    const merges = mine.length - segs.length;
    assert.ok(merged >= busy, `${what} ${res.name}: merged ${merged} < busy ${busy}`);
    assert.equal(
      segs.reduce((s, seg) => s + seg[4], 0),
      busy,
      `${what} ${res.name}: the segments' busy times sum to the resource's`,
    );
    assert.ok(
      merged <= busy + merges * t.resolutionNs,
      `${what} ${res.name}: merged ${merged} > busy ${busy} + ${merges} merges × ${t.resolutionNs}`,
    );
  }
}

describe("report.timeline", function () {
  this.timeout(120_000);

  it("lenet5 on the baseline: every event covered, segments disjoint, busy time within the bound", () => {
    const { run, report } = simulate("lenet5", SMAUG_BASELINE, "smaug");
    checkTimeline(report, run.sim.events, "lenet5");
    assert.deepEqual(
      report.timeline.resources.map((r) => r.name),
      ["cpu0", "smv0", "dma0"],
    );
    // every busy resource has segments, and merging did merge something (the DMA's loads and stores)
    for (const r of report.timeline.resources) assert.ok(r.segments.length > 0, r.name);
    const segments = report.timeline.resources.reduce((n, r) => n + r.segments.length, 0);
    assert.ok(segments < run.sim.events.length, `${segments} segments for ${run.sim.events.length} events`);
  });

  it("cnn10 on 4 accelerators and 4 threads, ACP with DMA for weights, overlapped: the same properties", () => {
    const soc = resolveSoc({
      accelerators: [{ kind: "smv", count: 4 }],
      threads: { workers: 4 },
      memoryPolicy: "AllAcpWithDmaForWeights",
    });
    const { run, report } = simulate("cnn10", soc, "overlap");
    checkTimeline(report, run.sim.events, "cnn10 x4 overlap");
    const names = report.timeline.resources.map((r) => r.name);
    for (const n of ["cpu3", "smv3", "acp3", "dma0"]) assert.ok(names.includes(n), `${n} in ${names}`);
    // several threads and accelerators were busy
    const busy = report.timeline.resources.filter((r) => r.segments.length > 0).map((r) => r.name);
    assert.ok(busy.filter((n) => n.startsWith("cpu")).length > 1, `busy: ${busy}`);
    assert.ok(busy.filter((n) => n.startsWith("smv")).length === 4, `busy: ${busy}`);
  });

  it("resnet50 on the baseline: 50k events summarised in well under 1 MB of JSON", () => {
    const { run, report } = simulate("resnet50", SMAUG_BASELINE, "smaug");
    checkTimeline(report, run.sim.events, "resnet50");
    assert.ok(run.sim.events.length > 40_000, `${run.sim.events.length} events`);
    const bytes = JSON.stringify(report.timeline).length;
    assert.ok(bytes < 1_000_000, `timeline is ${bytes} bytes of JSON`);
    // and the whole report too (the raw events alone would be about 10 MB)
    assert.ok(JSON.stringify(report).length < 1_000_000);
  });
});
