/**
 * The cache hierarchy as the rest of smaug-sim sees it: a validated configuration, batches of
 * runs, and decoded statistics. Engines (native, wasm, js) only ever see validated numbers.
 */
import { z } from "zod";
import { InputError } from "../errors.js";
import {
  type CacheCore,
  type CacheParams,
  COUNTERS,
  type CounterName,
  type Engine,
  type EngineName,
  NUM_COUNTERS,
  Op,
  type OpCode,
  Repl,
  type RunArrays,
} from "./types.js";

/** Highest simulated address (exclusive): 256 TiB, so byte addresses stay exact in a double. */
export const ADDRESS_LIMIT = 2 ** 48;
export const MAX_CORES = 32; // the LLC directory keeps a 32-bit sharer mask per line
export const MAX_PORTS = 64;
export const MAX_LINES_PER_LEVEL = 2 ** 26;

const isPow2 = (n: number) => Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;

const levelSchema = z
  .object({
    sizeBytes: z.number().int().positive(),
    lineBytes: z.number().int().min(4).max(4096),
    /** associativity; "full" means one set holding every line */
    ways: z.union([z.number().int().positive(), z.literal("full")]),
    replacement: z.enum(["lru", "fifo", "random"]).default("lru"),
    hitLatencyCycles: z.number().int().min(0),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!isPow2(c.lineBytes)) {
      ctx.addIssue({ code: "custom", path: ["lineBytes"], message: `must be a power of two (got ${c.lineBytes})` });
      return;
    }
    const lines = c.sizeBytes / c.lineBytes;
    if (!Number.isInteger(lines)) {
      ctx.addIssue({
        code: "custom",
        path: ["sizeBytes"],
        message: `must be a multiple of lineBytes (${c.lineBytes}); got ${c.sizeBytes}`,
      });
      return;
    }
    const ways = c.ways === "full" ? lines : c.ways;
    if (ways > lines) {
      ctx.addIssue({
        code: "custom",
        path: ["ways"],
        message: `associativity ${ways} is larger than the cache (${lines} lines of ${c.lineBytes} B)`,
      });
      return;
    }
    const sets = lines / ways;
    if (!isPow2(sets)) {
      ctx.addIssue({
        code: "custom",
        path: ["ways"],
        message: `sizeBytes / (lineBytes * ways) = ${sets} sets; the number of sets must be a power of two`,
      });
    }
  });

export const cacheHierarchySchema = z
  .object({
    /** CPU cores, each with a private L1D */
    cores: z.number().int().min(1).max(MAX_CORES),
    /** accelerator ports entering at the LLC (ACP) */
    accelPorts: z.number().int().min(0).max(MAX_PORTS).default(0),
    l1d: levelSchema,
    llc: levelSchema,
    /** seed of the random-replacement generators */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    // The engines keep per-line state in flat arrays indexed by 32-bit slots; 2^26 lines per level
    // (2 GiB of 32 B lines) is far beyond any real cache and keeps a typo from asking for tens of GiB.
    const l1Lines = (c.l1d.sizeBytes / c.l1d.lineBytes) * c.cores;
    if (l1Lines > MAX_LINES_PER_LEVEL)
      ctx.addIssue({
        code: "custom",
        path: ["l1d", "sizeBytes"],
        message: `cores x L1D lines = ${l1Lines}; at most ${MAX_LINES_PER_LEVEL} lines per level`,
      });
    const llcLines = c.llc.sizeBytes / c.llc.lineBytes;
    if (llcLines > MAX_LINES_PER_LEVEL)
      ctx.addIssue({
        code: "custom",
        path: ["llc", "sizeBytes"],
        message: `${llcLines} lines; at most ${MAX_LINES_PER_LEVEL} lines per level`,
      });
    if (c.l1d.lineBytes !== c.llc.lineBytes) {
      ctx.addIssue({
        code: "custom",
        path: ["llc", "lineBytes"],
        message: `must equal l1d.lineBytes (${c.l1d.lineBytes}); the hierarchy uses one line size`,
      });
    }
  });

export type CacheLevelConfig = z.input<typeof levelSchema>;
export type CacheHierarchyConfig = z.input<typeof cacheHierarchySchema>;
export type ResolvedCacheHierarchyConfig = z.output<typeof cacheHierarchySchema>;

/** SMAUG paper Table 2: 8 cores; L1D 64 KB 4-way 32 B lines LRU 2-cycle; LLC 2 MB 16-way LRU 20-cycle. */
export const SMAUG_BASELINE_CACHES: CacheHierarchyConfig = {
  cores: 8,
  accelPorts: 1,
  l1d: { sizeBytes: 64 * 1024, lineBytes: 32, ways: 4, replacement: "lru", hitLatencyCycles: 2 },
  llc: { sizeBytes: 2 * 1024 * 1024, lineBytes: 32, ways: 16, replacement: "lru", hitLatencyCycles: 20 },
  seed: 1,
};

/** Turn zod issues into one message naming each field, e.g. "l1d.ways: associativity 8 ...". */
export function describeIssues(error: z.ZodError, prefix = ""): string {
  return error.issues
    .map((i) => {
      const path = [prefix, ...i.path.map(String)].filter((s) => s !== "").join(".");
      return `${path || "(root)"}: ${i.message}`;
    })
    .join("; ");
}

export function resolveCacheConfig(config: unknown): ResolvedCacheHierarchyConfig {
  const parsed = cacheHierarchySchema.safeParse(config);
  if (!parsed.success) throw new InputError(`invalid cache hierarchy: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** The flat numeric form an engine receives. */
export function toCacheParams(c: ResolvedCacheHierarchyConfig): CacheParams {
  const level = (l: ResolvedCacheHierarchyConfig["l1d"]) => {
    const lines = l.sizeBytes / l.lineBytes;
    const ways = l.ways === "full" ? lines : l.ways;
    return { sets: lines / ways, ways, repl: Repl[l.replacement] };
  };
  const l1 = level(c.l1d);
  const llc = level(c.llc);
  return {
    cores: c.cores,
    ports: c.accelPorts,
    lineBits: Math.log2(c.l1d.lineBytes),
    l1Sets: l1.sets,
    l1Ways: l1.ways,
    l1Repl: l1.repl,
    llcSets: llc.sets,
    llcWays: llc.ways,
    llcRepl: llc.repl,
    seed: c.seed,
  };
}

/**
 * A growable batch of runs held in typed arrays (structure of arrays), handed to the engine
 * as a whole. Reuse one batch across calls with `clear()` to avoid reallocation.
 */
export class RunBatch implements RunArrays {
  addr: Float64Array;
  bytes: Float64Array;
  op: Uint8Array;
  requester: Uint8Array;
  count = 0;

  constructor(capacity = 1024) {
    this.addr = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
    this.op = new Uint8Array(capacity);
    this.requester = new Uint8Array(capacity);
  }

  push(addr: number, bytes: number, op: OpCode, requester: number): this {
    // op and requester are stored in bytes: reject what a Uint8Array would silently wrap or truncate
    if (!Number.isInteger(op) || op < 0 || op > Op.Invalidate)
      throw new InputError(`run ${this.count}: op ${op} is unknown (0 read, 1 write, 2 flush, 3 invalidate)`);
    if (!Number.isInteger(requester) || requester < 0 || requester > 255)
      throw new InputError(`run ${this.count}: requester ${requester} must be an integer id from 0 to 255`);
    if (this.count === this.addr.length) this.grow();
    const i = this.count++;
    this.addr[i] = addr;
    this.bytes[i] = bytes;
    this.op[i] = op;
    this.requester[i] = requester;
    return this;
  }

  read(addr: number, bytes: number, requester: number): this {
    return this.push(addr, bytes, Op.Read, requester);
  }
  write(addr: number, bytes: number, requester: number): this {
    return this.push(addr, bytes, Op.Write, requester);
  }
  flush(addr: number, bytes: number, requester: number): this {
    return this.push(addr, bytes, Op.Flush, requester);
  }
  invalidate(addr: number, bytes: number, requester: number): this {
    return this.push(addr, bytes, Op.Invalidate, requester);
  }

  clear(): this {
    this.count = 0;
    return this;
  }

  private grow(): void {
    const n = Math.max(16, this.addr.length * 2);
    const grow = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.addr = grow(this.addr, (k) => new Float64Array(k));
    this.bytes = grow(this.bytes, (k) => new Float64Array(k));
    this.op = grow(this.op, (k) => new Uint8Array(k));
    this.requester = grow(this.requester, (k) => new Uint8Array(k));
  }
}

export type Counters = Record<CounterName, number>;

export interface RequesterStats {
  /** "core0".."coreN-1", then "acp0".."acpM-1" */
  name: string;
  kind: "core" | "port";
  counters: Counters;
  /** lines read from DRAM (every LLC miss) */
  dramReadLines: number;
  /** lines written to DRAM: dirty LLC evictions plus flushes that found dirty data */
  dramWriteLines: number;
  /** cycles spent in cache lookups: L1 accesses x L1 latency + LLC accesses x LLC latency (DRAM excluded) */
  lookupCycles: number;
}

export interface CacheStats {
  requesters: RequesterStats[];
  /** every counter summed over requesters */
  total: Counters;
  dramReadLines: number;
  dramWriteLines: number;
  dramReadBytes: number;
  dramWriteBytes: number;
  /** hit rate per level over all requesters (NaN when the level saw no access) */
  l1HitRate: number;
  llcHitRate: number;
}

/** Decode a raw counter vector (as engines produce it) into named statistics. */
export function decodeStats(raw: Float64Array, config: ResolvedCacheHierarchyConfig): CacheStats {
  const R = config.cores + config.accelPorts;
  const requesters: RequesterStats[] = [];
  const total = Object.fromEntries(COUNTERS.map((n) => [n, 0])) as Counters;
  for (let r = 0; r < R; r++) {
    const counters = {} as Counters;
    COUNTERS.forEach((n, k) => {
      counters[n] = raw[r * NUM_COUNTERS + k];
      total[n] += counters[n];
    });
    const isCore = r < config.cores;
    requesters.push({
      name: isCore ? `core${r}` : `acp${r - config.cores}`,
      kind: isCore ? "core" : "port",
      counters,
      dramReadLines: counters.llcMisses,
      dramWriteLines: counters.llcWritebacks + counters.flushDirty,
      lookupCycles:
        counters.l1Accesses * config.l1d.hitLatencyCycles + counters.llcAccesses * config.llc.hitLatencyCycles,
    });
  }
  const dramReadLines = total.llcMisses;
  const dramWriteLines = total.llcWritebacks + total.flushDirty;
  return {
    requesters,
    total,
    dramReadLines,
    dramWriteLines,
    dramReadBytes: dramReadLines * config.l1d.lineBytes,
    dramWriteBytes: dramWriteLines * config.l1d.lineBytes,
    l1HitRate: total.l1Hits / total.l1Accesses,
    llcHitRate: total.llcHits / total.llcAccesses,
  };
}

/**
 * A multi-core cache hierarchy simulated by one engine. State (cache contents) persists across
 * `run` calls until `reset`.
 */
export class CacheHierarchy {
  readonly config: ResolvedCacheHierarchyConfig;
  readonly params: CacheParams;
  readonly engine: EngineName;
  private readonly core: CacheCore;
  private readonly before: Float64Array;
  private readonly after: Float64Array;

  constructor(engine: Engine, config: CacheHierarchyConfig) {
    this.config = resolveCacheConfig(config);
    this.params = toCacheParams(this.config);
    this.engine = engine.name;
    this.core = engine.createCacheCore(this.params);
    const n = (this.config.cores + this.config.accelPorts) * NUM_COUNTERS;
    this.before = new Float64Array(n);
    this.after = new Float64Array(n);
  }

  get requesterCount(): number {
    return this.config.cores + this.config.accelPorts;
  }

  /** Requester id of CPU core i. */
  coreId(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.config.cores)
      throw new InputError(`core ${i} is unknown: this hierarchy has cores 0..${this.config.cores - 1}`);
    return i;
  }

  /** Requester id of accelerator (ACP) port j. */
  portId(j: number): number {
    if (!Number.isInteger(j) || j < 0 || j >= this.config.accelPorts)
      throw new InputError(`accelerator port ${j} is unknown: this hierarchy has ${this.config.accelPorts} port(s)`);
    return this.config.cores + j;
  }

  /** Simulate a batch; returns the statistics of this batch alone. */
  run(batch: RunArrays): CacheStats {
    this.validate(batch);
    this.core.readCounters(this.before);
    this.core.run(batch);
    this.core.readCounters(this.after);
    const delta = new Float64Array(this.after.length);
    for (let i = 0; i < delta.length; i++) delta[i] = this.after[i] - this.before[i];
    return decodeStats(delta, this.config);
  }

  /** Statistics since creation or the last reset. */
  cumulative(): CacheStats {
    return decodeStats(this.rawCounters(), this.config);
  }

  /** The raw counter vector, (cores + ports) x COUNTERS, as the engine keeps it. */
  rawCounters(): Float64Array {
    const out = new Float64Array(this.after.length);
    this.core.readCounters(out);
    return out;
  }

  reset(): void {
    this.core.reset();
  }

  dispose(): void {
    this.core.dispose();
  }

  /** Reject anything an engine must never see, naming the run and field. */
  private validate(b: RunArrays): void {
    const n = b.count;
    if (
      !Number.isInteger(n) ||
      n < 0 ||
      n > b.addr.length ||
      n > b.bytes.length ||
      n > b.op.length ||
      n > b.requester.length
    )
      throw new InputError(`batch count ${n} does not fit its arrays`);
    const R = this.requesterCount;
    for (let i = 0; i < n; i++) {
      const a = b.addr[i];
      const s = b.bytes[i];
      if (!Number.isInteger(a) || a < 0 || a >= ADDRESS_LIMIT)
        throw new InputError(`run ${i}: addr ${a} must be an integer in [0, 2^48)`);
      if (!Number.isInteger(s) || s < 0 || a + s > ADDRESS_LIMIT)
        throw new InputError(`run ${i}: bytes ${s} must be a non-negative integer with addr + bytes <= 2^48`);
      if (b.op[i] > Op.Invalidate)
        throw new InputError(`run ${i}: op ${b.op[i]} is unknown (0 read, 1 write, 2 flush, 3 invalidate)`);
      if (b.requester[i] >= R)
        throw new InputError(
          `run ${i}: requester ${b.requester[i]} is unknown (cores 0..${this.config.cores - 1}` +
            (this.config.accelPorts > 0
              ? `, accelerator ports ${this.config.cores}..${R - 1})`
              : ", no accelerator ports)"),
        );
    }
  }
}
