/**
 * The DMA path between host memory and an accelerator's scratchpads (SMAUG's AllDma policy):
 *
 * - the engine side (`dmaTransferTime`): each contiguous range is split at page boundaries into
 *   pieces; a piece costs a setup and then its 64 B chunks, up to `maxOutstanding` in flight,
 *   against the DRAM's latency (row buffers included) and bandwidth; with `pipelined`, a piece's
 *   setup overlaps the previous piece's data;
 * - the CPU side (`dmaFlushCost`, `dmaInvalidateCost`): before a DMA load the CPU flushes the
 *   source lines, after a DMA store it invalidates the destination lines. Their cost comes from
 *   what the caches actually hold: the flush/invalidate runs go through the cache engine
 *   (requester: a CPU core) and the returned counters are priced per line, plus the DRAM
 *   write-back of every dirty line a flush finds.
 *
 * DMA bypasses the caches (it is not coherent): the transfer itself never touches the cache
 * engine. Times are in ns; the engine side also in accelerator cycles, the CPU side in CPU
 * cycles. Equations and sources: docs/memory-model.md.
 */
import { type CacheHierarchy, RunBatch } from "../engine/cache.js";
import type { DmaSpec, Soc } from "../soc/index.js";
import {
  type AddressRange,
  dramLatencies,
  dramWriteNs,
  type RowBufferCounts,
  RowBufferTracker,
  streamTime,
  streamTimeVarying,
  type TransferRanges,
  toRanges,
} from "./dram.js";

/** One page-bounded piece of a DMA transfer. */
export interface DmaPiece {
  addr: number;
  bytes: number;
  /** chunkBytes-aligned chunks the piece touches (a chunk never crosses a page) */
  chunks: number;
}

/** Split ranges at page boundaries (multiples of dma.pageBytes) and count the chunks of each piece. */
export function dmaPieces(dma: DmaSpec, ranges: TransferRanges): DmaPiece[] {
  const out: DmaPiece[] = [];
  const page = dma.pageBytes;
  const chunk = dma.chunkBytes;
  for (const r of toRanges(ranges)) {
    const end = r.addr + r.bytes;
    for (let a = r.addr; a < end; ) {
      const e = Math.min(end, (Math.floor(a / page) + 1) * page);
      out.push({ addr: a, bytes: e - a, chunks: Math.floor((e - 1) / chunk) - Math.floor(a / chunk) + 1 });
      a = e;
    }
  }
  return out;
}

/** Clock of accelerator instance `index` (acceleratorInstances order), GHz. */
export function acceleratorClockGHz(soc: Soc, index = 0): number {
  if (Number.isInteger(index) && index >= 0) {
    let k = index;
    for (const a of soc.accelerators) {
      if (k < a.count) return a.clockGHz;
      k -= a.count;
    }
  }
  const n = soc.accelerators.reduce((m, a) => m + a.count, 0);
  throw new RangeError(`accelerator ${index} is unknown: the SoC has instances 0..${n - 1}`);
}

export interface DmaOptions {
  /** accelerator instance whose DMA engine moves the data (its clock times the setup); default 0 */
  accelerator?: number;
  /** use the DRAM row-buffer model (default true) */
  rowBuffer?: boolean;
  /** DRAM bandwidth available to this engine, GB/s (a share; default dram.bandwidthGBps) */
  bandwidthGBps?: number;
}

export interface DmaTransferTime {
  /** from the first setup to the last chunk's data, ns */
  ns: number;
  /** the same in cycles of the accelerator's clock */
  cycles: number;
  clockGHz: number;
  bytes: number;
  /** non-empty ranges */
  transfers: number;
  /** page-bounded pieces, each with its own setup */
  pieces: number;
  chunks: number;
  /** setup time summed over pieces, ns */
  setupNs: number;
  /** data time summed over pieces, ns */
  dataNs: number;
  /** setup time not hidden behind data: ns - dataNs */
  exposedSetupNs: number;
  /** mean DRAM latency of a chunk, ns */
  latencyNs: number;
  /** row-buffer outcomes of the line accesses (all zero without the row-buffer model) */
  rows: RowBufferCounts;
}

/**
 * Time of a DMA transfer on one accelerator's engine. Per piece p (in order): setup S =
 * setupCycles / clockGHz; data D_p = the closed-loop stream of its chunks (`streamTimeVarying`):
 * maxOutstanding in flight, each chunk with the DRAM latency of its slowest line (row hit, empty
 * bank or row conflict, in address order) and chunkBytes / BW of bus time. The engine retires a
 * piece before issuing the next one's chunks. Pipelined: setup of p starts when p - 1 starts its data; otherwise when
 * p - 1 has finished. Data of p starts when its setup is done and p - 1's data is done.
 */
export function dmaTransferTime(soc: Soc, ranges: TransferRanges, options: DmaOptions = {}): DmaTransferTime {
  const dma = soc.hostInterface.dma;
  const clockGHz = acceleratorClockGHz(soc, options.accelerator ?? 0);
  const bw = options.bandwidthGBps ?? soc.dram.bandwidthGBps;
  if (!(bw > 0) || !Number.isFinite(bw)) throw new RangeError(`bandwidthGBps ${bw} must be a finite number > 0`);
  const setup = dma.setupCycles / clockGHz;
  const service = dma.chunkBytes / bw;
  const tracker = new RowBufferTracker(soc.dram, soc.caches.l1d.lineBytes);
  const rowBuffer = options.rowBuffer ?? true;
  const lat = dramLatencies(soc.dram);
  const list = toRanges(ranges);
  const pieces = dmaPieces(dma, list);
  let dataStart = 0;
  let dataEnd = 0;
  let dataNs = 0;
  let chunks = 0;
  let bytes = 0;
  let latencySum = 0;
  let latencies = new Float64Array(64);
  if (rowBuffer) tracker.record();
  pieces.forEach((p, i) => {
    // each chunk's latency: its slowest line's row-buffer outcome (or latencyNs without the model);
    // chunks that open no row hit
    if (latencies.length < p.chunks) latencies = new Float64Array(p.chunks);
    let d: number;
    if (rowBuffer) tracker.add(p.addr, p.bytes);
    if (!rowBuffer || tracker.activationAddrs.length === 0) {
      // every chunk has the same latency: the closed form
      const l = rowBuffer ? lat.hitNs : soc.dram.latencyNs;
      latencySum += l * p.chunks;
      d = streamTime(p.chunks, dma.maxOutstanding, l, service).ns;
    } else {
      const lats = latencies.subarray(0, p.chunks);
      lats.fill(lat.hitNs);
      const first = Math.floor(p.addr / dma.chunkBytes);
      tracker.activationAddrs.forEach((a, j) => {
        const k = Math.floor(a / dma.chunkBytes) - first;
        lats[k] = Math.max(lats[k], tracker.activationConflicts[j] ? lat.conflictNs : lat.emptyNs);
      });
      for (let k = 0; k < p.chunks; k++) latencySum += lats[k];
      d = streamTimeVarying(lats, dma.maxOutstanding, service);
    }
    const setupStart = i === 0 ? 0 : dma.pipelined ? dataStart : dataEnd;
    dataStart = Math.max(setupStart + setup, dataEnd);
    dataEnd = dataStart + d;
    dataNs += d;
    chunks += p.chunks;
    bytes += p.bytes;
  });
  const ns = dataEnd;
  return {
    ns,
    cycles: ns * clockGHz,
    clockGHz,
    bytes,
    transfers: list.filter((r) => r.bytes > 0).length,
    pieces: pieces.length,
    chunks,
    setupNs: pieces.length * setup,
    dataNs,
    exposedSetupNs: ns - dataNs,
    latencyNs: chunks > 0 ? latencySum / chunks : 0,
    rows: tracker.counts(),
  };
}

// ---------------------------------------------------------------------------------------------
// The CPU side: software coherence around DMA
// ---------------------------------------------------------------------------------------------

export interface CpuSideOptions {
  /** CPU core doing the flush/invalidate (default 0) */
  core?: number;
  /** DRAM bandwidth available for dirty write-backs, GB/s (default dram.bandwidthGBps) */
  bandwidthGBps?: number;
  /** a batch to reuse (cleared first) */
  batch?: RunBatch;
}

/** Cost of flushing or invalidating ranges from the CPU caches. */
export interface CacheMaintenanceCost {
  op: "flush" | "invalidate";
  /** total, ns: lookupNs + writebackNs */
  ns: number;
  /** the same in CPU cycles (the core is busy for all of it) */
  cpuCycles: number;
  /** lines the core walked (every line of the ranges) */
  lines: number;
  /** of those, lines some cache held */
  presentLines: number;
  /** of those, dirty lines: written back to DRAM (flush) or discarded (invalidate) */
  dirtyLines: number;
  /** presentLines x flushCyclesPerLine (or invalidateCyclesPerLine) + absent lines x absentLineCycles, CPU cycles */
  lookupCycles: number;
  lookupNs: number;
  /** DRAM bytes written back (flush only) */
  writebackBytes: number;
  /** writebackBytes / bandwidth, ns */
  writebackNs: number;
}

let scratch: RunBatch | undefined;

function maintenance(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  op: "flush" | "invalidate",
  options: CpuSideOptions,
): CacheMaintenanceCost {
  const core = h.coreId(options.core ?? 0);
  const list = toRanges(ranges);
  scratch ??= new RunBatch(64);
  const batch = (options.batch ?? scratch).clear();
  for (const r of list) {
    if (r.bytes === 0) continue;
    if (op === "flush") batch.flush(r.addr, r.bytes, core);
    else batch.invalidate(r.addr, r.bytes, core);
  }
  const c = h.run(batch).requesters[core].counters;
  batch.clear();
  const dma = soc.hostInterface.dma;
  const flush = op === "flush";
  const lines = flush ? c.flushLines : c.invalidateLines;
  const presentLines = flush ? c.flushPresent : c.invalidatePresent;
  const dirtyLines = flush ? c.flushDirty : c.invalidateDirty;
  // A line some cache holds costs the full per-line price; one nobody holds, only the lookup.
  const lookupCycles =
    presentLines * (flush ? dma.flushCyclesPerLine : dma.invalidateCyclesPerLine) +
    (lines - presentLines) * dma.absentLineCycles;
  const lookupNs = lookupCycles / soc.cpu.clockGHz;
  const writebackBytes = flush ? dirtyLines * h.config.l1d.lineBytes : 0;
  const writebackNs = dramWriteNs(writebackBytes, options.bandwidthGBps ?? soc.dram.bandwidthGBps);
  const ns = lookupNs + writebackNs;
  return {
    op,
    ns,
    cpuCycles: ns * soc.cpu.clockGHz,
    lines,
    presentLines,
    dirtyLines,
    lookupCycles,
    lookupNs,
    writebackBytes,
    writebackNs,
  };
}

/**
 * The CPU flushing a DMA load's source lines: a line some cache holds costs flushCyclesPerLine CPU
 * cycles, one no cache holds absentLineCycles, and every dirty line is also written back to DRAM
 * (bytes / bandwidth). The lines leave the caches (the engine's state changes).
 */
export function dmaFlushCost(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  options: CpuSideOptions = {},
): CacheMaintenanceCost {
  return maintenance(soc, h, ranges, "flush", options);
}

/** The CPU invalidating a DMA store's destination lines: invalidateCyclesPerLine per cached line, absentLineCycles per other line; dirty data is discarded. */
export function dmaInvalidateCost(
  soc: Soc,
  h: CacheHierarchy,
  ranges: TransferRanges,
  options: CpuSideOptions = {},
): CacheMaintenanceCost {
  return maintenance(soc, h, ranges, "invalidate", options);
}

export interface DmaLoadCost {
  /** the CPU's flush of the source, before the transfer */
  flush: CacheMaintenanceCost;
  transfer: DmaTransferTime;
  /** flush.ns + transfer.ns: the flush must finish before the DMA reads DRAM */
  ns: number;
}

export interface DmaStoreCost {
  transfer: DmaTransferTime;
  /** the CPU's invalidation of the destination, after the transfer */
  invalidate: CacheMaintenanceCost;
  /** transfer.ns + invalidate.ns */
  ns: number;
}

/** A DMA load (host memory → scratchpad): flush the source lines, then transfer. */
export function dmaLoad(
  soc: Soc,
  h: CacheHierarchy,
  ranges: readonly AddressRange[],
  options: DmaOptions & CpuSideOptions = {},
): DmaLoadCost {
  const flush = dmaFlushCost(soc, h, ranges, options);
  const transfer = dmaTransferTime(soc, ranges, options);
  return { flush, transfer, ns: flush.ns + transfer.ns };
}

/** A DMA store (scratchpad → host memory): transfer, then invalidate the destination lines. */
export function dmaStore(
  soc: Soc,
  h: CacheHierarchy,
  ranges: readonly AddressRange[],
  options: DmaOptions & CpuSideOptions = {},
): DmaStoreCost {
  const transfer = dmaTransferTime(soc, ranges, options);
  const invalidate = dmaInvalidateCost(soc, h, ranges, options);
  return { transfer, invalidate, ns: transfer.ns + invalidate.ns };
}
