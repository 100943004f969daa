/**
 * CPU copy costs (src/memory/cpu-copy.ts) on the SMAUG baseline SoC with round copy constants the
 * hand-worked numbers below use (the defaults are calibrated, docs/model.md): 2.5 GHz core,
 * 6 cycles per memcpy call, 16 B per cycle, 4 misses in flight; L1 64 KiB 4-way, LLC 20 cycles
 * (8 ns), 32 B lines; DRAM 51.56 ns to a closed row, 25.6 GB/s (1.25 ns of bus per line).
 */
import assert from "node:assert/strict";
import { CacheHierarchy, RunBatch, selectEngine } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { type CpuCopyCost, cpuCopyCost, tileCopyCost } from "../../src/memory/index.js";
import { cacheConfigOf, resolveSoc, type Soc } from "../../src/soc/index.js";
import { tileCopyPlan, untileCopyPlan } from "../../src/tiling/copy-plan.js";
import type { CopyRun, Tile, TiledTensor } from "../../src/tiling/types.js";

const soc = resolveSoc({ cpu: { memcpyCallOverheadCycles: 6, outstandingMissesPerCore: 4 } });
const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

const S = 0x100000; // source
const D = 0x200000; // destination
/** 2 runs of 16 KiB and 512 runs of 64 B: the same 32 KiB, the same lines. */
const bigRuns: CopyRun[] = [0, 1].map((i) => ({ src: S + i * 16384, dst: D + i * 16384, bytes: 16384 }));
const smallRuns: CopyRun[] = Array.from({ length: 512 }, (_, i) => ({ src: S + 64 * i, dst: D + 64 * i, bytes: 64 }));

/** Run `f` on a fresh baseline hierarchy, disposing it afterwards. */
function withHierarchy<T>(f: (h: CacheHierarchy) => T, s: Soc = soc): T {
  const h = new CacheHierarchy(selectEngine().engine, cacheConfigOf(s));
  try {
    return f(h);
  } finally {
    h.dispose();
  }
}

/** Two tiles of a 1x16x16x128 fp16 tensor (the paper's example), by rows or by channels. */
function paperTiling(byRows: boolean): TiledTensor {
  const shape = [1, 16, 16, 128];
  const tileShape = byRows ? [1, 8, 16, 128] : [1, 16, 16, 64];
  const tiles: Tile[] = [0, 1].map((i) => {
    const origin = byRows ? [0, 8 * i, 0, 0] : [0, 0, 0, 64 * i];
    return { index: i, grid: byRows ? [0, i, 0, 0] : [0, 0, 0, i], origin, shape: tileShape, valid: tileShape };
  });
  return {
    tensor: "x",
    role: "inputs",
    shape,
    realShape: shape,
    elementBytes: 2,
    strategy: byRows ? "DimNH" : "DimNC",
    tileShape,
    gridShape: byRows ? [1, 2, 1, 1] : [1, 1, 1, 2],
    tiles,
  };
}

describe("memory: CPU copies", () => {
  it("2 x 16 KiB vs 512 x 64 B with everything in L1: only the per-call overhead differs", () => {
    // Warm-up copy first: 32 KiB of source + 32 KiB of destination = 2048 lines, 4 per L1 set
    // (512 sets x 4 ways), so the second copy hits L1 throughout and has no memory stall.
    // 2 runs:   2 x 6 + 32768 / 16 = 12 + 2048 = 2060 cycles
    // 512 runs: 512 x 6 + 2048 = 3072 + 2048 = 5120 cycles (2.49x)
    const [big, small] = [bigRuns, smallRuns].map((runs) =>
      withHierarchy((h) => {
        cpuCopyCost(soc, h, runs);
        return cpuCopyCost(soc, h, runs);
      }),
    );
    assert.deepEqual([big.l1Misses, small.l1Misses], [0, 0]);
    assert.deepEqual([big.runs, small.runs, big.bytes, small.bytes], [2, 512, 32768, 32768]);
    assert.equal(big.cycles, 2060);
    assert.equal(small.cycles, 5120);
    close(big.ns, 824); // 2060 / 2.5
  });

  it("the same copies from cold memory: DRAM round trips dominate, the 512 calls still cost more", () => {
    // 1024 source reads + 1024 destination write-allocates miss L1 and the LLC: 2048 requests,
    // 4 in flight, 8 + 51.56 = 59.56 ns each (flat DRAM), 1.25 ns of bus each. 2047 = 511·4 + 3:
    // max(59.56 + 2047·1.25, 512·59.56 + 3·1.25) = max(2618.31, 30498.47) = 30498.47 ns
    // = 76,246.175 cycles, which hides the 2048 copy cycles.
    // 2 runs: 12 + 76,246.175 = 76,258.175; 512 runs: 3072 + 76,246.175 = 79,318.175 (1.04x)
    const cost = (runs: CopyRun[]): CpuCopyCost =>
      withHierarchy((h) => cpuCopyCost(soc, h, runs, { rowBuffer: false }));
    const big = cost(bigRuns);
    const small = cost(smallRuns);
    for (const c of [big, small]) {
      assert.deepEqual(
        [c.l1Misses, c.llcHits, c.llcMisses, c.dramReadBytes, c.dramWriteBytes],
        [2048, 0, 2048, 65536, 0],
      );
      close(c.memory.ns, 30498.47);
      close(c.memoryCycles, 76246.175);
    }
    close(big.cycles, 76258.175);
    close(small.cycles, 79318.175);
    assert.ok(small.cycles > big.cycles);
  });

  it("a source in the LLC and a cold destination", () => {
    // core 1 read the source, so it sits clean in the LLC; core 0 copies it: 1024 LLC hits
    // (8 ns) and 1024 misses (59.56 ns): mean 33.78 ns, bus 1024·32 / 25.6 / 2048 = 0.625 ns per
    // request: max(33.78 + 2047·0.625, 512·33.78 + 3·0.625) = 17297.235 ns = 43,243.0875 cycles;
    // plus 12 cycles of calls = 43,255.0875
    const c = withHierarchy((h) => {
      h.run(new RunBatch().read(S, 32768, h.coreId(1)));
      return cpuCopyCost(soc, h, bigRuns, { rowBuffer: false });
    });
    assert.deepEqual([c.llcHits, c.llcMisses], [1024, 1024]);
    close(c.memory.ns, 17297.235);
    close(c.cycles, 43255.0875);
  });

  it("the paper's 1x16x16x128 example: row tiles (2 copies) prepare faster than channel tiles (512 copies)", () => {
    // Per-call and byte costs alone: (512·6 + 65536/16) / (2·6 + 65536/16) = 7168 / 4108 = 1.745
    // (close to the paper's 1.78x, which is how 6 was first chosen). The memory stall both share
    // (the tensor was just written by core 0, 64 KiB: more than fits next to the buffers in L1)
    // dilutes the ratio, but the direction stays.
    const prepare = (byRows: boolean) =>
      withHierarchy((h) => {
        const t = paperTiling(byRows);
        h.run(new RunBatch().write(S, 65536, h.coreId(0)));
        let overhead = 0;
        let copy = 0;
        let cycles = 0;
        let runs = 0;
        for (const tile of t.tiles) {
          const c = tileCopyCost(soc, h, { tensor: t, tile, tensorAddr: S, bufferAddr: D + tile.index * 32768 });
          overhead += c.overheadCycles;
          copy += c.copyCycles;
          cycles += c.cycles;
          runs += c.runs;
        }
        return { overhead, copy, cycles, runs };
      });
    const rows = prepare(true);
    const channels = prepare(false);
    assert.deepEqual([rows.runs, channels.runs], [2, 512]);
    close((channels.overhead + channels.copy) / (rows.overhead + rows.copy), 7168 / 4108);
    const ratio = channels.cycles / rows.cycles;
    assert.ok(ratio > 1, `channel tiles should be slower (ratio ${ratio})`);
    assert.ok(ratio < 7168 / 4108);
  });

  it("tileCopyCost is cpuCopyCost over the tile's copy plan, both directions", () => {
    const t = paperTiling(false);
    const tile = t.tiles[1];
    const plan = tileCopyPlan(t, tile).runs.map((r) => ({ src: S + r.src, dst: D + r.dst, bytes: r.bytes }));
    const a = withHierarchy((h) => tileCopyCost(soc, h, { tensor: t, tile, tensorAddr: S, bufferAddr: D }));
    const b = withHierarchy((h) => cpuCopyCost(soc, h, plan));
    assert.deepEqual(a, b);
    const back = untileCopyPlan(t, tile).runs.map((r) => ({ src: D + r.src, dst: S + r.dst, bytes: r.bytes }));
    const c = withHierarchy((h) =>
      tileCopyCost(soc, h, { tensor: t, tile, direction: "untile", tensorAddr: S, bufferAddr: D }),
    );
    assert.deepEqual(
      c,
      withHierarchy((h) => cpuCopyCost(soc, h, back)),
    );
  });

  it("copies run on the core asked for", () => {
    withHierarchy((h) => {
      const c = cpuCopyCost(soc, h, bigRuns, { core: 3 });
      assert.equal(c.l1Misses, 2048);
      // core 3's L1 now holds the data; core 0 has nothing
      const s = h.run(new RunBatch().read(S, 32768, h.coreId(3)).read(S, 32768, h.coreId(0)));
      assert.equal(s.requesters[3].counters.l1Hits, 1024);
      assert.equal(s.requesters[0].counters.l1Hits, 0);
    });
  });

  it("properties: more bandwidth or more misses in flight never slower; more bytes never faster", () => {
    const rnd = mulberry32(41);
    const withMisses = (n: number): Soc => ({ ...soc, cpu: { ...soc.cpu, outstandingMissesPerCore: n } });
    for (let i = 0; i < 15; i++) {
      const n = 1 + Math.floor(rnd() * 40);
      const stride = 64 + 32 * Math.floor(rnd() * 8);
      const bytes = 1 + Math.floor(rnd() * 64);
      const runs = Array.from({ length: n }, (_, k) => ({ src: S + k * stride, dst: D + k * bytes, bytes }));
      const warm = rnd() < 0.5;
      const m = 1 + Math.floor(rnd() * 8);
      const cost = (s: Soc, r: CopyRun[], bw?: number) =>
        withHierarchy((h) => {
          if (warm) h.run(new RunBatch().read(S, n * stride, h.coreId(1)));
          return cpuCopyCost(s, h, r, { bandwidthGBps: bw }).cycles;
        }, s);
      const base = cost(withMisses(m), runs);
      assert.ok(cost(withMisses(m), runs, 25.6 * (1 + 3 * rnd())) <= base + 1e-9);
      assert.ok(cost(withMisses(m + 1 + Math.floor(rnd() * 8)), runs) <= base + 1e-9);
      if (!warm) {
        const longer = [...runs, { src: S + n * stride, dst: D + n * bytes, bytes }];
        assert.ok(cost(withMisses(m), longer) >= base - 1e-9);
      }
    }
  });
});
