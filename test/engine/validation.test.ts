import assert from "node:assert/strict";
import { CacheHierarchy, jsEngine, RunBatch, SMAUG_BASELINE_CACHES, selectEngine } from "../../src/engine/index.js";
import { InputError } from "../../src/errors.js";

const base = SMAUG_BASELINE_CACHES;
const withL1 = (l1d: object) => ({ ...base, l1d: { ...base.l1d, ...l1d } });

/** Building the hierarchy must throw an InputError whose message names `field`. */
function rejects(config: unknown, field: RegExp): void {
  assert.throws(
    () => new CacheHierarchy(jsEngine, config as never),
    (e: unknown) => e instanceof InputError && field.test(e.message),
  );
}

describe("cache configuration validation", () => {
  it("accepts the SMAUG baseline and derives its geometry", () => {
    const sim = new CacheHierarchy(jsEngine, base);
    // 64 KiB / (32 B x 4 ways) = 512 sets; 2 MiB / (32 B x 16 ways) = 4096 sets
    assert.deepEqual(
      [sim.params.l1Sets, sim.params.l1Ways, sim.params.llcSets, sim.params.llcWays, sim.params.lineBits],
      [512, 4, 4096, 16, 5],
    );
  });
  it("rejects a line size that is not a power of two", () => rejects(withL1({ lineBytes: 48 }), /l1d\.lineBytes/));
  it("rejects a number of sets that is not a power of two", () =>
    rejects(withL1({ sizeBytes: 3 * 32 * 4 }), /l1d\.ways.*power of two/));
  it("rejects associativity larger than the cache", () =>
    rejects(withL1({ sizeBytes: 64, ways: 4 }), /l1d\.ways.*larger than the cache/));
  it("rejects zero sizes", () => rejects(withL1({ sizeBytes: 0 }), /l1d\.sizeBytes/));
  it("rejects a size that is not a whole number of lines", () => rejects(withL1({ sizeBytes: 100 }), /l1d\.sizeBytes/));
  it("rejects different line sizes per level", () =>
    rejects({ ...base, llc: { ...base.llc, lineBytes: 64 } }, /llc\.lineBytes/));
  it("rejects zero cores and too many cores", () => {
    rejects({ ...base, cores: 0 }, /cores/);
    rejects({ ...base, cores: 33 }, /cores/);
  });
  it("rejects unknown fields and replacement policies", () => {
    rejects({ ...base, l3: {} }, /l3|unrecognized/i);
    rejects(withL1({ replacement: "plru" }), /l1d\.replacement/);
  });
  it("rejects caches beyond 2^26 lines per level", () => {
    rejects({ ...base, llc: { ...base.llc, sizeBytes: 2 ** 32 } }, /llc\.sizeBytes.*at most/);
    // 8 cores x 2^24 lines of 32 B = 2^27 lines across the L1Ds
    rejects({ ...base, l1d: { ...base.l1d, sizeBytes: 2 ** 29 } }, /l1d\.sizeBytes.*at most/);
  });
  it("accepts fully associative caches", () => {
    const sim = new CacheHierarchy(jsEngine, withL1({ sizeBytes: 1024, ways: "full" }));
    assert.deepEqual([sim.params.l1Sets, sim.params.l1Ways], [1, 32]);
  });
});

describe("batch validation", () => {
  const sim = new CacheHierarchy(jsEngine, { ...base, cores: 2, accelPorts: 1 });
  const bad = (b: RunBatch, re: RegExp) =>
    assert.throws(
      () => sim.run(b),
      (e: unknown) => e instanceof InputError && re.test(e.message),
    );
  it("rejects an unknown requester, naming the run", () =>
    bad(new RunBatch().read(0, 1, 0).read(0, 1, 3), /run 1: requester 3 is unknown/));
  it("rejects negative, fractional and out-of-range addresses", () => {
    bad(new RunBatch().read(-32, 1, 0), /run 0: addr/);
    bad(new RunBatch().read(1.5, 1, 0), /run 0: addr/);
    bad(new RunBatch().read(2 ** 48, 1, 0), /run 0: addr/);
    bad(new RunBatch().read(2 ** 48 - 1, 2, 0), /run 0: bytes/);
  });
  it("rejects an unknown operation, whether pushed or written into the arrays", () => {
    assert.throws(() => new RunBatch().push(0, 1, 7 as never, 0), /run 0: op 7 is unknown/);
    const b = new RunBatch().read(0, 1, 0);
    b.op[0] = 7;
    bad(b, /run 0: op 7/);
  });
  it("refuses ids a byte array would wrap or truncate", () => {
    assert.throws(() => new RunBatch().read(0, 1, 256), /requester 256 must be an integer id from 0 to 255/);
    assert.throws(() => new RunBatch().read(0, 1, 1.5), /requester 1.5/);
    assert.throws(() => new RunBatch().push(0, 1, 256 as never, 0), /op 256/);
  });
  it("names unknown cores and ports", () => {
    assert.throws(() => sim.coreId(2), /core 2 is unknown/);
    assert.throws(() => sim.portId(1), /port 1 is unknown/);
  });
});

describe("engine selection", () => {
  it("rejects an unknown engine name, naming where it came from", () => {
    assert.throws(() => selectEngine("gpu"), /--engine: unknown engine "gpu"/);
    assert.throws(() => selectEngine(undefined, { SMAUG_ENGINE: "fast" }), /SMAUG_ENGINE: unknown engine "fast"/);
  });
  it("lets the option win over SMAUG_ENGINE and reports the source", () => {
    const s = selectEngine("js", { SMAUG_ENGINE: "wasm" });
    assert.equal(s.engine.name, "js");
    assert.equal(s.source, "option");
    assert.equal(selectEngine(undefined, { SMAUG_ENGINE: "js" }).source, "env");
  });
});
