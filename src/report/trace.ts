/**
 * The run's timeline as a Chrome trace-event file (JSON Object Format), for ui.perfetto.dev and
 * chrome://tracing: one track per CPU thread, accelerator and host interface, the layers' spans,
 * and counters of DRAM bandwidth and transfers in flight. docs/trace.md describes every event.
 *
 * Trace-event times are microseconds; the simulator's are nanoseconds quantised to 2^-10 ns, so
 * ts = ns / 1000 keeps them (up to the last bit of a double), and every event also carries its
 * exact startNs/endNs in args.
 */
import type { RunResult } from "../sim/run.js";
import type { TimelineEvent } from "../sim/types.js";
import type { RunReport } from "./report.js";

/** Identifies the file's own conventions (otherData.schema), bumped like REPORT_VERSION. */
export const TRACE_SCHEMA = "smaug-sim/trace";
export const TRACE_VERSION = 1;

/** Everything is one simulated system, so one process holds every track. */
export const TRACE_PID = 1;

/** Names of the two counter tracks and their series (Perfetto shows "<name> <series>"). */
export const DRAM_COUNTER = { name: "DRAM bandwidth", series: "GB/s" } as const;
export const TRANSFERS_COUNTER = { name: "host transfers", series: "in flight" } as const;

type Scalar = string | number | boolean;

/** One trace event. Only the phases this file writes: X (complete), M (metadata), C (counter). */
export interface TraceEvent {
  name: string;
  ph: "X" | "M" | "C";
  pid: number;
  tid: number;
  /** Microseconds. */
  ts: number;
  /** Microseconds (X only). */
  dur?: number;
  cat?: string;
  args?: Record<string, Scalar>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ns";
  otherData: Record<string, Scalar>;
}

/**
 * DRAM bytes the DRAM-bandwidth counter attributes to one event. A DMA load or store moves all
 * its bytes through DRAM. A CPU copy or an ACP transfer goes through the caches, so only its LLC
 * misses reach DRAM: (llcAccesses − llcHits) lines. Write-backs of dirty lines (including those
 * a flush forces) carry no per-event count and are not included (docs/trace.md).
 */
export function eventDramBytes(e: TimelineEvent, lineBytes: number): number {
  if (e.path === "dma" && (e.kind === "load" || e.kind === "store")) return e.bytes ?? 0;
  if (e.llcAccesses !== undefined) return (e.llcAccesses - (e.llcHits ?? 0)) * lineBytes;
  return 0;
}

/** A host transfer proper (flushes and invalidations on the same track are CPU cache work). */
function isTransfer(e: TimelineEvent): boolean {
  return e.path !== undefined && (e.kind === "load" || e.kind === "store");
}

/** cpu0 < cpu1 < cpu10, the same order report.resources uses for interfaces. */
const natural = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

/** Group rank of a resource's track: CPU threads, then accelerators, then host interfaces. */
function resourceRank(name: string): number {
  if (/^cpu\d+$/.test(name)) return 0;
  if (/^(dma|acp)\d+$/.test(name)) return 2;
  return 1;
}

/** Invocation-indexed kinds; prepare and finalize are indexed by tile (TimelineEvent.tile). */
function eventName(layer: string, e: TimelineEvent): string {
  if (e.tile === undefined) return `${layer} ${e.kind}`;
  return e.kind === "prepare" || e.kind === "finalize"
    ? `${layer} ${e.kind} tile ${e.tile}`
    : `${layer} ${e.kind} inv ${e.tile}`;
}

/**
 * A step function given as intervals that each add `value` while in flight: one sample at 0 and
 * at every boundary where the sum changes, the last one 0 at the end of the last interval. Each
 * sum is recomputed from the intervals in flight (never accumulated by += and −=), so it is
 * exactly 0 when nothing is in flight and never negative from rounding.
 */
export function stepSamples(intervals: { start: number; end: number; value: number }[]): { t: number; v: number }[] {
  const byStart = [...intervals].sort((a, b) => a.start - b.start);
  const times = [...new Set(intervals.flatMap((i) => [i.start, i.end]))].sort((a, b) => a - b);
  const out: { t: number; v: number }[] = [];
  if (times.length === 0 || times[0] > 0) out.push({ t: 0, v: 0 });
  let active: typeof intervals = [];
  let next = 0;
  for (const t of times) {
    active = active.filter((i) => i.end > t);
    while (next < byStart.length && byStart[next].start <= t) {
      if (byStart[next].end > t) active.push(byStart[next]);
      next++;
    }
    let v = 0;
    for (const i of active) v += i.value;
    if (out.length === 0 || out[out.length - 1].v !== v) out.push({ t, v });
  }
  return out;
}

/**
 * Lay the layers' spans on as few rows as possible without two overlapping on a row (a row is a
 * thread, where complete events must nest): under the smaug schedule that is one row.
 */
function layerLanes(layers: RunReport["layers"]): number[] {
  const order = layers.map((_, i) => i).sort((a, b) => layers[a].startNs - layers[b].startNs || a - b);
  const laneEnd: number[] = [];
  const lane = new Array<number>(layers.length);
  for (const i of order) {
    const l = layers[i];
    let k = laneEnd.findIndex((end) => end <= l.startNs);
    if (k < 0) k = laneEnd.push(l.endNs) - 1;
    else laneEnd[k] = l.endNs;
    lane[i] = k;
  }
  return lane;
}

/**
 * A time as the trace writes it: whole nanoseconds, in µs (ts and dur are µs in the format).
 * Perfetto's importer turns ts and dur back into ns separately, each rounded; writing them from
 * rounded ns makes ts + dur of one event equal the next event's ts exactly, so back-to-back events
 * never cross in a viewer. The exact times are in each event's args (startNs, endNs).
 */
const us = (ns: number): number => Math.round(ns) / 1000;
const usSpan = (startNs: number, endNs: number): number => (Math.round(endNs) - Math.round(startNs)) / 1000;

/** The whole timeline of `run` as a trace; `report` is the report built from the same run. */
export function buildTrace(run: RunResult, report: RunReport): ChromeTrace {
  if (run.schedule !== report.options.schedule || run.sim.totalNs !== report.latencyNs)
    throw new Error("buildTrace: the report was not built from this run");
  const events = run.sim.events;
  const lineBytes = report.soc.description.caches.llc.lineBytes;
  const out: TraceEvent[] = [];
  const meta = (name: string, tid: number, args: Record<string, Scalar>): void => {
    out.push({ name, ph: "M", pid: TRACE_PID, tid, ts: 0, args });
  };

  // Tracks, in display order: layer rows, CPU threads, accelerators, host interfaces. tids
  // follow that order too, for viewers that sort by tid rather than thread_sort_index.
  const lanes = layerLanes(report.layers);
  const laneCount = Math.max(1, ...lanes.map((k) => k + 1));
  const known = new Set(report.resources.map((r) => r.name));
  for (const e of events) known.add(e.resource);
  const resources = [...known];
  resources.sort((a, b) => resourceRank(a) - resourceRank(b) || natural(a, b));
  const tidOf = new Map(resources.map((r, i) => [r, laneCount + 1 + i]));

  // Process-wide events name tid = pid, as Chrome's main thread; Perfetto reads a missing tid so
  // too, and an explicit tid 0 would be taken for a thread of its own.
  meta("process_name", TRACE_PID, {
    name: `smaug-sim: ${report.network.name} (${report.options.schedule} schedule)`,
  });
  meta("process_sort_index", TRACE_PID, { sort_index: 0 });
  for (let k = 0; k < laneCount; k++) {
    meta("thread_name", k + 1, { name: laneCount === 1 ? "layers" : `layers ${k + 1}` });
    meta("thread_sort_index", k + 1, { sort_index: k + 1 });
  }
  for (const r of resources) {
    const tid = tidOf.get(r) as number;
    meta("thread_name", tid, { name: r });
    meta("thread_sort_index", tid, { sort_index: tid });
  }

  report.layers.forEach((l, i) => {
    out.push({
      name: l.name,
      ph: "X",
      pid: TRACE_PID,
      tid: lanes[i] + 1,
      ts: us(l.startNs),
      dur: usSpan(l.startNs, l.endNs),
      cat: "layer",
      args: {
        index: l.index,
        op: l.op,
        device: l.device,
        startNs: l.startNs,
        endNs: l.endNs,
        attributedNs: l.breakdownNs.total,
        invocations: l.invocations,
      },
    });
  });

  let dramBytesTotal = 0;
  const dramIntervals: { start: number; end: number; value: number }[] = [];
  const transferIntervals: { start: number; end: number; value: number }[] = [];
  for (const e of events) {
    const layer = report.layers[e.layer];
    const dramBytes = eventDramBytes(e, lineBytes);
    const args: Record<string, Scalar> = { layer: layer.name, layerIndex: e.layer, op: layer.op, kind: e.kind };
    if (e.tile !== undefined) args[e.kind === "prepare" || e.kind === "finalize" ? "tile" : "invocation"] = e.tile;
    if (e.tensor !== undefined) args.tensor = e.tensor;
    if (e.path !== undefined) args.path = e.path;
    if (e.bytes !== undefined) args.bytes = e.bytes;
    if (e.cycles !== undefined) args.cycles = e.cycles;
    if (e.llcAccesses !== undefined) {
      args.llcHits = e.llcHits ?? 0;
      args.llcAccesses = e.llcAccesses;
      args.llcHitRate = e.llcAccesses > 0 ? (e.llcHits ?? 0) / e.llcAccesses : 0;
    }
    args.dramBytes = dramBytes;
    args.startNs = e.start;
    args.endNs = e.end;
    out.push({
      name: eventName(layer.name, e),
      ph: "X",
      pid: TRACE_PID,
      tid: tidOf.get(e.resource) as number,
      ts: us(e.start),
      dur: usSpan(e.start, e.end),
      cat: e.category,
      args,
    });
    if (dramBytes > 0) {
      dramBytesTotal += dramBytes;
      // bytes per ns is GB/s
      dramIntervals.push({ start: e.start, end: e.end, value: dramBytes / (e.end - e.start) });
    }
    if (isTransfer(e)) transferIntervals.push({ start: e.start, end: e.end, value: 1 });
  }

  // Counters are process-wide; the tid (= pid, see above) only satisfies readers that want one.
  for (const { t, v } of stepSamples(dramIntervals))
    out.push({
      name: DRAM_COUNTER.name,
      ph: "C",
      pid: TRACE_PID,
      tid: TRACE_PID,
      ts: t / 1000,
      args: { [DRAM_COUNTER.series]: v },
    });
  for (const { t, v } of stepSamples(transferIntervals))
    out.push({
      name: TRANSFERS_COUNTER.name,
      ph: "C",
      pid: TRACE_PID,
      tid: TRACE_PID,
      ts: t / 1000,
      args: { [TRANSFERS_COUNTER.series]: v },
    });

  return {
    traceEvents: out,
    displayTimeUnit: "ns",
    otherData: {
      schema: TRACE_SCHEMA,
      version: TRACE_VERSION,
      generator: `${report.simulator.name} ${report.simulator.version}`,
      network: report.network.name,
      soc: report.soc.source,
      schedule: report.options.schedule,
      engine: report.engine,
      latencyNs: report.latencyNs,
      units: "ts and dur in microseconds; args ending in Ns in nanoseconds",
      dramCounter:
        "DMA loads/stores count all their bytes; CPU copies and ACP transfers count LLC misses x line bytes; write-backs are not counted",
      dramBytesCounted: dramBytesTotal,
      reportDramBytes: report.memory.dramReadBytes + report.memory.dramWriteBytes,
    },
  };
}

/**
 * The trace as file text: one event per line (diffable, and streamable by Perfetto), with
 * displayTimeUnit first. No event holds an array: Perfetto's tokenizer rejects array values at
 * an event's top level.
 */
export function traceJson(trace: ChromeTrace): string {
  const lines = trace.traceEvents.map((e) => JSON.stringify(e));
  return `{"displayTimeUnit":${JSON.stringify(trace.displayTimeUnit)},"otherData":${JSON.stringify(trace.otherData)},"traceEvents":[\n${lines.join(",\n")}\n]}\n`;
}
