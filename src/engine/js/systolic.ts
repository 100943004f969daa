/**
 * The systolic-array simulator in plain TypeScript: the readable specification that the C++
 * (native/systolic.cpp) and AssemblyScript (assembly/systolic.ts) engines must match exactly.
 * docs/systolic.md explains the model and how it relates to SCALE-Sim v2.
 *
 * Mapping (SCALE-Sim v2)
 * ----------------------
 * A layer is three operand matrices: ifmap E x K, filter K x N, ofmap E x N (E ofmap pixels,
 * K the convolution window, N filters). On an R x C array the dataflow picks the spatial rows
 * Sr, spatial columns Sc and the streamed (temporal) dimension T:
 *   os: Sr = E, Sc = N, T = K      ws: Sr = K, Sc = N, T = E      is: Sr = K, Sc = E, T = N
 * and the array runs rowFolds = ceil(Sr / R) x colFolds = ceil(Sc / C) folds, column folds
 * outermost, each padded to the full array and taking P cycles without stalls:
 *   os: P = R + C + T - 2          ws, is: P = 2R + C + T - 2
 * A fold (fr, fc) uses rUsed = min(R, Sr - fr R) rows and cUsed = min(C, Sc - fc C) columns.
 *
 * Streams
 * -------
 * Within a fold every operand moves as a stream of rows, one row per cycle, at fixed offsets
 * from the fold's first cycle (progress p = fold * P + offset):
 *   operand          rows    words/row  first row at   tile shared by folds with the same
 *   os ifmap         T       rUsed      0              fr
 *   os filter        T       cUsed      0              fc
 *   ws ifmap         T       rUsed      R              fr
 *   ws filter        rUsed   cUsed      R - rUsed      (fr, fc): unique
 *   is ifmap         rUsed   cUsed      R - rUsed      (fr, fc): unique
 *   is filter        T       rUsed      R              fr
 *   ofmap (os)       rUsed   cUsed      P - rUsed      written, never re-read
 *   ofmap (ws, is)   T       cUsed      P - T          written, never re-read
 * (the stationary ws filter and is ifmap tiles enter the array one row per cycle before the
 * stream starts; the last ofmap row leaves in the fold's last cycle, as in SCALE-Sim's demand
 * matrices).
 *
 * Buffers and DRAM
 * ----------------
 * Each SRAM is two halves of H = floor(words / 2). Each operand has its own DRAM port moving
 * `bandwidthNum / bandwidthDen` words per cycle (SCALE-Sim gives each operand the configured
 * bandwidth); transfer(w) = ceil(w * den / num) cycles (0 when num = 0: unlimited), and a port
 * does one block at a time, in order.
 *
 * Read operands (ifmap, filter) are fetched in blocks of whole rows:
 *  - resident: when the whole operand matrix fits in one half (SCALE-Sim's active buffer), each
 *    tile is one block, fetched once, at its first use, back to back from cycle 0, never evicted;
 *  - otherwise a tile of at most H words is one block, kept while consecutive folds share it;
 *    a larger tile is streamed in blocks of max(1, floor(H / width)) rows.
 *  Non-resident blocks alternate between the two halves: block k starts fetching when block
 *  k - 2 has been released and the port is free (blocks 0 and 1 at cycle 0). A block is
 *  released at the progress after its last use. Within a block, row i (0-based) has arrived at
 *  start + transfer((i + 1) * width): the array may use a row as soon as it is in the SRAM.
 * The ofmap stream fills a half row by row (rows never split; at least one row per half); a full
 * half (or the last, at the end of the layer) is closed and drained to DRAM when the port is
 * free, while the other half fills. Writing the first row of block k needs block k - 2 drained.
 *
 * Time
 * ----
 * Progress p counts stall-free cycles; wall time is p + stalls(p), where stalls(p) is the least
 * non-decreasing total such that every row used at progress q <= p has arrived by q + stalls(q)
 * and every ofmap half is free when its first row is written. The simulation steps from event
 * to event (a block's first use "need", its "release", an ofmap half's "open" and "close") in
 * progress order: at equal progress, releases and closes come first, and see the stalls
 * required by the rows used before p; then needs, which see those used at p too. Between events
 * the stall a block requires is evaluated lazily at the next event: the row arrival times minus
 * their use times are monotone in the row index (non-decreasing when a row takes at least one
 * cycle to arrive, else non-increasing), so the latest (or first) row used so far binds. This
 * gives the same wall time at every event as stepping row by row. Each increase of the total is
 * charged to the operand that required it (ifmap, filter, then ofmap). After the last fold,
 * drainCycles is how long the last ofmap drain runs past the end of compute.
 *
 * All values are integers below 2^53 (the caller checks the bounds), where doubles are exact;
 * Math.floor of a quotient of such integers is the exact integer quotient.
 */
import { NUM_SYSTOLIC_LAYER, NUM_SYSTOLIC_PARAMS, NUM_SYSTOLIC_RESULTS } from "../types.js";

// Result offsets (see SYSTOLIC_RESULTS in ../types.ts).
const R_ROW_FOLDS = 0;
const R_COL_FOLDS = 1;
const R_PER_FOLD = 2;
const R_COMPUTE = 3;
const R_STALL = 4;
const R_DRAIN = 5;
const R_STALL_IFMAP = 6;
const R_MACS = 9;
const R_MAPPED = 10;
const R_SRAM_IFMAP = 11;
const R_SRAM_FILTER = 12;
const R_SRAM_OFMAP = 13;
const R_DRAM_IFMAP = 14;
const R_FILLS_IFMAP = 17;

const OS = 0;
const WS = 1;

/** Which folds share a read operand's tile. */
const KEY_ROW = 0; // tile depends on the row fold only
const KEY_COL = 1; // on the column fold only
const KEY_UNIQUE = 2; // on both: every fold has its own tile

const NEVER = Number.POSITIVE_INFINITY;

/** Layer-wide geometry shared by the three streams. */
class Layer {
  R = 0;
  C = 0;
  df = 0;
  Sr = 0;
  Sc = 0;
  T = 0;
  rowFolds = 0;
  colFolds = 0;
  folds = 0;
  P = 0;
  bwNum = 0;
  bwDen = 1;

  rUsed(fr: number): number {
    return Math.min(this.R, this.Sr - fr * this.R);
  }

  cUsed(fc: number): number {
    return Math.min(this.C, this.Sc - fc * this.C);
  }

  /** Cycles to move `words` over one port (0 with unlimited bandwidth). */
  transfer(words: number): number {
    if (this.bwNum === 0) return 0;
    return Math.floor((words * this.bwDen + this.bwNum - 1) / this.bwNum);
  }
}

/** A read operand (ifmap or filter): block generator, fetch scheduling, need/release events. */
class ReadStream {
  // configuration for the layer
  private streamed = false; // rows T (else the stationary rUsed rows)
  private widthIsRows = false; // words per row rUsed (else cUsed)
  private offsetR = false; // streamed rows start at R (else 0); stationary ones at R - rUsed
  private key = KEY_ROW;
  private resident = false;
  private half = 0;
  // generator position: fold, block within the fold's tile
  private f = 0;
  private j = 0;
  // ring of the current block and the two after it
  private words = [0, 0, 0];
  private rows = [0, 0, 0];
  private width = [0, 0, 0];
  private need = [0, 0, 0]; // progress of the first row
  private release = [0, 0, 0]; // progress after the last use
  private start = [0, 0, 0]; // cycle the fetch starts (-1: not scheduled yet)
  private count = 0; // blocks in the ring (0..3)
  private active = false; // block 0's first row has been needed; its release is next
  private portFree = 0;
  dramWords = 0;
  fills = 0;
  stalls = 0;

  constructor(private readonly L: Layer) {}

  /** Set up for a layer: `ifmap` selects the operand; `sramWords` its SRAM. */
  begin(ifmap: boolean, sramWords: number, matrixWords: number): void {
    const df = this.L.df;
    if (df === OS) {
      this.streamed = true;
      this.widthIsRows = ifmap;
      this.offsetR = false;
      this.key = ifmap ? KEY_ROW : KEY_COL;
    } else if ((df === WS) === ifmap) {
      // ws ifmap, is filter: streamed T rows of rUsed words from R, tile per row fold
      this.streamed = true;
      this.widthIsRows = true;
      this.offsetR = true;
      this.key = KEY_ROW;
    } else {
      // ws filter, is ifmap: stationary rUsed x cUsed tile, unique per fold
      this.streamed = false;
      this.widthIsRows = false;
      this.offsetR = false;
      this.key = KEY_UNIQUE;
    }
    this.half = Math.floor(sramWords / 2);
    this.resident = matrixWords <= this.half;
    this.f = 0;
    this.j = 0;
    this.count = 0;
    this.active = false;
    this.portFree = 0;
    this.dramWords = 0;
    this.fills = 0;
    this.stalls = 0;
    // fill the ring; blocks 0 and 1 (every block, if resident) can be fetched at once
    for (let k = 0; k < 3; k++) {
      if (!this.generate()) break;
      if (this.resident || k < 2) this.schedule(k, 0);
    }
  }

  /** Append the next block to the ring; false when the operand has no more blocks. */
  private generate(): boolean {
    const L = this.L;
    while (this.f < L.folds) {
      const f = this.f;
      const fr = f % L.rowFolds;
      const fc = Math.floor(f / L.rowFolds);
      const rUsed = L.rUsed(fr);
      const rows = this.streamed ? L.T : rUsed;
      const width = this.widthIsRows ? rUsed : L.cUsed(fc);
      const offset = this.streamed ? (this.offsetR ? L.R : 0) : L.R - rUsed;
      const base = f * L.P + offset;
      if (this.resident) {
        this.f++;
        const isNew = this.key === KEY_ROW ? fc === 0 : this.key === KEY_COL ? fr === 0 : true;
        if (isNew) {
          this.push(rows, width, base, base + rows);
          return true;
        }
        continue;
      }
      if (rows * width <= this.half) {
        this.f++;
        // kept from the previous fold?
        const reused = this.key === KEY_ROW ? L.rowFolds === 1 && f > 0 : this.key === KEY_COL && fr > 0;
        if (reused) continue;
        // held until the last of the consecutive folds sharing it
        let last = f;
        if (this.key === KEY_ROW && L.rowFolds === 1) last = L.folds - 1;
        else if (this.key === KEY_COL) last = fc * L.rowFolds + L.rowFolds - 1;
        this.push(rows, width, base, last * L.P + offset + rows);
        return true;
      }
      // a tile larger than a half streams through in blocks of whole rows
      const perBlock = Math.max(1, Math.floor(this.half / width));
      const first = this.j * perBlock;
      const take = Math.min(perBlock, rows - first);
      this.j++;
      if (first + take >= rows) {
        this.j = 0;
        this.f++;
      }
      this.push(take, width, base + first, base + first + take);
      return true;
    }
    return false;
  }

  private push(rows: number, width: number, need: number, release: number): void {
    const k = this.count++;
    this.words[k] = rows * width;
    this.rows[k] = rows;
    this.width[k] = width;
    this.need[k] = need;
    this.release[k] = release;
    this.start[k] = -1;
  }

  /** Start ring block k's fetch no earlier than cycle `earliest`, after the port's previous transfer. */
  private schedule(k: number, earliest: number): void {
    const start = Math.max(this.portFree, earliest);
    this.start[k] = start;
    this.portFree = start + this.L.transfer(this.words[k]);
    this.dramWords += this.words[k];
    this.fills++;
  }

  /** Progress of the next event (need or release), or NEVER when done. */
  nextProgress(): number {
    if (this.count === 0) return NEVER;
    return this.active ? this.release[0] : this.need[0];
  }

  /** Whether the next event is a release (processed before needs at equal progress). */
  nextIsRelease(): boolean {
    return this.active;
  }

  /** The need event: block 0's rows are used from now on. */
  activate(): void {
    this.active = true;
  }

  /**
   * The least total stall that the rows of the active block used at progress <= q require
   * (-1 if no block is active). Row i arrives at start + transfer((i + 1) * width) and is used
   * at progress need + i. When a row takes at least a cycle to arrive, the latest row used so far
   * binds; otherwise the first.
   */
  required(q: number): number {
    if (!this.active) return -1;
    const L = this.L;
    const w = this.width[0];
    const i = L.bwNum === 0 || w * L.bwDen < L.bwNum ? 0 : Math.min(q - this.need[0], this.rows[0] - 1);
    return this.start[0] + L.transfer((i + 1) * w) - (this.need[0] + i);
  }

  /** The release event at wall time `wall`: block 0's half is free for block 2. */
  releaseAt(wall: number): void {
    if (this.count === 3 && !this.resident) this.schedule(2, wall);
    this.active = false;
    for (let k = 0; k < 2; k++) {
      this.words[k] = this.words[k + 1];
      this.rows[k] = this.rows[k + 1];
      this.width[k] = this.width[k + 1];
      this.need[k] = this.need[k + 1];
      this.release[k] = this.release[k + 1];
      this.start[k] = this.start[k + 1];
    }
    this.count--;
    if (this.generate() && this.resident) this.schedule(this.count - 1, 0);
  }
}

/** The ofmap: rows written into a half, closed halves drained to DRAM. */
class WriteStream {
  private half = 0;
  // generator position: fold and row within it
  private f = 0;
  private i = 0;
  // the current block: words, progress of its first row (open) and after its last (close)
  private words = 0;
  private open = 0;
  private close = 0;
  private has = false;
  private atClose = false;
  // drain ends of the two previous blocks (k - 2, k - 1)
  private drainPrev2 = 0;
  private drainPrev1 = 0;
  private portFree = 0;
  dramWords = 0;
  drains = 0;
  stalls = 0;

  constructor(private readonly L: Layer) {}

  begin(sramWords: number): void {
    this.half = Math.floor(sramWords / 2);
    this.f = 0;
    this.i = 0;
    this.drainPrev2 = 0;
    this.drainPrev1 = 0;
    this.portFree = 0;
    this.dramWords = 0;
    this.drains = 0;
    this.stalls = 0;
    this.atClose = false;
    this.has = this.generate();
  }

  /** Cycle the last drain ends (0 if none). */
  lastDrainEnd(): number {
    return this.portFree;
  }

  /** Gather the next block's rows: whole rows while they fit in a half, across folds. */
  private generate(): boolean {
    const L = this.L;
    let words = 0;
    let first = true;
    while (this.f < L.folds) {
      const fr = this.f % L.rowFolds;
      const fc = Math.floor(this.f / L.rowFolds);
      const rows = L.df === OS ? L.rUsed(fr) : L.T;
      const width = L.cUsed(fc);
      const left = rows - this.i;
      let take = Math.min(left, Math.floor(Math.max(0, this.half - words) / width));
      if (first && take === 0) take = 1;
      if (take === 0) break;
      const p = this.f * L.P + L.P - rows + this.i;
      if (first) this.open = p;
      first = false;
      this.close = p + take;
      words += take * width;
      this.i += take;
      if (this.i === rows) {
        this.i = 0;
        this.f++;
      }
      if (take < left) break;
    }
    this.words = words;
    return !first;
  }

  nextProgress(): number {
    if (!this.has) return NEVER;
    return this.atClose ? this.close : this.open;
  }

  nextIsRelease(): boolean {
    return this.atClose;
  }

  /** The open event at progress p: the least total stall for the half to be free (drained of block k - 2). */
  openAt(p: number): number {
    this.atClose = true;
    return this.drainPrev2 - p;
  }

  /** The close event at wall time `wall`: the full half drains when the port is free. */
  closeAt(wall: number): void {
    const start = Math.max(this.portFree, wall);
    this.portFree = start + this.L.transfer(this.words);
    this.dramWords += this.words;
    this.drains++;
    this.drainPrev2 = this.drainPrev1;
    this.drainPrev1 = this.portFree;
    this.atClose = false;
    this.has = this.generate();
  }
}

/** One layer-at-a-time simulator (reused across the layers of a call). */
class SystolicSim {
  private readonly L = new Layer();
  private readonly ifmap = new ReadStream(this.L);
  private readonly filter = new ReadStream(this.L);
  private readonly ofmap = new WriteStream(this.L);

  run(params: Float64Array, E: number, K: number, N: number, out: Float64Array, o: number): void {
    const L = this.L;
    L.R = params[0];
    L.C = params[1];
    L.df = params[2];
    L.bwNum = params[6];
    L.bwDen = params[7];
    if (L.df === OS) {
      L.Sr = E;
      L.Sc = N;
      L.T = K;
    } else if (L.df === WS) {
      L.Sr = K;
      L.Sc = N;
      L.T = E;
    } else {
      L.Sr = K;
      L.Sc = E;
      L.T = N;
    }
    L.rowFolds = Math.floor((L.Sr + L.R - 1) / L.R);
    L.colFolds = Math.floor((L.Sc + L.C - 1) / L.C);
    L.folds = L.rowFolds * L.colFolds;
    L.P = (L.df === OS ? L.R : 2 * L.R) + L.C + L.T - 2;

    // stall-free figures (closed forms; see the table in the header)
    out[o + R_ROW_FOLDS] = L.rowFolds;
    out[o + R_COL_FOLDS] = L.colFolds;
    out[o + R_PER_FOLD] = L.P;
    out[o + R_COMPUTE] = L.folds * L.P;
    out[o + R_MACS] = E * K * N;
    out[o + R_MAPPED] = L.Sr * L.Sc;
    if (L.df === OS) {
      out[o + R_SRAM_IFMAP] = L.colFolds * E * K;
      out[o + R_SRAM_FILTER] = L.rowFolds * K * N;
      out[o + R_SRAM_OFMAP] = E * N;
    } else if (L.df === WS) {
      out[o + R_SRAM_IFMAP] = L.colFolds * E * K;
      out[o + R_SRAM_FILTER] = K * N;
      out[o + R_SRAM_OFMAP] = L.rowFolds * E * N;
    } else {
      out[o + R_SRAM_IFMAP] = E * K;
      out[o + R_SRAM_FILTER] = L.colFolds * K * N;
      out[o + R_SRAM_OFMAP] = L.rowFolds * E * N;
    }

    // the bandwidth-limited run, event by event
    const { ifmap, filter, ofmap } = this;
    ifmap.begin(true, params[3], E * K);
    filter.begin(false, params[4], K * N);
    ofmap.begin(params[5]);
    let stalls = 0;
    for (;;) {
      // the next event: least progress; releases/closes before needs; then ifmap, filter, ofmap
      let best = -1;
      let bestKey = NEVER;
      let p = ifmap.nextProgress();
      if (p !== NEVER) {
        bestKey = p * 2 + (ifmap.nextIsRelease() ? 0 : 1);
        best = 0;
      }
      p = filter.nextProgress();
      if (p !== NEVER) {
        const key = p * 2 + (filter.nextIsRelease() ? 0 : 1);
        if (key < bestKey) {
          bestKey = key;
          best = 1;
        }
      }
      p = ofmap.nextProgress();
      if (p !== NEVER) {
        const key = p * 2 + (ofmap.nextIsRelease() ? 0 : 1);
        if (key < bestKey) {
          bestKey = key;
          best = 2;
        }
      }
      if (best < 0) break;
      p = Math.floor(bestKey / 2);
      const isRelease = bestKey % 2 === 0;
      if (!isRelease && best === 0) ifmap.activate();
      else if (!isRelease && best === 1) filter.activate();
      // catch up: the stall every row used so far requires (through p - 1 before a release, p before a need)
      const q = isRelease ? p - 1 : p;
      let need = ifmap.required(q);
      if (need > stalls) {
        ifmap.stalls += need - stalls;
        stalls = need;
      }
      need = filter.required(q);
      if (need > stalls) {
        filter.stalls += need - stalls;
        stalls = need;
      }
      if (best === 2 && !isRelease) {
        need = ofmap.openAt(p);
        if (need > stalls) {
          ofmap.stalls += need - stalls;
          stalls = need;
        }
      }
      const wall = p + stalls;
      if (isRelease) {
        if (best === 0) ifmap.releaseAt(wall);
        else if (best === 1) filter.releaseAt(wall);
        else ofmap.closeAt(wall);
      }
    }
    const end = L.folds * L.P + stalls;
    out[o + R_STALL] = stalls;
    out[o + R_DRAIN] = Math.max(0, this.ofmap.lastDrainEnd() - end);
    out[o + R_STALL_IFMAP] = this.ifmap.stalls;
    out[o + R_STALL_IFMAP + 1] = this.filter.stalls;
    out[o + R_STALL_IFMAP + 2] = this.ofmap.stalls;
    out[o + R_DRAM_IFMAP] = this.ifmap.dramWords;
    out[o + R_DRAM_IFMAP + 1] = this.filter.dramWords;
    out[o + R_DRAM_IFMAP + 2] = this.ofmap.dramWords;
    out[o + R_FILLS_IFMAP] = this.ifmap.fills;
    out[o + R_FILLS_IFMAP + 1] = this.filter.fills;
    out[o + R_FILLS_IFMAP + 2] = this.ofmap.drains;
  }
}

/** The js engine's `simulateSystolic` (see Engine in ../types.ts). */
export function simulateSystolicJs(params: Float64Array, layers: Float64Array, count: number): Float64Array {
  if (params.length < NUM_SYSTOLIC_PARAMS) throw new RangeError("simulateSystolic: params too short");
  const out = new Float64Array(count * NUM_SYSTOLIC_RESULTS);
  const sim = new SystolicSim();
  for (let i = 0; i < count; i++) {
    const l = i * NUM_SYSTOLIC_LAYER;
    sim.run(params, layers[l], layers[l + 1], layers[l + 2], out, i * NUM_SYSTOLIC_RESULTS);
  }
  return out;
}
