/**
 * Seeded random workloads for cross-checking engines: random hierarchy geometries and random
 * batches of runs. Used by `smaug engines` (a quick self-check) and by the equivalence test.
 * The js engine is the reference; every other engine must produce identical counters.
 */
import { CacheHierarchy, type CacheHierarchyConfig, RunBatch } from "./cache.js";
import { type Engine, type EngineName, Op, type OpCode, type Replacement } from "./types.js";

/** mulberry32: a small seeded generator for test inputs (not the engines' replacement RNG). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const REPLACEMENTS: readonly Replacement[] = ["lru", "fifo", "random"];

export function randomCacheConfig(r: Rand): CacheHierarchyConfig {
  const lineBytes = pick(r, [16, 32, 64]);
  // Half the time use the associativities the native engine has specialised kernels for
  // (L1 4 or 8 ways, LLC 8 or 16: the SMAUG baseline is 4/16), so those paths are compared too.
  const level = (maxSetBits: number, maxWays: number, favoured: number[]) => {
    const sets = 2 ** int(r, 0, maxSetBits);
    const full = r() < 0.1;
    const ways = r() < 0.5 ? pick(r, favoured) : int(r, 1, maxWays);
    return {
      sizeBytes: sets * ways * lineBytes,
      lineBytes,
      ways: full ? ("full" as const) : ways,
      replacement: pick(r, REPLACEMENTS),
      hitLatencyCycles: int(r, 1, 30),
    };
  };
  return {
    // mostly few cores; sometimes the full 32 to exercise the top bit of the sharer mask
    cores: r() < 0.1 ? 32 : int(r, 1, 8),
    accelPorts: int(r, 0, 3),
    l1d: level(4, 8, [4, 8]),
    llc: level(7, 32, [8, 16]),
    seed: int(r, 0, 2 ** 32 - 1),
  };
}

export function randomBatch(r: Rand, config: CacheHierarchyConfig, runs: number, batch = new RunBatch(runs)): RunBatch {
  const requesters = config.cores + (config.accelPorts ?? 0);
  // footprint a few times the LLC so that hits, misses and evictions all happen
  const footprint = config.llc.sizeBytes * int(r, 1, 4);
  const farBase = 2 ** 40 - footprint; // exercise addresses beyond 32 bits
  batch.clear();
  for (let i = 0; i < runs; i++) {
    const u = r();
    const op: OpCode = u < 0.45 ? Op.Read : u < 0.8 ? Op.Write : u < 0.9 ? Op.Flush : Op.Invalidate;
    const bytes = r() < 0.9 ? int(r, 0, 3 * config.llc.lineBytes) : int(r, 1, 4096);
    const base = r() < 0.2 ? farBase : 0;
    batch.push(base + int(r, 0, footprint), bytes, op, int(r, 0, requesters - 1));
  }
  return batch;
}

export interface EngineCheck {
  name: EngineName;
  /** true when every case matched the js reference exactly */
  ok: boolean;
  cases: number;
  lineAccesses: number;
  /** the first difference, when not ok */
  mismatch?: string;
}

/**
 * Run `cases` random hierarchies, each with several batches, on every engine given and compare
 * the cumulative counters with the js engine's after every batch.
 */
export function crossCheck(
  reference: Engine,
  others: Engine[],
  seed: number,
  cases: number,
  batches = 4,
  runs = 400,
): EngineCheck[] {
  const results: EngineCheck[] = others.map((e) => ({ name: e.name, ok: true, cases: 0, lineAccesses: 0 }));
  const r = mulberry32(seed);
  const batch = new RunBatch(runs);
  for (let c = 0; c < cases; c++) {
    const config = randomCacheConfig(r);
    const ref = new CacheHierarchy(reference, config);
    const sims = others.map((e) => new CacheHierarchy(e, config));
    for (let b = 0; b < batches; b++) {
      randomBatch(r, config, runs, batch);
      const want = ref.run(batch);
      const wantRaw = ref.rawCounters();
      sims.forEach((sim, k) => {
        const res = results[k];
        sim.run(batch);
        res.lineAccesses += want.total.l1Accesses + want.total.llcAccesses;
        if (!res.ok) return;
        const got = sim.rawCounters();
        const i = got.findIndex((v, j) => v !== wantRaw[j]);
        if (i >= 0) {
          res.ok = false;
          res.mismatch = `case ${c} (seed ${seed}), batch ${b}: counter ${i} is ${got[i]}, js says ${wantRaw[i]}; config ${JSON.stringify(config)}`;
        }
      });
    }
    sims.forEach((sim, k) => {
      results[k].cases++;
      sim.dispose();
    });
    ref.dispose();
  }
  return results;
}
