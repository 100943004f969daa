/**
 * The cache-hierarchy simulator in plain TypeScript: the readable specification that the C++
 * (native/cache_sim.hpp) and AssemblyScript (assembly/cache.ts) engines must match exactly.
 *
 * Model
 * -----
 * - `cores` private L1D caches and one shared LLC, all with the same line size.
 * - The LLC is inclusive and holds a directory: per line, a bit mask of the cores whose L1 has
 *   it. Every valid L1 line is present in the LLC with its core's bit set; an LLC eviction
 *   back-invalidates the L1 copies (their dirty data goes to DRAM with the line).
 * - L1 line states are MESI without a separate "I" flag (invalid = tag -1):
 *   shared (S: clean, others may hold it), exclusive (E: EXCL), modified (M: EXCL|DIRTY).
 * - Write-back, write-allocate everywhere. A write miss fetches the line (read for ownership).
 * - Accelerator ports (requesters cores..cores+ports-1) enter at the LLC (ACP): one-way coherent.
 *   An ACP read of a line dirty in an L1 makes that core write it back to the LLC (the core keeps
 *   a clean copy); an ACP write makes dirty L1 copies write back and invalidates all L1 copies.
 *   ACP misses allocate in the LLC like any other miss.
 * - Flush (clflush-like, any requester): dirty data anywhere goes to DRAM once, every copy is
 *   invalidated. Invalidate: every copy is dropped, dirty data is discarded.
 * - Flushes and invalidations are not cache accesses and do not touch replacement state.
 *
 * Replacement within a set: an invalid way if there is one (lowest index first); otherwise
 * LRU or FIFO evict the way with the smallest stamp (stamps come from a per-cache clock that
 * advances on every fill, and on every hit for LRU); random picks `xorshift32() % ways` from the
 * cache's own generator. Generator of cache k (L1 of core k, LLC is k = cores) starts at
 * `(seed ^ imul(0x9E3779B9, k + 1)) >>> 0`, or 1 if that is 0.
 *
 * Order of events for a core access that misses in L1 (all engines follow it exactly):
 *   1. choose the L1 victim way and evict it (write back to the LLC if dirty, clear the core's
 *      directory bit);
 *   2. access the LLC (on a miss: choose and evict the LLC victim with back-invalidation, then fill);
 *   3. resolve coherence with the other cores' copies;
 *   4. fill the L1 way chosen in step 1.
 */
import { type CacheCore, type CacheParams, NUM_COUNTERS, Repl, type RunArrays } from "../types.js";

// Counter offsets (see COUNTERS in ../types.ts).
const L1_ACC = 0;
const L1_HIT = 1;
const L1_MISS = 2;
const L1_EVICT = 3;
const L1_WB = 4;
const LLC_ACC = 5;
const LLC_HIT = 6;
const LLC_MISS = 7;
const LLC_EVICT = 8;
const LLC_WB = 9;
const FL_LINES = 10;
const FL_PRESENT = 11;
const FL_DIRTY = 12;
const INV_LINES = 13;
const INV_PRESENT = 14;
const INV_DIRTY = 15;
const COH_WB = 16;
const COH_INV = 17;
const BACK_INV = 18;

const DIRTY = 1;
const EXCL = 2;
const INVALID = -1;

/** xorshift32 step (Marsaglia 2003, shifts 13/17/5); returns the new uint32 state. */
export function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** Index of the lowest set bit of a non-zero 32-bit mask. */
const lowestBit = (m: number): number => 31 - Math.clz32(m & -m);

export function seedFor(seed: number, cacheIndex: number): number {
  const s = (seed ^ Math.imul(0x9e3779b9, cacheIndex + 1)) >>> 0;
  return s === 0 ? 1 : s;
}

export class JsCacheCore implements CacheCore {
  private readonly p: CacheParams;
  private readonly lineBytes: number;
  // geometry hoisted out of `p` for the hot paths; set index = line & mask (sets are powers of two,
  // and `&` reduces any integer below 2^53 modulo 2^32 exactly, so lines above 2^32 are fine)
  private readonly cores: number;
  private readonly l1Mask: number;
  private readonly l1Ways: number;
  private readonly l1Lru: boolean;
  private readonly l1Random: boolean;
  private readonly llcMask: number;
  private readonly llcWays: number;
  private readonly llcLru: boolean;
  private readonly llcRandom: boolean;
  // L1s: core c owns slots [c * l1Slots, (c + 1) * l1Slots); slot = set * ways + way.
  private readonly l1Slots: number;
  private readonly l1Tag: Float64Array;
  private readonly l1State: Uint8Array;
  private readonly l1Stamp: Float64Array;
  private readonly l1Clock: Float64Array;
  /** the LLC slot holding each valid L1 line (stable while the L1 line lives, by inclusion) */
  private readonly l1Home: Int32Array;
  // LLC
  private readonly llcTag: Float64Array;
  private readonly llcDirty: Uint8Array;
  private readonly llcSharers: Uint32Array;
  private readonly llcStamp: Float64Array;
  private llcClock = 0;
  // generators: index c for core c's L1, index `cores` for the LLC
  private readonly rng: Uint32Array;
  private readonly cnt: Float64Array;

  constructor(params: CacheParams) {
    this.p = { ...params };
    this.lineBytes = 2 ** params.lineBits;
    this.cores = params.cores;
    this.l1Mask = params.l1Sets - 1;
    this.l1Ways = params.l1Ways;
    this.l1Lru = params.l1Repl === Repl.lru;
    this.l1Random = params.l1Repl === Repl.random;
    this.llcMask = params.llcSets - 1;
    this.llcWays = params.llcWays;
    this.llcLru = params.llcRepl === Repl.lru;
    this.llcRandom = params.llcRepl === Repl.random;
    this.l1Slots = params.l1Sets * params.l1Ways;
    const l1Total = this.l1Slots * params.cores;
    this.l1Tag = new Float64Array(l1Total);
    this.l1State = new Uint8Array(l1Total);
    this.l1Stamp = new Float64Array(l1Total);
    this.l1Clock = new Float64Array(params.cores);
    this.l1Home = new Int32Array(l1Total);
    const llcTotal = params.llcSets * params.llcWays;
    this.llcTag = new Float64Array(llcTotal);
    this.llcDirty = new Uint8Array(llcTotal);
    this.llcSharers = new Uint32Array(llcTotal);
    this.llcStamp = new Float64Array(llcTotal);
    this.rng = new Uint32Array(params.cores + 1);
    this.cnt = new Float64Array((params.cores + params.ports) * NUM_COUNTERS);
    this.reset();
  }

  reset(): void {
    this.l1Tag.fill(INVALID);
    this.l1State.fill(0);
    this.l1Stamp.fill(0);
    this.l1Clock.fill(0);
    this.llcTag.fill(INVALID);
    this.llcDirty.fill(0);
    this.llcSharers.fill(0);
    this.llcStamp.fill(0);
    this.llcClock = 0;
    for (let k = 0; k <= this.p.cores; k++) this.rng[k] = seedFor(this.p.seed, k);
    this.cnt.fill(0);
  }

  dispose(): void {}

  readCounters(out: Float64Array): void {
    out.set(this.cnt);
  }

  run(b: RunArrays): void {
    const lineBytes = this.lineBytes;
    const cores = this.cores;
    for (let i = 0; i < b.count; i++) {
      const bytes = b.bytes[i];
      if (bytes === 0) continue;
      const first = Math.floor(b.addr[i] / lineBytes);
      const last = Math.floor((b.addr[i] + bytes - 1) / lineBytes);
      const op = b.op[i];
      const req = b.requester[i];
      if (op <= 1) {
        const write = op === 1;
        if (req < cores) for (let line = first; line <= last; line++) this.coreAccess(req, line, write);
        else for (let line = first; line <= last; line++) this.portAccess(req, line, write);
      } else {
        const flush = op === 2;
        for (let line = first; line <= last; line++) this.drop(req, line, flush);
      }
    }
  }

  // ---- lookups -------------------------------------------------------------------------

  /** Slot of `line` in core c's L1, or -1. */
  private l1Find(c: number, line: number): number {
    const ways = this.l1Ways;
    const base = c * this.l1Slots + (line & this.l1Mask) * ways;
    const tags = this.l1Tag;
    for (let i = base; i < base + ways; i++) if (tags[i] === line) return i;
    return -1;
  }

  private llcFind(line: number): number {
    const ways = this.llcWays;
    const base = (line & this.llcMask) * ways;
    const tags = this.llcTag;
    for (let i = base; i < base + ways; i++) if (tags[i] === line) return i;
    return -1;
  }

  /**
   * Search the set of `ways` slots starting at `base` for `line`. A hit returns its slot (>= 0).
   * A miss returns -1 - v, where v is the slot to fill by the replacement rule: the first invalid
   * way, else the smallest stamp (LRU, FIFO), else `xorshift32() % ways` (random; the generator
   * advances only here, when the set is full). One pass serves both lookup and victim choice.
   */
  private probe(
    tags: Float64Array,
    stamps: Float64Array,
    base: number,
    ways: number,
    line: number,
    random: boolean,
    rngIndex: number,
  ): number {
    let free = -1;
    let oldest = base;
    let oldestStamp = Number.POSITIVE_INFINITY;
    const end = base + ways;
    for (let i = base; i < end; i++) {
      const t = tags[i];
      if (t === line) return i;
      if (t === INVALID) {
        if (free < 0) free = i;
      } else if (stamps[i] < oldestStamp) {
        oldest = i;
        oldestStamp = stamps[i];
      }
    }
    if (free >= 0) return -1 - free;
    if (random) {
      const x = xorshift32(this.rng[rngIndex]);
      this.rng[rngIndex] = x;
      return -1 - (base + (x % ways));
    }
    return -1 - oldest;
  }

  // ---- core (through its L1) -----------------------------------------------------------

  private coreAccess(c: number, line: number, write: boolean): void {
    const cnt = this.cnt;
    const k = c * NUM_COUNTERS;
    cnt[k + L1_ACC]++;
    const ways = this.l1Ways;
    const hit = this.probe(
      this.l1Tag,
      this.l1Stamp,
      c * this.l1Slots + (line & this.l1Mask) * ways,
      ways,
      line,
      this.l1Random,
      c,
    );
    if (hit >= 0) {
      cnt[k + L1_HIT]++;
      if (this.l1Lru) this.l1Stamp[hit] = ++this.l1Clock[c];
      if (write) {
        if ((this.l1State[hit] & EXCL) === 0) {
          // Upgrade S -> M: the directory invalidates the other sharers (clean, since shared).
          const j = this.l1Home[hit];
          this.invalidateSharers(j, line, this.llcSharers[j] & ~(1 << c), k);
          this.llcSharers[j] = (1 << c) >>> 0;
        }
        this.l1State[hit] = EXCL | DIRTY;
      }
      return;
    }
    cnt[k + L1_MISS]++;
    // 1. free the L1 way
    const slot = -1 - hit;
    if (this.l1Tag[slot] !== INVALID) {
      cnt[k + L1_EVICT]++;
      const j = this.l1Home[slot];
      if ((this.l1State[slot] & DIRTY) !== 0) {
        cnt[k + L1_WB]++;
        this.llcDirty[j] = 1;
      }
      this.llcSharers[j] = (this.llcSharers[j] & ~(1 << c)) >>> 0;
      this.l1Tag[slot] = INVALID;
      this.l1State[slot] = 0;
    }
    // 2. the LLC
    const j = this.llcAccess(c, line);
    // 3. coherence with the other cores
    const others = this.llcSharers[j] & ~(1 << c);
    let state: number;
    if (write) {
      // Read for ownership: other copies are invalidated; a dirty one hands its data over,
      // so the line stays dirty in this core's L1 and no write-back happens.
      this.invalidateSharers(j, line, others, k);
      this.llcSharers[j] = (1 << c) >>> 0;
      state = EXCL | DIRTY;
    } else if (others !== 0) {
      this.downgradeSharers(j, line, others, k, true);
      this.llcSharers[j] = (this.llcSharers[j] | (1 << c)) >>> 0;
      state = 0;
    } else {
      this.llcSharers[j] = (1 << c) >>> 0;
      state = EXCL;
    }
    // 4. fill
    this.l1Tag[slot] = line;
    this.l1State[slot] = state;
    this.l1Stamp[slot] = ++this.l1Clock[c];
    this.l1Home[slot] = j;
  }

  // ---- accelerator port (ACP, at the LLC) ----------------------------------------------

  private portAccess(req: number, line: number, write: boolean): void {
    const k = req * NUM_COUNTERS;
    const j = this.llcAccess(req, line);
    const sharers = this.llcSharers[j];
    if (sharers === 0) {
      if (write) this.llcDirty[j] = 1;
      return;
    }
    if (write) {
      // dirty copies merge into the LLC first, then every private copy is invalidated
      this.downgradeSharers(j, line, sharers, k, false);
      this.invalidateSharers(j, line, sharers, k);
      this.llcSharers[j] = 0;
      this.llcDirty[j] = 1;
    } else {
      // the accelerator does not cache, so a core keeps its (now clean) exclusive copy
      this.downgradeSharers(j, line, sharers, k, false);
    }
  }

  // ---- shared pieces -------------------------------------------------------------------

  /** Access the LLC for `req`; on a miss fetch from DRAM into a victim way. Returns the slot. */
  private llcAccess(req: number, line: number): number {
    const cnt = this.cnt;
    const k = req * NUM_COUNTERS;
    cnt[k + LLC_ACC]++;
    const ways = this.llcWays;
    const hit = this.probe(
      this.llcTag,
      this.llcStamp,
      (line & this.llcMask) * ways,
      ways,
      line,
      this.llcRandom,
      this.cores,
    );
    if (hit >= 0) {
      cnt[k + LLC_HIT]++;
      if (this.llcLru) this.llcStamp[hit] = ++this.llcClock;
      return hit;
    }
    cnt[k + LLC_MISS]++;
    const slot = -1 - hit;
    const old = this.llcTag[slot];
    if (old !== INVALID) {
      cnt[k + LLC_EVICT]++;
      let dirty = this.llcDirty[slot];
      for (let m = this.llcSharers[slot]; m !== 0; m &= m - 1) {
        const i = this.l1Find(lowestBit(m), old);
        dirty |= this.l1State[i] & DIRTY;
        this.l1Tag[i] = INVALID;
        this.l1State[i] = 0;
        cnt[k + BACK_INV]++;
      }
      if (dirty !== 0) cnt[k + LLC_WB]++;
    }
    this.llcTag[slot] = line;
    this.llcDirty[slot] = 0;
    this.llcSharers[slot] = 0;
    this.llcStamp[slot] = ++this.llcClock;
    return slot;
  }

  /** Invalidate the L1 copies of `line` held by the cores in `mask`; counts coherence invalidations for counter base k. */
  private invalidateSharers(j: number, line: number, mask: number, k: number): void {
    if (mask === 0) return;
    for (let m = mask; m !== 0; m &= m - 1) {
      const i = this.l1Find(lowestBit(m), line);
      this.l1Tag[i] = INVALID;
      this.l1State[i] = 0;
      this.cnt[k + COH_INV]++;
    }
    this.llcSharers[j] = (this.llcSharers[j] & ~mask) >>> 0;
  }

  /**
   * Cores in `mask` that hold `line` dirty write it back into the LLC (counted as coherence
   * write-backs for counter base k). With `toShared`, every copy also loses exclusivity
   * (another core is about to share the line).
   */
  private downgradeSharers(j: number, line: number, mask: number, k: number, toShared: boolean): void {
    for (let m = mask; m !== 0; m &= m - 1) {
      const i = this.l1Find(lowestBit(m), line);
      let st = this.l1State[i];
      if ((st & DIRTY) !== 0) {
        this.cnt[k + COH_WB]++;
        this.llcDirty[j] = 1;
        st &= ~DIRTY;
      }
      if (toShared) st &= ~EXCL;
      this.l1State[i] = st;
    }
  }

  /** Flush (write back + invalidate) or invalidate `line` everywhere, on behalf of `req`. */
  private drop(req: number, line: number, flush: boolean): void {
    const cnt = this.cnt;
    const k = req * NUM_COUNTERS;
    cnt[k + (flush ? FL_LINES : INV_LINES)]++;
    const j = this.llcFind(line);
    if (j < 0) return; // inclusion: no L1 has it either
    let dirty = this.llcDirty[j];
    for (let m = this.llcSharers[j]; m !== 0; m &= m - 1) {
      const i = this.l1Find(lowestBit(m), line);
      dirty |= this.l1State[i] & DIRTY;
      this.l1Tag[i] = INVALID;
      this.l1State[i] = 0;
    }
    cnt[k + (flush ? FL_PRESENT : INV_PRESENT)]++;
    if (dirty !== 0) cnt[k + (flush ? FL_DIRTY : INV_DIRTY)]++;
    this.llcTag[j] = INVALID;
    this.llcDirty[j] = 0;
    this.llcSharers[j] = 0;
    this.llcStamp[j] = 0;
  }
}
