/**
 * Energy accounting: action counts times the technology table (table.ts), grouped as issue 5
 * asks — accelerator compute, scratchpads, caches, DRAM, DMA, CPU, idle/leakage.
 *
 * Exactness: every line item is rounded once to a whole picojoule; groups and the total are sums
 * of those integers, so `componentsPj` sums exactly to `totalPj` (and `itemsPj` too). The nJ
 * figures are the same integers divided by 1000, so they sum to `totalNj` up to the rounding of
 * those divisions (a few parts in 10^16). The rounding costs at most 0.5 pJ per
 * line item per call.
 */
import type { ActionCounts } from "../accel/types.js";
import type { EnergyTable } from "./table.js";

/**
 * What a run did, summed over the whole run (or one layer, or one invocation): every count >= 0
 * and finite. Counts are totals over all instances of a resource (all cores, all accelerators).
 */
export interface EnergyActions {
  /** Multiply-accumulates by the precision of the unit that did them. */
  macs: { fp16: number; fp32: number };
  /** Bytes the accelerators' datapaths read from and wrote to their scratchpads (ActionCounts). */
  spadReadBytes: number;
  spadWriteBytes: number;
  /** L1D line accesses of all cores (the cache engine's `l1Accesses`). */
  l1Accesses: number;
  /** LLC line accesses, from the cores' L1 misses and from ACP (the cache engine's `llcAccesses`). */
  llcAccesses: number;
  /** Bytes read from and written to DRAM (LLC misses, write-backs, DMA transfers). */
  dramReadBytes: number;
  dramWriteBytes: number;
  /** Row activations (each with its precharge); 0 when the DRAM model has no row buffers. */
  dramActivates: number;
  /** Bytes moved by the DMA engines, either direction. */
  dmaBytes: number;
  /** Busy and idle CPU core cycles, summed over cores (CPU clock). */
  cpuActiveCycles: number;
  cpuIdleCycles: number;
  /** Busy and idle accelerator cycles, summed over instances (each at its own clock). */
  acceleratorActiveCycles: number;
  acceleratorIdleCycles: number;
  /** End-to-end time of the run, ns: the LLC leaks over all of it. */
  elapsedNs: number;
  /** DRAM channels x elapsedNs: each powered channel draws its background power over the run. */
  dramChannelNs: number;
}

/** The groups of the breakdown. */
export const ENERGY_COMPONENTS = [
  "acceleratorCompute",
  "scratchpads",
  "caches",
  "dram",
  "dma",
  "cpu",
  "idleLeakage",
] as const;
export type EnergyComponent = (typeof ENERGY_COMPONENTS)[number];

/** One line item: the count it takes (by its EnergyActions field), its table entry and its group. */
interface Item {
  field: string;
  count: (a: EnergyActions) => number;
  entry: Exclude<keyof EnergyTable, "name">;
  group: EnergyComponent;
}

const item = (field: Exclude<keyof EnergyActions, "macs">, entry: Item["entry"], group: EnergyComponent): Item => ({
  field,
  count: (a) => a[field],
  entry,
  group,
});

/**
 * Every line item, in report order. Per-action entries are pJ; power entries are mW, and
 * mW x ns = pJ, so every count x entry is in pJ.
 */
const ITEMS = {
  macFp16: { field: "macs.fp16", count: (a) => a.macs.fp16, entry: "macFp16Pj", group: "acceleratorCompute" },
  macFp32: { field: "macs.fp32", count: (a) => a.macs.fp32, entry: "macFp32Pj", group: "acceleratorCompute" },
  acceleratorActive: item("acceleratorActiveCycles", "acceleratorActivePjPerCycle", "acceleratorCompute"),
  spadRead: item("spadReadBytes", "spadReadPjPerByte", "scratchpads"),
  spadWrite: item("spadWriteBytes", "spadWritePjPerByte", "scratchpads"),
  l1: item("l1Accesses", "l1AccessPjPerLine", "caches"),
  llc: item("llcAccesses", "llcAccessPjPerLine", "caches"),
  dramRead: item("dramReadBytes", "dramReadPjPerByte", "dram"),
  dramWrite: item("dramWriteBytes", "dramWritePjPerByte", "dram"),
  dramActivate: item("dramActivates", "dramActivatePj", "dram"),
  dma: item("dmaBytes", "dmaPjPerByte", "dma"),
  cpuActive: item("cpuActiveCycles", "cpuActivePjPerCycle", "cpu"),
  cpuIdle: item("cpuIdleCycles", "cpuIdlePjPerCycle", "idleLeakage"),
  acceleratorIdle: item("acceleratorIdleCycles", "acceleratorIdlePjPerCycle", "idleLeakage"),
  llcLeakage: item("elapsedNs", "llcLeakageMw", "idleLeakage"),
  dramBackground: item("dramChannelNs", "dramBackgroundMwPerChannel", "idleLeakage"),
} satisfies Record<string, Item>;

export type EnergyItem = keyof typeof ITEMS;
export const ENERGY_ITEMS = Object.keys(ITEMS) as EnergyItem[];

/** Which group each line item belongs to. */
export const ITEM_COMPONENT: Readonly<Record<EnergyItem, EnergyComponent>> = Object.freeze(
  Object.fromEntries(ENERGY_ITEMS.map((k) => [k, ITEMS[k].group])) as Record<EnergyItem, EnergyComponent>,
);

export interface EnergyBreakdown {
  /** The `name` of the table used. */
  table: string;
  /** Energy per group, nJ (componentsPj / 1000). */
  components: Record<EnergyComponent, number>;
  /** Energy per group, whole pJ; sums exactly to totalPj. */
  componentsPj: Record<EnergyComponent, number>;
  /** Energy per line item, whole pJ; sums exactly to totalPj. */
  itemsPj: Record<EnergyItem, number>;
  totalPj: number;
  totalNj: number;
  /** Everything but idleLeakage, nJ: what the actions themselves cost. */
  dynamicNj: number;
}

/** All counts zero. */
export function emptyEnergyActions(): EnergyActions {
  return {
    macs: { fp16: 0, fp32: 0 },
    spadReadBytes: 0,
    spadWriteBytes: 0,
    l1Accesses: 0,
    llcAccesses: 0,
    dramReadBytes: 0,
    dramWriteBytes: 0,
    dramActivates: 0,
    dmaBytes: 0,
    cpuActiveCycles: 0,
    cpuIdleCycles: 0,
    acceleratorActiveCycles: 0,
    acceleratorIdleCycles: 0,
    elapsedNs: 0,
    dramChannelNs: 0,
  };
}

/** `into += add`, field by field (per-layer or per-invocation actions into a run's); returns `into`. */
export function addEnergyActions(into: EnergyActions, add: EnergyActions): EnergyActions {
  into.macs.fp16 += add.macs.fp16;
  into.macs.fp32 += add.macs.fp32;
  for (const k of Object.keys(into) as (keyof EnergyActions)[]) {
    if (k === "macs") continue;
    into[k] += add[k];
  }
  return into;
}

/**
 * The accelerator part of the actions from an accelerator model's ActionCounts (src/accel/types.ts):
 * its MACs at `precision` and its scratchpad bytes. The host bytes (hostLoadBytes, hostStoreBytes)
 * are not mapped here: whether they cost DMA + DRAM or LLC accesses depends on the memory policy
 * and on what the caches hold, which the memory model decides.
 */
export function acceleratorEnergyActions(counts: ActionCounts, precision: "fp16" | "fp32"): EnergyActions {
  const a = emptyEnergyActions();
  a.macs[precision] = counts.macs;
  a.spadReadBytes = counts.spadReadBytes;
  a.spadWriteBytes = counts.spadWriteBytes;
  return a;
}

function zeroRecord<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/**
 * Energy of `actions` under `table`, per group and per line item. Throws a RangeError naming the
 * field when a count is negative or not finite (a bug in whoever counted), or when an item exceeds
 * what whole picojoules in a double hold exactly (2^53 pJ, about 9 kJ).
 */
export function energyBreakdown(actions: EnergyActions, table: EnergyTable): EnergyBreakdown {
  const itemsPj = zeroRecord(ENERGY_ITEMS);
  const componentsPj = zeroRecord(ENERGY_COMPONENTS);
  let totalPj = 0;
  for (const key of ENERGY_ITEMS) {
    const it: Item = ITEMS[key];
    const count = it.count(actions);
    if (typeof count !== "number" || !Number.isFinite(count) || count < 0)
      throw new RangeError(`energy actions: ${it.field} must be a finite number >= 0 (got ${count})`);
    const pj = Math.round(count * table[it.entry]);
    if (!Number.isSafeInteger(pj))
      throw new RangeError(`energy: ${it.field} = ${count} x ${it.entry} ${table[it.entry]} is beyond 2^53 pJ`);
    itemsPj[key] = pj;
    componentsPj[it.group] += pj;
    totalPj += pj;
  }
  if (!Number.isSafeInteger(totalPj)) throw new RangeError(`energy: total ${totalPj} pJ is beyond 2^53 pJ`);
  const components = zeroRecord(ENERGY_COMPONENTS);
  for (const c of ENERGY_COMPONENTS) components[c] = componentsPj[c] / 1000;
  return {
    table: table.name,
    components,
    componentsPj,
    itemsPj,
    totalPj,
    totalNj: totalPj / 1000,
    dynamicNj: (totalPj - componentsPj.idleLeakage) / 1000,
  };
}
