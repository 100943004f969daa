/**
 * The systolic-array simulator in AssemblyScript: an exact port of the specification in
 * src/engine/js/systolic.ts (mapping, streams, blocks, event order, results). Read that file
 * first; this one only documents what differs in representation.
 *
 * - All quantities are i64 (the caller keeps them below 2^51); results are written as f64.
 * - The stream objects (and each read stream's block ring, six i64 fields x three slots in raw
 *   memory) are allocated once, when the module starts; `systolicInit` allocates the staging
 *   areas (params, layers, results) once, so the JS views of them stay attached.
 * - "Never" (the next event of an exhausted stream) is i64.MAX_VALUE.
 */

// Result offsets (SYSTOLIC_RESULTS in src/engine/types.ts).
export const SYSTOLIC_NUM_RESULTS: i32 = 20;
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
const NUM_PARAMS: i32 = 8;
const NUM_LAYER: i32 = 3;

const OS: i32 = 0;
const WS: i32 = 1;

const KEY_ROW: i32 = 0;
const KEY_COL: i32 = 1;
const KEY_UNIQUE: i32 = 2;

const NEVER: i64 = i64.MAX_VALUE;

// Fields of a read stream's block ring (ReadStream.ring): field f of slot k is at (f * 3 + k) * 8.
const WORDS: i32 = 0;
const ROWS: i32 = 1;
const WIDTH: i32 = 2;
const NEED: i32 = 3;
const RELEASE: i32 = 4;
const START: i32 = 5;
const RING_FIELDS: usize = 6;

function min64(a: i64, b: i64): i64 {
  return a < b ? a : b;
}
function max64(a: i64, b: i64): i64 {
  return a > b ? a : b;
}

// ---- layer geometry (globals: one layer at a time) -------------------------------------------

let R: i64 = 0;
let C: i64 = 0;
let df: i32 = 0;
let Sr: i64 = 0;
let Sc: i64 = 0;
let T: i64 = 0;
let rowFolds: i64 = 0;
let colFolds: i64 = 0;
let folds: i64 = 0;
let P: i64 = 0;
let bwNum: i64 = 0;
let bwDen: i64 = 1;

function rUsed(fr: i64): i64 {
  return min64(R, Sr - fr * R);
}
function cUsed(fc: i64): i64 {
  return min64(C, Sc - fc * C);
}
function transfer(words: i64): i64 {
  if (bwNum === 0) return 0;
  return (words * bwDen + bwNum - 1) / bwNum;
}

class ReadStream {
  streamed: bool = false;
  widthIsRows: bool = false;
  offsetR: bool = false;
  key: i32 = KEY_ROW;
  resident: bool = false;
  half: i64 = 0;
  f: i64 = 0;
  j: i64 = 0;
  // ring of the current block and the two after it: RING_FIELDS i64 fields x 3 slots, raw memory
  ring: usize = heap.alloc(RING_FIELDS * 3 * 8);
  count: i32 = 0;
  active: bool = false;
  portFree: i64 = 0;
  dramWords: i64 = 0;
  fills: i64 = 0;
  stalls: i64 = 0;

  get(field: i32, k: i32): i64 {
    return load<i64>(this.ring + ((<usize>(field * 3 + k)) << 3));
  }

  set(field: i32, k: i32, v: i64): void {
    store<i64>(this.ring + ((<usize>(field * 3 + k)) << 3), v);
  }

  begin(ifmap: bool, sramWords: i64, matrixWords: i64): void {
    if (df === OS) {
      this.streamed = true;
      this.widthIsRows = ifmap;
      this.offsetR = false;
      this.key = ifmap ? KEY_ROW : KEY_COL;
    } else if ((df === WS) === ifmap) {
      this.streamed = true;
      this.widthIsRows = true;
      this.offsetR = true;
      this.key = KEY_ROW;
    } else {
      this.streamed = false;
      this.widthIsRows = false;
      this.offsetR = false;
      this.key = KEY_UNIQUE;
    }
    this.half = sramWords / 2;
    this.resident = matrixWords <= this.half;
    this.f = 0;
    this.j = 0;
    this.count = 0;
    this.active = false;
    this.portFree = 0;
    this.dramWords = 0;
    this.fills = 0;
    this.stalls = 0;
    for (let k = 0; k < 3; k++) {
      if (!this.generate()) break;
      if (this.resident || k < 2) this.schedule(k, 0);
    }
  }

  generate(): bool {
    while (this.f < folds) {
      const f = this.f;
      const fr = f % rowFolds;
      const fc = f / rowFolds;
      const ru = rUsed(fr);
      const rows = this.streamed ? T : ru;
      const width = this.widthIsRows ? ru : cUsed(fc);
      const offset = this.streamed ? (this.offsetR ? R : 0) : R - ru;
      const base = f * P + offset;
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
        const reused = this.key === KEY_ROW ? rowFolds === 1 && f > 0 : this.key === KEY_COL && fr > 0;
        if (reused) continue;
        let last = f;
        if (this.key === KEY_ROW && rowFolds === 1) last = folds - 1;
        else if (this.key === KEY_COL) last = fc * rowFolds + rowFolds - 1;
        this.push(rows, width, base, last * P + offset + rows);
        return true;
      }
      const perBlock = max64(1, this.half / width);
      const first = this.j * perBlock;
      const take = min64(perBlock, rows - first);
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

  push(rows: i64, width: i64, need: i64, release: i64): void {
    const k = this.count++;
    this.set(WORDS, k, rows * width);
    this.set(ROWS, k, rows);
    this.set(WIDTH, k, width);
    this.set(NEED, k, need);
    this.set(RELEASE, k, release);
    this.set(START, k, -1);
  }

  schedule(k: i32, earliest: i64): void {
    const start = max64(this.portFree, earliest);
    const w = this.get(WORDS, k);
    this.set(START, k, start);
    this.portFree = start + transfer(w);
    this.dramWords += w;
    this.fills++;
  }

  nextProgress(): i64 {
    if (this.count === 0) return NEVER;
    return this.active ? this.get(RELEASE, 0) : this.get(NEED, 0);
  }

  required(q: i64): i64 {
    if (!this.active) return -1;
    const w = this.get(WIDTH, 0);
    const n = this.get(NEED, 0);
    const i = bwNum === 0 || w * bwDen < bwNum ? 0 : min64(q - n, this.get(ROWS, 0) - 1);
    return this.get(START, 0) + transfer((i + 1) * w) - (n + i);
  }

  releaseAt(wall: i64): void {
    if (this.count === 3 && !this.resident) this.schedule(2, wall);
    this.active = false;
    for (let k = 0; k < 2; k++) {
      this.set(WORDS, k, this.get(WORDS, k + 1));
      this.set(ROWS, k, this.get(ROWS, k + 1));
      this.set(WIDTH, k, this.get(WIDTH, k + 1));
      this.set(NEED, k, this.get(NEED, k + 1));
      this.set(RELEASE, k, this.get(RELEASE, k + 1));
      this.set(START, k, this.get(START, k + 1));
    }
    this.count--;
    if (this.generate() && this.resident) this.schedule(this.count - 1, 0);
  }
}

class WriteStream {
  half: i64 = 0;
  f: i64 = 0;
  i: i64 = 0;
  words: i64 = 0;
  open: i64 = 0;
  close: i64 = 0;
  has: bool = false;
  atClose: bool = false;
  drainPrev2: i64 = 0;
  drainPrev1: i64 = 0;
  portFree: i64 = 0;
  dramWords: i64 = 0;
  drains: i64 = 0;
  stalls: i64 = 0;

  begin(sramWords: i64): void {
    this.half = sramWords / 2;
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

  generate(): bool {
    let words: i64 = 0;
    let first = true;
    while (this.f < folds) {
      const fr = this.f % rowFolds;
      const fc = this.f / rowFolds;
      const rows = df === OS ? rUsed(fr) : T;
      const width = cUsed(fc);
      const left = rows - this.i;
      let take = min64(left, max64(0, this.half - words) / width);
      if (first && take === 0) take = 1;
      if (take === 0) break;
      const p = this.f * P + P - rows + this.i;
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

  nextProgress(): i64 {
    if (!this.has) return NEVER;
    return this.atClose ? this.close : this.open;
  }

  openAt(p: i64): i64 {
    this.atClose = true;
    return this.drainPrev2 - p;
  }

  closeAt(wall: i64): void {
    const start = max64(this.portFree, wall);
    this.portFree = start + transfer(this.words);
    this.dramWords += this.words;
    this.drains++;
    this.drainPrev2 = this.drainPrev1;
    this.drainPrev1 = this.portFree;
    this.atClose = false;
    this.has = this.generate();
  }
}

const ifmapStream = new ReadStream();
const filterStream = new ReadStream();
const ofmapStream = new WriteStream();

// ---- staging ------------------------------------------------------------------------------

let capacity: i32 = 0;
let stParams: usize = 0;
let stLayers: usize = 0;
let stResults: usize = 0;

/** Allocate the staging areas for up to `layerCapacity` layers per call. Call once. */
export function systolicInit(layerCapacity: i32): void {
  capacity = layerCapacity;
  stParams = heap.alloc((<usize>NUM_PARAMS) << 3);
  stLayers = heap.alloc((<usize>(layerCapacity * NUM_LAYER)) << 3);
  stResults = heap.alloc((<usize>(layerCapacity * SYSTOLIC_NUM_RESULTS)) << 3);
}
export function systolicParams(): usize {
  return stParams;
}
export function systolicLayers(): usize {
  return stLayers;
}
export function systolicResults(): usize {
  return stResults;
}
export function systolicCapacity(): i32 {
  return capacity;
}

function param(i: i32): i64 {
  return <i64>load<f64>(stParams + ((<usize>i) << 3));
}

function put(o: usize, field: i32, v: i64): void {
  store<f64>(o + ((<usize>field) << 3), <f64>v);
}

function simulateLayer(E: i64, K: i64, N: i64, o: usize): void {
  R = param(0);
  C = param(1);
  df = <i32>param(2);
  bwNum = param(6);
  bwDen = param(7);
  if (df === OS) {
    Sr = E;
    Sc = N;
    T = K;
  } else if (df === WS) {
    Sr = K;
    Sc = N;
    T = E;
  } else {
    Sr = K;
    Sc = E;
    T = N;
  }
  rowFolds = (Sr + R - 1) / R;
  colFolds = (Sc + C - 1) / C;
  folds = rowFolds * colFolds;
  P = (df === OS ? R : 2 * R) + C + T - 2;

  put(o, R_ROW_FOLDS, rowFolds);
  put(o, R_COL_FOLDS, colFolds);
  put(o, R_PER_FOLD, P);
  put(o, R_COMPUTE, folds * P);
  put(o, R_MACS, E * K * N);
  put(o, R_MAPPED, Sr * Sc);
  if (df === OS) {
    put(o, R_SRAM_IFMAP, colFolds * E * K);
    put(o, R_SRAM_FILTER, rowFolds * K * N);
    put(o, R_SRAM_OFMAP, E * N);
  } else if (df === WS) {
    put(o, R_SRAM_IFMAP, colFolds * E * K);
    put(o, R_SRAM_FILTER, K * N);
    put(o, R_SRAM_OFMAP, rowFolds * E * N);
  } else {
    put(o, R_SRAM_IFMAP, E * K);
    put(o, R_SRAM_FILTER, colFolds * K * N);
    put(o, R_SRAM_OFMAP, rowFolds * E * N);
  }

  ifmapStream.begin(true, param(3), E * K);
  filterStream.begin(false, param(4), K * N);
  ofmapStream.begin(param(5));
  let stalls: i64 = 0;
  for (;;) {
    // the next event: least progress; releases/closes before needs; then ifmap, filter, ofmap
    let best = -1;
    let bestKey: i64 = NEVER;
    let p = ifmapStream.nextProgress();
    if (p !== NEVER) {
      bestKey = p * 2 + (ifmapStream.active ? 0 : 1);
      best = 0;
    }
    p = filterStream.nextProgress();
    if (p !== NEVER) {
      const key = p * 2 + (filterStream.active ? 0 : 1);
      if (key < bestKey) {
        bestKey = key;
        best = 1;
      }
    }
    p = ofmapStream.nextProgress();
    if (p !== NEVER) {
      const key = p * 2 + (ofmapStream.atClose ? 0 : 1);
      if (key < bestKey) {
        bestKey = key;
        best = 2;
      }
    }
    if (best < 0) break;
    p = bestKey >> 1;
    const isRelease = (bestKey & 1) === 0;
    if (!isRelease && best === 0) ifmapStream.active = true;
    else if (!isRelease && best === 1) filterStream.active = true;
    // catch up: the stall every row used so far requires
    const q = isRelease ? p - 1 : p;
    let need = ifmapStream.required(q);
    if (need > stalls) {
      ifmapStream.stalls += need - stalls;
      stalls = need;
    }
    need = filterStream.required(q);
    if (need > stalls) {
      filterStream.stalls += need - stalls;
      stalls = need;
    }
    if (best === 2 && !isRelease) {
      need = ofmapStream.openAt(p);
      if (need > stalls) {
        ofmapStream.stalls += need - stalls;
        stalls = need;
      }
    }
    const wall = p + stalls;
    if (isRelease) {
      if (best === 0) ifmapStream.releaseAt(wall);
      else if (best === 1) filterStream.releaseAt(wall);
      else ofmapStream.closeAt(wall);
    }
  }
  const end = folds * P + stalls;
  put(o, R_STALL, stalls);
  put(o, R_DRAIN, max64(0, ofmapStream.portFree - end));
  put(o, R_STALL_IFMAP, ifmapStream.stalls);
  put(o, R_STALL_IFMAP + 1, filterStream.stalls);
  put(o, R_STALL_IFMAP + 2, ofmapStream.stalls);
  put(o, R_DRAM_IFMAP, ifmapStream.dramWords);
  put(o, R_DRAM_IFMAP + 1, filterStream.dramWords);
  put(o, R_DRAM_IFMAP + 2, ofmapStream.dramWords);
  put(o, R_FILLS_IFMAP, ifmapStream.fills);
  put(o, R_FILLS_IFMAP + 1, filterStream.fills);
  put(o, R_FILLS_IFMAP + 2, ofmapStream.drains);
}

/** Simulate the first `count` staged layers with the staged params; results go to the results area. */
export function systolicRun(count: i32): void {
  const n = min(count, capacity);
  for (let i = 0; i < n; i++) {
    const l = stLayers + ((<usize>(i * NUM_LAYER)) << 3);
    const E = <i64>load<f64>(l);
    const K = <i64>load<f64>(l + 8);
    const N = <i64>load<f64>(l + 16);
    simulateLayer(E, K, N, stResults + ((<usize>(i * SYSTOLIC_NUM_RESULTS)) << 3));
  }
}
