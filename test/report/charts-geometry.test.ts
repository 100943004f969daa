/**
 * The charts' geometry against report.json. html.test.ts and png.test.ts check the charts' text
 * labels and colours; this file reads the rendered SVG's rectangles and checks where they are:
 *
 * - the stacked bars (breakdown, energy, each layer): one piece per category, in the category
 *   order, left to right and touching, each as wide as its value on the chart's own axis, the
 *   whole bar as long as the run's latency (energy, the layer's total);
 * - the timeline: a report segment wider than a pixel is a bar in its resource's lane, from its
 *   start to its end on the time axis, as high as the resource was busy in it (at least 8%).
 *
 * The axis is read from the SVG too (the tick labels' values and positions), and the colours,
 * category orders and units are restated here from docs/html-report.md, so nothing of the
 * chart code's own arithmetic is reused.
 */
import assert from "node:assert/strict";
import { type Chart, type ChartSet, renderCharts } from "../../src/report/charts.js";
import type { RunReport } from "../../src/report/report.js";
import { resolveSoc, SMAUG_BASELINE } from "../../src/soc/index.js";
import { decodeEntities } from "../support/html-text.js";
import { simulateReport } from "../support/report.js";

// ---- restated from docs/html-report.md ----

/** The time categories in stacking order, with their colours. */
const CATEGORY_COLOURS = [
  ["acceleratorCompute", "#4c78a8"],
  ["transfer", "#f58518"],
  ["cpuPrepare", "#54a24b"],
  ["cpuFinalize", "#e45756"],
  ["cpuOther", "#b279a2"],
  ["idle", "#bab0ac"],
] as const;
type CategoryKey = (typeof CATEGORY_COLOURS)[number][0];
const COLOUR_OF = new Map<string, string>(CATEGORY_COLOURS);

/** Energy components in stacking order (energy.components), with their colours. */
const ENERGY_COLOURS = [
  ["acceleratorCompute", "#4c78a8"],
  ["scratchpads", "#9ecae9"],
  ["caches", "#72b7b2"],
  ["dram", "#eeca3b"],
  ["dma", "#f58518"],
  ["cpu", "#9d755d"],
  ["idleLeakage", "#bab0ac"],
] as const;

/** Divisor from the report's unit (ns, nJ) to the unit an axis title names. */
const DIVISOR: Record<string, number> = { µs: 1e3, ms: 1e6, µJ: 1e3 };

/** The timeline is 1,400 px wide; every bar is at least 8% of its lane high. */
const TIMELINE_WIDTH = 1400;
const MIN_HEIGHT = 0.08;

/** A drawn position against the report's number: vega's geometry is rounded to 0.01 px. */
const PX = 0.5;
/** Two drawn positions that must coincide (a piece's end and the next one's start). */
const TOUCH = 0.05;

// ---- a minimal SVG tree ----

interface El {
  tag: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
  parent: El | undefined;
}

const decode = decodeEntities;

function parseSvg(svg: string): El {
  const root: El = { tag: "#root", attrs: {}, children: [], text: "", parent: undefined };
  let cur = root;
  for (const m of svg.matchAll(/<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g)) {
    if (m[5] !== undefined) {
      cur.text += decode(m[5]);
    } else if (m[1] === "/") {
      assert.equal(cur.tag, m[2], "SVG: mismatched closing tag");
      cur = cur.parent as El;
    } else {
      const attrs: Record<string, string> = {};
      for (const a of m[3].matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      const el: El = { tag: m[2], attrs, children: [], text: "", parent: cur };
      cur.children.push(el);
      if (m[4] !== "/") cur = el;
    }
  }
  assert.equal(cur, root, "SVG: unclosed element");
  return root;
}

function descendants(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  for (const c of el.children) {
    if (pred(c)) out.push(c);
    descendants(c, pred, out);
  }
  return out;
}
const hasClass = (el: El, ...names: string[]) => {
  const cls = (el.attrs.class ?? "").split(/\s+/);
  return names.every((n) => cls.includes(n));
};
const byClass = (el: El, ...names: string[]) => descendants(el, (e) => hasClass(e, ...names));
const textOf = (el: El): string => el.text + el.children.map(textOf).join("");

const NUM = String.raw`(-?\d*\.?\d+(?:e[-+]?\d+)?)`;

/** An element's own translation (vega writes only translate() on the elements read here). */
function translation(el: El): [number, number] {
  const t = el.attrs.transform;
  if (t === undefined) return [0, 0];
  const m = new RegExp(String.raw`^translate\(${NUM},${NUM}\)$`).exec(t);
  assert.ok(m, `SVG: unexpected transform ${t}`);
  return [Number(m[1]), Number(m[2])];
}

/** The sum of translations from `el` (included) up to `ancestor` (excluded): el's origin in ancestor's coordinates. */
function offsetIn(el: El, ancestor: El): [number, number] {
  let x = 0;
  let y = 0;
  for (let e: El | undefined = el; e !== ancestor; e = e.parent) {
    assert.ok(e, "SVG: not an ancestor");
    const [dx, dy] = translation(e);
    x += dx;
    y += dy;
  }
  return [x, y];
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
}

/** A rect mark as vega draws it: <path d="Mx,yhwvhh-wZ"> (in `frame`'s coordinates). */
function rectOf(path: El, frame: El): Rect {
  const d = path.attrs.d ?? "";
  const m = new RegExp(`^M${NUM},${NUM}h${NUM}v${NUM}h${NUM}Z$`).exec(d);
  assert.ok(m, `SVG: not a rectangle path: ${d}`);
  const [x, y, w, h, back] = m.slice(1).map(Number);
  assert.ok(Math.abs(w + back) <= 0.0101, `SVG: not a closed rectangle: ${d}`); // each rounded to 0.01
  assert.ok(w >= 0 && h >= 0, `SVG: negative extent: ${d}`);
  const [ox, oy] = offsetIn(path, frame);
  return { x: x + ox, y: y + oy, w, h, fill: path.attrs.fill ?? "" };
}

/** The plot's coordinate frame: the group inside the root frame mark (its origin is the plot's). */
function plotFrame(svgRoot: El): El {
  const [root] = byClass(svgRoot, "role-frame", "root");
  assert.ok(root, "SVG: no root frame");
  const frame = root.children.find((c) => c.tag === "g");
  assert.ok(frame);
  return frame;
}

/** The rect marks of a named Vega-Lite layer ("bars" → <g class="… bars_marks">). */
function marks(frame: El, name: string): El[] {
  return byClass(frame, "mark-rect", `${name}_marks`).flatMap((g) => descendants(g, (e) => e.tag === "path"));
}

/**
 * A horizontal quantitative axis as drawn: px = a + b * value, from its tick labels' values and
 * positions. A label sits at the scale's position in the axis's own coordinates; the axis group
 * is placed with vega's half-pixel offset, which is taken out here.
 */
interface Axis {
  a: number;
  b: number;
  /** The unit the title names: "End-to-end latency (µs)" → µs (a second, untitled axis has none). */
  unit: string | undefined;
}

function xAxes(frame: El): Axis[] {
  const out: Axis[] = [];
  for (const axis of byClass(frame, "mark-group", "role-axis")) {
    const placement = axis.children.find((c) => c.tag === "g");
    assert.ok(placement);
    const [px] = translation(placement);
    const labels = byClass(axis, "role-axis-label").flatMap((g) => descendants(g, (e) => e.tag === "text"));
    if (labels.length < 2) continue;
    const ticks = labels.map((t) => {
      const [x, y] = offsetIn(t, frame);
      return { x: x - px, y, v: Number(textOf(t).replace(/,/g, "")) };
    });
    if (ticks.some((t) => !Number.isFinite(t.v)) || new Set(ticks.map((t) => t.y)).size !== 1) continue;
    const first = ticks[0];
    const last = ticks[ticks.length - 1];
    const b = (last.x - first.x) / (last.v - first.v);
    const a = first.x - b * first.v;
    assert.ok(b > 0, "axis: values grow to the right");
    for (const t of ticks) assert.ok(Math.abs(a + b * t.v - t.x) < 0.02, `axis: tick ${t.v} at ${t.x} is off the line`);
    const title = byClass(axis, "role-axis-title").map(textOf).join("");
    const unit = /\(([^)]+)\)$/.exec(title)?.[1];
    assert.ok(title === "" || (unit !== undefined && unit in DIVISOR), `axis: no known unit in "${title}"`);
    out.push({ a, b, unit });
  }
  return out;
}

/** The chart's one time/energy axis (drawn at the top and the bottom of a tall chart: both must agree). */
type TitledAxis = Axis & { unit: string };
function xAxis(frame: El): TitledAxis {
  const axes = xAxes(frame);
  assert.ok(axes.length >= 1, "no horizontal axis");
  for (const other of axes)
    assert.ok(Math.abs(other.a - axes[0].a) < 0.02 && Math.abs(other.b - axes[0].b) < 1e-6, "axes disagree");
  const titled = axes.filter((x) => x.unit !== undefined);
  assert.equal(titled.length, 1, "one axis names the unit");
  return titled[0] as TitledAxis;
}

/** Where a value in the report's unit (ns, nJ) is drawn. */
const at = (axis: TitledAxis, value: number) => axis.a + (axis.b * value) / DIVISOR[axis.unit];
/** How wide a span of `value` (ns, nJ) is drawn. */
const width = (axis: TitledAxis, value: number) => (axis.b * value) / DIVISOR[axis.unit];

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: drawn ${actual.toFixed(2)} px, expected ${expected.toFixed(2)} px (±${tol})`,
  );

/** Rects grouped into rows (same y and height), top to bottom. */
function rows(rects: Rect[]): Rect[][] {
  const out: Rect[][] = [];
  for (const r of [...rects].sort((p, q) => p.y - q.y)) {
    const row = out.find((o) => Math.abs(o[0].y - r.y) < 0.01);
    if (row === undefined) out.push([r]);
    else {
      near(r.h, row[0].h, 0.01, "pieces of one bar are equally high");
      row.push(r);
    }
  }
  return out;
}

/**
 * One stacked bar against the report: the parts in the given order, each a piece of its colour
 * starting where the parts before it end (0 at the axis's origin), as wide as its value, each
 * piece touching the next, the bar as long as `total`. A part of 0 is drawn with no width or not
 * at all.
 */
function checkStackedBar(
  row: Rect[],
  axis: TitledAxis,
  parts: readonly { key: string; colour: string; value: number }[],
  total: number,
  what: string,
): void {
  const colours = new Set(parts.map((p) => p.colour));
  for (const r of row) assert.ok(colours.has(r.fill), `${what}: a piece of unexpected colour ${r.fill}`);
  let cum = 0;
  let prev: Rect | undefined;
  const drawn: { key: string; value: number; r: Rect }[] = [];
  for (const p of parts) {
    const pieces = row.filter((r) => r.fill === p.colour);
    assert.ok(pieces.length <= 1, `${what}: ${p.key} is drawn ${pieces.length} times`);
    const r = pieces[0];
    if (p.value === 0) {
      if (r !== undefined) near(r.w, 0, PX, `${what}: ${p.key} (0) width`);
      continue;
    }
    assert.ok(r !== undefined, `${what}: ${p.key} (${p.value}) is not drawn`);
    near(r.x, at(axis, cum), PX, `${what}: ${p.key} starts where the parts before it end`);
    near(r.w, width(axis, p.value), PX, `${what}: ${p.key} width`);
    if (prev !== undefined) near(r.x, prev.x + prev.w, TOUCH, `${what}: ${p.key} touches the piece before it`);
    drawn.push({ key: p.key, value: p.value, r });
    cum += p.value;
    prev = r;
  }
  assert.ok(drawn.length > 0, `${what}: nothing drawn`);
  const left = drawn[0].r.x;
  const right = drawn[drawn.length - 1].r.x + drawn[drawn.length - 1].r.w;
  near(left, at(axis, 0), PX, `${what}: the bar starts at 0`);
  near(right, at(axis, total), PX, `${what}: the bar ends at its total`);
  // The same without the axis: each piece's share of the bar is its share of the total.
  for (const d of drawn) near(d.r.w, ((right - left) * d.value) / total, PX, `${what}: ${d.key} share of the bar`);
}

const timeParts = (b: Record<CategoryKey, number>) =>
  CATEGORY_COLOURS.map(([key, colour]) => ({ key, colour, value: b[key] }));
const energyParts = (r: RunReport) =>
  ENERGY_COLOURS.map(([key, colour]) => ({ key, colour, value: r.energy.components[key] }));

function checkBars(chart: Chart, runs: readonly RunReport[], energy: boolean): void {
  const frame = plotFrame(parseSvg(chart.svg));
  const axis = xAxis(frame);
  assert.equal(axis.unit, energy ? "µJ" : Math.max(...runs.map((r) => r.latencyNs)) >= 1e6 ? "ms" : "µs");
  const bars = rows(marks(frame, "bars").map((p) => rectOf(p, frame)));
  assert.equal(bars.length, runs.length, `${chart.id}: one bar per run`);
  runs.forEach((r, i) => {
    const what = `${chart.id}, ${r.network.name} run ${i + 1}`;
    if (energy) checkStackedBar(bars[i], axis, energyParts(r), r.energy.totalNj, what);
    else checkStackedBar(bars[i], axis, timeParts(r.breakdownNs), r.latencyNs, what);
  });
}

function checkLayers(chart: Chart, r: RunReport): void {
  const frame = plotFrame(parseSvg(chart.svg));
  const axis = xAxis(frame);
  const bars = rows(marks(frame, "layer_bars").map((p) => rectOf(p, frame)));
  const withTime = r.layers.filter((l) => l.breakdownNs.total > 0);
  assert.equal(withTime.length, r.layers.length, "every layer takes time");
  assert.equal(bars.length, r.layers.length, `${chart.id}: one bar per layer`);
  // The layer axis names the rows top to bottom in execution order, each name beside its bar.
  const names = byClass(frame, "role-axis-label")
    .flatMap((g) => descendants(g, (e) => e.tag === "text"))
    .filter((t) => !Number.isFinite(Number(textOf(t).replace(/,/g, ""))));
  assert.deepEqual(
    names.map(textOf),
    r.layers.map((l) => `${l.name} (${l.op})`),
  );
  r.layers.forEach((l, i) => {
    const [, y] = offsetIn(names[i], frame);
    const row = bars[i];
    assert.ok(y >= row[0].y && y <= row[0].y + row[0].h, `${l.name}: its name is beside its bar`);
    checkStackedBar(row, axis, timeParts(l.breakdownNs), l.breakdownNs.total, `${chart.id}, layer ${l.name}`);
  });
}

// ---- the timeline ----

interface Lane {
  name: string;
  /** The lane's group: the rects' vertical positions are read in its coordinates. */
  cell: El;
  width: number;
  height: number;
  rects: Rect[];
}

/** The Gantt chart's lanes by name: the row headers' names matched to the cells by their vertical position. */
function lanes(svg: string): { axis: TitledAxis; lanes: Map<string, Lane> } {
  const frame = plotFrame(parseSvg(svg));
  const axis = xAxis(frame);
  const [header] = byClass(frame, "role-row-header");
  assert.ok(header, "timeline: no row headers");
  const names = header.children
    .filter((g) => g.tag === "g")
    .map((g) => ({ name: byClass(g, "role-title-text").map(textOf).join(""), y: offsetIn(g, frame)[1] }));
  const cells = byClass(frame, "role-scope", "cell").flatMap((c) => c.children.filter((g) => g.tag === "g"));
  assert.equal(cells.length, names.length, "timeline: a header per lane");
  const out = new Map<string, Lane>();
  for (const cell of cells) {
    const [, y] = offsetIn(cell, frame);
    const named = names.filter((n) => Math.abs(n.y - y) < 0.01);
    assert.equal(named.length, 1, `timeline: one header at the lane at y=${y}`);
    const background = cell.children.find((c) => c.tag === "path" && hasClass(c, "background"));
    assert.ok(background);
    const bg = rectOf(background, cell);
    const rects = marks(cell, "segments").map((p) => {
      const r = rectOf(p, cell);
      // x in the plot's coordinates (the axis's), y in the lane's.
      return { ...r, x: r.x + offsetIn(cell, frame)[0] };
    });
    out.set(named[0].name, { name: named[0].name, cell, width: bg.w, height: bg.h, rects });
  }
  return { axis, lanes: out };
}

type Segment = RunReport["timeline"]["resources"][number]["segments"][number];

/**
 * Segments worth checking in one lane: the longest ones and the least busy ones, among those at
 * least 2 px wide (narrower activity is drawn as bands, which this does not restate).
 */
function pickSegments(segments: readonly Segment[], axis: TitledAxis): Segment[] {
  const wide = segments.filter(([s, e]) => width(axis, e - s) >= 2);
  const longest = [...wide].sort((p, q) => q[1] - q[0] - (p[1] - p[0])).slice(0, 3);
  const leastBusy = [...wide].sort((p, q) => p[4] / (p[1] - p[0]) - q[4] / (q[1] - q[0])).slice(0, 2);
  return [...new Set([...longest, ...leastBusy])];
}

/**
 * Each picked segment is a rect in its resource's lane, of its category's colour, spanning
 * [startNs, endNs] on the axis, standing on the lane's baseline, as high as busyNs over the span
 * (at least 8% of the lane). Returns the busy fractions checked.
 */
function checkTimeline(chart: Chart | undefined, r: RunReport, domainNs: number): number[] {
  assert.ok(chart, `${r.network.name}: no timeline`);
  const { axis, lanes: byName } = lanes(chart.svg);
  near(at(axis, 0), 0, PX, "timeline: the axis starts at 0");
  near(at(axis, domainNs), TIMELINE_WIDTH, PX, "timeline: the axis ends at the (longest) run's latency");
  const fractions: number[] = [];
  for (const res of r.timeline.resources) {
    const lane = byName.get(res.name);
    assert.ok(lane, `timeline: no lane ${res.name}`);
    assert.equal(lane.width, TIMELINE_WIDTH);
    const picked = pickSegments(res.segments, axis);
    assert.ok(picked.length > 0, `timeline: ${res.name} has nothing wider than 2 px`);
    for (const [s, e, category, layer, busy] of picked) {
      const what = `timeline ${res.name}: ${category} segment [${s}, ${e}] (layer ${layer})`;
      const x0 = at(axis, s);
      const x1 = at(axis, e);
      const hits: Rect[] = lane.rects.filter((o) => Math.abs(o.x - x0) <= PX && Math.abs(o.x + o.w - x1) <= PX);
      assert.equal(hits.length, 1, `${what}: ${hits.length} bars span [${x0.toFixed(2)}, ${x1.toFixed(2)}] px`);
      const [q] = hits;
      assert.equal(q.fill, COLOUR_OF.get(category), `${what}: colour`);
      const fraction = busy / (e - s);
      fractions.push(fraction);
      near(q.h, lane.height * Math.min(1, Math.max(MIN_HEIGHT, fraction)), PX, `${what}: height (busy ${fraction})`);
      near(q.y + q.h, lane.height, TOUCH, `${what}: stands on the lane's baseline`);
    }
  }
  return fractions;
}

/** The layers lane (smaug schedule): a band per layer from its start to its end. */
function checkLayerLane(chart: Chart | undefined, r: RunReport): void {
  assert.ok(chart);
  const frame = plotFrame(parseSvg(chart.svg));
  const { axis, lanes: byName } = lanes(chart.svg);
  assert.ok(byName.has("layers"), "timeline: a layers lane under the smaug schedule");
  const cells = byClass(frame, "role-scope", "cell").flatMap((c) => c.children.filter((g) => g.tag === "g"));
  const bands = cells.flatMap((cell) =>
    marks(cell, "layer_bands").map((p) => {
      const q = rectOf(p, cell);
      return { ...q, x: q.x + offsetIn(cell, frame)[0] };
    }),
  );
  const shown = r.layers.filter((l) => l.endNs > l.startNs);
  assert.equal(bands.length, shown.length, "timeline: a band per layer");
  const sorted = [...bands].sort((p, q) => p.x - q.x);
  shown.forEach((l, i) => {
    near(sorted[i].x, at(axis, l.startNs), PX, `layers lane: ${l.name} start`);
    near(sorted[i].x + sorted[i].w, at(axis, l.endNs), PX, `layers lane: ${l.name} end`);
  });
}

// ---- the runs ----

describe("report charts: geometry against report.json", function () {
  this.timeout(120000);
  /** lenet5 on the baseline SoC (smaug schedule, µs). */
  let lenet: RunReport;
  /** lenet5 on 4 accelerators and 4 workers, overlap schedule: many lanes, layers overlapping. */
  let multi: RunReport;
  /** elu16 on the baseline SoC: ms, and merged timeline segments that are not busy throughout. */
  let elu: RunReport;
  let charts: { lenet: ChartSet; multi: ChartSet; elu: ChartSet; pair: ChartSet };

  before(async () => {
    lenet = simulateReport("lenet5", SMAUG_BASELINE).report;
    const soc = resolveSoc({ accelerators: [{ kind: "smv", count: 4 }], threads: { workers: 4 } });
    multi = simulateReport("lenet5", soc, { schedule: "overlap" }).report;
    elu = simulateReport("elu16", SMAUG_BASELINE).report;
    const [a, b, c, d] = await Promise.all([
      renderCharts([lenet]),
      renderCharts([multi]),
      renderCharts([elu]),
      renderCharts([lenet, multi]),
    ]);
    charts = { lenet: a, multi: b, elu: c, pair: d };
  });

  it("the runs are what the checks need: many lanes, overlapping layers, a run in ms", () => {
    assert.ok(multi.timeline.resources.length >= 12);
    assert.ok(lenet.latencyNs < 1e6 && elu.latencyNs >= 1e6);
    assert.ok(elu.layers.length > 10);
  });

  it("breakdown: pieces in category order, touching, each as wide as its time, the bar as long as the latency", () => {
    checkBars(charts.lenet.breakdown, [lenet], false);
    checkBars(charts.multi.breakdown, [multi], false);
    checkBars(charts.elu.breakdown, [elu], false);
  });

  it("breakdown of two runs: a bar each, top to bottom, on one scale", () => {
    checkBars(charts.pair.breakdown, [lenet, multi], false);
  });

  it("energy: pieces in component order, touching, each as wide as its energy, the bar as long as the total", () => {
    checkBars(charts.lenet.energy, [lenet], true);
    checkBars(charts.multi.energy, [multi], true);
    checkBars(charts.elu.energy, [elu], true);
    checkBars(charts.pair.energy, [lenet, multi], true);
  });

  it("time per layer: each layer's bar stacks its categories to its total", () => {
    assert.equal(charts.lenet.layers.length, 1);
    checkLayers(charts.lenet.layers[0], lenet);
    checkLayers(charts.multi.layers[0], multi);
    checkLayers(charts.elu.layers[0], elu);
  });

  it("timeline: segments are bars in their lane, from start to end, as high as they were busy", () => {
    checkTimeline(charts.lenet.timelines[0], lenet, lenet.latencyNs);
    checkTimeline(charts.multi.timelines[0], multi, multi.latencyNs);
    const fractions = checkTimeline(charts.elu.timelines[0], elu, elu.latencyNs);
    // The height check has teeth: some checked segments are far from busy throughout.
    assert.ok(Math.min(...fractions) < 0.7, `least busy fraction checked: ${Math.min(...fractions)}`);
    checkLayerLane(charts.lenet.timelines[0], lenet);
    checkLayerLane(charts.elu.timelines[0], elu);
  });

  it("timelines of two runs share the time scale of the longer run", () => {
    const longest = Math.max(lenet.latencyNs, multi.latencyNs);
    checkTimeline(charts.pair.timelines[0], lenet, longest);
    checkTimeline(charts.pair.timelines[1], multi, longest);
  });

  it("timeline: a barely busy segment is still drawn 8% of the lane high", async () => {
    // The report as json, with the longest segment of each resource made 1% busy.
    const doctored = JSON.parse(JSON.stringify(lenet)) as RunReport;
    for (const res of doctored.timeline.resources) {
      const longest = res.segments.reduce((p, q) => (q[1] - q[0] > p[1] - p[0] ? q : p));
      longest[4] = (longest[1] - longest[0]) * 0.01;
    }
    const set = await renderCharts([doctored]);
    const fractions = checkTimeline(set.timelines[0], doctored, doctored.latencyNs);
    assert.ok(fractions.some((f) => f < MIN_HEIGHT));
  });
});
