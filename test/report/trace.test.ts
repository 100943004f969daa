/**
 * The Chrome trace (src/report/trace.ts) of real runs, checked against the run's report and
 * against quantities recomputed here from the simulator's events: every event has the fields its
 * phase needs (trace-event format, JSON Object Format); per-track busy time is the report's
 * resources[].busyNs; the last event ends at latencyNs; the layer rows are report.layers' spans;
 * the counters are non-negative, count the transfers in flight, and the DRAM-bandwidth counter
 * integrates to the DRAM bytes the events imply.
 *
 * Trace times are µs = ns / 1000, so sums and ends read back from ts/dur agree with the report's
 * ns to 1e-9 relative, and exactly through the events' args.startNs / args.endNs.
 */
import assert from "node:assert/strict";
import { selectEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { buildReport, type RunReport } from "../../src/report/report.js";
import { buildTrace, stepSamples, traceJson } from "../../src/report/trace.js";
import { type RunResult, runNetwork } from "../../src/sim/run.js";
import type { ScheduleName, TimelineEvent } from "../../src/sim/types.js";
import { resolveSoc, type Soc } from "../../src/soc/index.js";

const engine = selectEngine().engine;

interface Case {
  what: string;
  network: string;
  soc: Soc;
  schedule: ScheduleName;
  sampleLevel?: "very_high";
}

const CASES: Case[] = [
  { what: "lenet5, 1 SMV, DMA, smaug", network: "lenet5", soc: resolveSoc({}), schedule: "smaug" },
  { what: "lenet5, 1 SMV, DMA, overlap", network: "lenet5", soc: resolveSoc({}), schedule: "overlap" },
  {
    what: "cnn10, 4 SMV, 2 threads, ACP, overlap",
    network: "cnn10",
    soc: resolveSoc({ accelerators: [{ kind: "smv", count: 4 }], threads: { workers: 2 }, memoryPolicy: "AllAcp" }),
    schedule: "overlap",
  },
  {
    what: "cnn10, 2 SMV, 4 threads, ACP with DMA weights, smaug, sampled",
    network: "cnn10",
    soc: resolveSoc({
      accelerators: [{ kind: "smv", count: 2 }],
      threads: { workers: 4 },
      memoryPolicy: "AllAcpWithDmaForWeights",
    }),
    schedule: "smaug",
    sampleLevel: "very_high",
  },
  {
    what: "minerva, 3 systolic, overlap",
    network: "minerva",
    soc: resolveSoc({ accelerators: [{ kind: "systolic", count: 3 }] }),
    schedule: "overlap",
  },
];

/**
 * A trace time (µs) as Perfetto's JSON importer reads it: ns = llround(µs · 1000), for ts and dur
 * separately. Complete events on one track must not cross in these units.
 */
const viewerNs = (us: number): number => Math.round(us * 1000);

/** |a − b| ≤ 1e-9 · max(|a|, |b|): what ns → µs → ns can cost. */
function close(actual: number, expected: number, what: string): void {
  const tol = 1e-9 * Math.max(Math.abs(actual), Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

type Json = Record<string, unknown>;
interface Parsed {
  events: Json[];
  /** tid → thread name */
  threads: Map<number, string>;
  /** thread name → tid */
  tids: Map<string, number>;
}

/** The trace-event format's required fields per phase (Trace Event Format, JSON Object Format). */
function checkFormat(doc: Json, what: string): Parsed {
  assert.equal(doc.displayTimeUnit, "ns", what);
  assert.ok(Array.isArray(doc.traceEvents), `${what}: traceEvents is an array`);
  assert.equal(typeof doc.otherData, "object", what);
  for (const [k, v] of Object.entries(doc.otherData as Json))
    assert.ok(["string", "number", "boolean"].includes(typeof v), `${what}: otherData.${k} is a scalar`);
  const events = doc.traceEvents as Json[];
  const threads = new Map<number, string>();
  for (const e of events) {
    const where = `${what}: ${JSON.stringify(e).slice(0, 200)}`;
    assert.equal(typeof e.name, "string", where);
    assert.ok((e.name as string).length > 0, where);
    assert.ok(["X", "M", "C"].includes(e.ph as string), `${where}: phase`);
    assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid), `${where}: pid and tid`);
    assert.ok(Number.isFinite(e.ts) && (e.ts as number) >= 0, `${where}: ts`);
    // Perfetto's JSON tokenizer rejects an event holding an array at its top level.
    for (const v of Object.values(e)) assert.ok(!Array.isArray(v), `${where}: no array values`);
    const args = e.args as Json | undefined;
    assert.equal(typeof args, "object", `${where}: args`);
    if (e.ph === "X") {
      assert.ok(Number.isFinite(e.dur) && (e.dur as number) >= 0, `${where}: dur`);
      assert.equal(typeof e.cat, "string", `${where}: cat`);
    } else if (e.ph === "C") {
      const values = Object.values(args as Json);
      assert.ok(values.length > 0, `${where}: a counter has a series`);
      for (const v of values) assert.ok(typeof v === "number" && Number.isFinite(v), `${where}: numeric series`);
    } else {
      const m = e.name as string;
      if (m === "process_name" || m === "thread_name") assert.equal(typeof (args as Json).name, "string", where);
      else if (m === "process_sort_index" || m === "thread_sort_index")
        assert.ok(Number.isInteger((args as Json).sort_index), where);
      else assert.fail(`${where}: unknown metadata event`);
      if (m === "thread_name") {
        assert.ok(!threads.has(e.tid as number), `${where}: one name per thread`);
        threads.set(e.tid as number, (args as Json).name as string);
      }
    }
  }
  for (const e of events)
    if (e.ph === "X") assert.ok(threads.has(e.tid as number), `${what}: event on a named thread (tid ${e.tid})`);
  const tids = new Map([...threads].map(([tid, name]) => [name, tid]));
  assert.equal(tids.size, threads.size, `${what}: thread names are unique`);
  return { events, threads, tids };
}

/** DRAM bytes of one event, restated from docs/trace.md (not read from the trace). */
function dramBytes(e: TimelineEvent, lineBytes: number): number {
  if (e.path === "dma" && (e.kind === "load" || e.kind === "store")) return e.bytes as number;
  if (e.resource.startsWith("cpu") || e.path === "acp") {
    if (e.llcAccesses === undefined) return 0; // dispatch, invoke: no memory traffic
    return (e.llcAccesses - (e.llcHits as number)) * lineBytes;
  }
  return 0; // flushes, invalidations, accelerator compute
}

describe(`report: Chrome trace of whole runs (engine ${engine.name})`, function () {
  this.timeout(300_000);

  it("stepSamples: a step function sampled where it changes, exactly 0 when nothing is in flight", () => {
    // [0, 10) adds 2, [5, 15) adds 3, [20, 30) adds 0.1: by hand 2, 5, 3, 0, 0.1, 0.
    const s = stepSamples([
      { start: 0, end: 10, value: 2 },
      { start: 5, end: 15, value: 3 },
      { start: 20, end: 30, value: 0.1 },
    ]);
    assert.deepEqual(s, [
      { t: 0, v: 2 },
      { t: 5, v: 5 },
      { t: 10, v: 3 },
      { t: 15, v: 0 },
      { t: 20, v: 0.1 },
      { t: 30, v: 0 },
    ]);
    // Starting later than 0, the counter is 0 until then; back-to-back intervals do not dip.
    assert.deepEqual(
      stepSamples([
        { start: 4, end: 6, value: 1 },
        { start: 6, end: 8, value: 1 },
      ]),
      [
        { t: 0, v: 0 },
        { t: 4, v: 1 },
        { t: 8, v: 0 },
      ],
    );
  });

  for (const c of CASES) {
    describe(c.what, () => {
      let run: RunResult;
      let report: RunReport;
      let parsed: Parsed;
      let doc: Json;

      before(() => {
        const { graph } = getModel(c.network).build({ batch: 1, seed: 0 });
        run = runNetwork({
          graph,
          soc: c.soc,
          engine,
          schedule: c.schedule,
          timingOnly: true,
          sampleLevel: c.sampleLevel,
        });
        report = buildReport(run, {
          graph,
          source: `zoo:${c.network}`,
          soc: c.soc,
          socSource: c.what,
          engine: engine.name,
          version: "test",
          timingOnly: true,
        });
        // Through the file text, as a viewer reads it.
        doc = JSON.parse(traceJson(buildTrace(run, report))) as Json;
        parsed = checkFormat(doc, c.what);
      });

      it("is valid trace-event JSON: every event has the fields its phase requires", () => {
        assert.ok(parsed.events.length > run.sim.events.length);
        if (c.sampleLevel !== undefined)
          assert.ok(run.sim.replayedInvocations > 0, "sampling replayed some invocations");
        const other = doc.otherData as Json;
        assert.equal(other.latencyNs, report.latencyNs);
        assert.equal(other.schedule, c.schedule);
        assert.equal(other.network, c.network);
      });

      it("one track per resource, sorted layers, CPU threads, accelerators, interfaces", () => {
        const sortIndex = new Map<number, number>();
        for (const e of parsed.events)
          if (e.name === "thread_sort_index") sortIndex.set(e.tid as number, (e.args as Json).sort_index as number);
        const order = [...parsed.threads.keys()].sort(
          (a, b) => (sortIndex.get(a) as number) - (sortIndex.get(b) as number),
        );
        const names = order.map((tid) => parsed.threads.get(tid) as string);
        const layerRows = names.filter((n) => /^layers( \d+)?$/.test(n));
        assert.ok(layerRows.length >= 1);
        // report.resources is documented as cpu0.., accelerators, then interfaces in natural order
        assert.deepEqual(names, [...layerRows, ...report.resources.map((r) => r.name)]);
        // tids follow the same order, for viewers that ignore thread_sort_index (Perfetto)
        assert.deepEqual(
          order,
          [...order].sort((a, b) => a - b),
        );
        const accels = report.resources.filter((r) => r.kind === "accelerator").length;
        assert.equal(accels, report.soc.summary.accelerators);
      });

      it("each timeline event is one X event on its resource's track, named and with the simulator's fields", () => {
        const xs = parsed.events.filter((e) => e.ph === "X" && e.cat !== "layer");
        assert.equal(xs.length, run.sim.events.length);
        run.sim.events.forEach((e, i) => {
          const x = xs[i];
          const args = x.args as Json;
          const layer = report.layers[e.layer];
          assert.equal(parsed.threads.get(x.tid as number), e.resource);
          assert.equal(x.cat, e.category);
          assert.equal(args.startNs, e.start);
          assert.equal(args.endNs, e.end);
          // Written in whole ns: a viewer reads back the rounded start and end exactly.
          assert.equal(viewerNs(x.ts as number), Math.round(e.start), "ts");
          assert.equal(viewerNs(x.ts as number) + viewerNs(x.dur as number), Math.round(e.end), "ts + dur");
          assert.equal(args.llcHits, e.llcAccesses === undefined ? undefined : (e.llcHits ?? 0), `${e.kind}: llcHits`);
          assert.equal(
            args.dramBytes,
            dramBytes(e, report.soc.description.caches.llc.lineBytes),
            `${e.kind}: dramBytes`,
          );
          assert.equal(args.kind, e.kind);
          assert.equal(args.layer, layer.name);
          assert.equal(args.op, layer.op);
          const index = e.kind === "prepare" || e.kind === "finalize" ? "tile" : "inv";
          const name = e.tile === undefined ? `${layer.name} ${e.kind}` : `${layer.name} ${e.kind} ${index} ${e.tile}`;
          assert.equal(x.name, name);
          for (const k of ["tensor", "path", "bytes", "cycles", "llcAccesses"] as const)
            assert.equal(args[k], e[k], `${name}: ${k}`);
          if (e.llcAccesses !== undefined)
            assert.equal(args.llcHitRate, e.llcAccesses > 0 ? (e.llcHits as number) / e.llcAccesses : 0);
        });
      });

      it("per resource, the X durations sum to report.resources[].busyNs; no track has overlapping events", () => {
        for (const r of report.resources) {
          const tid = parsed.tids.get(r.name);
          assert.ok(tid !== undefined, `${r.name} has a track`);
          const mine = parsed.events.filter((e) => e.ph === "X" && e.tid === tid);
          let busy = 0;
          let busyExact = 0;
          for (const e of mine) {
            busy += viewerNs(e.dur as number);
            busyExact += ((e.args as Json).endNs as number) - ((e.args as Json).startNs as number);
          }
          close(busyExact, r.busyNs, `${r.name} busy (args)`);
          // Each event's rounded duration is within 1 ns of its exact one.
          assert.ok(Math.abs(busy - r.busyNs) <= mine.length, `${r.name} busy ${busy} vs ${r.busyNs}`);
          // Complete events on one thread must nest; the simulator's never overlap, neither in
          // exact ns nor as a viewer reads ts and dur.
          const spans = mine
            .map((e) => e.args as Json as { startNs: number; endNs: number })
            .sort((a, b) => a.startNs - b.startNs);
          for (let i = 1; i < spans.length; i++)
            assert.ok(spans[i].startNs >= spans[i - 1].endNs, `${r.name}: events ${i - 1} and ${i} overlap`);
          const seen = mine
            .map((e) => ({
              start: viewerNs(e.ts as number),
              end: viewerNs(e.ts as number) + viewerNs(e.dur as number),
            }))
            .sort((a, b) => a.start - b.start || a.end - b.end);
          for (let i = 1; i < seen.length; i++)
            assert.ok(seen[i].start >= seen[i - 1].end, `${r.name}: a viewer sees events ${i - 1} and ${i} cross`);
        }
      });

      it("the latest event ends at report.latencyNs", () => {
        let latest = 0;
        let latestNs = 0;
        for (const e of parsed.events)
          if (e.ph === "X") {
            latest = Math.max(latest, viewerNs(e.ts as number) + viewerNs(e.dur as number));
            latestNs = Math.max(latestNs, (e.args as Json).endNs as number);
          }
        assert.equal(latest, Math.round(report.latencyNs), "latest end");
        assert.equal(latestNs, report.latencyNs);
      });

      it("the layer rows show report.layers' spans, never two overlapping on one row", () => {
        const spans = parsed.events.filter((e) => e.cat === "layer");
        assert.equal(spans.length, report.layers.length);
        const byRow = new Map<number, { startNs: number; endNs: number }[]>();
        for (const s of spans) {
          const args = s.args as Json;
          const l = report.layers[args.index as number];
          assert.equal(s.name, l.name);
          assert.equal(args.startNs, l.startNs);
          assert.equal(args.endNs, l.endNs);
          assert.equal(viewerNs(s.ts as number), Math.round(l.startNs), `${l.name} start`);
          assert.equal(viewerNs(s.ts as number) + viewerNs(s.dur as number), Math.round(l.endNs), `${l.name} end`);
          assert.equal(args.attributedNs, l.breakdownNs.total, `${l.name} attributedNs`);
          assert.equal(args.invocations, l.invocations, `${l.name} invocations`);
          assert.match(parsed.threads.get(s.tid as number) as string, /^layers/);
          const row = byRow.get(s.tid as number) ?? [];
          row.push({ startNs: l.startNs, endNs: l.endNs });
          byRow.set(s.tid as number, row);
        }
        for (const row of byRow.values()) {
          row.sort((a, b) => a.startNs - b.startNs);
          for (let i = 1; i < row.length; i++) assert.ok(row[i].startNs >= row[i - 1].endNs, "layers overlap on a row");
        }
        // Nor as a viewer reads ts and dur.
        for (const tid of byRow.keys()) {
          const seen = spans
            .filter((x) => x.tid === tid)
            .map((x) => ({
              start: viewerNs(x.ts as number),
              end: viewerNs(x.ts as number) + viewerNs(x.dur as number),
            }))
            .sort((a, b) => a.start - b.start || a.end - b.end);
          for (let i = 1; i < seen.length; i++)
            assert.ok(seen[i].start >= seen[i - 1].end, "a viewer sees layers cross");
        }
        // The smaug schedule runs one layer at a time: one row. Overlapping layers need more.
        const L = report.layers;
        const overlapping = L.some((a, i) => L.some((b, j) => j < i && b.endNs > a.startNs && a.endNs > b.startNs));
        if (c.schedule === "smaug") assert.equal(byRow.size, 1);
        assert.equal(byRow.size > 1, overlapping);
      });

      it("transfers in flight: never negative, the count of load/store events in flight, 0 at the end", () => {
        const samples = parsed.events.filter((e) => e.ph === "C" && e.name === "host transfers");
        assert.ok(samples.length > 2);
        const transfers = run.sim.events.filter(
          (e) => e.path !== undefined && (e.kind === "load" || e.kind === "store"),
        );
        const lastEnd = Math.max(...transfers.map((e) => e.end));
        let prevTs = -1;
        for (const s of samples) {
          const n = (s.args as Json)["in flight"] as number;
          assert.ok(Number.isInteger(n) && n >= 0);
          assert.ok((s.ts as number) > prevTs, "samples in time order");
          prevTs = s.ts as number;
          // Recount at the sample's instant (ts·1000 may be off by rounding: take the nearest event boundary).
          const t = nearestBoundary((s.ts as number) * 1000, transfers);
          const inFlight = transfers.filter((e) => e.start <= t && t < e.end).length;
          assert.equal(n, inFlight, `at ${t} ns`);
        }
        const last = samples[samples.length - 1];
        assert.equal((last.args as Json)["in flight"], 0);
        close((last.ts as number) * 1000, lastEnd, "last transfer end");
      });

      it("DRAM bandwidth: never negative; integrated over time it gives the DRAM bytes the events imply", () => {
        const samples = parsed.events.filter((e) => e.ph === "C" && e.name === "DRAM bandwidth");
        const lineBytes = report.soc.description.caches.llc.lineBytes;
        let expected = 0;
        for (const e of run.sim.events) expected += dramBytes(e, lineBytes);
        assert.ok(expected > 0);
        let integral = 0;
        for (let i = 0; i < samples.length; i++) {
          const gbps = (samples[i].args as Json)["GB/s"] as number;
          assert.ok(gbps >= 0, `sample ${i} is ${gbps}`);
          if (i + 1 < samples.length)
            integral += gbps * ((samples[i + 1].ts as number) - (samples[i].ts as number)) * 1000; // GB/s × ns = bytes
        }
        assert.equal((samples[samples.length - 1].args as Json)["GB/s"], 0);
        close(integral, expected, "DRAM bytes");
        assert.equal((doc.otherData as Json).dramBytesCounted, expected);
        // Write-backs are not in the counter, so it is at most what report.memory counts, unless
        // sampling replayed ACP transfers: they carry their representative's LLC counts, which
        // report.memory leaves out (docs/model.md, sampling) but their timing assumes.
        if (run.sim.replayedInvocations === 0)
          assert.ok(expected <= report.memory.dramReadBytes + report.memory.dramWriteBytes);
      });
    });
  }

  it("refuses a report built from another run", () => {
    const { graph } = getModel("lenet5").build({ batch: 1, seed: 0 });
    const soc = resolveSoc({});
    const smaug = runNetwork({ graph, soc, engine, schedule: "smaug", timingOnly: true });
    const overlap = runNetwork({ graph, soc, engine, schedule: "overlap", timingOnly: true });
    const ctx = {
      graph,
      source: "zoo",
      soc,
      socSource: "baseline",
      engine: engine.name,
      version: "t",
      timingOnly: true,
    };
    assert.throws(() => buildTrace(overlap, buildReport(smaug, ctx)), /not built from this run/);
  });
});

/** The event boundary (start or end) nearest to `ns`. */
function nearestBoundary(ns: number, events: TimelineEvent[]): number {
  let best = 0;
  for (const e of events) for (const t of [e.start, e.end]) if (Math.abs(t - ns) < Math.abs(best - ns)) best = t;
  return best;
}
