/**
 * The ACP path (src/memory/acp.ts) on the SMAUG baseline SoC with 4 ACP lines in flight (the
 * round figure these hand-worked numbers use; the default is 16): the accelerator (1 GHz) reaches
 * host memory through the LLC, 20 cycles (20 ns) per hit, 4 lines of 32 B in flight; a miss adds
 * the DRAM latency (51.56 ns to a closed row; 39.11 ns on a row hit) and 32 / 25.6 = 1.25 ns of
 * bus. The accesses run on the accelerator's port of a real CacheHierarchy.
 */
import assert from "node:assert/strict";
import { CacheHierarchy, RunBatch, selectEngine } from "../../src/engine/index.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { acpLoad, acpStore, acpTransfer, cpuCopyCost, hostPathFor } from "../../src/memory/index.js";
import { cacheConfigOf, resolveSoc, type Soc } from "../../src/soc/index.js";

const soc = resolveSoc({ hostInterface: { acp: { maxOutstanding: 4 } } });
const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const fresh = () => new CacheHierarchy(selectEngine().engine, cacheConfigOf(soc));

describe("memory: ACP transfers", () => {
  let h: CacheHierarchy;
  beforeEach(() => {
    h = fresh();
  });
  afterEach(() => h.dispose());

  const TILE = { addr: 0x100000, bytes: 16384 }; // 512 lines

  it("reading a tile the CPU just wrote: every line hits the LLC", () => {
    // The CPU's 16 KiB sit dirty in core 0's L1 (and, inclusive, in the LLC). Each ACP read hits
    // the LLC (the core writes its dirty line back into it: a coherence write-back, no DRAM).
    // 512 requests, 4 in flight, 20 ns each, no bus time: ceil(512 / 4) · 20 = 2560 ns.
    h.run(new RunBatch().write(TILE.addr, TILE.bytes, h.coreId(0)));
    const t = acpLoad(soc, h, [TILE]);
    assert.deepEqual([t.lines, t.llcHits, t.llcMisses, t.dramReadLines], [512, 512, 0, 0]);
    assert.equal(t.coherenceWritebacks, 512);
    close(t.hitNs, 20);
    close(t.ns, 2560);
    close(t.cycles, 2560);
    assert.equal(t.bound, "latency");
  });

  it("reading cold data: every line misses to DRAM", () => {
    // Flat DRAM: each request 20 + 51.56 = 71.56 ns, 1.25 ns of bus; 511 = 127·4 + 3:
    // max(71.56 + 511·1.25, 128·71.56 + 3·1.25) = max(710.31, 9163.43) = 9163.43 ns, 3.6x the warm read.
    const t = acpLoad(soc, h, [TILE], { rowBuffer: false });
    assert.deepEqual([t.lines, t.llcHits, t.llcMisses, t.dramReadLines], [512, 0, 512, 512]);
    close(t.missNs, 71.56);
    close(t.ns, 9163.43);
    // the data are now in the LLC: a second read hits (2560 ns)
    close(acpLoad(soc, h, [TILE]).ns, 2560);
  });

  it("cold data with the row-buffer model", () => {
    // 16 KiB from a precharged start: 8 activations (51.56), 504 row hits (39.11): mean DRAM
    // latency 39.11 + 8·12.45 / 512 = 39.30453125; request 59.30453125 ns;
    // 128 · 59.30453125 + 3·1.25 = 7594.73 ns
    const t = acpLoad(soc, h, [{ addr: 0x400000, bytes: 16384 }]);
    close(t.dramLatencyNs, 39.30453125);
    close(t.ns, 128 * 59.30453125 + 3.75);
  });

  it("storing to cold memory allocates in the LLC (the engine fetches each line)", () => {
    // 128 write misses: 32 · 71.56 + 3 · 1.25 = 2293.67 ns (flat DRAM)
    const t = acpStore(soc, h, [{ addr: 0x300000, bytes: 4096 }], { rowBuffer: false });
    assert.deepEqual([t.lines, t.llcMisses], [128, 128]);
    close(t.ns, 2293.67);
    // the results stay dirty in the LLC: the CPU reads them from there, no DRAM
    const s = h.run(new RunBatch().read(0x300000, 4096, h.coreId(0)));
    assert.deepEqual([s.requesters[0].counters.llcHits, s.dramReadLines], [128, 0]);
  });

  it("what an untile leaves in the LLC is what the next layer's ACP loads hit", () => {
    // the CPU gathers a 16 KiB output from a tile buffer (cold) into the tensor, then the
    // accelerator loads the tensor: every line is an LLC hit
    cpuCopyCost(soc, h, [{ src: 0x500000, dst: TILE.addr, bytes: TILE.bytes }]);
    const t = acpLoad(soc, h, [TILE]);
    assert.equal(t.llcHits, 512);
    close(t.ns, 2560);
  });

  it("a mix of hits and misses is never faster than one miss", () => {
    // one cached line and one cold one, both in flight at once: the miss's 71.56 ns
    h.run(new RunBatch().read(0x100000, 32, h.coreId(0)));
    const t = acpLoad(soc, h, [{ addr: 0x100000, bytes: 64 }], { rowBuffer: false });
    assert.deepEqual([t.llcHits, t.llcMisses], [1, 1]);
    close(t.ns, 71.56);
  });

  it("each accelerator has its own port and clock", () => {
    const two: Soc = { ...soc, accelerators: [{ ...soc.accelerators[0], count: 2, clockGHz: 2 }] };
    const h2 = new CacheHierarchy(selectEngine().engine, cacheConfigOf(two));
    try {
      h2.run(new RunBatch().write(TILE.addr, TILE.bytes, 0));
      // 20 cycles at 2 GHz = 10 ns per hit: 128 · 10 = 1280 ns = 2560 cycles
      const t = acpTransfer(two, h2, [TILE], "load", { port: 1 });
      close(t.ns, 1280);
      close(t.cycles, 2560);
      assert.throws(() => acpTransfer(two, h2, [TILE], "load", { port: 2 }), /port 2 is unknown/);
    } finally {
      h2.dispose();
    }
  });

  it("properties: more bandwidth or more outstanding lines never slower", () => {
    const rnd = mulberry32(31);
    for (let i = 0; i < 15; i++) {
      const warm = { addr: Math.floor(rnd() * 4e6), bytes: Math.floor(rnd() * 40000) };
      const ranges = [{ addr: Math.floor(rnd() * 4e6), bytes: Math.floor(rnd() * 40000) }, warm];
      const outstanding = 1 + Math.floor(rnd() * 16);
      const run = (s: Soc, bw?: number): number => {
        const x = new CacheHierarchy(selectEngine().engine, cacheConfigOf(s));
        try {
          x.run(new RunBatch().write(warm.addr, warm.bytes, 0));
          return acpLoad(s, x, ranges, { bandwidthGBps: bw }).ns;
        } finally {
          x.dispose();
        }
      };
      const withAcp = (n: number): Soc => ({
        ...soc,
        hostInterface: { ...soc.hostInterface, acp: { ...soc.hostInterface.acp, maxOutstanding: n } },
      });
      const base = run(withAcp(outstanding));
      assert.ok(run(withAcp(outstanding + 1 + Math.floor(rnd() * 8))) <= base + 1e-9);
      assert.ok(run(withAcp(outstanding), 25.6 * (1 + rnd() * 4)) <= base + 1e-9);
    }
  });
});

describe("memory: host memory policy", () => {
  it("maps each tensor role to DMA or ACP", () => {
    assert.equal(hostPathFor("AllDma", "weights"), "dma");
    assert.equal(hostPathFor("AllDma", "inputs"), "dma");
    assert.equal(hostPathFor("AllAcp", "weights"), "acp");
    assert.equal(hostPathFor("AllAcp", "outputs"), "acp");
    assert.equal(hostPathFor("AllAcpWithDmaForWeights", "weights"), "dma");
    assert.equal(hostPathFor("AllAcpWithDmaForWeights", "inputs"), "acp");
    assert.equal(hostPathFor("AllAcpWithDmaForWeights", "outputs"), "acp");
  });
});
