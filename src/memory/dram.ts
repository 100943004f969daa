/**
 * DRAM timing: a latency-bandwidth model of a stream of requests with a bounded number in flight,
 * a row-buffer model of the SoC's channels and banks (`dram.rowBuffer`), and helpers that split the
 * DRAM bandwidth among concurrent streams (worker threads, several DMA engines).
 *
 * Every function is pure and takes plain numbers (or the SoC's `dram` section); times are in
 * nanoseconds and bandwidths in GB/s, which is bytes per nanosecond. The equations, with the
 * source of each constant, are in docs/memory-model.md.
 */
import type { DramSpec } from "../soc/index.js";

/** A contiguous byte range of simulated host memory. */
export interface AddressRange {
  addr: number;
  bytes: number;
}

/** What a transfer moves: address ranges, or a byte count (one range at address 0, page-aligned). */
export type TransferRanges = readonly AddressRange[] | number;

/** The ranges of a transfer, each checked (`checkRange`). */
export function toRanges(t: TransferRanges): readonly AddressRange[] {
  const list = typeof t === "number" ? [{ addr: 0, bytes: t }] : t;
  for (const r of list) checkRange(r.addr, r.bytes);
  return list;
}

// ---------------------------------------------------------------------------------------------
// A stream of requests with a bounded number in flight
// ---------------------------------------------------------------------------------------------

/** What limited a stream: the round trips of its requests in flight, or the data bus. */
export type StreamBound = "latency" | "bandwidth" | "none";

/** The time of a stream of identical requests (see `streamTime`). */
export interface StreamTiming {
  /** completion time of the last request, ns (0 for an empty stream) */
  ns: number;
  requests: number;
  /** requests in flight at once */
  concurrency: number;
  /** latency of one request, issue to data, ns */
  latencyNs: number;
  /** time one request occupies the shared data bus, ns */
  serviceNs: number;
  bound: StreamBound;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} ${n} must be a non-negative integer`);
}

function checkNonNegative(x: number, what: string): void {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`${what} ${x} must be a finite number >= 0`);
}

function checkPositive(x: number, what: string): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`${what} ${x} must be a finite number > 0`);
}

/**
 * Completion time of N requests, C in flight, each with latency L and occupying the data bus for
 * t. It solves exactly the closed-loop recurrence (request k issues when request k - C completes;
 * its data cannot return before the previous request's data has left the bus):
 *
 *   issue_k = 0 (k < C),  issue_k = done_{k-C};   done_k = max(issue_k + L, done_{k-1} + t)
 *
 * whose solution is, with N - 1 = qC + r:
 *
 *   T = max( L + (N - 1)·t ,  (q + 1)·L + r·t )
 *
 * The first term is the bandwidth bound (one request leaves the bus every t), the second the
 * latency bound (C requests per round trip). T never grows with C or shrinks with N or t.
 */
export function streamTime(requests: number, concurrency: number, latencyNs: number, serviceNs: number): StreamTiming {
  checkCount(requests, "requests");
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency ${concurrency} must be an integer >= 1`);
  checkNonNegative(latencyNs, "latencyNs");
  checkNonNegative(serviceNs, "serviceNs");
  if (requests === 0) return { ns: 0, requests, concurrency, latencyNs, serviceNs, bound: "none" };
  const q = Math.floor((requests - 1) / concurrency);
  const r = requests - 1 - q * concurrency;
  const bandwidthBound = latencyNs + (requests - 1) * serviceNs;
  const latencyBound = (q + 1) * latencyNs + r * serviceNs;
  const ns = Math.max(bandwidthBound, latencyBound);
  const bound: StreamBound = requests === 1 ? "latency" : latencyBound > bandwidthBound ? "latency" : "bandwidth";
  return { ns, requests, concurrency, latencyNs, serviceNs, bound };
}

/**
 * A stream of requests of two latencies (e.g. LLC hits and misses) whose order is unknown (only
 * counts are): the closed form with the mean latency L = (n_fast·L_fast + n_slow·L_slow) / N,
 * and never less than one round trip of the slowest request present (requests in flight at once
 * complete with the slowest of them).
 */
export function mixedStreamTime(
  fast: { count: number; latencyNs: number },
  slow: { count: number; latencyNs: number },
  concurrency: number,
  serviceNs: number,
): StreamTiming {
  checkCount(fast.count, "fast.count");
  checkCount(slow.count, "slow.count");
  const n = fast.count + slow.count;
  const mean = n > 0 ? (fast.count * fast.latencyNs + slow.count * slow.latencyNs) / n : 0;
  const s = streamTime(n, concurrency, mean, serviceNs);
  const slowest = slow.count > 0 ? slow.latencyNs : fast.count > 0 ? fast.latencyNs : 0;
  return s.ns >= slowest ? s : { ...s, ns: slowest, bound: "latency" };
}

/**
 * The same recurrence with a latency per request (`latenciesNs[k]`, in issue order), solved
 * step by step in O(N): issue_k = done_{k-C} (0 for k < C), done_k = max(issue_k + L_k,
 * done_{k-1} + t). Returns done_{N-1} (0 for no request). With equal latencies it equals
 * `streamTime(...).ns`; adding a request, raising C or lowering t never makes it later.
 */
export function streamTimeVarying(latenciesNs: ArrayLike<number>, concurrency: number, serviceNs: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency ${concurrency} must be an integer >= 1`);
  checkNonNegative(serviceNs, "serviceNs");
  const n = latenciesNs.length;
  if (n === 0) return 0;
  const ring = new Float64Array(Math.min(concurrency, n));
  let prev = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const l = latenciesNs[k];
    if (!(l >= 0 && l < Number.POSITIVE_INFINITY)) checkNonNegative(l, `latency of request ${k}`);
    const slot = k % concurrency;
    const issue = k < concurrency ? 0 : ring[slot];
    const done = Math.max(issue + l, prev + serviceNs);
    ring[slot] = done;
    prev = done;
  }
  return prev;
}

/** Throughput a stream reaches alone: C requests of `requestBytes` per round trip, at most the bus, GB/s. */
export function streamPeakGBps(
  concurrency: number,
  requestBytes: number,
  latencyNs: number,
  bandwidthGBps: number,
): number {
  checkPositive(concurrency, "concurrency");
  checkNonNegative(requestBytes, "requestBytes");
  checkNonNegative(latencyNs, "latencyNs");
  checkPositive(bandwidthGBps, "bandwidthGBps");
  if (latencyNs === 0) return bandwidthGBps;
  return Math.min(bandwidthGBps, (concurrency * requestBytes) / latencyNs);
}

/** Time `bytes` of posted writes occupy the data bus, ns: bytes / bandwidth (writes retire into the controller's queue). */
export function dramWriteNs(bytes: number, bandwidthGBps: number): number {
  checkNonNegative(bytes, "bytes");
  checkPositive(bandwidthGBps, "bandwidthGBps");
  return bytes / bandwidthGBps;
}

// ---------------------------------------------------------------------------------------------
// Row buffers
// ---------------------------------------------------------------------------------------------

/** Latency of one access by what it finds in its bank's row buffer, ns. */
export interface DramLatencies {
  /** the row is open: fixed part + CAS = latencyNs - activateNs */
  hitNs: number;
  /** the bank is precharged (idle, or the closed-page policy): latencyNs (activate + CAS + fixed part) */
  emptyNs: number;
  /** another row is open: precharge first, latencyNs + prechargeNs */
  conflictNs: number;
}

/**
 * The three access latencies of the SoC's DRAM. `latencyNs` is an unloaded read to a closed row
 * (docs/soc.md), so the fixed part (burst, controller, PHY) is latencyNs - activateNs - casNs.
 */
export function dramLatencies(dram: DramSpec): DramLatencies {
  const rb = dram.rowBuffer;
  return {
    hitNs: dram.latencyNs - rb.activateNs,
    emptyNs: dram.latencyNs,
    conflictNs: dram.latencyNs + rb.prechargeNs,
  };
}

/** Row-buffer outcomes of a set of DRAM accesses (counted in access units, see RowBufferTracker). */
export interface RowBufferCounts {
  accesses: number;
  /** found their row open */
  hits: number;
  /** activated a row in a precharged bank */
  empty: number;
  /** had to close another row first */
  conflicts: number;
}

/**
 * An open-page row-buffer model of the SoC's DRAM at the granularity of one access unit
 * (`min(accessBytes, interleaveBytes)`, the cache line on the baseline). Address mapping, from the
 * lowest bits up (gem5's RoRaBaCoCh, which the SoC's `interleaveBytes` assumes): offset within
 * the interleave block, channel, column within the row, bank, row. So
 *
 *   unit u = floor(a / I),  channel = u mod channels,
 *   channel address c = floor(u / channels)·I + (a mod I),
 *   row segment s = floor(c / rowBytes),  bank = s mod banksPerChannel,  row = floor(s / banksPerChannel).
 *
 * Each bank keeps its open row across `add` calls (one tracker = one transfer or copy; it starts
 * with every bank precharged). Within a range, every channel visits its rows in address order,
 * which is what an in-order controller does with a sequential stream. With the closed-page
 * policy every access activates its row in a precharged bank.
 */
export class RowBufferTracker {
  private readonly open: Float64Array;
  private readonly unit: number;
  private readonly I: number;
  private readonly n: number;
  private readonly R: number;
  private readonly banks: number;
  private readonly closed: boolean;
  private accessesN = 0;
  private emptyN = 0;
  private conflictsN = 0;
  /** when recording: first address of every activation of the last `add`, and whether it was a conflict */
  private recording = false;
  readonly activationAddrs: number[] = [];
  readonly activationConflicts: boolean[] = [];

  constructor(
    readonly dram: DramSpec,
    accessBytes: number,
  ) {
    if (!Number.isInteger(accessBytes) || accessBytes < 1)
      throw new RangeError(`accessBytes ${accessBytes} must be a positive integer`);
    this.unit = Math.min(accessBytes, dram.interleaveBytes);
    this.I = dram.interleaveBytes;
    this.n = dram.channels;
    this.R = dram.rowBuffer.rowBytes;
    this.banks = dram.rowBuffer.banksPerChannel;
    this.closed = dram.rowBuffer.policy === "closed";
    this.open = new Float64Array(this.n * this.banks).fill(-1);
  }

  /** Account the accesses of one contiguous range [addr, addr + bytes). */
  add(addr: number, bytes: number): this {
    if (this.recording) {
      this.activationAddrs.length = 0;
      this.activationConflicts.length = 0;
    }
    if (bytes <= 0) return this;
    const end = addr + bytes;
    const units = Math.floor((end - 1) / this.unit) - Math.floor(addr / this.unit) + 1;
    this.accessesN += units;
    if (this.closed) {
      this.emptyN += units;
      if (this.recording)
        for (let a = Math.floor(addr / this.unit) * this.unit; a < end; a += this.unit) {
          this.activationAddrs.push(Math.max(a, addr));
          this.activationConflicts.push(false);
        }
      return this;
    }
    const { I, n } = this;
    const u0 = Math.floor(addr / I);
    const u1 = Math.floor((end - 1) / I);
    let activations = 0;
    if (u0 === u1) {
      // one interleave block: one channel
      const base = Math.floor(u0 / n) * I - u0 * I;
      activations = this.visit(u0 % n, base + addr, base + end - 1);
    } else {
      const touched = Math.min(n, u1 - u0 + 1);
      for (let k = 0; k < touched; k++) {
        // first and last interleave blocks of this channel inside the range
        const uf = u0 + k;
        const ul = uf + Math.floor((u1 - uf) / n) * n;
        const lo = Math.floor(uf / n) * I + (k === 0 ? addr - uf * I : 0);
        const hi = Math.floor(ul / n) * I + (ul === u1 ? end - 1 - ul * I : I - 1);
        activations += this.visit(uf % n, lo, hi);
      }
    }
    // a unit wider than a row segment (only with rowBytes < interleave unit) activates several rows at once
    if (activations > units) {
      const over = activations - units;
      const fromConflicts = Math.min(over, this.conflictsN);
      this.conflictsN -= fromConflicts;
      this.emptyN -= over - fromConflicts;
    }
    return this;
  }

  /** Visit channel ch's bytes [lo, hi] (channel addresses) in order; returns the activations. */
  private visit(ch: number, lo: number, hi: number): number {
    const { banks, open, R } = this;
    let activations = 0;
    for (let s = Math.floor(lo / R); s <= Math.floor(hi / R); s++) {
      const idx = ch * banks + (s % banks);
      const row = Math.floor(s / banks);
      const was = open[idx];
      if (was === row) continue;
      activations++;
      if (was < 0) this.emptyN++;
      else this.conflictsN++;
      open[idx] = row;
      if (this.recording) {
        // the global address of the segment's first byte in the range
        const c = Math.max(lo, s * R);
        const { I, n } = this;
        this.activationAddrs.push((Math.floor(c / I) * n + ch) * I + (c % I));
        this.activationConflicts.push(was >= 0);
      }
    }
    return activations;
  }

  /**
   * Record, for each `add` from now on, where its activations happen (`activationAddrs`, the
   * first address of each newly opened row in the range, and `activationConflicts`); the lists
   * hold the last `add`'s activations only.
   */
  record(on = true): this {
    this.recording = on;
    return this;
  }

  /** Counts so far. */
  counts(): RowBufferCounts {
    const acts = this.emptyN + this.conflictsN;
    return { accesses: this.accessesN, hits: this.accessesN - acts, empty: this.emptyN, conflicts: this.conflictsN };
  }
}

/** Row-buffer outcomes of reading `ranges` in order with a fresh tracker. */
export function rowBufferCounts(dram: DramSpec, ranges: readonly AddressRange[], accessBytes: number): RowBufferCounts {
  const t = new RowBufferTracker(dram, accessBytes);
  for (const r of ranges) t.add(r.addr, r.bytes);
  return t.counts();
}

/** Difference of two count snapshots (b after a). */
export function subtractCounts(b: RowBufferCounts, a: RowBufferCounts): RowBufferCounts {
  return {
    accesses: b.accesses - a.accesses,
    hits: b.hits - a.hits,
    empty: b.empty - a.empty,
    conflicts: b.conflicts - a.conflicts,
  };
}

/**
 * Mean latency of one DRAM access, ns. Without the row-buffer model (`rowBuffer` false, or no
 * counts) every access costs latencyNs. With it, when only a fraction f of the accesses reach
 * DRAM (cache misses), the misses are taken to be clustered (whole tiles miss or hit, as LRU
 * keeps or drops them together): they need min(f·accesses, activations) activations, precharged
 * banks first, and hit the open row otherwise.
 */
export function dramAccessLatencyNs(
  dram: DramSpec,
  counts: RowBufferCounts | undefined,
  options: { rowBuffer?: boolean; missFraction?: number } = {},
): number {
  const rowBuffer = options.rowBuffer ?? true;
  if (!rowBuffer || counts === undefined || counts.accesses === 0) return dram.latencyNs;
  const f = options.missFraction ?? 1;
  if (!(f > 0 && f <= 1)) throw new RangeError(`missFraction ${f} must be in (0, 1]`);
  const lat = dramLatencies(dram);
  const m = f * counts.accesses;
  const acts = Math.min(m, counts.empty + counts.conflicts);
  const empty = Math.min(acts, counts.empty);
  const conflicts = acts - empty;
  const hits = m - acts;
  return (hits * lat.hitNs + empty * lat.emptyNs + conflicts * lat.conflictNs) / m;
}

// ---------------------------------------------------------------------------------------------
// A plain DRAM transfer
// ---------------------------------------------------------------------------------------------

export interface DramTransferOptions {
  /** bytes of one request (e.g. a 64 B DMA chunk or a 32 B line) */
  requestBytes: number;
  /** requests in flight */
  concurrency: number;
  /** granularity of row-buffer accounting (the line size; default requestBytes) */
  accessBytes?: number;
  /** use the row-buffer model (default true); false: every access costs latencyNs */
  rowBuffer?: boolean;
  /** the bandwidth this stream may use, GB/s (a share from `shareBandwidth`; default dram.bandwidthGBps) */
  bandwidthGBps?: number;
}

export interface DramTransfer extends StreamTiming {
  bytes: number;
  bandwidthGBps: number;
  rows: RowBufferCounts;
}

/**
 * Time to move `ranges` (or `bytes` from address 0) between DRAM and a requester: requests are
 * the requestBytes-aligned blocks each range touches; every request has the mean access latency
 * of the ranges' row-buffer outcomes and occupies the bus for requestBytes / bandwidth.
 */
export function dramTransfer(dram: DramSpec, ranges: TransferRanges, options: DramTransferOptions): DramTransfer {
  const { requestBytes, concurrency } = options;
  if (!Number.isInteger(requestBytes) || requestBytes < 1)
    throw new RangeError(`requestBytes ${requestBytes} must be a positive integer`);
  const bw = options.bandwidthGBps ?? dram.bandwidthGBps;
  checkPositive(bw, "bandwidthGBps");
  const list = toRanges(ranges);
  const tracker = new RowBufferTracker(dram, options.accessBytes ?? requestBytes);
  let requests = 0;
  let bytes = 0;
  for (const r of list) {
    if (r.bytes === 0) continue;
    requests += Math.floor((r.addr + r.bytes - 1) / requestBytes) - Math.floor(r.addr / requestBytes) + 1;
    bytes += r.bytes;
    tracker.add(r.addr, r.bytes);
  }
  const rows = tracker.counts();
  const latency = dramAccessLatencyNs(dram, rows, { rowBuffer: options.rowBuffer });
  const s = streamTime(requests, concurrency, latency, requestBytes / bw);
  return { ...s, bytes, bandwidthGBps: bw, rows };
}

/** A range must be integers with 0 <= addr and addr + bytes <= 2^48 (the cache engine's limit). */
export function checkRange(addr: number, bytes: number): void {
  if (!Number.isInteger(addr) || addr < 0 || addr >= 2 ** 48)
    throw new RangeError(`address ${addr} must be an integer in [0, 2^48)`);
  if (!Number.isInteger(bytes) || bytes < 0 || addr + bytes > 2 ** 48)
    throw new RangeError(`bytes ${bytes} at address ${addr} must be a non-negative integer with addr + bytes <= 2^48`);
}

// ---------------------------------------------------------------------------------------------
// Sharing the bandwidth among concurrent streams
// ---------------------------------------------------------------------------------------------

/**
 * Max-min fair split of `totalGBps` among streams that each can use at most `demandsGBps[i]`
 * (Infinity: any amount). Streams asking less than an equal share get what they ask; the rest is
 * divided equally among the others (water filling). Shares never exceed demands and sum to
 * min(total, sum of demands).
 */
export function shareBandwidth(totalGBps: number, demandsGBps: readonly number[]): number[] {
  checkNonNegative(totalGBps, "totalGBps");
  for (const d of demandsGBps)
    if (!(d >= 0)) throw new RangeError(`bandwidth demand ${d} must be >= 0 (Infinity for unlimited)`);
  const order = demandsGBps.map((_, i) => i).sort((a, b) => demandsGBps[a] - demandsGBps[b] || a - b);
  const out = new Array<number>(demandsGBps.length).fill(0);
  let remaining = totalGBps;
  order.forEach((i, k) => {
    const fair = remaining / (order.length - k);
    const give = Math.min(demandsGBps[i], fair);
    out[i] = give;
    remaining -= give;
  });
  return out;
}

/** One stream competing for the bandwidth (see `sharedStreamFinishTimes`). */
export interface SharedStream {
  /** when it starts, ns (default 0) */
  startNs?: number;
  bytes: number;
  /** the most it can use alone, GB/s (default Infinity: limited only by the share) */
  maxGBps?: number;
}

/**
 * Finish times of streams that share `totalGBps` as a fluid: at every moment the active streams
 * (started, bytes left) split the bandwidth max-min fairly (`shareBandwidth`); the shares are
 * recomputed whenever a stream starts or finishes. A stream of 0 bytes finishes when it starts.
 */
export function sharedStreamFinishTimes(totalGBps: number, streams: readonly SharedStream[]): number[] {
  checkPositive(totalGBps, "totalGBps");
  const n = streams.length;
  const start = streams.map((s) => s.startNs ?? 0);
  const cap = streams.map((s) => s.maxGBps ?? Number.POSITIVE_INFINITY);
  const left = streams.map((s) => s.bytes);
  streams.forEach((s, i) => {
    checkNonNegative(start[i], `stream ${i} startNs`);
    checkNonNegative(s.bytes, `stream ${i} bytes`);
    if (!(cap[i] > 0)) throw new RangeError(`stream ${i} maxGBps ${cap[i]} must be > 0 (Infinity: unlimited)`);
  });
  const finish = new Array<number>(n).fill(Number.NaN);
  let now = 0;
  let done = 0;
  for (let i = 0; i < n; i++)
    if (left[i] === 0) {
      finish[i] = start[i];
      done++;
    }
  while (done < n) {
    const active: number[] = [];
    let nextStart = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(finish[i])) continue;
      if (start[i] <= now) active.push(i);
      else nextStart = Math.min(nextStart, start[i]);
    }
    if (active.length === 0) {
      now = nextStart;
      continue;
    }
    const rates = shareBandwidth(
      totalGBps,
      active.map((i) => cap[i]),
    );
    let dt = nextStart - now;
    active.forEach((i, k) => {
      dt = Math.min(dt, left[i] / rates[k]);
    });
    active.forEach((i, k) => {
      const moved = rates[k] * dt;
      // the stream that sets dt finishes exactly (no rounding residue)
      if (left[i] / rates[k] <= dt) {
        left[i] = 0;
        finish[i] = now + dt;
        done++;
      } else left[i] -= moved;
    });
    now += dt;
  }
  return finish;
}
