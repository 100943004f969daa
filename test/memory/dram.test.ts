/**
 * DRAM timing (src/memory/dram.ts): hand-worked streams and row-buffer counts on the baseline
 * SoC's LPDDR4 (4 channels interleaved every 32 B, 25.6 GB/s, latencyNs 51.56, 8 banks of 2 KiB
 * rows per channel, tRCD = tRP = 12.45 ns), bandwidth sharing, and properties.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import {
  dramAccessLatencyNs,
  dramLatencies,
  dramTransfer,
  dramWriteNs,
  RowBufferTracker,
  rowBufferCounts,
  shareBandwidth,
  sharedStreamFinishTimes,
  streamPeakGBps,
  streamTime,
  streamTimeVarying,
} from "../../src/memory/index.js";
import { resolveSoc, SMAUG_BASELINE } from "../../src/soc/index.js";

const dram = SMAUG_BASELINE.dram;
const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} != ${b}`);

describe("memory: DRAM streams", () => {
  it("64 chunks of 64 B, 16 in flight, 51.56 ns each: latency-bound", () => {
    // t = 64 B / 25.6 B/ns = 2.5 ns; C·t = 40 ns < L = 51.56 ns, so round trips limit.
    // N - 1 = 63 = 3·16 + 15: bandwidth bound 51.56 + 63·2.5 = 209.06;
    // latency bound (3 + 1)·51.56 + 15·2.5 = 206.24 + 37.5 = 243.74.
    const s = streamTime(64, 16, 51.56, 64 / 25.6);
    close(s.ns, 243.74);
    assert.equal(s.bound, "latency");
  });

  it("the same stream at row-hit latency 39.11 ns: bandwidth-bound", () => {
    // C·t = 40 > 39.11: bandwidth bound 39.11 + 157.5 = 196.61; latency bound 4·39.11 + 37.5 = 193.94.
    const s = streamTime(64, 16, 39.11, 2.5);
    close(s.ns, 196.61);
    assert.equal(s.bound, "bandwidth");
  });

  it("empty and single-request streams", () => {
    assert.equal(streamTime(0, 4, 50, 1).ns, 0);
    assert.equal(streamTime(1, 4, 50, 1).ns, 50);
    assert.equal(streamTimeVarying([], 4, 1), 0);
    assert.equal(streamTimeVarying([7], 4, 1), 7);
  });

  it("the closed form solves the recurrence (equal latencies), on random streams", () => {
    const rnd = mulberry32(11);
    for (let i = 0; i < 500; i++) {
      const n = 1 + Math.floor(rnd() * 300);
      const c = 1 + Math.floor(rnd() * 40);
      const l = rnd() * 100;
      const t = rnd() * 10;
      close(streamTime(n, c, l, t).ns, streamTimeVarying(new Float64Array(n).fill(l), c, t));
    }
  });

  it("property: more requests never faster; more in flight or less bus time never slower", () => {
    const rnd = mulberry32(12);
    for (let i = 0; i < 500; i++) {
      const n = Math.floor(rnd() * 200);
      const c = 1 + Math.floor(rnd() * 32);
      const l = rnd() * 100;
      const t = rnd() * 10;
      const base = streamTime(n, c, l, t).ns;
      assert.ok(streamTime(n + 1 + Math.floor(rnd() * 50), c, l, t).ns >= base);
      assert.ok(streamTime(n, c + 1 + Math.floor(rnd() * 8), l, t).ns <= base + 1e-9);
      assert.ok(streamTime(n, c, l, t * rnd()).ns <= base + 1e-9);
      const lat = Array.from({ length: n }, () => rnd() * 100);
      const v = streamTimeVarying(lat, c, t);
      assert.ok(streamTimeVarying([...lat, rnd() * 100], c, t) >= v);
      assert.ok(streamTimeVarying(lat, c + 1, t) <= v + 1e-9);
    }
  });

  it("peak rate of a stream and posted writes", () => {
    // 4 lines of 32 B per 59.56 ns round trip = 2.149 GB/s, below 25.6
    close(streamPeakGBps(4, 32, 59.56, 25.6), 128 / 59.56);
    close(streamPeakGBps(64, 64, 10, 25.6), 25.6);
    // 16 KiB of write-backs at 25.6 B/ns = 640 ns
    close(dramWriteNs(16384, 25.6), 640);
  });
});

describe("memory: DRAM row buffers", () => {
  it("the three access latencies of the baseline LPDDR4", () => {
    const l = dramLatencies(dram);
    close(l.hitNs, 51.56 - 12.45); // 39.11: fixed 25 ns + CAS 14.11
    close(l.emptyNs, 51.56); // activate + CAS + fixed
    close(l.conflictNs, 51.56 + 12.45); // 64.01: precharge first
  });

  it("a sequential 4 KiB stream opens one row per channel", () => {
    // 128 lines, 32 per channel = 1 KiB of each channel's 2 KiB row: 4 activations (banks were
    // precharged), 124 row hits.
    const c = rowBufferCounts(dram, [{ addr: 0, bytes: 4096 }], 32);
    assert.deepEqual(c, { accesses: 128, hits: 124, empty: 4, conflicts: 0 });
    // mean latency (124·39.11 + 4·51.56) / 128 = 5055.88 / 128 = 39.4990625
    close(dramAccessLatencyNs(dram, c), 39.4990625);
    // without the row-buffer model every access costs latencyNs
    close(dramAccessLatencyNs(dram, c, { rowBuffer: false }), 51.56);
  });

  it("16 KiB: two row segments per channel, in banks 0 and 1", () => {
    // 4 KiB of each channel = rows segments 0 and 1 (bank = segment mod 8): 8 activations, 504 hits
    assert.deepEqual(rowBufferCounts(dram, [{ addr: 0, bytes: 16384 }], 32), {
      accesses: 512,
      hits: 504,
      empty: 8,
      conflicts: 0,
    });
  });

  it("two ranges in the same banks, different rows, conflict", () => {
    // [0, 128): segment 0 of each channel (bank 0, row 0): 4 activations of precharged banks.
    // [65536, 65664): channel address floor(65536 / 32 / 4)·32 = 16384 = segment 8 → bank 0,
    // row 1: 4 conflicts. Back to [0, 128): row 0 again, 4 more conflicts.
    const t = new RowBufferTracker(dram, 32);
    t.add(0, 128).add(65536, 128).add(0, 128);
    assert.deepEqual(t.counts(), { accesses: 12, hits: 0, empty: 4, conflicts: 8 });
    // 12 accesses: (4·51.56 + 8·64.01) / 12
    close(dramAccessLatencyNs(dram, t.counts()), (4 * 51.56 + 8 * 64.01) / 12);
  });

  it("an unaligned range touches the channels it covers only", () => {
    // [40, 100): lines 1, 2, 3 (channels 1, 2, 3), 3 accesses, 3 activations
    assert.deepEqual(rowBufferCounts(dram, [{ addr: 40, bytes: 60 }], 32), {
      accesses: 3,
      hits: 0,
      empty: 3,
      conflicts: 0,
    });
  });

  it("the closed-page policy activates on every access", () => {
    const closed = resolveSoc({ dram: { rowBuffer: { policy: "closed" } } }).dram;
    assert.deepEqual(rowBufferCounts(closed, [{ addr: 0, bytes: 4096 }], 32), {
      accesses: 128,
      hits: 0,
      empty: 128,
      conflicts: 0,
    });
    close(dramAccessLatencyNs(closed, rowBufferCounts(closed, [{ addr: 0, bytes: 4096 }], 32)), 51.56);
  });

  it("misses of a partly cached range are clustered", () => {
    // half of the 4 KiB range misses: 64 accesses, the 4 activations fall among them:
    // (60·39.11 + 4·51.56) / 64 = 2552.84 / 64 = 39.888125
    const c = rowBufferCounts(dram, [{ addr: 0, bytes: 4096 }], 32);
    close(dramAccessLatencyNs(dram, c, { missFraction: 0.5 }), 39.888125);
  });

  it("row counting matches a line-by-line walk of the address mapping on random ranges", () => {
    const rnd = mulberry32(5);
    for (let trial = 0; trial < 200; trial++) {
      const ranges = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => ({
        addr: Math.floor(rnd() * 200_000),
        bytes: Math.floor(rnd() * 20_000),
      }));
      // reference: every 32 B line in address order, open row per (channel, bank)
      const open = new Map<number, number>();
      let accesses = 0;
      let empty = 0;
      let conflicts = 0;
      for (const r of ranges) {
        if (r.bytes === 0) continue;
        const first = Math.floor(r.addr / 32);
        const last = Math.floor((r.addr + r.bytes - 1) / 32);
        for (let u = first; u <= last; u++) {
          accesses++;
          const ch = u % 4;
          const seg = Math.floor((Math.floor(u / 4) * 32) / 2048);
          const key = ch * 8 + (seg % 8);
          const row = Math.floor(seg / 8);
          const was = open.get(key);
          if (was === row) continue;
          if (was === undefined) empty++;
          else conflicts++;
          open.set(key, row);
        }
      }
      assert.deepEqual(rowBufferCounts(dram, ranges, 32), {
        accesses,
        hits: accesses - empty - conflicts,
        empty,
        conflicts,
      });
    }
  });

  it("a plain transfer: 4 KiB in 64 B requests, 16 in flight, with row buffers", () => {
    // L = 39.4990625 (above), t = 2.5: bandwidth bound 39.4990625 + 157.5 = 196.9990625,
    // latency bound 4·39.4990625 + 37.5 = 195.49625: 196.9990625
    const s = dramTransfer(dram, 4096, { requestBytes: 64, concurrency: 16, accessBytes: 32 });
    close(s.ns, 196.9990625);
    assert.equal(s.requests, 64);
    assert.equal(s.bound, "bandwidth");
    close(dramTransfer(dram, 4096, { requestBytes: 64, concurrency: 16, rowBuffer: false }).ns, 243.74);
  });
});

describe("memory: sharing DRAM bandwidth", () => {
  it("max-min fair shares", () => {
    // a stream that wants 2 GB/s gets it; the other two split the remaining 23.6
    const s = shareBandwidth(25.6, [2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]);
    close(s[0], 2);
    close(s[1], 11.8);
    close(s[2], 11.8);
    assert.deepEqual(shareBandwidth(25.6, []), []);
    close(shareBandwidth(25.6, [1, 2])[1], 2); // total demand below the bandwidth
  });

  it("property: shares never exceed demands, sum to min(total, demand), and are fair", () => {
    const rnd = mulberry32(3);
    for (let i = 0; i < 300; i++) {
      const total = rnd() * 50;
      const d = Array.from({ length: 1 + Math.floor(rnd() * 8) }, () =>
        rnd() < 0.2 ? Number.POSITIVE_INFINITY : rnd() * 20,
      );
      const s = shareBandwidth(total, d);
      const sum = s.reduce((a, b) => a + b, 0);
      const want = d.reduce((a, b) => a + b, 0);
      close(sum, Math.min(total, want), 1e-9);
      s.forEach((x, k) => {
        assert.ok(x <= d[k] + 1e-12);
        // a stream held below its demand gets at least as much as anyone else
        if (x < d[k] - 1e-9) for (const y of s) assert.ok(x >= y - 1e-9);
      });
    }
  });

  it("streams sharing the bus finish when processor sharing says", () => {
    // both at 12.8 GB/s: the 25,600 B stream ends at 2000 ns; the other then has 25,600 B left
    // at 25.6 GB/s: 1000 ns more, 3000 ns
    const f = sharedStreamFinishTimes(25.6, [{ bytes: 25600 }, { bytes: 51200 }]);
    close(f[0], 2000);
    close(f[1], 3000);
    // A alone for 1000 ns moves 25,600 of its 51,200 B; then both at 12.8 GB/s need 2000 ns
    const g = sharedStreamFinishTimes(25.6, [{ bytes: 51200 }, { bytes: 25600, startNs: 1000 }]);
    close(g[0], 3000);
    close(g[1], 3000);
    // a stream capped at 5 GB/s leaves 20.6 to the other: 20,600 B take 1000 ns; the capped
    // stream moves 5,000 B meanwhile and its last 5,000 B take another 1000 ns
    const h = sharedStreamFinishTimes(25.6, [{ bytes: 10000, maxGBps: 5 }, { bytes: 20600 }]);
    close(h[1], 1000);
    close(h[0], 2000);
    assert.deepEqual(sharedStreamFinishTimes(25.6, [{ bytes: 0, startNs: 5 }]), [5]);
  });

  it("property: more bandwidth never delays a stream", () => {
    const rnd = mulberry32(4);
    for (let i = 0; i < 100; i++) {
      const streams = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => ({
        startNs: rnd() * 1000,
        bytes: rnd() * 50_000,
        maxGBps: rnd() < 0.5 ? undefined : 1 + rnd() * 20,
      }));
      const bw = 1 + rnd() * 30;
      const a = sharedStreamFinishTimes(bw, streams);
      const b = sharedStreamFinishTimes(bw * (1 + rnd()), streams);
      a.forEach((t, k) => {
        assert.ok(b[k] <= t + 1e-6);
        assert.ok(t >= streams[k].startNs + streams[k].bytes / bw - 1e-6);
      });
    }
  });
});
