/**
 * The technology table: the energy of every action the simulator counts (a MAC, a scratchpad
 * byte, a cache line access, a DRAM byte, a CPU cycle, ...). One zod schema with defaults, units
 * in the field names, the source of every default next to it (docs/energy.md has the same table
 * with the derivations). The table is part of the SoC description (`energy:`), so a user can
 * replace any entry, or all of them, from the SoC file.
 *
 * Sources (../shared/reference/energy-facts.md and smaug-facts.md):
 * - M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014: per-op
 *   energies at 45 nm, 0.9 V. The SMAUG paper characterised its datapath in a 16 nm FinFET
 *   process, so every Horowitz figure is scaled 45 nm -> 16 nm by `TECH_SCALING.factor` below.
 * - DRAMsim3's LPDDR4 configuration (../shared/peers/dramsim3/LPDDR4_8Gb_x16_2400.ini, its IDD
 *   currents and VDD) with DRAMsim3's own energy equations (src/configuration.cc,
 *   InitPowerParams), in place of the paper's DRAMPower + LPDDR4 datasheet figures, which are
 *   not public.
 * - Everything else is an "assumption", with its reasoning.
 */
import { z } from "zod";
import { InputError } from "../errors.js";

// ---------------------------------------------------------------------------------------------
// The published figures and the scaling applied to them
// ---------------------------------------------------------------------------------------------

/** Horowitz, ISSCC 2014: energies at 45 nm, 0.9 V, in pJ (energy-facts.md). */
export const HOROWITZ_45NM_PJ = Object.freeze({
  fp16Add: 0.4,
  fp16Mul: 1.1,
  fp32Add: 0.9,
  fp32Mul: 3.7,
  /** one 64-bit read of an 8 KB SRAM array */
  sram8KiBRead64b: 10,
  /** one 64-bit read of a 32 KB SRAM array */
  sram32KiBRead64b: 20,
  /** one 64-bit read of a 1 MB SRAM array */
  sram1MiBRead64b: 100,
  /**
   * One instruction of a simple 45 nm core (Horowitz's "instruction energy breakdown", same paper:
   * ~70 pJ for an add, of which I-cache 25 pJ, register file 6 pJ, control the rest). Not in
   * energy-facts.md; used only to reason about the CPU assumption below.
   */
  instruction: 70,
});

/**
 * Stillmaker & Baas, "Scaling equations for the accurate prediction of CMOS device performance
 * from 180 nm to 7 nm", Integration, the VLSI Journal 58 (2017) 74-81: energy per operation at
 * node n and supply V is a*V^2 + b*V + c with per-node coefficients (as tabulated in Accelergy's
 * hwcomponents scaling module). Only the two nodes the default table uses are kept.
 */
export const STILLMAKER_ENERGY_COEFFS: Readonly<Record<"45" | "16", readonly [number, number, number]>> = Object.freeze(
  {
    "45": [1.103, -0.362, 0.2767],
    "16": [0.2958, -0.1241, 0.03024],
  },
);

const stillmaker = (node: "45" | "16", vdd: number) => {
  const [a, b, c] = STILLMAKER_ENERGY_COEFFS[node];
  return a * vdd * vdd + b * vdd + c;
};

/**
 * 45 nm at 0.9 V (Horowitz) -> 16 nm FinFET at 0.8 V (the SMAUG paper's process; 0.8 V is an
 * assumption: the nominal core supply of 16 nm FinFET processes). Stillmaker & Baas:
 * (0.2958*0.64 - 0.1241*0.8 + 0.03024) / (1.103*0.81 - 0.362*0.9 + 0.2767)
 * = 0.120272 / 0.84433 = 0.14245.
 */
export const TECH_SCALING = Object.freeze({
  fromNm: 45,
  fromVdd: 0.9,
  toNm: 16,
  toVdd: 0.8,
  factor: stillmaker("16", 0.8) / stillmaker("45", 0.9),
});

/** Four significant digits: the table shows tidy numbers, well inside the sources' accuracy. */
const sig4 = (x: number) => Number(x.toPrecision(4));
/** A 45 nm Horowitz energy at 16 nm. */
const at16nm = (pj45: number) => sig4(pj45 * TECH_SCALING.factor);

/**
 * SRAM read energy per 64 bits for an array of `kib` KiB, interpolated log-linearly (per doubling
 * of capacity) between Horowitz's 32 KB (20 pJ) and 1 MB (100 pJ) points: x5 over 5 doublings,
 * i.e. x5^(1/5) = x1.380 per doubling. 64 KiB -> 27.59 pJ; 2 MiB -> 138.0 pJ (one doubling past
 * 1 MB, extrapolated).
 */
export function horowitzSramRead64bPj(kib: number): number {
  const perDoubling = (HOROWITZ_45NM_PJ.sram1MiBRead64b / HOROWITZ_45NM_PJ.sram32KiBRead64b) ** (1 / 5);
  return HOROWITZ_45NM_PJ.sram32KiBRead64b * perDoubling ** Math.log2(kib / 32);
}

/** The baseline cache line (Table 2: 32 B), four 64-bit words. */
const LINE_WORDS = 32 / 8;

/**
 * DRAMsim3 LPDDR4 (LPDDR4_8Gb_x16_2400.ini): VDD 1.2 V, tCK 0.83 ns, BL16 (8 clock cycles of
 * data), one x16 device per channel so one burst moves 16 x 16 bit = 32 B; IDD in mA.
 */
const LPDDR4 = { vdd: 1.2, tCKns: 0.83, burstCycles: 8, burstBytes: 32, tRAS: 32, tRP: 15, tRFC: 392, tREFI: 8660 };
const IDD = { idd0: 80, idd2n: 34, idd3n: 47, idd4r: 243, idd4w: 228, idd5ab: 280 };
// DRAMsim3 (configuration.cc): energy = VDD x current x cycles x tCK, in V * mA * ns = pJ
const dramReadPjPerByte = sig4(
  (LPDDR4.vdd * (IDD.idd4r - IDD.idd3n) * LPDDR4.burstCycles * LPDDR4.tCKns) / LPDDR4.burstBytes,
);
const dramWritePjPerByte = sig4(
  (LPDDR4.vdd * (IDD.idd4w - IDD.idd3n) * LPDDR4.burstCycles * LPDDR4.tCKns) / LPDDR4.burstBytes,
);
const dramActivatePj = sig4(
  LPDDR4.vdd *
    (IDD.idd0 * (LPDDR4.tRAS + LPDDR4.tRP) - (IDD.idd3n * LPDDR4.tRAS + IDD.idd2n * LPDDR4.tRP)) *
    LPDDR4.tCKns,
);
const dramBackgroundMwPerChannel = sig4(
  LPDDR4.vdd * IDD.idd3n + (LPDDR4.vdd * (IDD.idd5ab - IDD.idd3n) * LPDDR4.tRFC) / LPDDR4.tREFI,
);

// ---------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------

/** An energy (or power) field: finite, >= 0 (0 switches a component off), below an absurd bound. */
const energy = (max: number) => z.number().min(0).max(max);

export const energyTableSchema = z
  .object({
    /** A label for reports, so a report says which table produced its energies. */
    name: z
      .string()
      .min(1)
      .max(128)
      .default("smaug-sim-16nm")
      .describe("a label for reports naming this table (default: smaug-sim-16nm, docs/energy.md)"),

    // --- accelerator datapath ----------------------------------------------------------------
    /** Horowitz 45 nm: fp16 mul 1.1 + fp16 add 0.4 = 1.5 pJ; x0.14245 (45 -> 16 nm) = 0.2137 pJ. */
    macFp16Pj: energy(1e6)
      .default(at16nm(HOROWITZ_45NM_PJ.fp16Mul + HOROWITZ_45NM_PJ.fp16Add))
      .describe("one fp16 multiply-accumulate, pJ (Horowitz 45 nm mul 1.1 + add 0.4, scaled to 16 nm: 0.2137)"),
    /** Horowitz 45 nm: fp32 mul 3.7 + fp32 add 0.9 = 4.6 pJ; x0.14245 = 0.6553 pJ. */
    macFp32Pj: energy(1e6)
      .default(at16nm(HOROWITZ_45NM_PJ.fp32Mul + HOROWITZ_45NM_PJ.fp32Add))
      .describe("one fp32 multiply-accumulate, pJ (Horowitz 45 nm mul 3.7 + add 0.9, scaled to 16 nm: 0.6553)"),
    /**
     * Horowitz 45 nm: 64-bit read of a 32 KB SRAM = 20 pJ = 2.5 pJ/B (the accelerators' 32 KB
     * scratchpads, Table 2); x0.14245 = 0.3561 pJ/B. The paper's SRAMs came from a memory
     * compiler; scaling them like logic is an approximation.
     */
    spadReadPjPerByte: energy(1e6)
      .default(at16nm(HOROWITZ_45NM_PJ.sram32KiBRead64b / 8))
      .describe("one byte read from an accelerator scratchpad, pJ (Horowitz 45 nm 32 KB SRAM 20 pJ/64 bit, at 16 nm)"),
    /**
     * assumption: a write costs what a read does (Horowitz gives reads only; in a small SRAM the
     * write drives the same bit lines the read senses, so the two are of one magnitude).
     */
    spadWritePjPerByte: energy(1e6)
      .default(at16nm(HOROWITZ_45NM_PJ.sram32KiBRead64b / 8))
      .describe("one byte written to an accelerator scratchpad, pJ (assumption: equal to a read)"),
    /**
     * assumption: what a busy accelerator cycle costs beyond its MACs and scratchpad bytes (clock
     * tree, pipeline registers, control, leakage while busy): ~10% of SMV's peak datapath energy
     * per cycle (256 MACs x 0.6553 pJ = 168 pJ, plus its scratchpad traffic, ~200 pJ).
     */
    acceleratorActivePjPerCycle: energy(1e9)
      .default(20)
      .describe(
        "per busy accelerator cycle beyond MACs and scratchpad bytes (clock, control, leakage), pJ (assumption: 20)",
      ),
    /**
     * assumption: an idle but powered accelerator (clock gated) leaks ~1% of its peak power: 2 pJ
     * per cycle = 2 mW at 1 GHz for a 256-MAC datapath with 96 KiB of SRAM in 16 nm FinFET.
     */
    acceleratorIdlePjPerCycle: energy(1e9)
      .default(2)
      .describe("per idle accelerator cycle (leakage, clock gated), pJ (assumption: 2, i.e. 2 mW at 1 GHz)"),

    // --- caches ------------------------------------------------------------------------------
    /**
     * Horowitz 45 nm SRAM read per 64 bits, log-interpolated to 64 KiB (the L1D, Table 2):
     * 27.59 pJ; x4 words per 32 B line = 110.4 pJ; x0.14245 = 15.72 pJ per line access.
     */
    l1AccessPjPerLine: energy(1e9)
      .default(at16nm(horowitzSramRead64bPj(64) * LINE_WORDS))
      .describe("one L1D access of one 32 B line, pJ (Horowitz 45 nm SRAM, interpolated to 64 KiB, at 16 nm: 15.72)"),
    /**
     * Horowitz 45 nm SRAM read per 64 bits extrapolated to 2 MiB (the LLC, Table 2): 138.0 pJ;
     * x4 words per 32 B line = 551.9 pJ; x0.14245 = 78.62 pJ per line access. The paper used
     * CACTI 7; its figures are not public.
     */
    llcAccessPjPerLine: energy(1e9)
      .default(at16nm(horowitzSramRead64bPj(2048) * LINE_WORDS))
      .describe(
        "one LLC access of one 32 B line (CPU or ACP), pJ (Horowitz 45 nm SRAM, extrapolated to 2 MiB, at 16 nm: 78.62)",
      ),
    /**
     * assumption: LLC leakage 20 mW for 2 MiB in 16 nm FinFET (~1.2 nW per bit with its
     * periphery). CACTI would give it; the paper's CACTI output is not public.
     */
    llcLeakageMw: energy(1e6)
      .default(20)
      .describe("LLC leakage power over the whole run, mW (assumption: 20 for 2 MiB at 16 nm)"),

    // --- DRAM and DMA ------------------------------------------------------------------------
    /**
     * DRAMsim3 LPDDR4: VDD x (IDD4R - IDD3N) x 8 cycles x tCK per 32 B burst =
     * 1.2 x (243 - 47) x 8 x 0.83 / 32 = 48.80 pJ/B. Row activation and I/O are not included.
     */
    dramReadPjPerByte: energy(1e6)
      .default(dramReadPjPerByte)
      .describe("one byte read from DRAM (burst), pJ (DRAMsim3 LPDDR4 IDD4R: 48.80)"),
    /** DRAMsim3 LPDDR4: 1.2 x (228 - 47) x 8 x 0.83 / 32 = 45.07 pJ/B. */
    dramWritePjPerByte: energy(1e6)
      .default(dramWritePjPerByte)
      .describe("one byte written to DRAM (burst), pJ (DRAMsim3 LPDDR4 IDD4W: 45.07)"),
    /**
     * DRAMsim3 LPDDR4: one activate-precharge pair, VDD x (IDD0 x tRC - (IDD3N x tRAS + IDD2N x tRP))
     * x tCK = 1.2 x (80 x 47 - (47 x 32 + 34 x 15)) x 0.83 = 1739 pJ (a 2 KiB row of one channel).
     */
    dramActivatePj: energy(1e9)
      .default(dramActivatePj)
      .describe("one row activation with its precharge, pJ (DRAMsim3 LPDDR4 IDD0: 1739)"),
    /**
     * DRAMsim3 LPDDR4: active standby VDD x IDD3N = 1.2 x 47 = 56.40 mW plus refresh
     * VDD x (IDD5AB - IDD3N) x tRFC / tREFI = 1.2 x 233 x 392 / 8660 = 12.66 mW, per x16 channel.
     * No power-down is modelled (an open-page controller keeps rows open).
     */
    dramBackgroundMwPerChannel: energy(1e6)
      .default(dramBackgroundMwPerChannel)
      .describe("DRAM standby + refresh power per channel, mW (DRAMsim3 LPDDR4 IDD3N + IDD5AB: 69.06)"),
    /**
     * assumption: a DMA engine writes each byte into a small buffer and reads it out again: two
     * accesses of an 8 KB-class SRAM, Horowitz 45 nm 10 pJ/64 bit each = 2.5 pJ/B; x0.14245 =
     * 0.3561 pJ/B. The on-chip interconnect's wires are not modelled.
     */
    dmaPjPerByte: energy(1e6)
      .default(at16nm((2 * HOROWITZ_45NM_PJ.sram8KiBRead64b) / 8))
      .describe(
        "one byte moved by a DMA engine (its buffer), pJ (assumption: two 8 KB SRAM accesses, Horowitz: 0.3561)",
      ),

    // --- CPU ---------------------------------------------------------------------------------
    /**
     * assumption: 200 pJ per busy core cycle (0.5 W per core at 2.5 GHz), the loosest figure of the
     * table. Horowitz's simple-core instruction (70 pJ at 45 nm) is ~10 pJ at 16 nm; an 8-wide
     * out-of-order x86 core (renaming, 192-entry ROB, issue and load/store queues, x86 decode,
     * its clock tree and leakage) is taken as 10x that per instruction, at ~2 instructions per
     * cycle on SMAUG's copy and loop code: 10 x 10 x 2 = 200. L1D accesses are counted apart.
     */
    cpuActivePjPerCycle: energy(1e9)
      .default(200)
      .describe("one busy CPU core cycle, excluding L1D accesses, pJ (assumption: 200, i.e. 0.5 W at 2.5 GHz)"),
    /**
     * assumption: an idle core (clock gated, caches retained) leaks 10% of its busy power: 20 pJ
     * per cycle = 50 mW at 2.5 GHz.
     */
    cpuIdlePjPerCycle: energy(1e9)
      .default(20)
      .describe("one idle CPU core cycle (leakage), pJ (assumption: 20, i.e. 50 mW at 2.5 GHz)"),
  })
  .strict();

/** A complete energy table. */
export type EnergyTable = z.output<typeof energyTableSchema>;
/** What a file may hold (before defaults). */
export type EnergyTableInput = z.input<typeof energyTableSchema>;

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The default table (docs/energy.md): Horowitz 2014 scaled to 16 nm, DRAMsim3 LPDDR4, assumptions. Frozen. */
export const DEFAULT_ENERGY_TABLE: EnergyTable = deepFreeze(energyTableSchema.parse({}));

/** The energy fields (every field but `name`), in table order. */
export const ENERGY_FIELDS = Object.keys(energyTableSchema.shape).filter((k) => k !== "name") as Exclude<
  keyof EnergyTable,
  "name"
>[];

const show = (v: unknown) => {
  if (v === undefined) return "missing";
  const s = typeof v === "string" ? JSON.stringify(v) : typeof v === "object" && v !== null ? "a mapping" : String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/**
 * A complete table from a partial one: fields given replace the defaults (or `base`'s), the rest
 * keep them. Errors are InputErrors naming every bad field and what would be valid, e.g.
 * `my.yaml: energy.macFp16Pj: must be a number from 0 to 1000000 (got -1)`.
 */
export function resolveEnergyTable(
  partial: unknown,
  source?: string,
  base: EnergyTable = DEFAULT_ENERGY_TABLE,
): EnergyTable {
  const prefix = source ?? "energy table";
  if (partial === undefined || partial === null) return { ...base };
  if (typeof partial !== "object" || Array.isArray(partial))
    throw new InputError(`${prefix}: energy: must be a mapping of energy fields (got ${show(partial)})`);
  const merged = { ...base, ...(partial as Record<string, unknown>) };
  const r = energyTableSchema.safeParse(merged);
  if (r.success) return r.data;
  const shape = energyTableSchema.shape as Record<string, z.ZodType>;
  const problems = r.error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys")
      return issue.keys.map(
        (k) => `energy.${k}: unknown field (valid fields here: ${Object.keys(energyTableSchema.shape).join(", ")})`,
      );
    const field = String(issue.path[0]);
    const got = show((merged as Record<string, unknown>)[field]);
    const checks = shape[field] instanceof z.ZodDefault ? (shape[field] as z.ZodDefault).unwrap() : shape[field];
    if (checks instanceof z.ZodNumber)
      return [`energy.${field}: must be a number from ${checks.minValue} to ${checks.maxValue} (got ${got})`];
    if (checks instanceof z.ZodString)
      return [
        `energy.${field}: must be a string of ${checks.minLength} to ${checks.maxLength} characters (got ${got})`,
      ];
    return [`energy.${field}: ${issue.message} (got ${got})`];
  });
  throw new InputError(`${prefix}: ${problems.join("; ")}`);
}
