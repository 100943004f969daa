/**
 * report.json: the versioned, plain-data record of a run (docs/report.md documents every field),
 * and the text table `smaug run` prints from it. Everything shown is read from the report, so the
 * table and the JSON cannot disagree.
 */
import type { EnergyBreakdown } from "../energy/index.js";
import type { EngineName } from "../engine/types.js";
import { graphStats } from "../graph/graph.js";
import type { Graph } from "../graph/types.js";
import type { OutputSummary, RunResult } from "../sim/run.js";
import {
  type BusyCategory,
  CATEGORIES,
  type Category,
  type LayerResult,
  type MemoryResult,
  type ResourceResult,
  type TimelineEvent,
} from "../sim/types.js";
import { acceleratorInstances, type Soc } from "../soc/index.js";

export const REPORT_SCHEMA = "smaug-sim/run-report";
/** Bumped on any change that renames, removes or changes the meaning of a field. */
export const REPORT_VERSION = 1;

export type CategoryTimes = Record<Category, number> & { total: number };

export interface ScheduleSummary {
  schedule: string;
  latencyNs: number;
  breakdownNs: CategoryTimes;
  /** breakdownNs / latencyNs per category (idle included; they sum to 1). */
  shares: Record<Category, number>;
  energyNj: number;
}

/**
 * One merged busy interval: [startNs, endNs, category, layer index (report.layers), busyNs]. busyNs
 * is the sum of the merged events' durations (at most endNs - startNs): a chart can show how
 * busy the resource was inside the segment, not just that something happened in it.
 */
export type TimelineSegment = [startNs: number, endNs: number, category: BusyCategory, layer: number, busyNs: number];

/**
 * A bounded summary of the run's events for drawing a timeline: per resource, its events merged
 * into segments. The raw events are too many to ship (ResNet-50: about 50,000 events, 10 MB of
 * JSON); a chart cannot show detail finer than a pixel anyway.
 */
export interface TimelineSummary {
  /**
   * Consecutive events of one resource with the same category and layer are merged when the gap
   * between them is below this, ns (latencyNs / TIMELINE_RESOLUTION_DIVISOR).
   */
  resolutionNs: number;
  /** Events summarised (all of the run's events). */
  events: number;
  /** Every resource of `resources`, in the same order, with its segments sorted by start. */
  resources: { name: string; kind: ResourceResult["kind"]; segments: TimelineSegment[] }[];
}

/**
 * latencyNs / 4000: a gap of one resolution is well under a pixel on a chart a few thousand
 * pixels wide, so merging across it changes nothing a reader can see.
 */
export const TIMELINE_RESOLUTION_DIVISOR = 4000;

export interface RunReport {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  simulator: { name: "smaug-sim"; version: string };
  engine: EngineName;
  network: { name: string; source: string; layers: number; macs: number; params: number };
  soc: {
    source: string;
    summary: {
      cpuCores: number;
      cpuClockGHz: number;
      workers: number;
      accelerator: string;
      accelerators: number;
      acceleratorClockGHz: number;
      memoryPolicy: string;
      dram: string;
      dramBandwidthGBps: number;
      llcKiB: number;
    };
    /** The complete SoC description the run used (every field resolved). */
    description: Soc;
  };
  options: {
    schedule: string;
    timingOnly: boolean;
    sampleLevel: string;
    sampleNum: number;
    rowBuffer: boolean;
  };
  /** What the reader must know to interpret the numbers. */
  notes: string[];
  latencyNs: number;
  breakdownNs: CategoryTimes;
  shares: Record<Category, number>;
  energy: EnergyBreakdown;
  layers: (Omit<LayerResult, "breakdown"> & { breakdownNs: CategoryTimes })[];
  resources: ResourceResult[];
  memory: MemoryResult;
  invocations: { total: number; replayed: number };
  /** Functional outputs; null for a timing-only run. */
  outputs: OutputSummary[] | null;
  /** The same run under the other schedules, when asked (--schedule both). */
  alternatives: ScheduleSummary[];
  /** Wall-clock milliseconds of the simulator's own work (not simulated time). */
  wallMs: { plan: number; simulate: number; functional: number };
  /** The events merged into a drawable timeline (added in 0.1; absent from older reports). */
  timeline: TimelineSummary;
}

export interface ReportContext {
  graph: Graph;
  source: string;
  soc: Soc;
  socSource: string;
  engine: EngineName;
  version: string;
  timingOnly: boolean;
}

function shares(b: CategoryTimes): Record<Category, number> {
  const out = {} as Record<Category, number>;
  for (const c of CATEGORIES) out[c] = b.total > 0 ? b[c] / b.total : 0;
  return out;
}

export function scheduleSummary(r: RunResult): ScheduleSummary {
  return {
    schedule: r.schedule,
    latencyNs: r.sim.totalNs,
    breakdownNs: { ...r.sim.breakdown },
    shares: shares(r.sim.breakdown),
    energyNj: r.energy.totalNj,
  };
}

/**
 * Merge each resource's events into segments: the next event (by start) extends the current
 * segment when it has the same category and layer and starts less than `resolutionNs` after the
 * segment ends. Every event lies inside a segment of its own category and layer; the segments'
 * spans exceed the events' busy time by at most one resolution per merge, and each segment
 * records the busy time of its events. A resource runs one event
 * at a time (the simulator never overlaps them), so segments of one resource do not overlap.
 */
export function summariseTimeline(
  events: readonly TimelineEvent[],
  resources: readonly ResourceResult[],
  latencyNs: number,
): TimelineSummary {
  const resolutionNs = latencyNs / TIMELINE_RESOLUTION_DIVISOR;
  const byResource = new Map<string, TimelineEvent[]>(resources.map((r) => [r.name, []]));
  for (const e of events) {
    const list = byResource.get(e.resource);
    // Every event's resource is in the resource list (the simulator builds both); a stray one is a bug.
    if (list === undefined) throw new Error(`timeline: event on unknown resource '${e.resource}'`);
    list.push(e);
  }
  return {
    resolutionNs,
    events: events.length,
    resources: resources.map((r) => {
      const list = (byResource.get(r.name) ?? []).slice().sort((a, b) => a.start - b.start || a.end - b.end);
      const segments: TimelineSegment[] = [];
      let cur: TimelineSegment | undefined;
      for (const e of list) {
        if (cur !== undefined && cur[2] === e.category && cur[3] === e.layer && e.start - cur[1] < resolutionNs) {
          cur[1] = Math.max(cur[1], e.end);
          cur[4] += e.end - e.start;
          continue;
        }
        cur = [e.start, e.end, e.category, e.layer, e.end - e.start];
        segments.push(cur);
      }
      return { name: r.name, kind: r.kind, segments };
    }),
  };
}

export function buildReport(main: RunResult, ctx: ReportContext, alternatives: RunResult[] = []): RunReport {
  const stats = graphStats(ctx.graph);
  const inst = acceleratorInstances(ctx.soc);
  const kind = inst[0]?.kind ?? "none";
  const notes = [
    "Weights are tiled once before the measured run, as in SMAUG: their tile buffers exist from the start and their tiling costs no simulated time.",
    "Caches start cold: the run begins with nothing cached.",
    "Breakdown: every instant goes to one category, by priority acceleratorCompute > transfer > cpuPrepare > cpuFinalize > cpuOther; instants with nothing busy are idle (docs/model.md).",
  ];
  if (!ctx.timingOnly)
    notes.push(
      "Functional outputs come from the fp32 reference kernels on seeded inputs; they do not depend on the SoC or the schedule.",
    );
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    simulator: { name: "smaug-sim", version: ctx.version },
    engine: ctx.engine,
    network: {
      name: ctx.graph.name,
      source: ctx.source,
      layers: stats.layers.length,
      macs: stats.macs,
      params: stats.trainableParams,
    },
    soc: {
      source: ctx.socSource,
      summary: {
        cpuCores: ctx.soc.cpu.cores,
        cpuClockGHz: ctx.soc.cpu.clockGHz,
        workers: ctx.soc.threads.workers,
        accelerator: kind,
        accelerators: inst.length,
        acceleratorClockGHz: inst[0]?.clockGHz ?? 0,
        memoryPolicy: ctx.soc.memoryPolicy,
        dram: ctx.soc.dram.type,
        dramBandwidthGBps: ctx.soc.dram.bandwidthGBps,
        llcKiB: ctx.soc.caches.llc.sizeBytes / 1024,
      },
      description: ctx.soc,
    },
    options: {
      schedule: main.schedule,
      timingOnly: ctx.timingOnly,
      ...main.options,
    },
    notes,
    latencyNs: main.sim.totalNs,
    breakdownNs: { ...main.sim.breakdown },
    shares: shares(main.sim.breakdown),
    energy: main.energy,
    layers: main.sim.layers.map(({ breakdown, ...l }) => ({ ...l, breakdownNs: { ...breakdown } })),
    resources: main.sim.resources,
    memory: main.sim.memory,
    invocations: { total: main.sim.invocations, replayed: main.sim.replayedInvocations },
    outputs: main.outputs,
    alternatives: alternatives.map(scheduleSummary),
    wallMs: main.wallMs,
    timeline: summariseTimeline(main.sim.events, main.sim.resources, main.sim.totalNs),
  };
}

/**
 * report.json's text: indented for reading, except that each timeline segment stays on one line
 * (indenting puts each of its five numbers on a line of its own, which made ResNet-50's report
 * twice as long for nothing).
 */
export function reportJson(report: RunReport): string {
  const segments: string[] = [];
  const marked = {
    ...report,
    timeline: {
      ...report.timeline,
      resources: report.timeline.resources.map((r) => ({
        ...r,
        segments: r.segments.map((s) => {
          segments.push(JSON.stringify(s));
          return `\u0000segment ${segments.length - 1}\u0000`;
        }),
      })),
    },
  };
  const text = JSON.stringify(marked, null, 2).replace(
    /"\\u0000segment (\d+)\\u0000"/g,
    (_, i: string) => segments[Number(i)],
  );
  return `${text}\n`;
}
