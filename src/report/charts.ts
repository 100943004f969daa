/**
 * The report's charts: Vega-Lite specs built from one or several run reports, compiled with
 * vega-lite and rendered to SVG strings by vega in Node (the "none" renderer: no canvas, no DOM).
 * html.ts inlines the SVGs and png.ts rasterises them, so every picture a reader sees comes from
 * here. docs/html-report.md describes the charts, the colours and the number formatter.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { ENERGY_COMPONENTS, type EnergyBreakdown, type EnergyComponent } from "../energy/account.js";
import { type BusyCategory, CATEGORIES, type Category } from "../sim/types.js";
import type { RunReport, TimelineSummary } from "./report.js";

// ---------------------------------------------------------------------------------------------
// What the charts read
// ---------------------------------------------------------------------------------------------

/**
 * The part of a run report the charts and the HTML page read. A RunReport is one; so is a
 * report.json validated by `smaug compare`, including one written before reports had a
 * timeline (the timeline chart is then left out).
 */
export interface ChartReport {
  schema: RunReport["schema"];
  version: RunReport["version"];
  simulator: RunReport["simulator"];
  engine: string;
  network: RunReport["network"];
  soc: { source: string; summary: RunReport["soc"]["summary"] };
  options: RunReport["options"];
  notes: string[];
  latencyNs: number;
  breakdownNs: RunReport["breakdownNs"];
  shares: RunReport["shares"];
  energy: Pick<EnergyBreakdown, "table" | "components" | "totalNj">;
  layers: Pick<
    RunReport["layers"][number],
    "index" | "name" | "op" | "device" | "startNs" | "endNs" | "invocations" | "breakdownNs"
  >[];
  resources: RunReport["resources"];
  invocations: RunReport["invocations"];
  timeline?: TimelineSummary;
}

// ---------------------------------------------------------------------------------------------
// Labels, colours, units and the one number formatter
// ---------------------------------------------------------------------------------------------

/** Human labels of the time categories, as every chart, legend and table shows them. */
export const CATEGORY_LABEL: Readonly<Record<Category, string>> = Object.freeze({
  acceleratorCompute: "Accelerator compute",
  transfer: "Data transfer (DMA/ACP)",
  cpuPrepare: "CPU data preparation",
  cpuFinalize: "CPU finalisation",
  cpuOther: "CPU other",
  idle: "Idle",
});

/**
 * One colour per category in every chart (Tableau 10 hues, which stay distinct for the common
 * colour-vision deficiencies): accelerator blue, transfer orange, the three CPU parts green, red
 * and purple, idle grey.
 */
export const CATEGORY_COLOUR: Readonly<Record<Category, string>> = Object.freeze({
  acceleratorCompute: "#4c78a8",
  transfer: "#f58518",
  cpuPrepare: "#54a24b",
  cpuFinalize: "#e45756",
  cpuOther: "#b279a2",
  idle: "#bab0ac",
});

export const ENERGY_LABEL: Readonly<Record<EnergyComponent, string>> = Object.freeze({
  acceleratorCompute: "Accelerator compute",
  scratchpads: "Scratchpads",
  caches: "Caches (L1, LLC)",
  dram: "DRAM",
  dma: "DMA engines",
  cpu: "CPU (busy cores)",
  idleLeakage: "Idle and leakage",
});

/** Energy groups that are the same thing as a time category share its colour; the rest get new hues. */
export const ENERGY_COLOUR: Readonly<Record<EnergyComponent, string>> = Object.freeze({
  acceleratorCompute: CATEGORY_COLOUR.acceleratorCompute,
  scratchpads: "#9ecae9",
  caches: "#72b7b2",
  dram: "#eeca3b",
  dma: CATEGORY_COLOUR.transfer,
  cpu: "#9d755d",
  idleLeakage: CATEGORY_COLOUR.idle,
});

/** Text on a bar of this colour: white on the dark hues, near-black on the light ones. */
function inkOn(colour: string): string {
  const n = Number.parseInt(colour.slice(1), 16);
  const luma = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
  return luma > 150 ? "#222222" : "#ffffff";
}

/** A display unit: values in the report's unit are divided by `divisor` and shown with `decimals`. */
export interface Unit {
  symbol: string;
  divisor: number;
  decimals: number;
}
export const MICROSECONDS: Unit = Object.freeze({ symbol: "µs", divisor: 1e3, decimals: 2 });
export const MILLISECONDS: Unit = Object.freeze({ symbol: "ms", divisor: 1e6, decimals: 3 });
/** Energy: report values are nJ. */
export const MICROJOULES: Unit = Object.freeze({ symbol: "µJ", divisor: 1e3, decimals: 2 });
/** Fractions (shares, utilisations) as percentages. */
export const PERCENT: Unit = Object.freeze({ symbol: "%", divisor: 0.01, decimals: 1 });

/** Whole counts (layers, MACs, invocations, segments): grouped, no decimals. */
export const COUNT: Unit = Object.freeze({ symbol: "", divisor: 1, decimals: 0 });

/** µs below 1 ms, ms from 1 ms: the numbers on an axis then stay between 0 and 1000 or so. */
export function timeUnit(maxNs: number): Unit {
  return maxNs >= 1e6 ? MILLISECONDS : MICROSECONDS;
}

/**
 * The report's one number formatter: `value / unit.divisor`, rounded to `unit.decimals` places
 * (exact decimal value of the double, ties away from zero, as Number#toFixed), with en-US
 * thousands separators. Every number the page shows goes through it.
 */
export function formatValue(value: number, unit: Unit): string {
  return (value / unit.divisor).toLocaleString("en-US", {
    minimumFractionDigits: unit.decimals,
    maximumFractionDigits: unit.decimals,
  });
}

/** formatValue with the unit's symbol: "353.71 µs", "20.9%". */
export function formatWithUnit(value: number, unit: Unit): string {
  if (unit.symbol === "") return formatValue(value, unit);
  return unit.symbol === "%" ? `${formatValue(value, unit)}%` : `${formatValue(value, unit)} ${unit.symbol}`;
}

const POLICY_SHORT: Readonly<Record<string, string>> = {
  AllDma: "DMA",
  AllAcp: "ACP",
  AllAcpWithDmaForWeights: "ACP + DMA for weights",
};
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The SoC in one line, for titles and the header: what an architect reads first. */
export function socLine(r: ChartReport): string {
  const s = r.soc.summary;
  return (
    `${s.accelerators} × ${s.accelerator.toUpperCase()} at ${s.acceleratorClockGHz} GHz, ` +
    `${POLICY_SHORT[s.memoryPolicy] ?? s.memoryPolicy}, ${plural(s.workers, "worker thread")}, ` +
    `${s.dram} ${s.dramBandwidthGBps} GB/s`
  );
}

/** What can tell runs apart, in the order a label lists them. */
const RUN_FEATURES: ((r: ChartReport) => string)[] = [
  (r) => r.network.name,
  (r) => r.soc.summary.accelerator.toUpperCase(),
  (r) => plural(r.soc.summary.accelerators, "accelerator"),
  (r) => POLICY_SHORT[r.soc.summary.memoryPolicy] ?? r.soc.summary.memoryPolicy,
  (r) => plural(r.soc.summary.workers, "thread"),
  (r) => `${r.options.schedule} schedule`,
  (r) => `sampling ${r.options.sampleLevel}`,
];

/**
 * A short label per run made of what differs between the runs (network, accelerator,
 * accelerators, policy, workers, schedule, sampling; else the SoC's source): "DMA" and "ACP",
 * or "1 accelerator" and "8 accelerators". A single run is labelled by its network. Runs that
 * differ in none of these are numbered.
 */
export function runLabels(reports: readonly ChartReport[]): string[] {
  if (reports.length === 1) return [reports[0].network.name];
  let differing = RUN_FEATURES.filter((f) => new Set(reports.map(f)).size > 1);
  // The SoC's source only when nothing above tells the runs apart: "--policy acp" says no more than "ACP".
  if (differing.length === 0 && new Set(reports.map((r) => r.soc.source)).size > 1) differing = [(r) => r.soc.source];
  const labels = reports.map((r, i) =>
    differing.length === 0 ? `run ${i + 1}` : differing.map((f) => f(r)).join(", "),
  );
  // Identical labels (runs equal in every feature above but not in others) get their position.
  return labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} (run ${i + 1})` : l));
}

/** The features every run shares, for a title: "lenet5 on 1 × SMV at 1 GHz, …" style. */
function commonDescription(reports: readonly ChartReport[]): string {
  const nets = [...new Set(reports.map((r) => r.network.name))].join(" / ");
  if (reports.length === 1) return `${nets} on ${reports[0].soc.source}`;
  const vs = runLabels(reports).join(" vs ");
  // A title must fit on one line; long labels are on the axis and in the legend anyway.
  return vs.length <= 60 ? `${nets}: ${vs}` : `${nets}: ${reports.length} runs`;
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/** DejaVu Sans is what png.ts embeds; browsers without it fall back to their sans-serif. */
export const CHART_FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

/**
 * Advance widths in em of DejaVu Sans (regular and bold) for the characters of GLYPHS, read
 * from the font's hmtx table. Vega needs text widths for layout (label areas, legend columns,
 * truncation); without a canvas it guesses 0.8 em per character, which pads every label and
 * widens the SVG far past its content. With these the layout matches what resvg and a browser
 * with DejaVu Sans draw (and stays close with other sans-serif fonts).
 */
const GLYPHS = ` !"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_\`abcdefghijklmnopqrstuvwxyz{|}~µ×…–—`;
const REGULAR_EM = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337, 0.636, 0.636,
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531, 1.0, 0.684, 0.686,
  0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, 0.603, 0.787, 0.695, 0.635,
  0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5, 0.5, 0.613, 0.635, 0.55, 0.635, 0.615,
  0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592,
  0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838, 0.636, 0.838, 1.0, 0.5, 1.0,
];
const BOLD_EM = [
  0.348, 0.456, 0.521, 0.838, 0.696, 1.002, 0.872, 0.306, 0.457, 0.457, 0.523, 0.838, 0.38, 0.415, 0.38, 0.365, 0.696,
  0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.696, 0.4, 0.4, 0.838, 0.838, 0.838, 0.58, 1.0, 0.774, 0.762,
  0.734, 0.83, 0.683, 0.683, 0.821, 0.837, 0.372, 0.372, 0.775, 0.637, 0.995, 0.837, 0.85, 0.733, 0.85, 0.77, 0.72,
  0.682, 0.812, 0.774, 1.103, 0.771, 0.724, 0.725, 0.457, 0.365, 0.457, 0.838, 0.5, 0.5, 0.675, 0.716, 0.593, 0.716,
  0.678, 0.435, 0.716, 0.712, 0.343, 0.343, 0.665, 0.343, 1.042, 0.712, 0.687, 0.716, 0.716, 0.493, 0.595, 0.478, 0.712,
  0.652, 0.924, 0.645, 0.652, 0.582, 0.712, 0.365, 0.712, 0.838, 0.736, 0.838, 1.0, 0.5, 1.0,
];
if (REGULAR_EM.length !== [...GLYPHS].length || BOLD_EM.length !== REGULAR_EM.length)
  throw new Error("charts: the glyph width tables do not match GLYPHS");
const REGULAR = new Map([...GLYPHS].map((c, i) => [c, REGULAR_EM[i]]));
const BOLD = new Map([...GLYPHS].map((c, i) => [c, BOLD_EM[i]]));

/** Width in px of `text` in DejaVu Sans at `size` px (characters not in the table count as a digit). */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? BOLD : REGULAR;
  let em = 0;
  for (const c of text) em += table.get(c) ?? table.get("0") ?? 0.64;
  return em * size;
}

interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}
// vega exports its text metrics at run time but not in its types.
const metrics = (vega as unknown as { textMetrics: { width: (item: TextItem, text?: unknown) => number } }).textMetrics;
metrics.width = (item, text) => {
  const t = String(text ?? (Array.isArray(item.text) ? item.text.join(" ") : (item.text ?? ""))).trim();
  const bold = item.fontWeight === "bold" || Number(item.fontWeight) >= 600;
  const w = textWidth(t, item.fontSize ?? 11, bold);
  // A limited label is truncated to its limit when drawn; lay it out at that width.
  return item.limit !== undefined && item.limit > 0 ? Math.min(w, item.limit) : w;
};

const CONFIG = {
  font: CHART_FONT,
  // No ARIA attributes on every mark: they repeat raw, unformatted numbers and triple the SVG's
  // size. The page gives each chart a caption and a data table instead.
  aria: false,
  background: "white",
  padding: 12,
  view: { stroke: null },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: "normal",
    labelColor: "#333333",
    titleColor: "#333333",
    gridColor: "#e8e8e8",
    domainColor: "#888888",
    tickColor: "#888888",
  },
  // About one tick per 80 px: vega's default (one per 40 px) crowds four-digit labels.
  axisX: { tickCount: 10, labelFlush: true },
  legend: {
    labelFontSize: 12,
    titleFontSize: 12,
    symbolType: "square",
    symbolSize: 140,
    orient: "bottom",
    direction: "horizontal",
    columns: 3,
    columnPadding: 24,
    labelLimit: 400,
    title: null,
  },
  title: {
    fontSize: 16,
    fontWeight: "bold",
    subtitleFontSize: 12,
    subtitleColor: "#555555",
    anchor: "start",
    offset: 12,
  },
  header: { labelFontSize: 12, titleFontSize: 12 },
} as const;

/**
 * Vega writes coordinates with full double precision ("M65.7571718557497,0h1055.902573194321");
 * a hundredth of a pixel is plenty and halves the size of a busy Gantt chart. Only geometry
 * attributes are touched, never text.
 */
function compactGeometry(svg: string): string {
  return svg.replace(/ (d|transform|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g, (_, name: string, value: string) => {
    const short = value.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100));
    return ` ${name}="${short}"`;
  });
}

/** Compile a Vega-Lite spec and render it to an SVG string without a browser or canvas. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return compactGeometry(await view.toSVG());
  } finally {
    view.finalize();
  }
}

export interface Chart {
  /** File-name-safe identifier: breakdown, energy, layers, timeline[-N], zoom-N[-M]. */
  id: string;
  /** What the chart shows, for headings and alt text. */
  title: string;
  /** Vega-Lite spec the SVG was rendered from (kept for tests and for anyone re-rendering it). */
  spec: TopLevelSpec;
  svg: string;
}

/** A bar's pieces placed one after another: start/end in display units (stacking done here, not by vega-lite). */
interface Piece {
  run: string;
  key: string;
  label: string;
  colour: string;
  ink: string;
  start: number;
  end: number;
  /** The piece's share of its bar, shown inside it when wide enough. */
  share: string;
  showShare: boolean;
}

function stackPieces(
  run: string,
  parts: { key: string; label: string; colour: string; value: number }[],
  total: number,
  unit: Unit,
  minShareShown: number,
): Piece[] {
  let at = 0;
  return parts.map((p) => {
    const start = at;
    at += p.value;
    const share = total > 0 ? p.value / total : 0;
    return {
      run,
      key: p.key,
      label: p.label,
      colour: p.colour,
      ink: inkOn(p.colour),
      start: start / unit.divisor,
      end: at / unit.divisor,
      share: formatWithUnit(share, PERCENT),
      showShare: share >= minShareShown,
    };
  });
}

/** A horizontal stacked bar per run with the share of each part inside and the total at the end. */
function stackedBarsSpec(opts: {
  title: string;
  subtitle: string;
  runs: string[];
  pieces: Piece[];
  totals: { run: string; value: number; text: string }[];
  domain: string[];
  range: string[];
  axisTitle: string;
  width: number;
}): TopLevelSpec {
  const max = Math.max(0, ...opts.totals.map((t) => t.value));
  const y = {
    field: "run",
    type: "nominal",
    sort: opts.runs,
    title: null,
    axis: opts.runs.length === 1 ? null : { labelFontSize: 12, labelLimit: 320 },
  } as const;
  return {
    title: { text: opts.title, subtitle: opts.subtitle },
    width: opts.width,
    height: { step: opts.runs.length === 1 ? 56 : 44 },
    layer: [
      {
        name: "bars",
        data: { values: opts.pieces },
        mark: { type: "bar", height: { band: 0.72 } },
        encoding: {
          y,
          // Room after the longest bar for its total.
          x: { field: "start", type: "quantitative", title: opts.axisTitle, scale: { domain: [0, max * 1.16] } },
          x2: { field: "end" },
          color: {
            field: "label",
            type: "nominal",
            scale: { domain: opts.domain, range: opts.range },
            // One row under the title, in the bar's order.
            legend: { values: opts.domain, orient: "top", columns: opts.domain.length, columnPadding: 16 },
          },
        },
      },
      {
        name: "shares",
        data: { values: opts.pieces.filter((p) => p.showShare) },
        transform: [{ calculate: "(datum.start + datum.end) / 2", as: "mid" }],
        mark: { type: "text", fontSize: 11, baseline: "middle", align: "center" },
        encoding: {
          y,
          x: { field: "mid", type: "quantitative" },
          text: { field: "share" },
          color: { field: "ink", type: "nominal", scale: null },
        },
      },
      {
        name: "totals",
        data: { values: opts.totals },
        mark: { type: "text", fontSize: 12, fontWeight: "bold", baseline: "middle", align: "left", dx: 6 },
        encoding: { y, x: { field: "value", type: "quantitative" }, text: { field: "text" } },
      },
    ],
  } as TopLevelSpec;
}

/** The end-to-end breakdown: one stacked bar per run, the parts in the breakdown's priority order. */
export function breakdownSpec(reports: readonly ChartReport[]): { spec: TopLevelSpec; unit: Unit } {
  const runs = runLabels(reports);
  const unit = timeUnit(Math.max(...reports.map((r) => r.latencyNs)));
  const pieces = reports.flatMap((r, i) =>
    stackPieces(
      runs[i],
      CATEGORIES.map((c) => ({
        key: c,
        label: CATEGORY_LABEL[c],
        colour: CATEGORY_COLOUR[c],
        value: r.breakdownNs[c],
      })),
      r.breakdownNs.total,
      unit,
      0.05,
    ),
  );
  const spec = stackedBarsSpec({
    title: `${commonDescription(reports)}: end-to-end latency by category`,
    subtitle:
      reports.length === 1
        ? `SoC: ${socLine(reports[0])}; ${reports[0].options.schedule} schedule`
        : "One bar per run; every instant goes to one category (accelerator > transfer > prepare > finalise > other)",
    runs,
    pieces,
    totals: reports.map((r, i) => ({
      run: runs[i],
      value: r.latencyNs / unit.divisor,
      text: formatWithUnit(r.latencyNs, unit),
    })),
    domain: CATEGORIES.map((c) => CATEGORY_LABEL[c]),
    range: CATEGORIES.map((c) => CATEGORY_COLOUR[c]),
    axisTitle: `End-to-end latency (${unit.symbol})`,
    width: 860,
  });
  return { spec, unit };
}

/** Energy by component: one stacked bar per run, µJ. */
export function energySpec(reports: readonly ChartReport[]): { spec: TopLevelSpec; unit: Unit } {
  const runs = runLabels(reports);
  const unit = MICROJOULES;
  const pieces = reports.flatMap((r, i) =>
    stackPieces(
      runs[i],
      ENERGY_COMPONENTS.map((c) => ({
        key: c,
        label: ENERGY_LABEL[c],
        colour: ENERGY_COLOUR[c],
        value: r.energy.components[c],
      })),
      r.energy.totalNj,
      unit,
      0.05,
    ),
  );
  const spec = stackedBarsSpec({
    title: `${commonDescription(reports)}: energy by component`,
    subtitle:
      reports.length === 1
        ? `SoC: ${socLine(reports[0])}; energy table ${reports[0].energy.table}`
        : "One bar per run; idle and leakage is static power over the run's latency",
    runs,
    pieces,
    totals: reports.map((r, i) => ({
      run: runs[i],
      value: r.energy.totalNj / unit.divisor,
      text: formatWithUnit(r.energy.totalNj, unit),
    })),
    domain: ENERGY_COMPONENTS.map((c) => ENERGY_LABEL[c]),
    range: ENERGY_COMPONENTS.map((c) => ENERGY_COLOUR[c]),
    axisTitle: `Energy (${unit.symbol})`,
    width: 860,
  });
  return { spec, unit };
}

/** "conv1 (conv)": a layer as the per-layer chart's axis names it. */
export function layerLabel(l: { name: string; op: string }): string {
  return `${l.name} (${l.op})`;
}

/** Networks equal in their layer list can share one layer axis, each run a column beside the others. */
function sameLayers(reports: readonly ChartReport[]): boolean {
  const key = (r: ChartReport) => r.layers.map((l) => `${l.name}\0${l.op}`).join("\n");
  return reports.every((r) => key(r) === key(reports[0]));
}

/**
 * Per-layer stacked bars: one horizontal bar per layer in execution order, sized so each layer
 * keeps a readable row however many there are (ResNet-50 has 142). Several runs of the same
 * network are columns sharing the layer axis and the time scale; different networks get one
 * chart each (the caller places them side by side).
 */
export function layersSpecs(reports: readonly ChartReport[]): { specs: TopLevelSpec[]; unit: Unit } {
  const runs = runLabels(reports);
  const unit = timeUnit(Math.max(...reports.flatMap((r) => r.layers.map((l) => l.breakdownNs.total))));
  const rows = (r: ChartReport, run: string) =>
    r.layers.flatMap((l) => {
      const label = layerLabel(l);
      let at = 0;
      return CATEGORIES.filter((c) => l.breakdownNs[c] > 0).map((c) => {
        const start = at;
        at += l.breakdownNs[c];
        return { run, layer: label, category: CATEGORY_LABEL[c], start: start / unit.divisor, end: at / unit.divisor };
      });
    });
  const totals = (r: ChartReport, run: string) =>
    r.layers.map((l) => ({
      run,
      layer: layerLabel(l),
      value: l.breakdownNs.total / unit.divisor,
      text: formatWithUnit(l.breakdownNs.total, unit),
    }));
  const max = Math.max(0, ...reports.flatMap((r) => r.layers.map((l) => l.breakdownNs.total))) / unit.divisor;
  const inner = (order: string[]) =>
    ({
      width: reports.length === 1 ? 1000 : Math.max(320, Math.floor(1100 / reports.length)),
      height: { step: 14 },
      layer: [
        {
          name: "layer_bars",
          transform: [{ filter: "datum.category != null" }],
          mark: { type: "bar", height: { band: 0.8 } },
          encoding: {
            y: {
              field: "layer",
              type: "nominal",
              sort: order,
              title: null,
              axis: { labelFontSize: 10, labelLimit: 280 },
            },
            x: {
              field: "start",
              type: "quantitative",
              title: `Time attributed to the layer (${unit.symbol})`,
              scale: { domain: [0, max * 1.2] },
            },
            x2: { field: "end" },
            color: {
              field: "category",
              type: "nominal",
              scale: {
                domain: CATEGORIES.map((c) => CATEGORY_LABEL[c]),
                range: CATEGORIES.map((c) => CATEGORY_COLOUR[c]),
              },
              legend: { orient: "top", columns: 3 },
            },
          },
        },
        {
          name: "layer_totals",
          transform: [{ filter: "datum.text != null" }],
          mark: { type: "text", fontSize: 9, align: "left", baseline: "middle", dx: 4, color: "#333333" },
          encoding: {
            y: { field: "layer", type: "nominal", sort: order },
            // The same scale again as an axis on top: the chart is tall for big networks.
            x: { field: "value", type: "quantitative", axis: { orient: "top", title: null } },
            text: { field: "text" },
          },
        },
      ],
      resolve: { axis: { x: "independent" } },
    }) as const;
  const subtitle =
    "Exclusive time per layer in execution order; summed over the layers it gives the end-to-end breakdown";
  if (reports.length > 1 && sameLayers(reports)) {
    const order = reports[0].layers.map(layerLabel);
    const spec = {
      title: { text: `${commonDescription(reports)}: time per layer`, subtitle },
      data: { values: reports.flatMap((r, i) => [...rows(r, runs[i]), ...totals(r, runs[i])]) },
      facet: { column: { field: "run", type: "nominal", sort: runs, title: null, header: { labelFontSize: 13 } } },
      spec: inner(order),
      resolve: { scale: { x: "shared", y: "shared" } },
      spacing: 16,
    } as unknown as TopLevelSpec;
    return { specs: [spec], unit };
  }
  const specs = reports.map(
    (r, i) =>
      ({
        title: {
          text: `${reports.length === 1 ? commonDescription(reports) : runs[i]}: time per layer`,
          subtitle: reports.length === 1 ? `SoC: ${socLine(r)}` : subtitle,
        },
        data: { values: [...rows(r, runs[i]), ...totals(r, runs[i])] },
        ...inner(r.layers.map(layerLabel)),
      }) as unknown as TopLevelSpec,
  );
  return { specs, unit };
}

// ---------------------------------------------------------------------------------------------
// Timeline
// ---------------------------------------------------------------------------------------------

/** A rectangle of the Gantt chart: [x0, x1] in ns, y0..y1 a fraction of the lane's height. */
export interface GanttRect {
  lane: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  category: BusyCategory;
}

/** The least height drawn (a fraction of the lane) so that no activity vanishes as a hairline. */
const MIN_HEIGHT = 0.08;

/** A dense run of sub-pixel segments is drawn as one band at most this many pixels wide. */
const MAX_CLUSTER_PX = 6;

/**
 * What to draw for one resource in [t0, t1] at `nsPerPx`. Height is utilisation: a rectangle's
 * height is the fraction of its span the resource was busy (a segment's busyNs over its span,
 * which is less than 1 when the summary merged events with gaps between them). A segment at
 * least a pixel wide is drawn as it is. Segments narrower than a pixel that follow each other
 * closely (gaps under a pixel, the group under MAX_CLUSTER_PX wide) are drawn as one band with a
 * part per category, stacked: a pixel can show no more, and this bounds the rectangle count.
 * Segments are clipped to the window, their busy time in proportion.
 */
export function ganttRects(
  lane: string,
  segments: TimelineSummary["resources"][number]["segments"],
  t0: number,
  t1: number,
  nsPerPx: number,
): GanttRect[] {
  const out: GanttRect[] = [];
  let band: { x0: number; x1: number; busy: Map<BusyCategory, number> } | undefined;
  const flush = () => {
    if (band === undefined) return;
    const span = band.x1 - band.x0;
    let y = 0;
    for (const c of CATEGORIES) {
      const busy = band.busy.get(c as BusyCategory);
      if (busy === undefined) continue;
      const h = span > 0 ? busy / span : 1;
      out.push({
        lane,
        x0: band.x0,
        x1: band.x1,
        y0: y,
        y1: Math.min(1, y + Math.max(h, MIN_HEIGHT)),
        category: c as BusyCategory,
      });
      y += h;
    }
    band = undefined;
  };
  for (const [s0, s1, category, , busyNs] of segments) {
    const s = Math.max(s0, t0);
    const e = Math.min(s1, t1);
    if (e < s || (e === s && s0 !== s1)) continue;
    const busy = s1 > s0 ? (busyNs * (e - s)) / (s1 - s0) : 0;
    if (e - s >= nsPerPx) {
      flush();
      out.push({ lane, x0: s, x1: e, y0: 0, y1: Math.min(1, Math.max(MIN_HEIGHT, busy / (e - s))), category });
      continue;
    }
    if (band !== undefined && (s - band.x1 >= nsPerPx || e - band.x0 > MAX_CLUSTER_PX * nsPerPx)) flush();
    if (band === undefined) band = { x0: s, x1: e, busy: new Map() };
    band.x1 = Math.max(band.x1, e);
    band.busy.set(category, (band.busy.get(category) ?? 0) + busy);
  }
  flush();
  return out;
}

const LAYERS_LANE = "layers";

/**
 * A Gantt chart of the run's resources over [t0, t1]: a lane per CPU thread, accelerator and
 * host interface (report.timeline), coloured by category, under a lane showing which layer runs
 * when (names written where they fit).
 */
export function timelineSpec(
  r: ChartReport,
  opts: { title: string; subtitle: string | string[]; t0?: number; t1?: number; width?: number; domainNs?: number },
): { spec: TopLevelSpec; unit: Unit } | undefined {
  const tl = r.timeline;
  if (tl === undefined) return undefined;
  const width = opts.width ?? 1400;
  const t0 = opts.t0 ?? 0;
  const t1 = opts.t1 ?? Math.max(opts.domainNs ?? 0, r.latencyNs);
  const unit = timeUnit(t1);
  const nsPerPx = (t1 - t0) / width;
  // Under the overlap schedule layers run concurrently and a lane of their spans would be a pile
  // of overlapping bars: leave it out.
  const layerLane = layersSequential(r);
  const lanes = [...(layerLane ? [LAYERS_LANE] : []), ...tl.resources.map((x) => x.name)];
  const values: Record<string, unknown>[] = [];
  for (const res of tl.resources)
    for (const g of ganttRects(res.name, res.segments, t0, t1, nsPerPx))
      values.push({
        lane: g.lane,
        x0: g.x0 / unit.divisor,
        x1: g.x1 / unit.divisor,
        y0: g.y0,
        y1: g.y1,
        category: CATEGORY_LABEL[g.category],
      });
  // The layers lane: alternate shades so neighbouring layers stay apart, a name where it fits.
  const shown = layerLane ? r.layers.filter((l) => l.endNs > l.startNs && l.endNs >= t0 && l.startNs <= t1) : [];
  shown.forEach((l, i) => {
    const x0 = Math.max(l.startNs, t0);
    const x1 = Math.min(l.endNs, t1);
    values.push({ lane: LAYERS_LANE, x0: x0 / unit.divisor, x1: x1 / unit.divisor, shade: i % 2 });
    // ~6.2 px per character at 10 px DejaVu Sans, and a little margin
    if ((x1 - x0) / nsPerPx >= l.name.length * 6.2 + 8)
      values.push({ lane: LAYERS_LANE, mid: (x0 + x1) / 2 / unit.divisor, name: l.name });
  });
  const x = {
    field: "x0",
    type: "quantitative",
    title: `Time since the start of the run (${unit.symbol})`,
    // a tick per ~90 px: "268.4"-style labels need the room
    axis: { tickCount: Math.round(width / 90) },
    scale: { domain: [t0 / unit.divisor, t1 / unit.divisor], nice: false, zero: false },
  } as const;
  // 0 at the bottom of a lane: a band of partial height stands on the lane's baseline like a bar.
  const yScale = { domain: [0, 1], nice: false } as const;
  const y = { field: "y0", type: "quantitative", scale: yScale, axis: null } as const;
  const busy = CATEGORIES.filter((c) => c !== "idle");
  const spec = {
    title: { text: opts.title, subtitle: opts.subtitle },
    data: { values },
    facet: {
      row: {
        field: "lane",
        type: "nominal",
        sort: lanes,
        title: null,
        header: { labelAngle: 0, labelAlign: "right", labelFontSize: 11, labelPadding: 8 },
      },
    },
    spacing: 3,
    spec: {
      width,
      // Taller lanes when there are few, so a three-lane run still reads as a chart.
      height: lanes.length <= 6 ? 26 : lanes.length <= 12 ? 20 : 16,
      layer: [
        {
          name: "layer_bands",
          transform: [{ filter: "datum.shade != null" }],
          mark: { type: "bar", stroke: "white", strokeWidth: 0.5 },
          encoding: {
            x,
            x2: { field: "x1" },
            y: { datum: 0, type: "quantitative", scale: yScale, axis: null },
            y2: { datum: 1 },
            color: {
              condition: { test: "datum.shade == 1", value: "#d4d4d4" },
              value: "#ececec",
            },
          },
        },
        {
          name: "layer_names",
          transform: [{ filter: "datum.name != null" }],
          mark: { type: "text", fontSize: 10, baseline: "middle", align: "center", color: "#333333" },
          encoding: {
            x: { ...x, field: "mid" },
            y: { datum: 0.5, type: "quantitative", scale: yScale, axis: null },
            text: { field: "name" },
          },
        },
        {
          name: "segments",
          transform: [{ filter: "datum.category != null" }],
          mark: { type: "bar" },
          encoding: {
            x,
            x2: { field: "x1" },
            y,
            y2: { field: "y1" },
            color: {
              field: "category",
              type: "nominal",
              scale: { domain: busy.map((c) => CATEGORY_LABEL[c]), range: busy.map((c) => CATEGORY_COLOUR[c]) },
              legend: { orient: "top", columns: 5, values: busy.map((c) => CATEGORY_LABEL[c]) },
            },
          },
        },
      ],
    },
  } as unknown as TopLevelSpec;
  return { spec, unit };
}

/** True when the layers run one after another (their spans add up to about the latency), as under the smaug schedule. */
export function layersSequential(r: ChartReport): boolean {
  const spans = r.layers.reduce((s, l) => s + (l.endNs - l.startNs), 0);
  return spans <= 1.05 * r.latencyNs;
}

/** A window of the timeline worth a closer look. */
export interface ZoomWindow {
  t0: number;
  t1: number;
  /** The layer the window is, when zooming by layer. */
  layer?: ChartReport["layers"][number];
}

/**
 * Where to zoom: the `count` longest layers (in execution order) when layers run one after
 * another; otherwise (overlapped layers, where a layer can span most of the run) the run cut
 * into `count` equal windows.
 */
export function zoomWindows(r: ChartReport, count: number): { by: "layer" | "time"; windows: ZoomWindow[] } {
  if (layersSequential(r))
    return {
      by: "layer",
      windows: [...r.layers]
        .filter((l) => l.endNs > l.startNs)
        .sort((a, b) => b.endNs - b.startNs - (a.endNs - a.startNs) || a.index - b.index)
        .slice(0, count)
        .sort((a, b) => a.index - b.index)
        .map((layer) => ({ t0: layer.startNs, t1: layer.endNs, layer })),
    };
  return {
    by: "time",
    windows: Array.from({ length: count }, (_, k) => ({
      t0: (r.latencyNs * k) / count,
      t1: (r.latencyNs * (k + 1)) / count,
    })),
  };
}

export interface ChartSet {
  labels: string[];
  breakdown: Chart & { unit: Unit };
  energy: Chart & { unit: Unit };
  /** One chart (runs as columns) or one per run when the networks differ. */
  layers: (Chart & { unit: Unit })[];
  /** One per run that has a timeline (undefined for a report written without one). */
  timelines: ((Chart & { unit: Unit }) | undefined)[];
  /**
   * Per run, Gantt charts of its longest layers, or of equal windows of the run when layers
   * overlap: a zoom into the timeline that needs no script.
   */
  zooms: { by: "layer" | "time"; charts: (Chart & { unit: Unit } & ZoomWindow)[] }[];
}

/** How many zoomed views each run's timeline gets. */
export const ZOOMS = 6;

/** Every chart of the report, rendered. */
export async function renderCharts(reports: readonly ChartReport[]): Promise<ChartSet> {
  if (reports.length === 0) throw new Error("renderCharts: no reports");
  const labels = runLabels(reports);
  const b = breakdownSpec(reports);
  const e = energySpec(reports);
  const l = layersSpecs(reports);
  const domainNs = Math.max(...reports.map((r) => r.latencyNs));
  const chart = async <T extends { spec: TopLevelSpec; unit: Unit }>(id: string, title: string, c: T) => ({
    id,
    title,
    spec: c.spec,
    unit: c.unit,
    svg: await renderSvg(c.spec),
  });
  const timelines = await Promise.all(
    reports.map(async (r, i) => {
      const title = reports.length === 1 ? `${commonDescription(reports)}: timeline` : `Timeline: ${labels[i]}`;
      const resolution = r.timeline?.resolutionNs ?? 0;
      const t = timelineSpec(r, {
        title,
        subtitle: [
          `SoC: ${socLine(r)}; ${r.options.schedule} schedule. cpu0 is the main thread.`,
          "Bar height is the fraction of the time the resource was busy " +
            `(events closer than ${formatWithUnit(resolution, timeUnit(resolution))} are merged, and so is detail finer than a pixel).`,
        ],
        domainNs,
      });
      if (t === undefined) return undefined;
      return chart(reports.length === 1 ? "timeline" : `timeline-${i + 1}`, title, t);
    }),
  );
  const zooms = await Promise.all(
    reports.map(async (r, i) => {
      if (r.timeline === undefined) return { by: "layer" as const, charts: [] };
      const { by, windows } = zoomWindows(r, ZOOMS);
      const runUnit = timeUnit(r.latencyNs);
      const name = reports.length === 1 ? r.network.name : labels[i];
      const charts = await Promise.all(
        windows.map(async (w, k) => {
          const span = w.t1 - w.t0;
          const range = `${formatValue(w.t0, runUnit)} to ${formatWithUnit(w.t1, runUnit)}`;
          const title =
            w.layer === undefined
              ? `${name}: the timeline from ${range}`
              : `${name}: ${layerLabel(w.layer)}, ${formatWithUnit(span, timeUnit(span))}`;
          const t = timelineSpec(r, {
            title,
            subtitle: w.layer === undefined ? `Part ${k + 1} of ${windows.length}` : `The timeline from ${range}`,
            t0: w.t0,
            t1: w.t1,
            width: 1100,
          }) as { spec: TopLevelSpec; unit: Unit };
          const id = reports.length === 1 ? `zoom-${k + 1}` : `zoom-${i + 1}-${k + 1}`;
          return { ...(await chart(id, title, t)), ...w };
        }),
      );
      return { by, charts };
    }),
  );
  return {
    labels,
    breakdown: await chart("breakdown", "End-to-end latency by category", b),
    energy: await chart("energy", "Energy by component", e),
    layers: await Promise.all(
      l.specs.map((spec, i) =>
        chart(l.specs.length === 1 ? "layers" : `layers-${i + 1}`, "Time per layer", { spec, unit: l.unit }),
      ),
    ),
    timelines,
    zooms,
  };
}
