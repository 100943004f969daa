/** The human-readable summary `smaug run` prints, read entirely from a RunReport. */
import { CATEGORIES, type Category } from "../sim/types.js";
import type { CategoryTimes, RunReport } from "./report.js";
import { table } from "./table.js";

export const CATEGORY_LABELS: Readonly<Record<Category, string>> = Object.freeze({
  acceleratorCompute: "accelerator compute",
  transfer: "data transfer (DMA/ACP)",
  cpuPrepare: "CPU data preparation",
  cpuFinalize: "CPU data finalisation",
  cpuOther: "CPU other",
  idle: "idle / waiting",
});

const SHORT: Readonly<Record<Category, string>> = Object.freeze({
  acceleratorCompute: "accel",
  transfer: "transfer",
  cpuPrepare: "prepare",
  cpuFinalize: "finalise",
  cpuOther: "cpu other",
  idle: "idle",
});

const us = (ns: number): string => (ns / 1000).toFixed(ns >= 1e7 ? 0 : ns >= 1e5 ? 1 : 2);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const mb = (b: number): string => `${(b / 1e6).toFixed(2)} MB`;

/** Latency per category as a table with shares. */
function breakdownTable(b: CategoryTimes): string {
  const t = table(["where the time goes", "µs", "share"]);
  for (const c of CATEGORIES) t.push([CATEGORY_LABELS[c], us(b[c]), pct(b.total > 0 ? b[c] / b.total : 0)]);
  t.push(["end-to-end latency", us(b.total), "100.0%"]);
  return t.toString();
}

export interface TextOptions {
  /** Print at most this many layers, the slowest first (default: all, in order). */
  maxLayers?: number;
}

export function formatReport(r: RunReport, options: TextOptions = {}): string {
  const s = r.soc.summary;
  const lines: string[] = [];
  lines.push(
    `${r.network.name} (${r.network.source}): ${r.network.layers} layers, ${r.network.macs.toLocaleString("en-US")} MACs`,
  );
  lines.push(
    `SoC (${r.soc.source}): ${s.accelerators} x ${s.accelerator} at ${s.acceleratorClockGHz} GHz, ${s.memoryPolicy}, ` +
      `${s.workers} worker thread${s.workers === 1 ? "" : "s"} on ${s.cpuCores} cores at ${s.cpuClockGHz} GHz, ` +
      `${s.dram} ${s.dramBandwidthGBps} GB/s, LLC ${s.llcKiB} KiB`,
  );
  lines.push(
    `schedule ${r.options.schedule}; engine ${r.engine}; sampling ${r.options.sampleLevel}` +
      (r.options.sampleLevel === "no"
        ? ""
        : ` (${r.invocations.replayed} of ${r.invocations.total} invocations replayed)`) +
      `; smaug-sim ${r.simulator.version}`,
  );
  lines.push(breakdownTable(r.breakdownNs));

  const layers = r.layers.map((l) => l);
  let shown = layers;
  if (options.maxLayers !== undefined && layers.length > options.maxLayers)
    shown = [...layers].sort((a, b) => b.breakdownNs.total - a.breakdownNs.total).slice(0, options.maxLayers);
  const lt = table(["layer", "op", "device", "µs", ...CATEGORIES.map((c) => SHORT[c]), "invocations"]);
  for (const l of shown)
    lt.push([
      l.name,
      l.op,
      l.device === "accelerator" ? s.accelerator : "cpu",
      us(l.breakdownNs.total),
      ...CATEGORIES.map((c) => us(l.breakdownNs[c])),
      String(l.invocations),
    ]);
  if (shown !== layers) lines.push(`the ${shown.length} slowest of ${layers.length} layers (all are in report.json):`);
  lines.push(lt.toString());

  const util = r.resources
    .filter((x) => x.kind !== "cpu" || x.busyNs > 0)
    .map((x) => `${x.name} ${pct(x.utilisation)}`)
    .join(", ");
  lines.push(`busy: ${util}`);
  const m = r.memory;
  lines.push(
    `DRAM: ${mb(m.dramReadBytes)} read, ${mb(m.dramWriteBytes)} written, ${m.averageBandwidthGBps.toFixed(2)} GB/s average; ` +
      `DMA ${mb(m.dmaBytes)}, ACP ${mb(m.acpBytes)}; hit rates L1 ${pct(m.l1HitRate)}, LLC ${pct(m.llcHitRate)}`,
  );
  const e = r.energy;
  const parts = Object.entries(e.components)
    .filter(([, nj]) => nj > 0)
    .map(([k, nj]) => `${k} ${(nj / 1000).toFixed(2)}`)
    .join(", ");
  lines.push(`energy: ${(e.totalNj / 1000).toFixed(2)} µJ (${parts} µJ)`);
  for (const alt of r.alternatives)
    lines.push(
      `schedule ${alt.schedule}: ${us(alt.latencyNs)} µs, ${(r.latencyNs / alt.latencyNs).toFixed(2)}x the speed of ` +
        `${r.options.schedule} (accel ${pct(alt.shares.acceleratorCompute)}, transfer ${pct(alt.shares.transfer)}, ` +
        `idle ${pct(alt.shares.idle)}); ${(alt.energyNj / 1000).toFixed(2)} µJ`,
    );
  if (r.outputs !== null)
    for (const o of r.outputs)
      lines.push(
        o.dead
          ? `output ${o.tensor}: dead (untaken branch)`
          : `output ${o.tensor} [${o.shape.join("x")}]` +
              (o.top1
                ? `: top-1 class ${o.top1.index} (${o.top1.value.toPrecision(4)})`
                : `: sum ${o.sum.toPrecision(6)}`),
      );
  else lines.push("timing only: no functional outputs");
  return lines.join("\n");
}
