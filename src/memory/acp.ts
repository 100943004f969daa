/**
 * The ACP path (SMAUG's AllAcp policy): an accelerator's loads and stores go one-way-coherently
 * through the CPU's LLC. The accesses run on the accelerator's port of the cache engine, so they
 * hit what the CPU left in the LLC (and in its L1s, which the engine snoops) and miss to DRAM
 * otherwise; misses allocate in the LLC and may evict dirty lines to DRAM. No software flush or
 * invalidation is needed. Time comes from the engine's counters for the port, with
 * `acp.maxOutstanding` line requests in flight. Equations and sources: docs/memory-model.md.
 */
import { type CacheHierarchy, RunBatch } from "../engine/cache.js";
import type { Soc } from "../soc/index.js";
import { acceleratorClockGHz } from "./dma.js";
import {
  dramAccessLatencyNs,
  mixedStreamTime,
  type RowBufferCounts,
  RowBufferTracker,
  type StreamBound,
  type TransferRanges,
  toRanges,
} from "./dram.js";

/** "load": the accelerator reads host memory into its scratchpad; "store": it writes results back. */
export type AcpDirection = "load" | "store";

export interface AcpOptions {
  /** accelerator instance (= its ACP port, acceleratorInstances order); default 0 */
  port?: number;
  /** use the DRAM row-buffer model for the misses (default true) */
  rowBuffer?: boolean;
  /** DRAM bandwidth available to this port, GB/s (a share; default dram.bandwidthGBps) */
  bandwidthGBps?: number;
  /** a batch to reuse (cleared first) */
  batch?: RunBatch;
}

export interface AcpTransferCost {
  direction: AcpDirection;
  /** from the first request to the last line's completion, ns */
  ns: number;
  /** the same in cycles of the accelerator's clock */
  cycles: number;
  clockGHz: number;
  bytes: number;
  /** line requests (LLC accesses by the port) */
  lines: number;
  llcHits: number;
  llcMisses: number;
  /** lines read from DRAM (= llcMisses) */
  dramReadLines: number;
  /** lines written to DRAM: dirty lines the port's misses evicted from the LLC */
  dramWriteLines: number;
  /** dirty L1 lines of the cores written back into the LLC because the port touched them */
  coherenceWritebacks: number;
  /** latency of a hit: acp.hitLatencyCycles / clockGHz, ns */
  hitNs: number;
  /** mean DRAM latency of a miss, ns */
  dramLatencyNs: number;
  /** hitNs + dramLatencyNs */
  missNs: number;
  /** mean latency of a line request, ns */
  latencyNs: number;
  /** mean DRAM bus time per line request, ns */
  serviceNs: number;
  concurrency: number;
  bound: StreamBound;
  /** row-buffer outcomes of the ranges' lines (all of them; misses use the clustered share) */
  rows: RowBufferCounts;
}

let scratch: RunBatch | undefined;

/**
 * An ACP transfer of `ranges` by accelerator `port`. With A line requests of which H hit and M
 * miss in the LLC, and W dirty LLC evictions:
 *
 *   L = (H·hitNs + M·(hitNs + dramNs)) / A,   t = (M + W)·lineBytes / (A·BW)
 *   ns = max(streamTime(A, acp.maxOutstanding, L, t), hitNs + dramNs if M > 0)   (mixedStreamTime)
 *
 * The engine's state changes (the lines are now in the LLC; a store leaves them dirty there).
 */
export function acpTransfer(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  direction: AcpDirection,
  options: AcpOptions = {},
): AcpTransferCost {
  if (direction !== "load" && direction !== "store")
    throw new RangeError(`ACP direction "${String(direction)}" must be "load" or "store"`);
  const port = options.port ?? 0;
  const id = h.portId(port);
  const clockGHz = acceleratorClockGHz(soc, port);
  const bw = options.bandwidthGBps ?? soc.dram.bandwidthGBps;
  if (!(bw > 0) || !Number.isFinite(bw)) throw new RangeError(`bandwidthGBps ${bw} must be a finite number > 0`);
  const lineBytes = h.config.l1d.lineBytes;
  const list = toRanges(ranges);
  const tracker = new RowBufferTracker(soc.dram, lineBytes);
  scratch ??= new RunBatch(64);
  const batch = (options.batch ?? scratch).clear();
  let bytes = 0;
  for (const r of list) {
    if (r.bytes === 0) continue;
    if (direction === "load") batch.read(r.addr, r.bytes, id);
    else batch.write(r.addr, r.bytes, id);
    tracker.add(r.addr, r.bytes);
    bytes += r.bytes;
  }
  const stats = h.run(batch).requesters[id];
  batch.clear();
  const c = stats.counters;
  const A = c.llcAccesses;
  const H = c.llcHits;
  const M = c.llcMisses;
  const W = stats.dramWriteLines;
  const rows = tracker.counts();
  const acp = soc.hostInterface.acp;
  const hitNs = acp.hitLatencyCycles / clockGHz;
  const dramNs =
    M > 0 ? dramAccessLatencyNs(soc.dram, rows, { rowBuffer: options.rowBuffer, missFraction: Math.min(1, M / A) }) : 0;
  const missNs = hitNs + dramNs;
  const latencyNs = A > 0 ? (H * hitNs + M * missNs) / A : 0;
  const serviceNs = A > 0 ? ((M + W) * lineBytes) / (A * bw) : 0;
  const s = mixedStreamTime(
    { count: H, latencyNs: hitNs },
    { count: A - H, latencyNs: missNs },
    acp.maxOutstanding,
    serviceNs,
  );
  return {
    direction,
    ns: s.ns,
    cycles: s.ns * clockGHz,
    clockGHz,
    bytes,
    lines: A,
    llcHits: H,
    llcMisses: M,
    dramReadLines: stats.dramReadLines,
    dramWriteLines: W,
    coherenceWritebacks: c.coherenceWritebacks,
    hitNs,
    dramLatencyNs: dramNs,
    missNs,
    latencyNs,
    serviceNs,
    concurrency: acp.maxOutstanding,
    bound: s.bound,
    rows,
  };
}

/** The accelerator reading `ranges` through ACP. */
export function acpLoad(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  options: AcpOptions = {},
): AcpTransferCost {
  return acpTransfer(soc, h, ranges, "load", options);
}

/** The accelerator writing `ranges` through ACP. */
export function acpStore(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  options: AcpOptions = {},
): AcpTransferCost {
  return acpTransfer(soc, h, ranges, "store", options);
}
