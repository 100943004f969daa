/**
 * The simulator's plain-data inputs and outputs: what a run is asked to do, the timeline of
 * events it records, and the results the report is built from.
 */
import type { EnergyActions } from "../energy/index.js";

/** SMAUG's categories of end-to-end time (smaug-facts, "Where time goes"), plus idle. */
export const CATEGORIES = ["acceleratorCompute", "transfer", "cpuPrepare", "cpuFinalize", "cpuOther", "idle"] as const;
export type Category = (typeof CATEGORIES)[number];
/** Categories an event can have (idle is the absence of events). */
export type BusyCategory = Exclude<Category, "idle">;

/** What an event is; each kind belongs to one category (KIND_CATEGORY). */
export const EVENT_KINDS = [
  "dispatch",
  "invoke",
  "prepare",
  "reorder",
  "finalize",
  "cpu-op",
  "flush",
  "load",
  "compute",
  "store",
  "invalidate",
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const KIND_CATEGORY: Readonly<Record<EventKind, BusyCategory>> = Object.freeze({
  dispatch: "cpuOther",
  invoke: "cpuOther",
  "cpu-op": "cpuOther",
  // Layout transformation is data preparation in SMAUG's breakdown (smaug-facts).
  reorder: "cpuPrepare",
  prepare: "cpuPrepare",
  finalize: "cpuFinalize",
  // Software coherence around DMA is part of the transfer's cost: ACP removes it (smaug-facts).
  flush: "transfer",
  load: "transfer",
  store: "transfer",
  invalidate: "transfer",
  compute: "acceleratorCompute",
});

/** One busy interval of one resource. Times in ns from the start of the run. */
export interface TimelineEvent {
  /** "cpu0".."cpuN" (worker threads; cpu0 is the main thread), "smv0", "dma0" (accelerator 0's host interface), ... */
  resource: string;
  kind: EventKind;
  category: BusyCategory;
  start: number;
  end: number;
  /** Index of the layer (report.layers) the event belongs to. */
  layer: number;
  /** The layer's operator. */
  op: string;
  /** Invocation index within the layer (accelerator events), or tile index (prepare/finalize). */
  tile?: number;
  /** The tensor a copy or transfer moves. */
  tensor?: string;
  /** "dma" or "acp" for transfers. */
  path?: "dma" | "acp";
  bytes?: number;
  /** Cycles in the resource's own clock (accelerator or CPU). */
  cycles?: number;
  /** LLC hits and accesses of this event's requests (copies and ACP transfers). */
  llcHits?: number;
  llcAccesses?: number;
}

export const SCHEDULES = ["smaug", "overlap"] as const;
/**
 * smaug: the original's order (one operator at a time; all input tiles prepared, then the
 * invocations round-robin over accelerators, then all output tiles finalised).
 * overlap: each invocation starts when its own tiles are ready, a tile is finalised as soon as it
 * is stored, and a layer starts as soon as its inputs are ready (independent branches overlap).
 */
export type ScheduleName = (typeof SCHEDULES)[number];

export const SAMPLE_LEVELS = ["no", "low", "medium", "high", "very_high"] as const;
export type SampleLevel = (typeof SAMPLE_LEVELS)[number];

export interface SimOptions {
  schedule: ScheduleName;
  /** DRAM row-buffer model (default true). */
  rowBuffer?: boolean;
  sampleLevel?: SampleLevel;
  /** Iterations simulated in detail per sampled loop (SMAUG's sample-num; >= 1). */
  sampleNum?: number;
  /** Called after each layer is simulated (for a progress bar); must not touch the simulation. */
  onLayer?: (done: number, total: number) => void;
}

/** Time per category, ns; `total` is their sum. */
export type Breakdown = Record<Category, number> & { total: number };

export interface LayerResult {
  index: number;
  name: string;
  op: string;
  device: "accelerator" | "cpu";
  /** First event start and last event end, ns. */
  startNs: number;
  endNs: number;
  /** Exclusive time attributed to this layer (sums to the run's breakdown over layers). */
  breakdown: Breakdown;
  invocations: number;
  macs: number;
  /** Bytes the accelerators loaded and stored over the host interface. */
  hostLoadBytes: number;
  hostStoreBytes: number;
  /** Bytes the CPU copied preparing and finalising tiles. */
  prepareBytes: number;
  finalizeBytes: number;
  /** Invocations timed by replaying a sampled one instead of simulating it (sampling). */
  replayedInvocations: number;
}

export interface ResourceResult {
  name: string;
  kind: "cpu" | "accelerator" | "interface";
  /** Sum of its event durations, ns. */
  busyNs: number;
  /** busyNs / total. */
  utilisation: number;
}

export interface MemoryResult {
  dramReadBytes: number;
  dramWriteBytes: number;
  /** (read + write) / total time, GB/s. */
  averageBandwidthGBps: number;
  dmaBytes: number;
  acpBytes: number;
  l1Accesses: number;
  l1HitRate: number;
  llcAccesses: number;
  llcHitRate: number;
  /** Highest simulated address footprint: tensors, weight tiles and live tile buffers. */
  footprintBytes: number;
}

export interface SimResult {
  totalNs: number;
  breakdown: Breakdown;
  layers: LayerResult[];
  resources: ResourceResult[];
  memory: MemoryResult;
  actions: EnergyActions;
  events: TimelineEvent[];
  /** Invocations in total, and how many were replayed by sampling. */
  invocations: number;
  replayedInvocations: number;
}
