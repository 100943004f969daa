/**
 * The address allocator (src/memory/allocator.ts): hand-worked placements and invariants over
 * random sequences (aligned, non-overlapping, deterministic, below 2^48, releases reuse).
 */
import assert from "node:assert/strict";
import { ADDRESS_LIMIT } from "../../src/engine/cache.js";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { AddressAllocator, type Allocation, alignUp, tensorKey, tileKey } from "../../src/memory/index.js";

describe("memory: address allocator", () => {
  it("places allocations in order, each at its alignment", () => {
    const a = new AddressAllocator(); // base 0x10000 = 65536, align 64
    const t = a.allocateTensor("conv1", 100); // [65536, 65636)
    const u = a.allocateTile("conv1", 0, 10); // next multiple of 64 after 65636: 65664
    const v = a.allocate("spad:smv0", 5, 4096); // next page after 65674: 69632
    assert.deepEqual([t.addr, u.addr, v.addr], [65536, 65664, 69632]);
    assert.equal(a.addressOf(tensorKey("conv1")), 65536);
    assert.equal(a.tensorAddress("conv1"), 65536);
    assert.equal(a.tileAddress("conv1", 0), 65664);
    assert.equal(tileKey("conv1", 0), "tile:conv1#0");
    // footprint counts the gaps: 69637 - 65536; allocated bytes do not
    assert.equal(a.footprintBytes, 69637 - 65536);
    assert.equal(a.allocatedBytes, 115);
    assert.equal(a.count, 3);
    assert.equal(a.find(65600)?.name, "tensor:conv1");
    assert.equal(a.find(65640), undefined); // in the alignment gap
    assert.equal(a.find(69636)?.name, "spad:smv0");
    assert.equal(a.find(69637), undefined);
  });

  it("rejects duplicates, bad sizes and alignments, unknown names, and running out of space", () => {
    const a = new AddressAllocator({ base: 0, limit: 4096 });
    a.allocate("x", 64);
    assert.throws(() => a.allocate("x", 64), /already exists/);
    assert.throws(() => a.allocate("y", -1), /non-negative integer/);
    assert.throws(() => a.allocate("y", 1.5), /non-negative integer/);
    assert.throws(() => a.allocate("y", 8, 48), /power of two/);
    assert.throws(() => a.allocate("", 8), /non-empty name/);
    assert.throws(() => a.addressOf("nope"), /no allocation named "nope"/);
    assert.throws(() => a.allocate("big", 4096), /does not fit/);
    assert.throws(() => new AddressAllocator({ limit: 2 ** 49 }), /2\^48/);
    assert.throws(() => new AddressAllocator({ align: 3 }), /power of two/);
    // ensure returns the existing allocation, and checks its size
    assert.equal(a.ensure("x", 64).addr, 0);
    assert.throws(() => a.ensure("x", 65), /exists with 64 B/);
    assert.equal(a.ensure("z", 10).addr, 64);
  });

  it("fills the engine's address space up to 2^48 and no further", () => {
    const a = new AddressAllocator();
    const big = a.allocate("big", ADDRESS_LIMIT - 2 * 65536);
    assert.equal(big.addr + big.bytes, ADDRESS_LIMIT - 65536);
    a.allocate("last", 65536);
    assert.equal(a.end, ADDRESS_LIMIT);
    assert.throws(() => a.allocate("one more", 1), /does not fit/);
  });

  it("release frees everything after a mark, and the addresses come back", () => {
    const a = new AddressAllocator();
    a.allocateTensor("in", 1000);
    const m = a.mark();
    const t0 = a.allocateTile("in", 0, 500);
    a.allocateTile("in", 1, 500);
    const peak = a.footprintBytes;
    a.release(m);
    assert.equal(a.has(tileKey("in", 0)), false);
    assert.equal(a.count, 1);
    assert.equal(a.allocatedBytes, 1000);
    // the next operator's tiles get the same addresses
    assert.equal(a.allocateTile("next", 0, 500).addr, t0.addr);
    assert.equal(a.peakFootprintBytes, peak);
    // a mark from before the release is stale once later allocations are gone
    const m2 = a.mark();
    a.release(m);
    assert.throws(() => a.release(m2), /mark/);
  });

  it("invariants on random sequences: aligned, disjoint, in range, deterministic", () => {
    const run = (seed: number): Allocation[] => {
      const rnd = mulberry32(seed);
      const a = new AddressAllocator({ base: Math.floor(rnd() * 10_000) });
      const marks: ReturnType<AddressAllocator["mark"]>[] = [];
      for (let i = 0; i < 400; i++) {
        const r = rnd();
        if (r < 0.05) marks.push(a.mark());
        else if (r < 0.08 && marks.length > 0) {
          const m = marks.pop();
          if (m !== undefined && m.count <= a.count) a.release(m);
        } else {
          const align = 2 ** Math.floor(rnd() * 13);
          const bytes = Math.floor(rnd() * 70_000);
          a.allocate(`n${i}`, bytes, align);
        }
        const live = a.allocations();
        let end = a.base;
        for (const x of live) {
          assert.equal(x.addr % x.align, 0);
          assert.ok(x.addr >= end, "allocations overlap or are out of order");
          end = x.addr + x.bytes;
          assert.ok(end <= ADDRESS_LIMIT);
          assert.equal(a.addressOf(x.name), x.addr);
          if (x.bytes > 0) assert.equal(a.find(x.addr + Math.floor(x.bytes / 2)), x);
        }
        assert.equal(
          a.allocatedBytes,
          live.reduce((s, x) => s + x.bytes, 0),
        );
        assert.ok(a.footprintBytes <= a.peakFootprintBytes);
      }
      return [...a.allocations()];
    };
    for (let seed = 1; seed <= 5; seed++) assert.deepEqual(run(seed), run(seed));
  });

  it("alignUp", () => {
    assert.equal(alignUp(0, 64), 0);
    assert.equal(alignUp(1, 64), 64);
    assert.equal(alignUp(4096, 4096), 4096);
  });
});
