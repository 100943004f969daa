/**
 * The cache-hierarchy simulator in AssemblyScript: an exact port of the specification in
 * src/engine/js/cache.ts (model, replacement rule, generators, order of events, counters).
 * Read that file first; this one only documents what differs in representation.
 *
 * One module instance simulates one hierarchy. All state lives in raw linear memory
 * (structure of arrays, allocated once by `init`), so the hot loop touches no managed objects:
 * - line numbers, tags, stamps, clocks and counters are u64; an invalid tag is 2^64 - 1
 *   (line numbers are < 2^48, so it never matches a real line);
 * - directory sharer masks are u32 (cores <= 32);
 * - set index = line & (sets - 1) (sets are powers of two, so this equals line % sets).
 *
 * Runs are passed in through a staging area of `batchCapacity` runs (addr f64, bytes f64,
 * op u8, requester u8) that JS fills through typed-array views; nothing is allocated after
 * `init`, so those views stay attached.
 */

// Counter offsets (see COUNTERS in src/engine/types.ts).
const L1_ACC: usize = 0;
const L1_HIT: usize = 1;
const L1_MISS: usize = 2;
const L1_EVICT: usize = 3;
const L1_WB: usize = 4;
const LLC_ACC: usize = 5;
const LLC_HIT: usize = 6;
const LLC_MISS: usize = 7;
const LLC_EVICT: usize = 8;
const LLC_WB: usize = 9;
const FL_LINES: usize = 10;
const FL_PRESENT: usize = 11;
const FL_DIRTY: usize = 12;
const INV_LINES: usize = 13;
const INV_PRESENT: usize = 14;
const INV_DIRTY: usize = 15;
const COH_WB: usize = 16;
const COH_INV: usize = 17;
const BACK_INV: usize = 18;
export const NUM_COUNTERS: i32 = 19;

const DIRTY: u32 = 1;
const EXCL: u32 = 2;
const INVALID: u64 = u64.MAX_VALUE;

const REPL_LRU: i32 = 0;
const REPL_RANDOM: i32 = 2;

// ---- configuration ----------------------------------------------------------------------

let cores: i32 = 0;
let lineBits: u64 = 0;
let l1Mask: u64 = 0;
let l1Ways: i32 = 0;
let l1Repl: i32 = 0;
let l1Slots: i32 = 0;
let llcMask: u64 = 0;
let llcWays: i32 = 0;
let llcRepl: i32 = 0;
let seed: u32 = 0;
let batchCap: i32 = 0;
let numCounters: i32 = 0;

// ---- state (pointers into linear memory) -------------------------------------------------

// L1s: core c owns slots [c * l1Slots, (c + 1) * l1Slots); slot = set * ways + way.
let l1Tag: usize = 0; // u64 per slot
let l1State: usize = 0; // u8 per slot
let l1Stamp: usize = 0; // u64 per slot
let l1Clock: usize = 0; // u64 per core
// LLC slot holding each valid L1 slot's line (inclusion keeps it there while the L1 copy lives)
let l1Llc: usize = 0; // u32 per slot
// LLC
let llcTag: usize = 0; // u64 per slot
let llcDirty: usize = 0; // u8 per slot
let llcSharers: usize = 0; // u32 per slot
let llcStamp: usize = 0; // u64 per slot
let llcClock: u64 = 0;
// generators: index c for core c's L1, index `cores` for the LLC
let rng: usize = 0; // u32 per cache
let cnt: usize = 0; // u64 counters
let cntOut: usize = 0; // f64 copy of the counters for JS
// staging area
let stAddr: usize = 0;
let stBytes: usize = 0;
let stOp: usize = 0;
let stReq: usize = 0;

let l1Total: i32 = 0;
let llcTotal: i32 = 0;

function allocZeroed(bytes: usize): usize {
  // heap.alloc aligns to 16 bytes (stub runtime); round sizes up for tidy layouts
  const size = (bytes + 15) & ~(<usize>15);
  const p = heap.alloc(size > 0 ? size : 16);
  memory.fill(p, 0, size);
  return p;
}

function seedFor(s: u32, cacheIndex: i32): u32 {
  const x = s ^ (<u32>0x9e3779b9 * <u32>(cacheIndex + 1));
  return x === 0 ? 1 : x;
}

/** Allocate all state for one hierarchy and the staging area; then reset. Call once. */
export function init(
  nCores: i32,
  nPorts: i32,
  nLineBits: i32,
  nL1Sets: i32,
  nL1Ways: i32,
  nL1Repl: i32,
  nLlcSets: i32,
  nLlcWays: i32,
  nLlcRepl: i32,
  nSeed: u32,
  batchCapacity: i32,
): void {
  cores = nCores;
  lineBits = <u64>nLineBits;
  l1Mask = <u64>(nL1Sets - 1);
  l1Ways = nL1Ways;
  l1Repl = nL1Repl;
  l1Slots = nL1Sets * nL1Ways;
  llcMask = <u64>(nLlcSets - 1);
  llcWays = nLlcWays;
  llcRepl = nLlcRepl;
  seed = nSeed;
  batchCap = batchCapacity;
  numCounters = (nCores + nPorts) * NUM_COUNTERS;

  l1Total = l1Slots * nCores;
  llcTotal = nLlcSets * nLlcWays;
  const l1n = <usize>l1Total;
  const llcn = <usize>llcTotal;
  l1Tag = allocZeroed(l1n << 3);
  l1Stamp = allocZeroed(l1n << 3);
  l1State = allocZeroed(l1n);
  l1Llc = allocZeroed(l1n << 2);
  l1Clock = allocZeroed((<usize>nCores) << 3);
  llcTag = allocZeroed(llcn << 3);
  llcStamp = allocZeroed(llcn << 3);
  llcSharers = allocZeroed(llcn << 2);
  llcDirty = allocZeroed(llcn);
  rng = allocZeroed((<usize>(nCores + 1)) << 2);
  cnt = allocZeroed((<usize>numCounters) << 3);
  cntOut = allocZeroed((<usize>numCounters) << 3);
  const cap = <usize>batchCapacity;
  stAddr = allocZeroed(cap << 3);
  stBytes = allocZeroed(cap << 3);
  stOp = allocZeroed(cap);
  stReq = allocZeroed(cap);
  reset();
}

/** Empty every cache, zero every counter, re-seed the generators. */
export function reset(): void {
  memory.fill(l1Tag, 0xff, (<usize>l1Total) << 3);
  memory.fill(l1State, 0, <usize>l1Total);
  memory.fill(l1Stamp, 0, (<usize>l1Total) << 3);
  memory.fill(l1Clock, 0, (<usize>cores) << 3);
  memory.fill(llcTag, 0xff, (<usize>llcTotal) << 3);
  memory.fill(llcDirty, 0, <usize>llcTotal);
  memory.fill(llcSharers, 0, (<usize>llcTotal) << 2);
  memory.fill(llcStamp, 0, (<usize>llcTotal) << 3);
  llcClock = 0;
  for (let k = 0; k <= cores; k++) store<u32>(rng + ((<usize>k) << 2), seedFor(seed, k));
  memory.fill(cnt, 0, (<usize>numCounters) << 3);
}

export function stagingAddr(): usize {
  return stAddr;
}
export function stagingBytes(): usize {
  return stBytes;
}
export function stagingOp(): usize {
  return stOp;
}
export function stagingRequester(): usize {
  return stReq;
}
export function counterCount(): i32 {
  return numCounters;
}

/** Write the counters as f64 into the export buffer and return its address. */
export function exportCounters(): usize {
  for (let i = 0; i < numCounters; i++) {
    const o = (<usize>i) << 3;
    store<f64>(cntOut + o, <f64>load<u64>(cnt + o));
  }
  return cntOut;
}

/** Simulate the first `count` staged runs, in order. */
export function run(count: i32): void {
  const n = min(count, batchCap);
  const lb = lineBits;
  for (let i = 0; i < n; i++) {
    const o = (<usize>i) << 3;
    const bytes = load<f64>(stBytes + o);
    if (bytes === 0) continue;
    const a = <u64>load<f64>(stAddr + o);
    const first = a >> lb;
    const last = (a + <u64>bytes - 1) >> lb;
    const op = <i32>load<u8>(stOp + <usize>i);
    const req = <i32>load<u8>(stReq + <usize>i);
    if (op <= 1) {
      const write = op === 1;
      if (req < cores) for (let line = first; line <= last; line++) coreAccess(req, line, write);
      else for (let line = first; line <= last; line++) portAccess(req, line, write);
    } else {
      const flush = op === 2;
      for (let line = first; line <= last; line++) drop(req, line, flush);
    }
  }
}

// ---- helpers -----------------------------------------------------------------------------

function inc(k: usize, idx: usize): void {
  const p = k + (idx << 3);
  store<u64>(p, load<u64>(p) + 1);
}

function counterBase(req: i32): usize {
  return cnt + ((<usize>(req * NUM_COUNTERS)) << 3);
}

function nextRandom(index: i32): u32 {
  const p = rng + ((<usize>index) << 2);
  let x = load<u32>(p);
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  store<u32>(p, x);
  return x;
}

/**
 * Index of the first of `ways` u64 words at p equal to x, or -1. WebAssembly SIMD (i64x2)
 * when `ways` is even, scalar otherwise.
 */
function findWord(p: usize, ways: i32, x: u64): i32 {
  if ((ways & 1) === 0) {
    const key = i64x2.splat(<i64>x);
    for (let w = 0; w < ways; w += 2) {
      const m = i64x2.bitmask(i64x2.eq(v128.load(p + ((<usize>w) << 3)), key));
      if (m !== 0) return w + <i32>ctz(m);
    }
    return -1;
  }
  for (let w = 0; w < ways; w++) if (load<u64>(p + ((<usize>w) << 3)) === x) return w;
  return -1;
}

/**
 * Index of the smallest of `ways` u64 stamps at p (lowest index on ties). Stamps are clock
 * values < 2^63, so the signed SIMD compare orders them correctly.
 */
function minWord(p: usize, ways: i32): i32 {
  if ((ways & 1) === 0) {
    let mn = v128.load(p);
    for (let w = 2; w < ways; w += 2) {
      const v = v128.load(p + ((<usize>w) << 3));
      mn = v128.bitselect(v, mn, i64x2.lt_s(v, mn));
    }
    const sw = i64x2.shuffle(mn, mn, 1, 0);
    const key = v128.bitselect(sw, mn, i64x2.lt_s(sw, mn)); // the minimum in both lanes
    for (let w = 0; w < ways; w += 2) {
      const m = i64x2.bitmask(i64x2.eq(v128.load(p + ((<usize>w) << 3)), key));
      if (m !== 0) return w + <i32>ctz(m);
    }
  }
  let best = 0;
  let bs = load<u64>(p);
  for (let w = 1; w < ways; w++) {
    const st = load<u64>(p + ((<usize>w) << 3));
    if (st < bs) {
      bs = st;
      best = w;
    }
  }
  return best;
}

/** Slot of `line` in core c's L1, or -1. */
function l1Find(c: i32, line: u64): i32 {
  const ways = l1Ways;
  const base = c * l1Slots + <i32>(line & l1Mask) * ways;
  const w = findWord(l1Tag + ((<usize>base) << 3), ways, line);
  return w < 0 ? -1 : base + w;
}

function llcFind(line: u64): i32 {
  const ways = llcWays;
  const base = <i32>(line & llcMask) * ways;
  const w = findWord(llcTag + ((<usize>base) << 3), ways, line);
  return w < 0 ? -1 : base + w;
}

function sharersAt(j: i32): u32 {
  return load<u32>(llcSharers + ((<usize>j) << 2));
}

function setSharers(j: i32, m: u32): void {
  store<u32>(llcSharers + ((<usize>j) << 2), m);
}

function l1Invalidate(i: i32): void {
  store<u64>(l1Tag + ((<usize>i) << 3), INVALID);
  store<u8>(l1State + <usize>i, 0);
}

// ---- core (through its L1) ---------------------------------------------------------------

function coreAccess(c: i32, line: u64, write: bool): void {
  const k = counterBase(c);
  inc(k, L1_ACC);
  const ways = l1Ways;
  const base = c * l1Slots + <i32>(line & l1Mask) * ways;
  const tp = l1Tag + ((<usize>base) << 3);
  const bit: u32 = (<u32>1) << (<u32>c);
  const hw = findWord(tp, ways, line);
  if (hw >= 0) {
    const hit = base + hw;
    inc(k, L1_HIT);
    if (l1Repl === REPL_LRU) {
      const cp = l1Clock + ((<usize>c) << 3);
      const clk = load<u64>(cp) + 1;
      store<u64>(cp, clk);
      store<u64>(l1Stamp + ((<usize>hit) << 3), clk);
    }
    if (write) {
      const sp = l1State + <usize>hit;
      if ((<u32>load<u8>(sp) & EXCL) === 0) {
        // Upgrade S -> M: the directory invalidates the other sharers.
        const j = <i32>load<u32>(l1Llc + ((<usize>hit) << 2));
        invalidateSharers(j, line, sharersAt(j) & ~bit, k);
        setSharers(j, bit);
      }
      store<u8>(sp, <u8>(EXCL | DIRTY));
    }
    return;
  }
  // miss: the first invalid way is the victim if there is one
  const inv = findWord(tp, ways, INVALID);
  inc(k, L1_MISS);
  // 1. free the L1 way
  let slot: i32;
  if (inv >= 0) {
    slot = base + inv;
  } else {
    // full set: random, or the smallest stamp (lowest index on ties)
    if (l1Repl === REPL_RANDOM) {
      slot = base + <i32>(nextRandom(c) % <u32>ways);
    } else {
      slot = base + minWord(l1Stamp + ((<usize>base) << 3), ways);
    }
    inc(k, L1_EVICT);
    const j = <i32>load<u32>(l1Llc + ((<usize>slot) << 2));
    if ((<u32>load<u8>(l1State + <usize>slot) & DIRTY) !== 0) {
      inc(k, L1_WB);
      store<u8>(llcDirty + <usize>j, 1);
    }
    setSharers(j, sharersAt(j) & ~bit);
    l1Invalidate(slot);
  }
  // 2. the LLC
  const j = llcAccess(c, line);
  // 3. coherence with the other cores
  const others = sharersAt(j) & ~bit;
  let state: u32;
  if (write) {
    invalidateSharers(j, line, others, k);
    setSharers(j, bit);
    state = EXCL | DIRTY;
  } else if (others !== 0) {
    downgradeSharers(j, line, others, k, true);
    setSharers(j, sharersAt(j) | bit);
    state = 0;
  } else {
    setSharers(j, bit);
    state = EXCL;
  }
  // 4. fill
  store<u64>(l1Tag + ((<usize>slot) << 3), line);
  store<u8>(l1State + <usize>slot, <u8>state);
  store<u32>(l1Llc + ((<usize>slot) << 2), <u32>j);
  const cp = l1Clock + ((<usize>c) << 3);
  const clk = load<u64>(cp) + 1;
  store<u64>(cp, clk);
  store<u64>(l1Stamp + ((<usize>slot) << 3), clk);
}

// ---- accelerator port (ACP, at the LLC) --------------------------------------------------

function portAccess(req: i32, line: u64, write: bool): void {
  const k = counterBase(req);
  const j = llcAccess(req, line);
  const sharers = sharersAt(j);
  if (sharers === 0) {
    if (write) store<u8>(llcDirty + <usize>j, 1);
    return;
  }
  if (write) {
    downgradeSharers(j, line, sharers, k, false);
    invalidateSharers(j, line, sharers, k);
    setSharers(j, 0);
    store<u8>(llcDirty + <usize>j, 1);
  } else {
    downgradeSharers(j, line, sharers, k, false);
  }
}

// ---- shared pieces -----------------------------------------------------------------------

/** Access the LLC for `req` (counter base k); on a miss fetch into a victim way. Returns the slot. */
function llcAccess(req: i32, line: u64): i32 {
  const k = counterBase(req);
  inc(k, LLC_ACC);
  const ways = llcWays;
  const base = <i32>(line & llcMask) * ways;
  const tp = llcTag + ((<usize>base) << 3);
  const hw = findWord(tp, ways, line);
  if (hw >= 0) {
    const hit = base + hw;
    inc(k, LLC_HIT);
    if (llcRepl === REPL_LRU) store<u64>(llcStamp + ((<usize>hit) << 3), ++llcClock);
    return hit;
  }
  const inv = findWord(tp, ways, INVALID);
  inc(k, LLC_MISS);
  let slot: i32;
  if (inv >= 0) {
    slot = base + inv;
  } else {
    // full set: as in coreAccess
    if (llcRepl === REPL_RANDOM) {
      slot = base + <i32>(nextRandom(cores) % <u32>ways);
    } else {
      slot = base + minWord(llcStamp + ((<usize>base) << 3), ways);
    }
    const old = load<u64>(llcTag + ((<usize>slot) << 3));
    inc(k, LLC_EVICT);
    let dirty = <u32>load<u8>(llcDirty + <usize>slot);
    let m = sharersAt(slot);
    while (m !== 0) {
      const s = <i32>ctz(m);
      m &= m - 1;
      const i = l1Find(s, old);
      dirty |= <u32>load<u8>(l1State + <usize>i) & DIRTY;
      l1Invalidate(i);
      inc(k, BACK_INV);
    }
    if (dirty !== 0) inc(k, LLC_WB);
  }
  store<u64>(llcTag + ((<usize>slot) << 3), line);
  store<u8>(llcDirty + <usize>slot, 0);
  setSharers(slot, 0);
  store<u64>(llcStamp + ((<usize>slot) << 3), ++llcClock);
  return slot;
}

/** Invalidate the L1 copies of `line` held by the cores in `mask` (coherence invalidations). */
function invalidateSharers(j: i32, line: u64, mask: u32, k: usize): void {
  if (mask === 0) return;
  let m = mask;
  while (m !== 0) {
    const s = <i32>ctz(m);
    m &= m - 1;
    l1Invalidate(l1Find(s, line));
    inc(k, COH_INV);
  }
  setSharers(j, sharersAt(j) & ~mask);
}

/** Dirty copies held by cores in `mask` are written back into the LLC; with toShared, all lose EXCL. */
function downgradeSharers(j: i32, line: u64, mask: u32, k: usize, toShared: bool): void {
  let m = mask;
  while (m !== 0) {
    const s = <i32>ctz(m);
    m &= m - 1;
    const i = l1Find(s, line);
    const sp = l1State + <usize>i;
    let st = <u32>load<u8>(sp);
    if ((st & DIRTY) !== 0) {
      inc(k, COH_WB);
      store<u8>(llcDirty + <usize>j, 1);
      st &= ~DIRTY;
    }
    if (toShared) st &= ~EXCL;
    store<u8>(sp, <u8>st);
  }
}

/** Flush (write back + invalidate) or invalidate `line` everywhere, on behalf of `req`. */
function drop(req: i32, line: u64, flush: bool): void {
  const k = counterBase(req);
  inc(k, flush ? FL_LINES : INV_LINES);
  const j = llcFind(line);
  if (j < 0) return; // inclusion: no L1 has it either
  let dirty = <u32>load<u8>(llcDirty + <usize>j);
  let m = sharersAt(j);
  while (m !== 0) {
    const s = <i32>ctz(m);
    m &= m - 1;
    const i = l1Find(s, line);
    dirty |= <u32>load<u8>(l1State + <usize>i) & DIRTY;
    l1Invalidate(i);
  }
  inc(k, flush ? FL_PRESENT : INV_PRESENT);
  if (dirty !== 0) inc(k, flush ? FL_DIRTY : INV_DIRTY);
  store<u64>(llcTag + ((<usize>j) << 3), INVALID);
  store<u8>(llcDirty + <usize>j, 0);
  setSharers(j, 0);
  store<u64>(llcStamp + ((<usize>j) << 3), 0);
}
