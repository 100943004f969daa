/**
 * report.html: one self-contained page for one run or several side by side. The charts are
 * inline SVG (charts.ts), the style is inline CSS, and nothing is loaded from anywhere: no
 * scripts, fonts, images or links, so the file opens offline and can be mailed as it is.
 * Every chart is followed by a table of the numbers it draws. Each number cell carries the
 * report field it shows (data-field, data-run) and its raw value (data-value), and its text is
 * formatValue (charts.ts) of that value, so readers and tests can check any figure against
 * report.json. docs/html-report.md describes the page.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ENERGY_COMPONENTS } from "../energy/account.js";
import { type OutputFile, writeOutputFiles } from "../io/output-files.js";
import { CATEGORIES } from "../sim/types.js";
import {
  CATEGORY_COLOUR,
  CATEGORY_LABEL,
  CHART_FONT,
  type Chart,
  type ChartReport,
  type ChartSet,
  COUNT,
  ENERGY_COLOUR,
  ENERGY_LABEL,
  formatValue,
  MICROJOULES,
  PERCENT,
  renderCharts,
  socLine,
  type Unit,
  ZOOMS,
} from "./charts.js";
import { svgToPng } from "./png.js";

const GHZ: Unit = Object.freeze({ symbol: "GHz", divisor: 1, decimals: 2 });
const GBPS: Unit = Object.freeze({ symbol: "GB/s", divisor: 1, decimals: 2 });
const KIB: Unit = Object.freeze({ symbol: "KiB", divisor: 1, decimals: 0 });

const escapeHtml = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A number as the page shows it: formatValue of `value` in `unit`, tagged with the report
 * field it comes from. `field` is a path into report.json ("breakdownNs.transfer",
 * "layers.3.index"), or "a/b" for a ratio of two fields.
 */
function num(tag: "td" | "span", run: number, field: string, value: number, unit: Unit, suffix = false): string {
  const text =
    formatValue(value, unit) + (suffix && unit.symbol !== "" ? (unit.symbol === "%" ? "%" : ` ${unit.symbol}`) : "");
  const cls = tag === "td" ? ' class="num"' : "";
  return `<${tag}${cls} data-run="${run}" data-field="${escapeHtml(field)}" data-unit="${unit.symbol === "" ? "count" : escapeHtml(unit.symbol)}" data-value="${value}">${escapeHtml(text)}</${tag}>`;
}

const swatch = (colour: string): string => `<span class="swatch" style="background:${colour}"></span>`;

/** A chart; its SVG has its own title, the figure names it for screen readers. */
function figure(chart: Chart, label: string): string {
  return `<figure id="chart-${chart.id}" class="chart" data-chart="${chart.id}" role="img" aria-label="${escapeHtml(label)}">${chart.svg}</figure>`;
}

/** A collapsible block; its tables scroll sideways rather than widen the page. */
function details(summary: string, body: string, open: boolean): string {
  return `<details${open ? " open" : ""}><summary>${escapeHtml(summary)}</summary><div class="scroll">${body}</div></details>`;
}

/**
 * What was run: network, SoC and run options, one row per property. One run: three small
 * tables side by side. Several runs: one table, a column per run, so differences line up.
 */
function runsTable(reports: readonly ChartReport[], labels: string[], latencyUnit: Unit): string {
  type Row = [string, (r: ChartReport, i: number) => string];
  const text = (s: string) => `<td>${escapeHtml(s)}</td>`;
  const groups: [string, Row[]][] = [
    [
      "Network",
      [
        ["Network", (r) => text(r.network.name)],
        ["Source", (r) => text(r.network.source)],
        ["Layers", (r, i) => num("td", i, "network.layers", r.network.layers, COUNT)],
        ["MACs", (r, i) => num("td", i, "network.macs", r.network.macs, COUNT)],
        ["Parameters", (r, i) => num("td", i, "network.params", r.network.params, COUNT)],
        ["End-to-end latency", (r, i) => num("td", i, "latencyNs", r.latencyNs, latencyUnit, true)],
        ["Energy", (r, i) => num("td", i, "energy.totalNj", r.energy.totalNj, MICROJOULES, true)],
      ],
    ],
    [
      "SoC",
      [
        ["SoC", (r) => text(r.soc.source)],
        ["Accelerator", (r) => text(r.soc.summary.accelerator)],
        [
          "Accelerator instances",
          (r, i) => num("td", i, "soc.summary.accelerators", r.soc.summary.accelerators, COUNT),
        ],
        [
          "Accelerator clock",
          (r, i) => num("td", i, "soc.summary.acceleratorClockGHz", r.soc.summary.acceleratorClockGHz, GHZ, true),
        ],
        ["Memory policy", (r) => text(r.soc.summary.memoryPolicy)],
        ["CPU cores", (r, i) => num("td", i, "soc.summary.cpuCores", r.soc.summary.cpuCores, COUNT)],
        ["CPU clock", (r, i) => num("td", i, "soc.summary.cpuClockGHz", r.soc.summary.cpuClockGHz, GHZ, true)],
        ["Worker threads", (r, i) => num("td", i, "soc.summary.workers", r.soc.summary.workers, COUNT)],
        ["DRAM", (r) => text(r.soc.summary.dram)],
        [
          "DRAM bandwidth",
          (r, i) => num("td", i, "soc.summary.dramBandwidthGBps", r.soc.summary.dramBandwidthGBps, GBPS, true),
        ],
        ["LLC", (r, i) => num("td", i, "soc.summary.llcKiB", r.soc.summary.llcKiB, KIB, true)],
      ],
    ],
    [
      "Run",
      [
        ["Schedule", (r) => text(r.options.schedule)],
        ["Functional run", (r) => text(r.options.timingOnly ? "no (timing only)" : "yes")],
        ["Sampling", (r) => text(r.options.sampleLevel)],
        ["Sampled iterations per loop", (r, i) => num("td", i, "options.sampleNum", r.options.sampleNum, COUNT)],
        ["Accelerator invocations", (r, i) => num("td", i, "invocations.total", r.invocations.total, COUNT)],
        ["of them replayed by sampling", (r, i) => num("td", i, "invocations.replayed", r.invocations.replayed, COUNT)],
        ["Energy table", (r) => text(r.energy.table)],
        ["Engine", (r) => text(r.engine)],
        ["Simulator", (r) => text(`${r.simulator.name} ${r.simulator.version}`)],
      ],
    ],
  ];
  const body = (rows: Row[]) =>
    rows
      .map(([name, cell]) => `<tr><th scope="row">${escapeHtml(name)}</th>${reports.map(cell).join("")}</tr>`)
      .join("");
  if (reports.length === 1)
    return `<div class="row">${groups
      .map(([group, rows]) => `<table class="runs"><caption>${group}</caption><tbody>${body(rows)}</tbody></table>`)
      .join("")}</div>`;
  // Rows where the runs differ are highlighted: that is what a comparison is about.
  const compared = (rows: Row[]) =>
    rows
      .map(([name, cell]) => {
        const cells = reports.map(cell);
        const differs = new Set(cells.map((c) => c.replace(/ data-run="\d+"/, ""))).size > 1;
        return `<tr${differs ? ' class="differs"' : ""}><th scope="row">${escapeHtml(name)}</th>${cells.join("")}</tr>`;
      })
      .join("");
  const head = `<thead><tr><th></th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join("")}</tr></thead>`;
  return `<div class="scroll"><table class="runs">${head}${groups
    .map(
      ([group, rows]) =>
        `<tbody><tr class="group"><th colspan="${reports.length + 1}">${group}</th></tr>${compared(rows)}</tbody>`,
    )
    .join("")}</table></div><p class="small">Highlighted rows differ between the runs.</p>`;
}

function breakdownTable(reports: readonly ChartReport[], labels: string[], unit: Unit): string {
  const head = `<thead><tr><th>Category</th>${labels
    .map(
      (l) =>
        `<th class="num">${escapeHtml(reports.length === 1 ? "" : `${l}: `)}${unit.symbol}</th><th class="num">share</th>`,
    )
    .join("")}</tr></thead>`;
  const rows = CATEGORIES.map(
    (c) =>
      `<tr><th scope="row">${swatch(CATEGORY_COLOUR[c])}${escapeHtml(CATEGORY_LABEL[c])}</th>${reports
        .map(
          (r, i) =>
            num("td", i, `breakdownNs.${c}`, r.breakdownNs[c], unit) +
            num("td", i, `shares.${c}`, r.shares[c], PERCENT, true),
        )
        .join("")}</tr>`,
  );
  rows.push(
    `<tr class="total"><th scope="row">End-to-end latency</th>${reports
      .map((r, i) => `${num("td", i, "latencyNs", r.latencyNs, unit)}<td></td>`)
      .join("")}</tr>`,
  );
  return `<table class="data" data-table="breakdown">${head}<tbody>${rows.join("")}</tbody></table>`;
}

function energyTable(reports: readonly ChartReport[], labels: string[]): string {
  const head = `<thead><tr><th>Component</th>${labels
    .map((l) => `<th class="num">${escapeHtml(reports.length === 1 ? "" : `${l}: `)}µJ</th><th class="num">share</th>`)
    .join("")}</tr></thead>`;
  const rows = ENERGY_COMPONENTS.map(
    (c) =>
      `<tr><th scope="row">${swatch(ENERGY_COLOUR[c])}${escapeHtml(ENERGY_LABEL[c])}</th>${reports
        .map(
          (r, i) =>
            num("td", i, `energy.components.${c}`, r.energy.components[c], MICROJOULES) +
            num(
              "td",
              i,
              `energy.components.${c}/energy.totalNj`,
              r.energy.totalNj > 0 ? r.energy.components[c] / r.energy.totalNj : 0,
              PERCENT,
              true,
            ),
        )
        .join("")}</tr>`,
  );
  rows.push(
    `<tr class="total"><th scope="row">Total</th>${reports
      .map((r, i) => `${num("td", i, "energy.totalNj", r.energy.totalNj, MICROJOULES)}<td></td>`)
      .join("")}</tr>`,
  );
  return `<table class="data" data-table="energy">${head}<tbody>${rows.join("")}</tbody></table>`;
}

function layersTable(r: ChartReport, run: number, unit: Unit): string {
  const head = `<thead><tr><th class="num">#</th><th>Layer</th><th>Operator</th><th>Device</th>${CATEGORIES.map(
    (c) => `<th class="num">${swatch(CATEGORY_COLOUR[c])}${escapeHtml(CATEGORY_LABEL[c])} (${unit.symbol})</th>`,
  ).join("")}<th class="num">Total (${unit.symbol})</th><th class="num">Invocations</th></tr></thead>`;
  const rows = r.layers.map(
    (l, k) =>
      `<tr>${num("td", run, `layers.${k}.index`, l.index, COUNT)}<td>${escapeHtml(l.name)}</td><td>${escapeHtml(l.op)}</td><td>${escapeHtml(l.device)}</td>${CATEGORIES.map(
        (c) => num("td", run, `layers.${k}.breakdownNs.${c}`, l.breakdownNs[c], unit),
      ).join(
        "",
      )}${num("td", run, `layers.${k}.breakdownNs.total`, l.breakdownNs.total, unit)}${num("td", run, `layers.${k}.invocations`, l.invocations, COUNT)}</tr>`,
  );
  return `<table class="data" data-table="layers" data-run="${run}">${head}<tbody>${rows.join("")}</tbody></table>`;
}

function timelineTable(r: ChartReport, run: number, unit: Unit): string {
  const tl = r.timeline;
  if (tl === undefined) return "";
  const head = `<thead><tr><th>Resource</th><th>Kind</th><th class="num">Busy (${unit.symbol})</th><th class="num">Utilisation</th><th class="num">Segments</th></tr></thead>`;
  const rows = r.resources.map((res, k) => {
    const t = tl.resources.findIndex((x) => x.name === res.name);
    const segments =
      t < 0
        ? "<td></td>"
        : num("td", run, `timeline.resources.${t}.segments.length`, tl.resources[t].segments.length, COUNT);
    return `<tr><th scope="row">${escapeHtml(res.name)}</th><td>${escapeHtml(res.kind)}</td>${num("td", run, `resources.${k}.busyNs`, res.busyNs, unit)}${num("td", run, `resources.${k}.utilisation`, res.utilisation, PERCENT, true)}${segments}</tr>`;
  });
  const note = `<p class="small">${num("span", run, "timeline.events", tl.events, COUNT)} events merged into ${num(
    "span",
    run,
    "timeline.resources.*.segments.length",
    tl.resources.reduce((n, x) => n + x.segments.length, 0),
    COUNT,
  )} segments; events of one resource with the same category and layer closer than ${num(
    "span",
    run,
    "timeline.resolutionNs",
    tl.resolutionNs,
    unit,
    true,
  )} are one segment.</p>`;
  return `${note}<table class="data" data-table="timeline" data-run="${run}">${head}<tbody>${rows.join("")}</tbody></table>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: ${CHART_FONT}; margin: 0; color: #222; background: #f6f6f4; }
main { padding: 20px 32px 40px; }
header h1 { font-size: 24px; margin: 0 0 6px; }
header p { margin: 2px 0; color: #444; font-size: 15px; }
section { background: #fff; border: 1px solid #e0e0dc; border-radius: 6px; padding: 14px 20px 16px; margin: 18px 0; }
section h2 { font-size: 18px; margin: 0 0 10px; }
section > p, .small { font-size: 13px; color: #444; max-width: 110ch; }
figure { margin: 8px 0; overflow-x: auto; }
figure svg { display: block; max-width: none; height: auto; }
figcaption { font-size: 12px; color: #666; margin-top: 4px; }
.row { display: flex; flex-wrap: wrap; gap: 8px 32px; align-items: flex-start; }
table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; margin: 6px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid #ececec; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #ccc; vertical-align: bottom; }
table[data-table=layers] thead th { white-space: normal; max-width: 9em; }
th[scope=row] { font-weight: normal; color: #333; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid #ccc; }
table.runs th[scope=row] { color: #555; }
table.runs caption { text-align: left; font-weight: bold; font-size: 14px; padding: 0 10px 4px; }
table.runs tr.differs th, table.runs tr.differs td { background: #fff4d6; }
table.runs tr.group th { text-align: left; font-size: 14px; padding-top: 10px; border-bottom: 2px solid #ccc; }
.scroll { overflow-x: auto; }
details { margin: 8px 0; }
details > summary { cursor: pointer; color: #2a4d7a; font-size: 14px; margin: 6px 0; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
ul.notes { font-size: 13px; color: #444; max-width: 120ch; padding-left: 20px; }
footer { font-size: 12px; color: #777; margin-top: 24px; }
`;

/** The page around rendered charts (renderHtml renders them; writeVisualReport also rasterises them). */
export function htmlFromCharts(reports: readonly ChartReport[], charts: ChartSet): string {
  const labels = charts.labels;
  const nets = [...new Set(reports.map((r) => r.network.name))].join(", ");
  const title =
    reports.length === 1 ? `${reports[0].network.name} on ${reports[0].soc.source}` : `${nets}: ${labels.join(" vs ")}`; // the page title may wrap, unlike a chart's
  const latencyUnit = charts.breakdown.unit;
  const lede = reports
    .map(
      (r, i) =>
        `<p>${reports.length === 1 ? "" : `<b>${escapeHtml(labels[i])}</b>: `}SoC ${escapeHtml(socLine(r))}. ` +
        `End-to-end latency ${num("span", i, "latencyNs", r.latencyNs, latencyUnit, true)}, ` +
        `energy ${num("span", i, "energy.totalNj", r.energy.totalNj, MICROJOULES, true)}.</p>`,
    )
    .join("");
  const notes = [...new Set(reports.flatMap((r) => r.notes))];
  const layersUnit = charts.layers[0].unit;
  const sections: string[] = [];
  sections.push(
    `<section id="runs"><h2>${reports.length === 1 ? "The run" : "The runs"}</h2>${runsTable(reports, labels, latencyUnit)}</section>`,
  );
  sections.push(
    `<section id="breakdown"><h2>Where the time goes</h2><p>Each instant of the run goes to one category, by priority: accelerator compute, then data transfer, CPU data preparation, CPU finalisation and other CPU work; an instant when nothing is busy is idle. The parts sum exactly to the end-to-end latency.</p>` +
      `<div class="row">${figure(charts.breakdown, `${charts.breakdown.title}, ${latencyUnit.symbol}`)}` +
      `${details("Data: latency by category", breakdownTable(reports, labels, latencyUnit), true)}</div>` +
      "</section>",
  );
  sections.push(
    `<section id="energy"><h2>Energy</h2><p>Energy of the whole inference by component, in µJ. Idle and leakage is the static power of idle cores, accelerators, the LLC and DRAM over the run's latency.</p>` +
      `<div class="row">${figure(charts.energy, `${charts.energy.title}, µJ`)}` +
      `${details("Data: energy by component", energyTable(reports, labels), true)}</div>` +
      "</section>",
  );
  sections.push(
    `<section id="layers"><h2>Time per layer</h2><p>The time attributed to each layer, split by the same categories; the layers' times sum to the end-to-end breakdown.</p>` +
      `<div class="row">${charts.layers.map((c) => figure(c, `${c.title}, ${layersUnit.symbol}`)).join("")}</div>` +
      reports
        .map((r, i) =>
          details(
            `Data: time per layer${reports.length === 1 ? "" : `, ${labels[i]}`} (${r.layers.length} layers)`,
            layersTable(r, i, layersUnit),
            r.layers.length <= 12,
          ),
        )
        .join("") +
      "</section>",
  );
  const timelineParts = reports.map((r, i) => {
    const chart = charts.timelines[i];
    const name = reports.length === 1 ? "" : `, ${labels[i]}`;
    if (chart === undefined)
      return `<p>${escapeHtml(labels[i])}: this report has no timeline (it was written by a smaug-sim without one).</p>`;
    const zooms = charts.zooms[i];
    const zoomTitle =
      zooms.by === "layer"
        ? `Zoom: the timeline of the ${zooms.charts.length === 1 ? "longest layer" : `${zooms.charts.length} longest layers`}${name}`
        : `Zoom: the timeline in ${zooms.charts.length} parts${name} (the layers overlap in time)`;
    return (
      figure(chart, `${chart.title}, ${chart.unit.symbol}`) +
      (zooms.charts.length === 0
        ? ""
        : `<div class="zoom">${details(zoomTitle, zooms.charts.map((z) => figure(z, z.title)).join(""), false)}</div>`) +
      details(`Data: resources${name}`, timelineTable(r, i, chart.unit), r.resources.length <= 12)
    );
  });
  sections.push(
    `<section id="timeline"><h2>Timeline</h2><p>What each CPU thread, accelerator and host interface (DMA or ACP) does over the run, coloured by category, with the layers above. A bar's height is the fraction of time the resource was busy. Open a zoom for the ${ZOOMS} longest layers at full width (or, when layers overlap in time, the run in ${ZOOMS} parts).</p>` +
      timelineParts.join("") +
      "</section>",
  );
  sections.push(
    `<section id="notes"><h2>Notes</h2><ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul></section>`,
  );
  const versions = [...new Set(reports.map((r) => `${r.simulator.name} ${r.simulator.version}, engine ${r.engine}`))];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(versions.join("; "))}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(title)}</h1>${lede}</header>
${sections.join("\n")}
<footer>Made by ${escapeHtml(versions.join("; "))}. Simulated times and energies; the page loads nothing from the network.</footer>
</main>
</body>
</html>
`;
}

/** The report page for one run or several side by side, as one self-contained HTML string. */
export async function renderHtml(reports: readonly ChartReport[]): Promise<string> {
  return htmlFromCharts(reports, await renderCharts(reports));
}

/** The charts written as PNGs: the main ones (not the zooms), by id. */
export function pngCharts(charts: ChartSet): Chart[] {
  return [
    charts.breakdown,
    charts.energy,
    ...charts.layers,
    ...charts.timelines.filter((c): c is NonNullable<typeof c> => c !== undefined),
  ];
}

/**
 * Write report.html (and with `png`, one PNG per main chart: breakdown.png, energy.png,
 * layers.png, timeline.png, or layers-N/timeline-N per run) into `dir`, creating it. Every file
 * is written atomically; returns their paths, report.html first.
 */
export async function writeVisualReport(
  dir: string,
  reports: readonly ChartReport[],
  opts: { png: boolean },
): Promise<string[]> {
  const charts = await renderCharts(reports);
  const html = htmlFromCharts(reports, charts);
  // Rasterise before writing anything, so a failure leaves the directory as it was.
  const pngs = opts.png ? pngCharts(charts).map((c) => ({ id: c.id, png: svgToPng(c.svg).png })) : [];
  const files: OutputFile[] = [
    { option: "--out", path: join(dir, "report.html"), data: html },
    ...pngs.map((p) => ({ option: "--png", path: join(dir, `${p.id}.png`), data: p.png })),
  ];
  mkdirSync(dir, { recursive: true });
  writeOutputFiles(files);
  return files.map((f) => f.path);
}
