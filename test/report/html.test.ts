/**
 * report.html against report.json: every number the page shows (each data-table cell, and the
 * value labels drawn in the charts) is the report's value, converted by the formatter restated
 * here independently (divide, round with toFixed, group thousands with commas). The page is
 * self-contained, and several runs are drawn side by side.
 */
import assert from "node:assert/strict";
import { ENERGY_COMPONENTS } from "../../src/energy/account.js";
import { selectEngine } from "../../src/engine/index.js";
import { renderHtml } from "../../src/report/html.js";
import type { RunReport } from "../../src/report/report.js";
import { CATEGORIES } from "../../src/sim/types.js";
import { resolveSoc, SMAUG_BASELINE, type Soc } from "../../src/soc/index.js";
import { decodeEntities } from "../support/html-text.js";
import { simulateReport } from "../support/report.js";

const _engine = selectEngine().engine;

function report(name: string, soc: Soc): RunReport {
  return simulateReport(name, soc).report;
}

// ---- the formatter, restated: value / divisor, toFixed(decimals), commas every three digits ----
const UNITS: Record<string, [divisor: number, decimals: number]> = {
  µs: [1e3, 2],
  ms: [1e6, 3],
  µJ: [1e3, 2],
  count: [1, 0],
  GHz: [1, 2],
  "GB/s": [1, 2],
  KiB: [1, 0],
};
function restate(value: number, unit: string): string {
  const fixed = unit === "%" ? (value * 100).toFixed(1) : (value / UNITS[unit][0]).toFixed(UNITS[unit][1]);
  const [whole, frac] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
/** The time unit a chart of values up to maxNs uses: ms from 1 ms. */
const timeUnit = (maxNs: number) => (maxNs >= 1e6 ? "ms" : "µs");
const withUnit = (value: number, unit: string) =>
  unit === "%" ? `${restate(value, unit)}%` : `${restate(value, unit)} ${unit}`;

const LABELS: Record<string, string> = {
  acceleratorCompute: "Accelerator compute",
  transfer: "Data transfer (DMA/ACP)",
  cpuPrepare: "CPU data preparation",
  cpuFinalize: "CPU finalisation",
  cpuOther: "CPU other",
  idle: "Idle",
};

/** The value at a report path: "a.b.3.c", "a/b" (a ratio), or "timeline.resources.*.segments.length" (a sum). */
function valueAt(r: RunReport, path: string): number {
  if (path.includes("/")) {
    const [a, b] = path.split("/");
    return valueAt(r, a) / valueAt(r, b);
  }
  const star = path.indexOf("*");
  if (star >= 0) {
    const list = valueAt(r, path.slice(0, star - 1)) as unknown as unknown[];
    return list.reduce<number>((s, _, i) => s + valueAt(r, `${path.slice(0, star)}${i}${path.slice(star + 1)}`), 0);
  }
  let v: unknown = r;
  for (const k of path.split(".")) v = (v as Record<string, unknown>)[k];
  return v as number;
}

const decode = decodeEntities;

interface Cell {
  run: number;
  field: string;
  unit: string;
  value: string;
  text: string;
}
function numberCells(html: string): Cell[] {
  const re =
    /<(td|span)[^>]*? data-run="(\d+)" data-field="([^"]+)" data-unit="([^"]+)" data-value="([^"]+)">([^<]*)<\/\1>/g;
  return [...html.matchAll(re)].map((m) => ({
    run: Number(m[2]),
    field: decode(m[3]),
    unit: decode(m[4]),
    value: m[5],
    text: decode(m[6]),
  }));
}

/** Every tagged number: its raw value is the report's, its text the restated formatter's. */
function checkCells(html: string, reports: RunReport[]): Cell[] {
  const cells = numberCells(html);
  for (const c of cells) {
    const v = valueAt(reports[c.run], c.field);
    assert.equal(typeof v, "number", `${c.field}: not a number in the report`);
    assert.equal(Number(c.value), v, `run ${c.run} ${c.field}: data-value ${c.value} vs report ${v}`);
    const shown = restate(v, c.unit);
    assert.ok(
      c.text === shown || c.text === withUnit(v, c.unit),
      `run ${c.run} ${c.field}: shows '${c.text}', the report's ${v} ${c.unit} is '${shown}'`,
    );
  }
  // every number cell is tagged (none shows a number the check above skips)
  const numTds = html.match(/<td class="num"/g)?.length ?? 0;
  assert.equal(html.match(/<td class="num" data-run=/g)?.length ?? 0, numTds, "untagged number cells");
  assert.ok(cells.length >= numTds && numTds > 50, `${numTds} number cells, ${cells.length} tagged numbers`);
  return cells;
}

/** The SVG of one chart in the page. */
function chartSvg(html: string, id: string): string {
  const m = html.match(new RegExp(`<figure id="chart-${id}"[^>]*>(<svg[\\s\\S]*?</svg>)</figure>`));
  assert.ok(m, `chart ${id} missing`);
  return m[1];
}

/** The texts of a named mark (all groups of it, in document order). */
function markTexts(svg: string, mark: string): string[] {
  const groups = [
    ...svg.matchAll(new RegExp(`<g class="mark-text role-mark ${mark}_marks"[^>]*>([\\s\\S]*?)</g>`, "g")),
  ];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1])));
}
function classTexts(svg: string, cls: string): string[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-text ${cls}"[^>]*>([\\s\\S]*?)</g>`, "g"))];
  return groups.flatMap((g) => [...g[1].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => decode(t[1])));
}

/** The labels of a facet's row or column headers (each a title inside the header group). */
function headerTexts(svg: string, which: "row" | "column"): string[] {
  const start = svg.indexOf(`class="mark-group role-${which}-header ${which}_header"`);
  if (start < 0) return [];
  const ends = ["role-column-footer", "role-scope cell", "role-row-header", "role-column-header", "role-legend"]
    .map((c) => svg.indexOf(`class="mark-group ${c}`, start + 10))
    .filter((i) => i > start);
  const part = svg.slice(start, Math.min(...ends, svg.length));
  // the header's titles (its cells may hold an axis too: the per-layer chart's top axis)
  return [...part.matchAll(/class="mark-text role-title-text"[^>]*><text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    decode(m[1]),
  );
}

function checkSelfContained(html: string): void {
  assert.doesNotMatch(html, /<script/i, "no scripts");
  assert.doesNotMatch(html, /\ssrc=/i, "nothing loaded by src=");
  assert.doesNotMatch(html, /<link/i, "no linked stylesheets or fonts");
  assert.doesNotMatch(html, /@import|url\(/i, "no CSS imports or url()");
  const urls = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
  const allowed = new Set(["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"]);
  for (const u of urls) assert.ok(allowed.has(u), `reference to ${u}`);
  // and those only as namespace declarations
  const xmlns = html.match(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]*"/g)?.length ?? 0;
  assert.equal(urls.length, xmlns, "http(s) URLs other than xmlns declarations");
}

describe("report.html", function () {
  this.timeout(180_000);
  let lenet: RunReport;
  let resnet: RunReport;
  before(() => {
    lenet = report("lenet5", SMAUG_BASELINE);
    resnet = report("resnet50", SMAUG_BASELINE);
  });

  for (const name of ["lenet5", "resnet50"]) {
    it(`${name}: every number in the tables and the chart labels is the report's, formatted as restated`, async () => {
      const r = name === "lenet5" ? lenet : resnet;
      const html = await renderHtml([r]);
      checkSelfContained(html);
      const cells = checkCells(html, [r]);
      // the tables hold the numbers the charts draw: all categories, energy components, layers, resources
      const fields = new Set(cells.map((c) => c.field));
      for (const c of CATEGORIES) assert.ok(fields.has(`breakdownNs.${c}`) && fields.has(`shares.${c}`), c);
      for (const c of ENERGY_COMPONENTS) assert.ok(fields.has(`energy.components.${c}`), c);
      for (let k = 0; k < r.layers.length; k++) assert.ok(fields.has(`layers.${k}.breakdownNs.total`), `layer ${k}`);
      for (let k = 0; k < r.resources.length; k++) assert.ok(fields.has(`resources.${k}.busyNs`), `resource ${k}`);
      // the latency is shown in the unit its magnitude calls for
      const latency = cells.find((c) => c.field === "latencyNs");
      assert.equal(latency?.unit, timeUnit(r.latencyNs));
      assert.equal(name === "resnet50" ? "ms" : "µs", timeUnit(r.latencyNs));

      // breakdown chart: the total at the bar's end, each share of 5% or more inside the bar
      const bd = chartSvg(html, "breakdown");
      assert.deepEqual(markTexts(bd, "totals"), [withUnit(r.latencyNs, timeUnit(r.latencyNs))]);
      assert.deepEqual(
        markTexts(bd, "shares"),
        CATEGORIES.filter((c) => r.shares[c] >= 0.05).map((c) => withUnit(r.shares[c], "%")),
      );
      for (const c of CATEGORIES) assert.ok(classTexts(bd, "role-legend-label").includes(LABELS[c]), LABELS[c]);
      assert.ok(classTexts(bd, "role-axis-title").includes(`End-to-end latency (${timeUnit(r.latencyNs)})`));
      const title = classTexts(bd, "role-title-text").join(" ");
      assert.ok(title.includes(r.network.name) && title.includes(r.soc.source), title);
      const s = r.soc.summary;
      const subtitle = classTexts(bd, "role-title-subtitle").join(" ");
      assert.ok(
        subtitle.includes(`${s.accelerators} × ${s.accelerator.toUpperCase()} at ${s.acceleratorClockGHz} GHz`) &&
          subtitle.includes(`${s.dram} ${s.dramBandwidthGBps} GB/s`),
        subtitle,
      );

      // energy chart: total in µJ and component shares of 5% or more
      const en = chartSvg(html, "energy");
      assert.deepEqual(markTexts(en, "totals"), [withUnit(r.energy.totalNj, "µJ")]);
      assert.deepEqual(
        markTexts(en, "shares"),
        ENERGY_COMPONENTS.filter((c) => r.energy.components[c] / r.energy.totalNj >= 0.05).map((c) =>
          withUnit(r.energy.components[c] / r.energy.totalNj, "%"),
        ),
      );
      assert.ok(classTexts(en, "role-axis-title").includes("Energy (µJ)"));

      // per-layer chart: one bar and one total per layer, in execution order, named by layer and op
      const layerUnit = timeUnit(Math.max(...r.layers.map((l) => l.breakdownNs.total)));
      const ly = chartSvg(html, "layers");
      assert.deepEqual(
        markTexts(ly, "layer_totals"),
        r.layers.map((l) => withUnit(l.breakdownNs.total, layerUnit)),
      );
      const axis = classTexts(ly, "role-axis-label");
      for (const l of r.layers) assert.ok(axis.includes(`${l.name} (${l.op})`), l.name);
      // sized by the count: at least 12 px per layer, so 142 ResNet-50 layers stay legible
      const height = Number(ly.match(/^<svg[^>]* height="([\d.]+)"/)?.[1]);
      assert.ok(height >= 12 * r.layers.length, `${height} px for ${r.layers.length} layers`);

      // timeline: a lane per resource, the layer names that fit are real layer names
      const tl = chartSvg(html, "timeline");
      assert.deepEqual(headerTexts(tl, "row"), ["layers", ...r.resources.map((x) => x.name)]);
      const names = new Set(r.layers.map((l) => l.name));
      const written = markTexts(tl, "layer_names");
      assert.ok(written.length > 0);
      for (const n of written) assert.ok(names.has(n), n);
      assert.ok(Number(tl.match(/^<svg[^>]* width="([\d.]+)"/)?.[1]) >= 1400, "the timeline is wide");
    });
  }

  it("several runs: side by side, labelled by what differs (DMA vs ACP; 1 vs 4 accelerators)", async () => {
    const acp = report("lenet5", resolveSoc({ memoryPolicy: "AllAcp" }));
    const x4 = report("lenet5", resolveSoc({ accelerators: [{ kind: "smv", count: 4 }] }));
    const runs = [lenet, acp];
    const html = await renderHtml(runs);
    checkSelfContained(html);
    const cells = checkCells(html, runs);
    assert.ok(cells.some((c) => c.run === 1) && cells.some((c) => c.run === 0));

    const bd = chartSvg(html, "breakdown");
    // one bar per run, labelled by the policy, each with its own total
    assert.deepEqual(
      classTexts(bd, "role-axis-label").filter((t) => /^[A-Z]/.test(t)),
      ["DMA", "ACP"],
    );
    const unit = timeUnit(Math.max(lenet.latencyNs, acp.latencyNs));
    assert.deepEqual(
      markTexts(bd, "totals"),
      runs.map((r) => withUnit(r.latencyNs, unit)),
    );
    assert.deepEqual(
      markTexts(chartSvg(html, "energy"), "totals"),
      runs.map((r) => withUnit(r.energy.totalNj, "µJ")),
    );
    // per-layer: one column per run over the same layers
    const ly = chartSvg(html, "layers");
    assert.deepEqual(headerTexts(ly, "column"), ["DMA", "ACP"]);
    assert.equal(markTexts(ly, "layer_totals").length, 2 * lenet.layers.length);
    // a timeline per run
    assert.ok(html.includes('id="chart-timeline-1"') && html.includes('id="chart-timeline-2"'));
    assert.deepEqual(headerTexts(chartSvg(html, "timeline-2"), "row"), ["layers", ...acp.resources.map((x) => x.name)]);
    assert.ok(acp.resources.some((x) => x.name === "acp0"));

    const byAccels = await renderHtml([lenet, x4]);
    assert.deepEqual(
      classTexts(chartSvg(byAccels, "breakdown"), "role-axis-label").filter((t) => /accelerator/.test(t)),
      ["1 accelerator", "4 accelerators"],
    );
    checkCells(byAccels, [lenet, x4]);
  });
});
