/**
 * The CPU cost of a copy made of contiguous runs: preparing a tile (tensor → tile buffer),
 * finalising one (tile buffer → tensor), a layout reorder, any memcpy-like work.
 *
 *   cycles = runs · memcpyCallOverheadCycles + max(bytes / copyBytesPerCycle, memory stall)
 *
 * The memory stall comes from the cache behaviour of those bytes: the read runs of the source and
 * the write runs of the destination go through the core's L1 in the cache engine; every L1 miss
 * costs the LLC latency, every LLC miss also the DRAM latency, with `outstandingMissesPerCore`
 * misses in flight and the DRAM bandwidth as a floor. An out-of-order core moves bytes while its
 * misses are outstanding, so the byte-moving time and the stall overlap (the max); the per-call
 * work does not. Equations and sources: docs/memory-model.md.
 */
import { type CacheHierarchy, RunBatch } from "../engine/cache.js";
import type { Soc } from "../soc/index.js";
import { type CopyDirection, forEachRun, type RunCallback } from "../tiling/copy-plan.js";
import type { CopyRun, Tile, TiledTensor } from "../tiling/types.js";
import {
  dramAccessLatencyNs,
  mixedStreamTime,
  type RowBufferCounts,
  RowBufferTracker,
  type StreamTiming,
} from "./dram.js";

/** Runs with absolute addresses: a list, or a function that emits them (no allocation per run). */
export type CopyRunSource = readonly CopyRun[] | ((emit: RunCallback) => void);

/** Runs longer than this are fed to the cache engine as alternating read/write pieces of this size (default 1 KiB). */
export const DEFAULT_PIECE_BYTES = 1024;

export interface CpuCopyOptions {
  /** the core that copies (default 0) */
  core?: number;
  /** DRAM bandwidth available to this core, GB/s (a share; default dram.bandwidthGBps) */
  bandwidthGBps?: number;
  /** use the DRAM row-buffer model for the misses (default true) */
  rowBuffer?: boolean;
  /** a batch to reuse (cleared first) */
  batch?: RunBatch;
  /**
   * memcpy streams its source and destination together; runs longer than this are fed to the
   * engine as alternating read and write pieces of this many bytes (default 1 KiB)
   */
  pieceBytes?: number;
}

export interface CpuCopyCost {
  /** total, ns */
  ns: number;
  /** total, CPU cycles: overheadCycles + max(copyCycles, memoryCycles) */
  cycles: number;
  runs: number;
  bytes: number;
  /** runs x memcpyCallOverheadCycles */
  overheadCycles: number;
  /** bytes / copyBytesPerCycle */
  copyCycles: number;
  /** the stall of the L1 misses, CPU cycles (memory.ns x clockGHz) */
  memoryCycles: number;
  /** the L1-miss stream: requests, latency, bus time, bound */
  memory: StreamTiming;
  l1Accesses: number;
  l1Misses: number;
  llcHits: number;
  llcMisses: number;
  dramReadBytes: number;
  dramWriteBytes: number;
  /** mean DRAM latency of an LLC miss, ns */
  dramLatencyNs: number;
  /** row-buffer outcomes of every line the copy touches (misses use the clustered share); zero when nothing missed the LLC or without the row-buffer model */
  rows: RowBufferCounts;
}

let scratch: RunBatch | undefined;

/**
 * CPU cost of copying `runs` (absolute source and destination addresses) on one core. The
 * cache engine's state changes: the source is now cached, the destination dirty in the core's L1.
 */
export function cpuCopyCost(
  soc: Soc,
  h: CacheHierarchy,
  runs: CopyRunSource,
  options: CpuCopyOptions = {},
): CpuCopyCost {
  const core = h.coreId(options.core ?? 0);
  const bw = options.bandwidthGBps ?? soc.dram.bandwidthGBps;
  if (!(bw > 0) || !Number.isFinite(bw)) throw new RangeError(`bandwidthGBps ${bw} must be a finite number > 0`);
  const piece = options.pieceBytes ?? DEFAULT_PIECE_BYTES;
  if (!Number.isInteger(piece) || piece < 1) throw new RangeError(`pieceBytes ${piece} must be a positive integer`);
  const lineBytes = h.config.l1d.lineBytes;
  const tracker = new RowBufferTracker(soc.dram, lineBytes);
  scratch ??= new RunBatch(1024);
  const batch = (options.batch ?? scratch).clear();
  let count = 0;
  let bytes = 0;
  const emit: RunCallback = (src, dst, n) => {
    if (!(n >= 0) || !Number.isInteger(n))
      throw new RangeError(`run ${count}: bytes ${n} must be a non-negative integer`);
    count++;
    bytes += n;
    for (let off = 0; off < n; off += piece) {
      const k = Math.min(piece, n - off);
      batch.read(src + off, k, core);
      batch.write(dst + off, k, core);
    }
  };
  if (typeof runs === "function") runs(emit);
  else for (const r of runs) emit(r.src, r.dst, r.bytes);
  const stats = h.run(batch).requesters[core];
  const c = stats.counters;
  // the row-buffer model sees every line the copy touches, in copy order; only needed when
  // something reaches DRAM
  if (c.llcMisses > 0 && (options.rowBuffer ?? true))
    for (let i = 0; i < batch.count; i++) tracker.add(batch.addr[i], batch.bytes[i]);
  batch.clear();
  const cpu = soc.cpu;
  const A = c.l1Misses;
  const H = c.llcHits;
  const M = c.llcMisses;
  const W = stats.dramWriteLines;
  const rows = tracker.counts();
  const llcNs = h.config.llc.hitLatencyCycles / cpu.clockGHz;
  const dramNs =
    M > 0 && rows.accesses > 0
      ? dramAccessLatencyNs(soc.dram, rows, {
          rowBuffer: options.rowBuffer,
          missFraction: Math.min(1, M / Math.max(1, c.l1Accesses)),
        })
      : M > 0
        ? soc.dram.latencyNs
        : 0;
  const serviceNs = A > 0 ? ((M + W) * lineBytes) / (A * bw) : 0;
  const memory = mixedStreamTime(
    { count: H, latencyNs: llcNs },
    { count: A - H, latencyNs: llcNs + dramNs },
    cpu.outstandingMissesPerCore,
    serviceNs,
  );
  const overheadCycles = count * cpu.memcpyCallOverheadCycles;
  const copyCycles = bytes / cpu.copyBytesPerCycle;
  const memoryCycles = memory.ns * cpu.clockGHz;
  const cycles = overheadCycles + Math.max(copyCycles, memoryCycles);
  return {
    ns: cycles / cpu.clockGHz,
    cycles,
    runs: count,
    bytes,
    overheadCycles,
    copyCycles,
    memoryCycles,
    memory,
    l1Accesses: c.l1Accesses,
    l1Misses: A,
    llcHits: H,
    llcMisses: M,
    dramReadBytes: stats.dramReadLines * lineBytes,
    dramWriteBytes: W * lineBytes,
    dramLatencyNs: dramNs,
    rows,
  };
}

/** One tile copy: the tensor and its tile buffer at their simulated addresses. */
export interface TileCopy {
  tensor: TiledTensor;
  tile: Tile;
  /** "tile" (prepare: tensor → buffer, default) or "untile" (finalize: buffer → tensor) */
  direction?: CopyDirection;
  /** address of the tensor's first element */
  tensorAddr: number;
  /** address of the tile buffer */
  bufferAddr: number;
}

/** CPU cost of preparing or finalising one tile, from its copy plan (`forEachRun`: no objects per run). */
export function tileCopyCost(soc: Soc, h: CacheHierarchy, copy: TileCopy, options: CpuCopyOptions = {}): CpuCopyCost {
  const direction = copy.direction ?? "tile";
  const srcBase = direction === "tile" ? copy.tensorAddr : copy.bufferAddr;
  const dstBase = direction === "tile" ? copy.bufferAddr : copy.tensorAddr;
  return cpuCopyCost(
    soc,
    h,
    (emit) => {
      forEachRun(copy.tensor, copy.tile, (s, d, n) => emit(srcBase + s, dstBase + d, n), direction);
    },
    options,
  );
}
