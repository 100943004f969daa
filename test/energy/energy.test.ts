import assert from "node:assert/strict";
import { z } from "zod";
import {
  acceleratorEnergyActions,
  addEnergyActions,
  DEFAULT_ENERGY_TABLE,
  ENERGY_COMPONENTS,
  ENERGY_FIELDS,
  ENERGY_ITEMS,
  type EnergyActions,
  type EnergyBreakdown,
  emptyEnergyActions,
  energyBreakdown,
  energyTableSchema,
  HOROWITZ_45NM_PJ,
  ITEM_COMPONENT,
  resolveEnergyTable,
  TECH_SCALING,
} from "../../src/energy/index.js";
import { InputError } from "../../src/errors.js";

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** A small deterministic generator (mulberry32) for random action sets. */
function rng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function randomActions(seed: number): EnergyActions {
  const next = rng(seed);
  const n = (max: number) => Math.floor(next() * max);
  return {
    macs: { fp16: n(1e9), fp32: n(1e8) },
    spadReadBytes: n(1e9),
    spadWriteBytes: n(1e8),
    l1Accesses: n(1e8),
    llcAccesses: n(1e7),
    dramReadBytes: n(1e9),
    dramWriteBytes: n(1e8),
    dramActivates: n(1e6),
    dmaBytes: n(1e9),
    cpuActiveCycles: n(1e9),
    cpuIdleCycles: n(1e9),
    acceleratorActiveCycles: n(1e8),
    acceleratorIdleCycles: n(1e8),
    elapsedNs: next() * 1e8,
    dramChannelNs: next() * 4e8,
  };
}

function scaled(a: EnergyActions, k: number): EnergyActions {
  const out = emptyEnergyActions();
  out.macs.fp16 = a.macs.fp16 * k;
  out.macs.fp32 = a.macs.fp32 * k;
  for (const key of Object.keys(a) as (keyof EnergyActions)[]) if (key !== "macs") out[key] = a[key] * k;
  return out;
}

function assertSumsExactly(b: EnergyBreakdown): void {
  assert.equal(sum(ENERGY_COMPONENTS.map((c) => b.componentsPj[c])), b.totalPj);
  assert.equal(sum(ENERGY_ITEMS.map((i) => b.itemsPj[i])), b.totalPj);
  for (const c of ENERGY_COMPONENTS) {
    assert.ok(Number.isSafeInteger(b.componentsPj[c]));
    assert.equal(b.components[c], b.componentsPj[c] / 1000);
  }
  assert.equal(b.totalNj, b.totalPj / 1000);
  // the nJ figures are the integers / 1000: they sum to the total up to the division's rounding
  const nj = sum(ENERGY_COMPONENTS.map((c) => b.components[c]));
  assert.ok(Math.abs(nj - b.totalNj) <= 1e-12 * Math.max(1, b.totalNj), `${nj} vs ${b.totalNj}`);
}

describe("energy: technology table", () => {
  it("scales Horowitz's 45 nm figures to 16 nm with the stated Stillmaker & Baas factor", () => {
    // (0.2958*0.8^2 - 0.1241*0.8 + 0.03024) / (1.103*0.9^2 - 0.362*0.9 + 0.2767) = 0.120272 / 0.84433
    assert.ok(Math.abs(TECH_SCALING.factor - 0.120272 / 0.84433) < 1e-12);
    assert.equal(Number(TECH_SCALING.factor.toPrecision(4)), 0.1424);
    const t = DEFAULT_ENERGY_TABLE;
    assert.equal(t.macFp16Pj, 0.2137); // (1.1 + 0.4) x 0.14245
    assert.equal(t.macFp32Pj, 0.6553); // (3.7 + 0.9) x 0.14245
    assert.equal(t.spadReadPjPerByte, 0.3561); // 20 pJ / 8 B x 0.14245
    assert.equal(t.spadWritePjPerByte, 0.3561); // assumption: = read
    assert.equal(t.l1AccessPjPerLine, 15.72); // 20 x 5^(1/5) = 27.59 pJ/64 b at 64 KiB, x 4 words x 0.14245
    assert.equal(t.llcAccessPjPerLine, 78.62); // 100 x 5^(1/5) = 138.0 pJ/64 b at 2 MiB, x 4 x 0.14245
    assert.equal(t.dmaPjPerByte, 0.3561); // 2 x 10 pJ / 8 B x 0.14245
    assert.equal(HOROWITZ_45NM_PJ.sram32KiBRead64b, 20);
  });

  it("derives the DRAM entries from DRAMsim3's LPDDR4 currents", () => {
    const t = DEFAULT_ENERGY_TABLE;
    assert.equal(t.dramReadPjPerByte, 48.8); // 1.2 V x (243 - 47) mA x 8 x 0.83 ns / 32 B = 48.804
    assert.equal(t.dramWritePjPerByte, 45.07); // 1.2 x (228 - 47) x 8 x 0.83 / 32 = 45.069
    assert.equal(t.dramActivatePj, 1739); // 1.2 x (80 x 47 - (47 x 32 + 34 x 15)) x 0.83 = 1739.0
    assert.equal(t.dramBackgroundMwPerChannel, 69.06); // 1.2 x 47 + 1.2 x 233 x 392 / 8660 = 56.4 + 12.66
  });

  it("every default is finite and positive, and every field says where it comes from", () => {
    assert.equal(ENERGY_FIELDS.length, 16);
    const shape = energyTableSchema.shape as Record<string, z.ZodType>;
    for (const f of ENERGY_FIELDS) {
      const v = DEFAULT_ENERGY_TABLE[f];
      assert.ok(Number.isFinite(v) && v > 0, `${f} = ${v}`);
      const d = shape[f].description ?? "";
      assert.match(d, /Horowitz|DRAMsim3|assumption/, `${f}: ${d}`);
      assert.match(d, /pJ|mW/, `${f}: no unit in "${d}"`);
      assert.match(f, /Pj$|PjPer[A-Z][a-z]+$|Mw$|MwPer[A-Z][a-z]+$/, `${f}: no unit in the name`);
    }
    assert.equal(DEFAULT_ENERGY_TABLE.name, "smaug-sim-16nm");
    assert.ok(Object.isFrozen(DEFAULT_ENERGY_TABLE));
    assert.deepEqual(energyTableSchema.parse({}), DEFAULT_ENERGY_TABLE);
  });

  it("has a JSON Schema (for the SoC file's schema) with every field, its default and description", () => {
    const js = z.toJSONSchema(energyTableSchema, { io: "input" }) as {
      properties: Record<string, { default?: unknown; description?: string }>;
      additionalProperties: boolean;
    };
    assert.equal(js.additionalProperties, false);
    for (const f of ENERGY_FIELDS) {
      assert.equal(js.properties[f].default, DEFAULT_ENERGY_TABLE[f]);
      assert.ok(js.properties[f].description);
    }
  });

  it("resolves a partial table field by field over the defaults", () => {
    const t = resolveEnergyTable({ name: "7nm-guess", macFp16Pj: 0.1, dramReadPjPerByte: 0 });
    assert.equal(t.name, "7nm-guess");
    assert.equal(t.macFp16Pj, 0.1);
    assert.equal(t.dramReadPjPerByte, 0); // zero switches an item off
    assert.equal(t.macFp32Pj, DEFAULT_ENERGY_TABLE.macFp32Pj);
    assert.deepEqual(resolveEnergyTable(undefined), DEFAULT_ENERGY_TABLE);
    assert.deepEqual(resolveEnergyTable(null), DEFAULT_ENERGY_TABLE);
    // over another base
    assert.equal(resolveEnergyTable({ macFp32Pj: 1 }, undefined, t).macFp16Pj, 0.1);
  });

  it("validation errors name the field and what would be valid", () => {
    const message = (partial: unknown) => {
      try {
        resolveEnergyTable(partial, "my.yaml");
      } catch (e) {
        assert.ok(e instanceof InputError, `not an InputError: ${e}`);
        return e.message;
      }
      assert.fail("no error");
    };
    assert.equal(message({ macFp16Pj: -1 }), "my.yaml: energy.macFp16Pj: must be a number from 0 to 1000000 (got -1)");
    assert.match(message({ dramReadPjPerByte: "fast" }), /^my\.yaml: energy\.dramReadPjPerByte: must be a number/);
    assert.match(message({ cpuIdlePjPerCycle: Number.POSITIVE_INFINITY }), /energy\.cpuIdlePjPerCycle: .*Infinity/);
    assert.match(message({ llcLeakageMw: Number.NaN }), /energy\.llcLeakageMw: .*NaN/);
    assert.match(message({ macFp16: 1 }), /energy\.macFp16: unknown field \(valid fields here: name, macFp16Pj,/);
    assert.match(message({ name: "" }), /energy\.name: must be a string of 1 to 128 characters/);
    assert.match(message([1]), /energy: must be a mapping/);
    // two problems, both reported
    const both = message({ macFp16Pj: -1, dmaPjPerByte: -2 });
    assert.match(both, /energy\.macFp16Pj/);
    assert.match(both, /energy\.dmaPjPerByte/);
    // the schema's own issues carry the field as their path (what the SoC resolver reports)
    const r = energyTableSchema.safeParse({ spadReadPjPerByte: -1 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0].path, ["spadReadPjPerByte"]);
  });
});

describe("energy: accounting", () => {
  it("a hand-worked example with the default table", () => {
    // A 12 us run on the baseline SoC: 8 cores at 2.5 GHz (240,000 core cycles), one accelerator
    // at 1 GHz (12,000 cycles), 4 DRAM channels (48,000 channel-ns).
    const a: EnergyActions = {
      macs: { fp16: 1_000_000, fp32: 500_000 },
      spadReadBytes: 65_536,
      spadWriteBytes: 16_384,
      l1Accesses: 1_000,
      llcAccesses: 2_048,
      dramReadBytes: 65_536,
      dramWriteBytes: 32_768,
      dramActivates: 48,
      dmaBytes: 98_304,
      cpuActiveCycles: 25_000,
      cpuIdleCycles: 215_000,
      acceleratorActiveCycles: 10_000,
      acceleratorIdleCycles: 2_000,
      elapsedNs: 12_000,
      dramChannelNs: 48_000,
    };
    const b = energyBreakdown(a, DEFAULT_ENERGY_TABLE);
    assert.equal(b.table, "smaug-sim-16nm");
    assert.deepEqual(b.itemsPj, {
      macFp16: 213_700, //         1,000,000 fp16 MACs x 0.2137 pJ
      macFp32: 327_650, //           500,000 fp32 MACs x 0.6553 pJ
      acceleratorActive: 200_000, // 10,000 busy cycles x 20 pJ
      spadRead: 23_337, //            65,536 B x 0.3561 pJ/B = 23,337.37
      spadWrite: 5_834, //            16,384 B x 0.3561 pJ/B = 5,834.34
      l1: 15_720, //                   1,000 lines x 15.72 pJ
      llc: 161_014, //                 2,048 lines x 78.62 pJ = 161,013.76
      dramRead: 3_198_157, //         65,536 B x 48.80 pJ/B = 3,198,156.8
      dramWrite: 1_476_854, //        32,768 B x 45.07 pJ/B = 1,476,853.76
      dramActivate: 83_472, //            48 x 1,739 pJ
      dma: 35_006, //                 98,304 B x 0.3561 pJ/B = 35,006.05
      cpuActive: 5_000_000, //        25,000 core cycles x 200 pJ
      cpuIdle: 4_300_000, //         215,000 core cycles x 20 pJ
      acceleratorIdle: 4_000, //       2,000 cycles x 2 pJ
      llcLeakage: 240_000, //         12,000 ns x 20 mW
      dramBackground: 3_314_880, //   48,000 channel-ns x 69.06 mW
    });
    assert.deepEqual(b.componentsPj, {
      acceleratorCompute: 741_350, // 213,700 + 327,650 + 200,000
      scratchpads: 29_171, //          23,337 + 5,834
      caches: 176_734, //              15,720 + 161,014
      dram: 4_758_483, //           3,198,157 + 1,476,854 + 83,472
      dma: 35_006,
      cpu: 5_000_000,
      idleLeakage: 7_858_880, //    4,300,000 + 4,000 + 240,000 + 3,314,880
    });
    // 741,350 + 29,171 + 176,734 + 4,758,483 + 35,006 + 5,000,000 + 7,858,880 = 18,599,624 pJ
    assert.equal(b.totalPj, 18_599_624);
    assert.equal(b.totalNj, 18_599.624);
    assert.equal(b.components.dram, 4_758.483);
    // dynamic: everything but idle/leakage = 18,599,624 - 7,858,880 = 10,740,744 pJ
    assert.equal(b.dynamicNj, 10_740.744);
    assertSumsExactly(b);
  });

  it("components and items sum exactly to the total", () => {
    for (let seed = 1; seed <= 50; seed++)
      assertSumsExactly(energyBreakdown(randomActions(seed), DEFAULT_ENERGY_TABLE));
  });

  it("zero actions give zero energy; idle time alone gives only idle/leakage energy", () => {
    const zero = energyBreakdown(emptyEnergyActions(), DEFAULT_ENERGY_TABLE);
    assert.equal(zero.totalPj, 0);
    assert.equal(zero.dynamicNj, 0);
    for (const c of ENERGY_COMPONENTS) assert.equal(zero.components[c], 0);

    const idle = emptyEnergyActions();
    idle.cpuIdleCycles = 1e6;
    idle.acceleratorIdleCycles = 1e6;
    idle.elapsedNs = 4e5;
    idle.dramChannelNs = 1.6e6;
    const b = energyBreakdown(idle, DEFAULT_ENERGY_TABLE);
    assert.equal(b.dynamicNj, 0);
    assert.ok(b.components.idleLeakage > 0);
    assert.equal(b.componentsPj.idleLeakage, b.totalPj);
  });

  it("is linear: doubling every action doubles every item (to the picojoule) and the dynamic energy", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const a = randomActions(seed);
      const one = energyBreakdown(a, DEFAULT_ENERGY_TABLE);
      const two = energyBreakdown(scaled(a, 2), DEFAULT_ENERGY_TABLE);
      // each item is rounded once to a whole pJ, so doubling may differ from 2x by at most 1 pJ
      for (const i of ENERGY_ITEMS) assert.ok(Math.abs(two.itemsPj[i] - 2 * one.itemsPj[i]) <= 1, i);
      const tolNj = ENERGY_ITEMS.length / 1000;
      assert.ok(Math.abs(two.dynamicNj - 2 * one.dynamicNj) <= tolNj);
      assert.ok(Math.abs(two.totalNj - 2 * one.totalNj) <= tolNj);
    }
    // with integer energies nothing rounds: exact doubling
    const ints = resolveEnergyTable(Object.fromEntries(ENERGY_FIELDS.map((f, i) => [f, i + 1])));
    const a = randomActions(7);
    a.elapsedNs = 1234;
    a.dramChannelNs = 4936;
    assert.equal(energyBreakdown(scaled(a, 2), ints).totalPj, 2 * energyBreakdown(a, ints).totalPj);
  });

  it("each item lands in its group and uses its own table entry", () => {
    for (const f of ENERGY_FIELDS) {
      // a table with only this entry at 1: every other item is 0
      const only = resolveEnergyTable(Object.fromEntries(ENERGY_FIELDS.map((g) => [g, g === f ? 1 : 0])));
      const b = energyBreakdown(randomActions(3), only);
      const nonzero = ENERGY_ITEMS.filter((i) => b.itemsPj[i] !== 0);
      assert.equal(nonzero.length, 1, `${f}: ${nonzero.join(", ")}`);
    }
    assert.equal(ITEM_COMPONENT.macFp16, "acceleratorCompute");
    assert.equal(ITEM_COMPONENT.spadRead, "scratchpads");
    assert.equal(ITEM_COMPONENT.llc, "caches");
    assert.equal(ITEM_COMPONENT.dramActivate, "dram");
    assert.equal(ITEM_COMPONENT.cpuActive, "cpu");
    assert.equal(ITEM_COMPONENT.cpuIdle, "idleLeakage");
    assert.equal(ITEM_COMPONENT.dramBackground, "idleLeakage");
  });

  it("rejects counts that are negative or not finite, naming the field", () => {
    const bad = emptyEnergyActions();
    bad.dramReadBytes = -1;
    assert.throws(() => energyBreakdown(bad, DEFAULT_ENERGY_TABLE), /dramReadBytes must be a finite number >= 0/);
    const nan = emptyEnergyActions();
    nan.macs.fp32 = Number.NaN;
    assert.throws(() => energyBreakdown(nan, DEFAULT_ENERGY_TABLE), /macs\.fp32 must be a finite number/);
    const huge = emptyEnergyActions();
    huge.dramReadBytes = 1e300;
    assert.throws(() => energyBreakdown(huge, DEFAULT_ENERGY_TABLE), /beyond 2\^53 pJ/);
  });

  it("builds actions from an accelerator's ActionCounts and accumulates them", () => {
    const counts = { macs: 1000, spadReadBytes: 4096, spadWriteBytes: 512, hostLoadBytes: 9, hostStoreBytes: 9 };
    const a = acceleratorEnergyActions(counts, "fp32");
    assert.deepEqual(a.macs, { fp16: 0, fp32: 1000 });
    assert.equal(a.spadReadBytes, 4096);
    assert.equal(a.spadWriteBytes, 512);
    assert.equal(a.dmaBytes, 0); // host bytes are the memory model's to map
    const run = emptyEnergyActions();
    addEnergyActions(run, a);
    addEnergyActions(run, acceleratorEnergyActions(counts, "fp16"));
    assert.deepEqual(run.macs, { fp16: 1000, fp32: 1000 });
    assert.equal(run.spadReadBytes, 8192);
    // 1000 x 0.2137 + 1000 x 0.6553 = 869 pJ; 8192 x 0.3561 = 2917.2 -> 2917; 1024 x 0.3561 = 364.6 -> 365
    const b = energyBreakdown(run, DEFAULT_ENERGY_TABLE);
    assert.equal(b.componentsPj.acceleratorCompute, 869);
    assert.equal(b.componentsPj.scratchpads, 2917 + 365);
  });
});
