/**
 * The engine contract: what every implementation (native C++, WebAssembly, plain TypeScript)
 * must provide, in plain numbers and typed arrays. Everything here is checked and decoded by the
 * TypeScript layer (src/engine/cache.ts); an engine receives only validated input.
 *
 * Work crosses the engine boundary in batches of *runs* (contiguous byte ranges), never per
 * line access: the engine expands each run into line accesses itself.
 */

export type EngineName = "native" | "wasm" | "js";
export const ENGINE_NAMES: readonly EngineName[] = ["native", "wasm", "js"];

/** Operation codes of a run (the `op` array of a batch). */
export const Op = {
  /** Load every line of the range (a CPU read or an ACP read). */
  Read: 0,
  /** Store to every line of the range: write-allocate, write-back. */
  Write: 1,
  /** Write back dirty copies anywhere in the hierarchy, then invalidate (software before a DMA read). */
  Flush: 2,
  /** Drop every cached copy without writing it back (software after a DMA write). */
  Invalidate: 3,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** Replacement policy codes as the engines see them. */
export const Repl = { lru: 0, fifo: 1, random: 2 } as const;
export type Replacement = keyof typeof Repl;

/**
 * Per-requester counters, in the order every engine stores them. Requester r's counters occupy
 * `[r * NUM_COUNTERS, (r + 1) * NUM_COUNTERS)` of the counter vector. All counts are of lines.
 * Derived figures (DRAM reads/writes, latency) are computed in TypeScript from these.
 */
export const COUNTERS = [
  "l1Accesses",
  "l1Hits",
  "l1Misses",
  /** valid L1 lines replaced to make room for this core's misses */
  "l1Evictions",
  /** of those, dirty ones written back into the LLC */
  "l1Writebacks",
  "llcAccesses",
  "llcHits",
  /** every LLC miss reads one line from DRAM */
  "llcMisses",
  /** valid LLC lines replaced because of this requester's misses */
  "llcEvictions",
  /** of those, lines dirty in the LLC or in any L1 above it: one DRAM line write each */
  "llcWritebacks",
  /** lines this requester flushed */
  "flushLines",
  /** ... that were cached somewhere */
  "flushPresent",
  /** ... that were dirty somewhere: one DRAM line write each */
  "flushDirty",
  "invalidateLines",
  "invalidatePresent",
  /** dirty data discarded by an invalidation */
  "invalidateDirty",
  /** dirty L1 lines of *other* cores written back into the LLC because this requester read them (core or ACP) or wrote them (ACP); a core's write miss takes the dirty data over instead */
  "coherenceWritebacks",
  /** L1 copies of *other* cores invalidated because this requester wrote the line */
  "coherenceInvalidations",
  /** L1 copies invalidated because an LLC eviction caused by this requester removed their line (inclusion) */
  "backInvalidations",
] as const;
export type CounterName = (typeof COUNTERS)[number];
export const NUM_COUNTERS = COUNTERS.length;

/**
 * The validated, flattened hierarchy configuration an engine receives.
 * Sets and line size are powers of two; ways >= 1; cores in [1, 32]; ports in [0, 64].
 */
export interface CacheParams {
  cores: number;
  ports: number;
  /** log2 of the line size in bytes (shared by L1D and LLC) */
  lineBits: number;
  l1Sets: number;
  l1Ways: number;
  l1Repl: number;
  llcSets: number;
  llcWays: number;
  llcRepl: number;
  /** seed of the per-cache xorshift32 generators used by random replacement (uint32) */
  seed: number;
}

/** The parameters in the positional order the native and wasm engines take them. */
export function paramVector(
  p: CacheParams,
): [number, number, number, number, number, number, number, number, number, number] {
  return [p.cores, p.ports, p.lineBits, p.l1Sets, p.l1Ways, p.l1Repl, p.llcSets, p.llcWays, p.llcRepl, p.seed];
}

/**
 * A batch of runs as structure-of-arrays. Entry i is the run
 * (addr[i], bytes[i], op[i], requester[i]); only the first `count` entries are used.
 * Addresses and sizes are non-negative integers with addr + bytes <= 2^48.
 */
export interface RunArrays {
  addr: Float64Array;
  bytes: Float64Array;
  op: Uint8Array;
  requester: Uint8Array;
  count: number;
}

/**
 * One cache-hierarchy instance inside an engine. State persists across `run` calls.
 * This raw interface is unchecked: only CacheHierarchy (src/engine/cache.ts), which validates
 * every configuration and batch, should call it. (The native addon checks anyway; the wasm and
 * js engines trust their caller.)
 */
export interface CacheCore {
  /** Simulate every run of the batch, in order. */
  run(batch: RunArrays): void;
  /** Cumulative counters since creation or the last reset: (cores + ports) * NUM_COUNTERS values. */
  readCounters(out: Float64Array): void;
  /** Empty every cache, zero every counter, re-seed the generators. */
  reset(): void;
  /** Free engine-side memory; the instance must not be used afterwards. */
  dispose(): void;
}

/**
 * The systolic-array capability (src/engine/js/systolic.ts is the specification; src/accel/systolic.ts
 * validates, maps layers and derives the ratios). Plain numbers only: every value is an integer
 * below 2^53, so a Float64Array carries it exactly.
 */
/** Dataflow codes as the engines see them (SCALE-Sim's os, ws, is). */
export const DataflowCode = { os: 0, ws: 1, is: 2 } as const;

/**
 * The array parameters, in the positional order of the `params` vector of `simulateSystolic`.
 * SRAM sizes are in words (each SRAM is split into two equal halves of floor(words / 2));
 * the DRAM interface of each operand moves `bandwidthNum / bandwidthDen` words per cycle, and
 * bandwidthNum = 0 means unlimited bandwidth (transfers take no time).
 */
export const SYSTOLIC_PARAMS = [
  "rows",
  "cols",
  "dataflow",
  "ifmapSramWords",
  "filterSramWords",
  "ofmapSramWords",
  "bandwidthNum",
  "bandwidthDen",
] as const;
export const NUM_SYSTOLIC_PARAMS = SYSTOLIC_PARAMS.length;

/**
 * One layer in SCALE-Sim's operand-matrix terms: ifmap matrix ofmapPixels x windowSize, filter
 * matrix windowSize x filters, ofmap matrix ofmapPixels x filters (a conv layer has
 * ofmapPixels = ofmap H * W, windowSize = filter H * W * channels; a GEMM M x K by K x N has
 * M, K, N).
 */
export const SYSTOLIC_LAYER = ["ofmapPixels", "windowSize", "filters"] as const;
export const NUM_SYSTOLIC_LAYER = SYSTOLIC_LAYER.length;

/** Per-layer results, in the order every engine writes them; all are integers. */
export const SYSTOLIC_RESULTS = [
  "rowFolds",
  "colFolds",
  /** stall-free cycles of one fold: os R + C + T - 2, ws/is 2R + C + T - 2 */
  "cyclesPerFold",
  /** folds * cyclesPerFold: a count of cycles (SCALE-Sim's "Total Cycles" without stalls is this minus 1) */
  "computeCycles",
  /** cycles the array is frozen waiting for an operand (read) or for a free ofmap buffer half (write) */
  "stallCycles",
  /** cycles after the last compute cycle until the last ofmap word is in DRAM */
  "drainCycles",
  "ifmapStallCycles",
  "filterStallCycles",
  "ofmapStallCycles",
  /** multiply-accumulates: ofmapPixels * windowSize * filters */
  "macs",
  /** sum over folds of the PEs mapped (rows used * cols used) = Sr * Sc */
  "mappedPes",
  "ifmapSramReads",
  "filterSramReads",
  "ofmapSramWrites",
  /** words fetched from DRAM into the ifmap SRAM (= ifmap SRAM writes) */
  "ifmapDramReads",
  "filterDramReads",
  /** words drained from the ofmap SRAM to DRAM (= ofmap SRAM reads) */
  "ofmapDramWrites",
  /** DRAM transfers (buffer fills and drains) simulated */
  "ifmapFills",
  "filterFills",
  "ofmapDrains",
] as const;
export type SystolicResultName = (typeof SYSTOLIC_RESULTS)[number];
export const NUM_SYSTOLIC_RESULTS = SYSTOLIC_RESULTS.length;

/** An engine: a factory for the hot-loop capabilities. */
export interface Engine {
  readonly name: EngineName;
  createCacheCore(params: CacheParams): CacheCore;
  /**
   * Simulate `count` layers on one systolic array, each from empty SRAMs. `params` has
   * NUM_SYSTOLIC_PARAMS values, `layers` count * NUM_SYSTOLIC_LAYER; the result has
   * count * NUM_SYSTOLIC_RESULTS values. Unchecked like CacheCore: callers go through
   * src/accel/systolic.ts, which validates.
   */
  simulateSystolic(params: Float64Array, layers: Float64Array, count: number): Float64Array;
}
