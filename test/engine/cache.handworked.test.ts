/**
 * Hand-worked cache examples. Each expected count is derived in the comments from the model's
 * rules (src/engine/js/cache.ts), not copied from an engine's output. Every example runs on all
 * three engines.
 */
import assert from "node:assert/strict";
import {
  CacheHierarchy,
  type CacheHierarchyConfig,
  type Counters,
  type Engine,
  loadEngine,
  RunBatch,
} from "../../src/engine/index.js";
import { testEngineNames } from "../support/engines.js";

const LINE = 16;

/** 1 core, no ports, 16-byte lines, with the given L1 and LLC shapes. */
function hierarchy(
  l1: { sizeBytes: number; ways: number | "full"; replacement?: "lru" | "fifo" | "random" },
  llc: { sizeBytes: number; ways: number | "full"; replacement?: "lru" | "fifo" | "random" },
  extra: Partial<CacheHierarchyConfig> = {},
): CacheHierarchyConfig {
  return {
    cores: 1,
    accelPorts: 0,
    l1d: { lineBytes: LINE, hitLatencyCycles: 2, replacement: "lru", ...l1 },
    llc: { lineBytes: LINE, hitLatencyCycles: 20, replacement: "lru", ...llc },
    ...extra,
  };
}

/** Pick some counters of one requester, for compact deep-equality checks. */
function pick(c: Counters, names: (keyof Counters)[]): Partial<Counters> {
  return Object.fromEntries(names.map((n) => [n, c[n]]));
}

for (const name of testEngineNames()) {
  describe(`cache hierarchy, hand-worked (${name} engine)`, () => {
    let engine: Engine;
    before(() => {
      engine = loadEngine(name);
    });

    it("direct-mapped conflict ping-pong misses every time in L1 and hits in the LLC", () => {
      // L1: 32 B, direct-mapped, 16 B lines -> 2 sets. Lines 0 (addr 0) and 2 (addr 32) both map
      // to set 0. Sequence 0, 32, 0, 32: every L1 access misses; the 2nd, 3rd and 4th each evict
      // the other line (3 evictions, all clean). LLC (8 lines, fully associative) misses on the
      // first touch of each line (2 DRAM reads) and hits the last two.
      // Then line 1 (addr 16, set 1) twice: a cold miss, then a hit: it does not conflict.
      const sim = new CacheHierarchy(engine, hierarchy({ sizeBytes: 32, ways: 1 }, { sizeBytes: 128, ways: "full" }));
      const b = new RunBatch().read(0, 4, 0).read(32, 4, 0).read(0, 4, 0).read(32, 4, 0);
      const s = sim.run(b);
      assert.deepEqual(
        pick(s.total, [
          "l1Accesses",
          "l1Hits",
          "l1Misses",
          "l1Evictions",
          "l1Writebacks",
          "llcAccesses",
          "llcHits",
          "llcMisses",
        ]),
        {
          l1Accesses: 4,
          l1Hits: 0,
          l1Misses: 4,
          l1Evictions: 3,
          l1Writebacks: 0,
          llcAccesses: 4,
          llcHits: 2,
          llcMisses: 2,
        },
      );
      assert.equal(s.dramReadLines, 2);
      const t = sim.run(new RunBatch().read(16, 1, 0).read(16, 1, 0));
      assert.deepEqual(pick(t.total, ["l1Hits", "l1Misses", "l1Evictions"]), {
        l1Hits: 1,
        l1Misses: 1,
        l1Evictions: 0,
      });
    });

    it("LRU and FIFO differ on A B A C A", () => {
      // L1: 2 lines, fully associative. Lines A=0, B=1, C=2 (addr 0, 16, 32).
      // LRU : A miss, B miss, A hit (A now most recent), C miss evicts B, A hit -> 2 hits, 3 misses, 1 eviction.
      // FIFO: A miss, B miss, A hit (insertion order unchanged), C miss evicts A (first in),
      //       A miss evicts B (now the oldest) -> 1 hit, 4 misses, 2 evictions.
      const trace = new RunBatch().read(0, 1, 0).read(16, 1, 0).read(0, 1, 0).read(32, 1, 0).read(0, 1, 0);
      const expect = { lru: [2, 3, 1], fifo: [1, 4, 2] } as const;
      for (const repl of ["lru", "fifo"] as const) {
        const sim = new CacheHierarchy(
          engine,
          hierarchy({ sizeBytes: 32, ways: "full", replacement: repl }, { sizeBytes: 256, ways: "full" }),
        );
        const s = sim.run(trace);
        assert.deepEqual([s.total.l1Hits, s.total.l1Misses, s.total.l1Evictions], expect[repl], repl);
      }
    });

    it("a dirty line reaches DRAM exactly once, through the LLC", () => {
      // L1: 1 line. LLC: 2 lines, fully associative, LRU.
      // write line 0: L1 miss, LLC miss (write-allocate fetch: DRAM read 1); L1 holds it dirty.
      // read line 1: L1 evicts line 0 dirty -> L1 write-back into the LLC (LLC line 0 dirty);
      //              LLC miss (DRAM read 2); LLC now {0 dirty, 1}.
      // read line 2: L1 evicts line 1 (clean); LLC miss (DRAM read 3) evicts its LRU line, 0,
      //              which is dirty -> DRAM write 1.
      // read line 3: L1 evicts line 2 (clean); LLC miss (DRAM read 4) evicts line 1, clean.
      const sim = new CacheHierarchy(engine, hierarchy({ sizeBytes: 16, ways: 1 }, { sizeBytes: 32, ways: "full" }));
      const s = sim.run(new RunBatch().write(0, 16, 0).read(16, 16, 0).read(32, 16, 0).read(48, 16, 0));
      assert.deepEqual(pick(s.total, ["l1Evictions", "l1Writebacks", "llcEvictions", "llcWritebacks"]), {
        l1Evictions: 3,
        l1Writebacks: 1,
        llcEvictions: 2,
        llcWritebacks: 1,
      });
      assert.equal(s.dramReadLines, 4);
      assert.equal(s.dramWriteLines, 1);
    });

    it("flush writes dirty lines back and invalidates; invalidate discards", () => {
      // L1 4 lines and LLC 8 lines, both fully associative: nothing is evicted here.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }),
      );
      // write bytes 0..31 (lines 0, 1: dirty), read 32..47 (line 2: clean): 3 cold misses.
      sim.run(new RunBatch().write(0, 32, 0).read(32, 16, 0));
      // flush 0..63 = lines 0..3: 4 lines flushed, 3 present, 2 dirty -> 2 DRAM writes.
      const f = sim.run(new RunBatch().flush(0, 64, 0));
      assert.deepEqual(pick(f.total, ["flushLines", "flushPresent", "flushDirty", "l1Accesses"]), {
        flushLines: 4,
        flushPresent: 3,
        flushDirty: 2,
        l1Accesses: 0,
      });
      assert.equal(f.dramWriteLines, 2);
      // the flushed line is gone from both levels: reading it misses twice and reads DRAM.
      const r = sim.run(new RunBatch().read(0, 1, 0));
      assert.deepEqual([r.total.l1Misses, r.total.llcMisses, r.dramReadLines], [1, 1, 1]);
      // write line 4, invalidate it: found present and dirty, but nothing is written to DRAM;
      // the next read misses everywhere.
      const v = sim.run(new RunBatch().write(64, 16, 0).invalidate(64, 16, 0).read(64, 1, 0));
      assert.deepEqual(
        pick(v.total, ["invalidateLines", "invalidatePresent", "invalidateDirty", "l1Misses", "llcMisses"]),
        {
          invalidateLines: 1,
          invalidatePresent: 1,
          invalidateDirty: 1,
          l1Misses: 2,
          llcMisses: 2,
        },
      );
      assert.equal(v.dramWriteLines, 0);
    });

    it("an ACP read sees a line dirty in an L1 written back; an ACP write invalidates it", () => {
      // core 0 and accelerator port 0 (requester 1); caches large enough for no evictions.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }, { accelPorts: 1 }),
      );
      const acp = sim.portId(0);
      // core writes line 0: L1 M, LLC holds a stale copy (1 DRAM read for the fill).
      // ACP reads it: LLC hit, the core writes its dirty data back (1 coherence write-back),
      // no DRAM traffic; the core keeps a clean copy, so its next read hits in L1.
      const a = sim.run(new RunBatch().write(0, 16, 0).read(0, 16, acp).read(0, 4, 0));
      const port = a.requesters[acp].counters;
      assert.deepEqual(pick(port, ["llcAccesses", "llcHits", "coherenceWritebacks", "l1Accesses"]), {
        llcAccesses: 1,
        llcHits: 1,
        coherenceWritebacks: 1,
        l1Accesses: 0,
      });
      assert.deepEqual(pick(a.requesters[0].counters, ["l1Accesses", "l1Hits"]), { l1Accesses: 2, l1Hits: 1 });
      assert.equal(a.dramReadLines, 1);
      assert.equal(a.dramWriteLines, 0);
      // ACP writes line 0: LLC hit, the core's (clean) copy is invalidated. The core's next read
      // misses in L1 but hits in the LLC, which now holds the accelerator's dirty data.
      const b = sim.run(new RunBatch().write(0, 16, acp).read(0, 4, 0));
      assert.deepEqual(pick(b.requesters[acp].counters, ["llcHits", "coherenceInvalidations", "coherenceWritebacks"]), {
        llcHits: 1,
        coherenceInvalidations: 1,
        coherenceWritebacks: 0,
      });
      assert.deepEqual(pick(b.requesters[0].counters, ["l1Misses", "llcHits"]), { l1Misses: 1, llcHits: 1 });
      assert.equal(b.dramReadLines, 0);
      // the dirty line leaves by a flush: exactly one DRAM write.
      assert.equal(sim.run(new RunBatch().flush(0, 16, 0)).dramWriteLines, 1);
    });

    it("cores keep each other coherent through the LLC directory", () => {
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }, { cores: 2 }),
      );
      // core 0 writes line 0 (M). core 1 reads it: L1 miss, LLC hit; core 0 writes back
      // (coherence write-back charged to core 1) and both end up sharing a clean copy.
      const a = sim.run(new RunBatch().write(0, 16, 0).read(0, 16, 1));
      assert.deepEqual(pick(a.requesters[1].counters, ["l1Misses", "llcHits", "coherenceWritebacks"]), {
        l1Misses: 1,
        llcHits: 1,
        coherenceWritebacks: 1,
      });
      // core 1 writes it: an L1 hit on a shared line upgrades and invalidates core 0's copy.
      // core 0 reads it again: L1 miss, LLC hit, core 1 writes back its dirty copy.
      const b = sim.run(new RunBatch().write(0, 16, 1).read(0, 16, 0));
      assert.deepEqual(pick(b.requesters[1].counters, ["l1Hits", "coherenceInvalidations"]), {
        l1Hits: 1,
        coherenceInvalidations: 1,
      });
      assert.deepEqual(pick(b.requesters[0].counters, ["l1Misses", "llcHits", "coherenceWritebacks"]), {
        l1Misses: 1,
        llcHits: 1,
        coherenceWritebacks: 1,
      });
      assert.equal(b.dramReadLines, 0);
    });

    it("an LLC eviction back-invalidates the L1 copy (inclusion)", () => {
      // L1: 2 lines; LLC: 1 line. Reading line 1 evicts line 0 from the LLC and therefore from
      // the L1, so reading line 0 again misses in L1 although the L1 had room for both.
      const sim = new CacheHierarchy(engine, hierarchy({ sizeBytes: 32, ways: "full" }, { sizeBytes: 16, ways: 1 }));
      const s = sim.run(new RunBatch().read(0, 1, 0).read(16, 1, 0).read(0, 1, 0));
      assert.deepEqual(pick(s.total, ["l1Misses", "l1Hits", "backInvalidations", "llcEvictions"]), {
        l1Misses: 3,
        l1Hits: 0,
        backInvalidations: 2,
        llcEvictions: 2,
      });
    });

    it("expands runs into the lines they touch, including zero-length runs", () => {
      // 16 B lines: bytes 10..39 touch lines 0, 1, 2; a zero-byte run touches nothing;
      // bytes 47..48 straddle lines 2 and 3.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 256, ways: "full" }, { sizeBytes: 512, ways: "full" }),
      );
      assert.equal(sim.run(new RunBatch().read(10, 30, 0)).total.l1Accesses, 3);
      assert.equal(sim.run(new RunBatch().read(100, 0, 0)).total.l1Accesses, 0);
      assert.equal(sim.run(new RunBatch().read(47, 2, 0)).total.l1Accesses, 2);
    });

    it("keeps addresses apart above 32 bits (64 GiB and beyond)", () => {
      // Lines 0 and 2^40/16 both map to set 0 of a 2-set direct-mapped L1 but are different
      // lines: truncating tags to 32 bits would make the second access a false hit.
      const sim = new CacheHierarchy(engine, hierarchy({ sizeBytes: 32, ways: 1 }, { sizeBytes: 128, ways: "full" }));
      const far = 2 ** 40;
      const s = sim.run(
        new RunBatch()
          .read(0, 1, 0)
          .read(far, 1, 0)
          .read(64 * 2 ** 30 + 32, 1, 0)
          .read(far, 1, 0),
      );
      assert.deepEqual([s.total.l1Hits, s.total.l1Misses, s.total.llcMisses, s.total.llcHits], [0, 4, 3, 1]);
    });

    it("state persists across batches until reset", () => {
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }),
      );
      sim.run(new RunBatch().read(0, 64, 0));
      assert.equal(sim.run(new RunBatch().read(0, 64, 0)).total.l1Hits, 4);
      assert.equal(sim.cumulative().total.l1Accesses, 8);
      sim.reset();
      assert.equal(sim.cumulative().total.l1Accesses, 0);
      assert.equal(sim.run(new RunBatch().read(0, 64, 0)).total.l1Hits, 0);
    });

    it("random replacement draws its victims from xorshift32 as seeded", () => {
      // Seed 0x9E3779B8 makes core 0's L1 generator start at (seed ^ 0x9E3779B9) = 1. Marsaglia's
      // xorshift32 (13, 17, 5) from 1 yields 270369, 67634689, 2647435461 (published values),
      // i.e. victims 0, 1, 0 among 3 ways (x % 3). L1: 3 lines, fully associative, random.
      // A B C fill ways 0 1 2; A hits; D evicts way 0 (A) -> [D B C]; A misses, evicts way 1 (B)
      // -> [D A C]; B misses, evicts way 0 (D) -> [B A C]; C hits.
      // Pattern: m m m h m m m h. (LRU would give m m m h m h m m: D would evict B.)
      const sim = new CacheHierarchy(
        engine,
        hierarchy(
          { sizeBytes: 3 * LINE, ways: "full", replacement: "random" },
          { sizeBytes: 64 * LINE, ways: "full" },
          { seed: 0x9e3779b8 },
        ),
      );
      const pattern = [0, 1, 2, 0, 3, 0, 1, 2].map((line) =>
        sim.run(new RunBatch().read(line * LINE, 1, 0)).total.l1Hits ? "h" : "m",
      );
      assert.equal(pattern.join(" "), "m m m h m m m h");
    });

    it("a write miss takes over another core's dirty line without a write-back", () => {
      // core 0 writes line 0 (M). core 1 writes it: L1 miss, LLC hit; core 0's copy is
      // invalidated and its dirty data moves to core 1 (no coherence write-back). The line is
      // dirty exactly once: flushing it writes DRAM once.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }, { cores: 2 }),
      );
      const a = sim.run(new RunBatch().write(0, 16, 0).write(0, 16, 1));
      assert.deepEqual(
        pick(a.requesters[1].counters, ["l1Misses", "llcHits", "coherenceInvalidations", "coherenceWritebacks"]),
        {
          l1Misses: 1,
          llcHits: 1,
          coherenceInvalidations: 1,
          coherenceWritebacks: 0,
        },
      );
      const f = sim.run(new RunBatch().flush(0, 16, 0));
      assert.deepEqual([f.total.flushDirty, f.dramWriteLines], [1, 1]);
    });

    it("evicting an LLC line whose only dirty copy is in an L1 writes DRAM once", () => {
      // L1: 2 lines; LLC: 1 line. core 0 writes line 0: dirty in L1, clean in the LLC. Reading
      // line 1 evicts line 0 from the LLC; the back-invalidated L1 copy is dirty, so the eviction
      // is a write-back (1 DRAM write) although the LLC's own copy was clean.
      const sim = new CacheHierarchy(engine, hierarchy({ sizeBytes: 32, ways: "full" }, { sizeBytes: 16, ways: 1 }));
      const s = sim.run(new RunBatch().write(0, 16, 0).read(16, 16, 0));
      assert.deepEqual(pick(s.total, ["backInvalidations", "llcEvictions", "llcWritebacks"]), {
        backInvalidations: 1,
        llcEvictions: 1,
        llcWritebacks: 1,
      });
      assert.equal(s.dramWriteLines, 1);
    });

    it("an accelerator port flushes and invalidates like a core", () => {
      // core 0 dirties lines 0 and 1; the port flushes line 0 (dirty in the L1: 1 DRAM write)
      // and invalidates line 1 (dirty data dropped). Both are charged to the port.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 128, ways: "full" }, { accelPorts: 1 }),
      );
      const acp = sim.portId(0);
      const s = sim.run(new RunBatch().write(0, 32, 0).flush(0, 16, acp).invalidate(16, 16, acp));
      assert.deepEqual(
        pick(s.requesters[acp].counters, ["flushLines", "flushDirty", "invalidatePresent", "invalidateDirty"]),
        {
          flushLines: 1,
          flushDirty: 1,
          invalidatePresent: 1,
          invalidateDirty: 1,
        },
      );
      assert.equal(s.dramWriteLines, 1);
      assert.equal(sim.run(new RunBatch().read(0, 32, 0)).total.l1Hits, 0);
    });

    it("keeps 32 cores apart in the directory (bit 31 of the sharer mask)", () => {
      // cores 0 and 31 read line 0 (both share it), core 31 writes it: an upgrade that
      // invalidates core 0's copy only. Core 0's re-read gets core 31's dirty data written back.
      const sim = new CacheHierarchy(
        engine,
        hierarchy({ sizeBytes: 64, ways: "full" }, { sizeBytes: 4096, ways: "full" }, { cores: 32 }),
      );
      const s = sim.run(new RunBatch().read(0, 16, 0).read(0, 16, 31).write(0, 16, 31).read(0, 16, 0));
      assert.deepEqual(pick(s.requesters[31].counters, ["l1Hits", "coherenceInvalidations"]), {
        l1Hits: 1,
        coherenceInvalidations: 1,
      });
      assert.deepEqual(pick(s.requesters[0].counters, ["l1Misses", "coherenceWritebacks"]), {
        l1Misses: 2,
        coherenceWritebacks: 1,
      });
    });

    it("random replacement is reproducible from its seed and equals LRU when direct-mapped", () => {
      const trace = new RunBatch();
      for (let i = 0; i < 2000; i++) trace.read(((i * 7919) % 97) * LINE, 1, 0);
      const run = (repl: "random" | "lru", seed: number, ways: number) =>
        new CacheHierarchy(
          engine,
          hierarchy(
            { sizeBytes: 16 * LINE, ways, replacement: repl },
            { sizeBytes: 32 * LINE, ways, replacement: repl },
            { seed },
          ),
        ).run(trace).total;
      assert.deepEqual(run("random", 7, 4), run("random", 7, 4));
      // with one way there is no choice to make: random must behave exactly like LRU
      assert.deepEqual(run("random", 7, 1), run("lru", 7, 1));
    });
  });
}
