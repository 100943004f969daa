/**
 * The DMA path (src/memory/dma.ts) on the SMAUG baseline SoC: 100-cycle setup at the
 * accelerator's 1 GHz (100 ns), 64 B chunks, 16 in flight, 4 KiB pages, pipelined; DRAM 25.6 GB/s
 * (a chunk occupies the bus 64 / 25.6 = 2.5 ns), 51.56 ns to a closed row, 39.11 ns on a row hit;
 * CPU at 2.5 GHz flushing or invalidating at 20 cycles (8 ns) per 32 B line that some cache holds
 * and 2 cycles (0.8 ns) per line that no cache holds. The cache side runs on a real CacheHierarchy
 * built from the same SoC.
 */
import assert from "node:assert/strict";
import { CacheHierarchy, RunBatch, selectEngine } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import {
  dmaFlushCost,
  dmaInvalidateCost,
  dmaLoad,
  dmaPieces,
  dmaStore,
  dmaTransferTime,
  RowBufferTracker,
  streamTimeVarying,
} from "../../src/memory/index.js";
import { cacheConfigOf, resolveSoc, SMAUG_BASELINE, type Soc } from "../../src/soc/index.js";

const soc = SMAUG_BASELINE;
const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const withDma = (s: Soc, dma: Partial<Soc["hostInterface"]["dma"]>): Soc => ({
  ...s,
  hostInterface: { ...s.hostInterface, dma: { ...s.hostInterface.dma, ...dma } },
});

describe("memory: DMA transfers", () => {
  it("4 KiB, page-aligned, flat DRAM latency: 100 + 243.74 = 343.74 ns", () => {
    // One page, 64 chunks, 16 in flight, 51.56 ns each, 2.5 ns of bus each: 63 = 3·16 + 15, so
    // data = max(51.56 + 63·2.5, 4·51.56 + 15·2.5) = max(209.06, 243.74) = 243.74 ns (latency
    // bound: 16 chunks per round trip = 19.9 GB/s < 25.6). Setup 100 cycles at 1 GHz = 100 ns.
    const t = dmaTransferTime(soc, [{ addr: 0, bytes: 4096 }], { rowBuffer: false });
    close(t.ns, 343.74);
    close(t.cycles, 343.74); // accelerator at 1 GHz
    assert.equal(t.pieces, 1);
    assert.equal(t.chunks, 64);
    close(t.setupNs, 100);
    close(t.dataNs, 243.74);
    close(t.exposedSetupNs, 100);
    // a byte count is one range at address 0
    close(dmaTransferTime(soc, 4096, { rowBuffer: false }).ns, 343.74);
  });

  it("4 KiB with the row-buffer model: the first two chunks open the rows, the rest stream at bus rate", () => {
    // chunk k holds lines 2k, 2k+1 on channels 2k mod 4, 2k+1 mod 4: chunks 0 and 1 activate a
    // row in each of the 4 precharged channels (51.56 ns), chunks 2..63 hit (39.11 ns). 16·2.5 =
    // 40 ns > 39.11, so the bus paces the stream: chunk 0 at 51.56, chunk k at 51.56 + 2.5·k:
    // data = 51.56 + 63·2.5 = 209.06 ns, total 309.06 ns.
    const t = dmaTransferTime(soc, [{ addr: 0, bytes: 4096 }]);
    close(t.dataNs, 209.06);
    close(t.ns, 309.06);
    assert.deepEqual(t.rows, { accesses: 128, hits: 124, empty: 4, conflicts: 0 });
    // mean chunk latency (2·51.56 + 62·39.11) / 64
    close(t.latencyNs, (2 * 51.56 + 62 * 39.11) / 64);
  });

  it("a 4 KiB transfer crossing a page boundary is two pieces", () => {
    // [2048, 6144) → [2048, 4096) and [4096, 6144), 32 chunks each. Flat latency: each piece
    // 31 = 1·16 + 15 → max(51.56 + 31·2.5, 2·51.56 + 15·2.5) = max(129.06, 140.62) = 140.62.
    // Pipelined: setup 1 [0, 100], data 1 [100, 240.62]; setup 2 [100, 200] hides behind it;
    // data 2 [240.62, 381.24]. Against 343.74 aligned: the pipeline drains at the page boundary.
    const ranges = [{ addr: 2048, bytes: 4096 }];
    assert.deepEqual(dmaPieces(soc.hostInterface.dma, ranges), [
      { addr: 2048, bytes: 2048, chunks: 32 },
      { addr: 4096, bytes: 2048, chunks: 32 },
    ]);
    const t = dmaTransferTime(soc, ranges, { rowBuffer: false });
    close(t.ns, 381.24);
    close(t.setupNs, 200);
    close(t.exposedSetupNs, 100);
    // not pipelined: (100 + 140.62) · 2 = 481.24
    close(dmaTransferTime(withDma(soc, { pipelined: false }), ranges, { rowBuffer: false }).ns, 481.24);
    // with row buffers: piece 1 opens the rows (51.56 + 31·2.5 = 129.06, bus-paced); piece 2
    // stays in the same open rows (channel bytes 1024..1535): all hits, max(39.11 + 77.5,
    // 2·39.11 + 37.5) = 116.61. Data 1 [100, 229.06], data 2 [229.06, 345.67].
    close(dmaTransferTime(soc, ranges).ns, 345.67);
  });

  it("chunks are aligned: an unaligned 64 B transfer takes two chunks", () => {
    // [32, 96) touches chunks [0, 64) and [64, 128)
    assert.equal(dmaTransferTime(soc, [{ addr: 32, bytes: 64 }]).chunks, 2);
    // 2 chunks, 51.56 ns each, second behind the first on the bus: 51.56 + 2.5; + setup 100
    close(dmaTransferTime(soc, [{ addr: 32, bytes: 64 }], { rowBuffer: false }).ns, 154.06);
  });

  it("several transfers pipeline their setups; a 32 KiB tile is 8 pages", () => {
    // two page-aligned 4 KiB transfers: 100 + 243.74 + 243.74 = 587.48 (second setup hidden)
    const two = dmaTransferTime(
      soc,
      [
        { addr: 0, bytes: 4096 },
        { addr: 65536, bytes: 4096 },
      ],
      { rowBuffer: false },
    );
    close(two.ns, 587.48);
    assert.equal(two.transfers, 2);
    // 32 KiB: 100 + 8·243.74 = 2049.92 ns (16.0 GB/s)
    close(dmaTransferTime(soc, 32768, { rowBuffer: false }).ns, 2049.92);
    // nothing to move, no time
    assert.equal(dmaTransferTime(soc, 0).ns, 0);
    assert.equal(dmaTransferTime(soc, []).ns, 0);
  });

  it("setup is counted in the accelerator's clock", () => {
    // 100 cycles at 2 GHz = 50 ns: 50 + 243.74 = 293.74 ns = 587.48 accelerator cycles
    const fast = resolveSoc({ accelerators: [{ kind: "smv", clockGHz: 2 }] });
    const t = dmaTransferTime(fast, 4096, { rowBuffer: false });
    close(t.ns, 293.74);
    close(t.cycles, 587.48);
    assert.throws(() => dmaTransferTime(soc, 4096, { accelerator: 1 }), /accelerator 1 is unknown/);
  });

  it("chunk latencies match a chunk-by-chunk row-buffer walk, on random transfers", () => {
    // reference: feed each chunk to a fresh-per-transfer tracker in order; a chunk that opened a
    // row in a precharged bank costs 51.56 ns, one that closed another row 64.01 ns, else 39.11;
    // each page piece is a closed-loop stream, pieces behind pipelined 100 ns setups
    const rnd = mulberry32(22);
    const dma = soc.hostInterface.dma;
    for (let i = 0; i < 100; i++) {
      const ranges = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
        addr: Math.floor(rnd() * 300_000),
        bytes: Math.floor(rnd() * 12_000),
      }));
      const tracker = new RowBufferTracker(soc.dram, 32);
      let dataStart = 0;
      let dataEnd = 0;
      dmaPieces(dma, ranges).forEach((p, k) => {
        const lats: number[] = [];
        for (let a = p.addr; a < p.addr + p.bytes; ) {
          const e = Math.min(p.addr + p.bytes, (Math.floor(a / 64) + 1) * 64);
          const before = tracker.counts();
          tracker.add(a, e - a);
          const after = tracker.counts();
          lats.push(after.conflicts > before.conflicts ? 64.01 : after.empty > before.empty ? 51.56 : 39.11);
          a = e;
        }
        const setupStart = k === 0 ? 0 : dataStart;
        dataStart = Math.max(setupStart + 100, dataEnd);
        dataEnd = dataStart + streamTimeVarying(lats, 16, 2.5);
      });
      close(dmaTransferTime(soc, ranges).ns, dataEnd);
    }
  });

  it("properties: more bandwidth or more outstanding requests never slower; more bytes never faster", () => {
    const rnd = mulberry32(21);
    for (let i = 0; i < 200; i++) {
      const ranges = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
        addr: Math.floor(rnd() * 1_000_000),
        bytes: Math.floor(rnd() * 20_000),
      }));
      const rowBuffer = rnd() < 0.7;
      const pipelined = rnd() < 0.5;
      const base = withDma(soc, { pipelined });
      const t = dmaTransferTime(base, ranges, { rowBuffer }).ns;
      const bw = soc.dram.bandwidthGBps * (1 + rnd() * 3);
      assert.ok(dmaTransferTime(base, ranges, { rowBuffer, bandwidthGBps: bw }).ns <= t + 1e-9);
      const more = withDma(base, { maxOutstanding: 16 + 1 + Math.floor(rnd() * 32) });
      assert.ok(dmaTransferTime(more, ranges, { rowBuffer }).ns <= t + 1e-9);
      const longer = ranges.map((r, k) =>
        k === ranges.length - 1 ? { ...r, bytes: r.bytes + 1 + Math.floor(rnd() * 9000) } : r,
      );
      assert.ok(dmaTransferTime(base, longer, { rowBuffer }).ns >= t - 1e-9);
      assert.ok(dmaTransferTime(base, [...ranges, { addr: 2_000_000, bytes: 64 }], { rowBuffer }).ns >= t - 1e-9);
    }
  });
});

describe("memory: DMA software coherence (CPU side)", () => {
  let h: CacheHierarchy;
  beforeEach(() => {
    h = new CacheHierarchy(selectEngine().engine, cacheConfigOf(soc));
  });
  afterEach(() => h.dispose());

  const TILE = { addr: 0x100000, bytes: 16384 }; // 512 lines of 32 B

  it("flushing a tile the CPU just wrote: every line dirty, every line written back", () => {
    // core 0 writes 16 KiB: 512 lines dirty in its 64 KiB L1. Flush: 512 lines x 20 cycles =
    // 10,240 cycles = 4096 ns at 2.5 GHz; 512 dirty lines = 16,384 B to DRAM at 25.6 GB/s = 640 ns.
    h.run(new RunBatch().write(TILE.addr, TILE.bytes, h.coreId(0)));
    const f = dmaFlushCost(soc, h, [TILE]);
    assert.equal(f.lines, 512);
    assert.equal(f.presentLines, 512);
    assert.equal(f.dirtyLines, 512);
    assert.equal(f.lookupCycles, 10240);
    close(f.lookupNs, 4096);
    assert.equal(f.writebackBytes, 16384);
    close(f.writebackNs, 640);
    close(f.ns, 4736);
    close(f.cpuCycles, 11840);
    // the lines are gone: flushing again finds nothing. Still 512 lines walked, but each is
    // absent: 512 x 2 cycles = 1024 cycles = 409.6 ns at 2.5 GHz
    const again = dmaFlushCost(soc, h, [TILE]);
    assert.deepEqual([again.lines, again.presentLines, again.dirtyLines], [512, 0, 0]);
    assert.equal(again.lookupCycles, 1024);
    close(again.ns, 409.6);
  });

  it("flushing a tile never touched: only absent-line lookups, no write-back", () => {
    // 512 lines, none cached: 512 x 2 cycles = 1024 cycles = 409.6 ns at 2.5 GHz
    const f = dmaFlushCost(soc, h, [TILE]);
    assert.deepEqual([f.lines, f.presentLines, f.dirtyLines], [512, 0, 0]);
    assert.equal(f.lookupCycles, 1024);
    close(f.ns, 409.6);
    assert.equal(f.writebackNs, 0);
  });

  it("flushing a tile the CPU only read: present, clean, no write-back", () => {
    // 512 present lines x 20 cycles = 10,240 cycles = 4096 ns at 2.5 GHz
    h.run(new RunBatch().read(TILE.addr, TILE.bytes, h.coreId(0)));
    const f = dmaFlushCost(soc, h, [TILE]);
    assert.deepEqual([f.lines, f.presentLines, f.dirtyLines], [512, 512, 0]);
    close(f.ns, 4096);
  });

  it("only the dirty half of a half-written tile is written back", () => {
    // core 0 reads the tile, then writes its second half: all 512 lines present, 512 x 20 cycles =
    // 4096 ns; 256 dirty lines, 256 x 32 B / 25.6 = 320 ns
    h.run(new RunBatch().read(TILE.addr, TILE.bytes, h.coreId(0)).write(TILE.addr + 8192, 8192, h.coreId(0)));
    const f = dmaFlushCost(soc, h, [TILE]);
    assert.equal(f.dirtyLines, 256);
    close(f.ns, 4096 + 320);
  });

  it("invalidating after a DMA store never writes back, and discards dirty data", () => {
    h.run(new RunBatch().write(TILE.addr, TILE.bytes, h.coreId(1)));
    const inv = dmaInvalidateCost(soc, h, [TILE], { core: 0 });
    // all 512 lines are present (in core 1's L1): 512 x 20 cycles = 4096 ns, dirty or not
    assert.deepEqual([inv.lines, inv.presentLines, inv.dirtyLines], [512, 512, 512]);
    close(inv.ns, 4096);
    assert.equal(inv.writebackBytes, 0);
  });

  it("a line no cache holds costs 2 cycles to flush, a line some cache holds 20", () => {
    // a 4 KiB range = 128 lines of 32 B
    const r = { addr: 0x300000, bytes: 4096 };
    // never touched: 128 absent lines x 2 cycles = 256 cycles = 102.4 ns at 2.5 GHz
    const cold = dmaFlushCost(soc, h, [r]);
    assert.deepEqual([cold.lines, cold.presentLines, cold.dirtyLines], [128, 0, 0]);
    assert.equal(cold.lookupCycles, 128 * 2);
    close(cold.ns, 102.4);
    // the same range after core 0 has read it: 128 present, clean lines x 20 cycles = 2560 cycles
    // = 1024 ns, no write-back
    h.run(new RunBatch().read(r.addr, r.bytes, h.coreId(0)));
    const warm = dmaFlushCost(soc, h, [r]);
    assert.deepEqual([warm.lines, warm.presentLines, warm.dirtyLines], [128, 128, 0]);
    assert.equal(warm.lookupCycles, 128 * 20);
    close(warm.ns, 1024);
    // half of it read again: 64 x 20 + 64 x 2 = 1280 + 128 = 1408 cycles = 563.2 ns
    h.run(new RunBatch().read(r.addr, 2048, h.coreId(0)));
    const half = dmaFlushCost(soc, h, [r]);
    assert.deepEqual([half.lines, half.presentLines], [128, 64]);
    assert.equal(half.lookupCycles, 1408);
    close(half.ns, 563.2);
    // invalidation prices lines the same way: the range is now uncached, 128 x 2 = 256 cycles
    const inv = dmaInvalidateCost(soc, h, [r]);
    assert.deepEqual([inv.lines, inv.presentLines], [128, 0]);
    assert.equal(inv.lookupCycles, 256);
    close(inv.ns, 102.4);
  });

  it("absentLineCycles = flushCyclesPerLine (set in the SoC): every line costs the same", () => {
    // 20 cycles per line whether cached or not: 128 lines x 20 = 2560 cycles = 1024 ns at 2.5 GHz
    const flat = resolveSoc({ hostInterface: { dma: { absentLineCycles: 20 } } });
    assert.equal(flat.hostInterface.dma.absentLineCycles, flat.hostInterface.dma.flushCyclesPerLine);
    const r = { addr: 0x300000, bytes: 4096 };
    const cold = dmaFlushCost(flat, h, [r]);
    h.run(new RunBatch().read(r.addr, 2048, h.coreId(0)));
    const half = dmaFlushCost(flat, h, [r]);
    h.run(new RunBatch().read(r.addr, r.bytes, h.coreId(0)));
    const warm = dmaFlushCost(flat, h, [r]);
    assert.deepEqual([cold.presentLines, half.presentLines, warm.presentLines], [0, 64, 128]);
    for (const f of [cold, half, warm]) {
      assert.equal(f.lookupCycles, 2560);
      close(f.ns, 1024);
    }
    // invalidateCyclesPerLine is 20 too: an uncached range also costs 2560 cycles to invalidate
    const inv = dmaInvalidateCost(flat, h, [r]);
    assert.equal(inv.presentLines, 0);
    assert.equal(inv.lookupCycles, 2560);
  });

  it("a DMA load flushes then transfers; a DMA store transfers then invalidates", () => {
    // a 4 KiB tile just written by the CPU (every line present): flush 128 x 8 ns = 1024 ns +
    // 4096 B / 25.6 = 160 ns = 1184 ns;
    // transfer 309.06 ns (row buffers, as above: the tile's rows map like address 0's)
    const tile = { addr: 0x100000, bytes: 4096 };
    h.run(new RunBatch().write(tile.addr, tile.bytes, h.coreId(0)));
    const load = dmaLoad(soc, h, [tile]);
    close(load.flush.ns, 1184);
    close(load.transfer.ns, 309.06);
    close(load.ns, 1493.06);
    // store into a buffer core 0 has cached: the transfer, then 128 present lines x 8 ns of
    // invalidation = 1024 ns
    h.run(new RunBatch().read(0x200000, 4096, h.coreId(0)));
    const store = dmaStore(soc, h, [{ addr: 0x200000, bytes: 4096 }]);
    close(store.transfer.ns, 309.06);
    close(store.invalidate.ns, 1024);
    assert.equal(store.invalidate.presentLines, 128);
    close(store.ns, 1333.06);
    // afterwards the CPU no longer holds the destination: a read misses to DRAM
    const s = h.run(new RunBatch().read(0x200000, 4096, h.coreId(0)));
    assert.equal(s.requesters[0].counters.llcMisses, 128);
  });

  it("property: more bandwidth never makes a flush slower", () => {
    const rnd = mulberry32(8);
    for (let i = 0; i < 20; i++) {
      const r = { addr: Math.floor(rnd() * 1e6), bytes: Math.floor(rnd() * 30000) };
      const a = new CacheHierarchy(selectEngine().engine, cacheConfigOf(soc));
      const b = new CacheHierarchy(selectEngine().engine, cacheConfigOf(soc));
      try {
        for (const x of [a, b]) x.run(new RunBatch().write(r.addr, Math.floor(r.bytes / 2), 0));
        const slow = dmaFlushCost(soc, a, [r]).ns;
        const fast = dmaFlushCost(soc, b, [r], { bandwidthGBps: 51.2 }).ns;
        assert.ok(fast <= slow);
      } finally {
        a.dispose();
        b.dispose();
      }
    }
  });
});
