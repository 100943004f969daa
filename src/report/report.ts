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
import { CATEGORIES, type Category, type LayerResult, type MemoryResult, type ResourceResult } from "../sim/types.js";
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
  };
}
