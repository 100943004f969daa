// Report outputs (issue 6), per network: the wall time and size of each artefact `smaug run`
// writes from one simulated run — report.json, report.html (vega-lite charts rendered to SVG),
// the PNGs (resvg), the Chrome trace and the CSV. Runs the compiled package (dist/); one sample
// each (they take up to seconds). No targets: the figures go into BENCHMARKS.md.
//
//   node bench/report.bench.js [--quick]
import { selectEngine } from "../dist/engine/index.js";
import { getModel } from "../dist/models/index.js";
import { renderCharts } from "../dist/report/charts.js";
import { layersCsv } from "../dist/report/csv.js";
import { htmlFromCharts, pngCharts } from "../dist/report/html.js";
import { svgToPng } from "../dist/report/png.js";
import { buildReport, reportJson } from "../dist/report/report.js";
import { buildTrace, traceJson } from "../dist/report/trace.js";
import { runNetwork } from "../dist/sim/run.js";
import { resolveSoc } from "../dist/soc/index.js";
import { quick } from "./common.js";

// The engine auto-selection picks (native when the addon built).
const engine = selectEngine().engine;
const soc = resolveSoc({});

/** Wall time of f (ms) and its result. */
async function timed(f) {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const size = (x) => (typeof x === "string" ? Buffer.byteLength(x) : x.length);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

for (const name of quick ? ["lenet5"] : ["lenet5", "resnet50"]) {
  const { graph } = getModel(name).build({});
  const run = runNetwork({ graph, soc, engine, timingOnly: true });
  const report = buildReport(run, {
    graph,
    source: name,
    soc,
    socSource: "baseline",
    engine: engine.name,
    version: "bench",
    timingOnly: true,
  });
  const json = await timed(() => reportJson(report));
  const charts = await timed(() => renderCharts([report]));
  const html = await timed(() => htmlFromCharts([report], charts.value));
  const pngs = await timed(() => pngCharts(charts.value).map((c) => svgToPng(c.svg).png));
  const trace = await timed(() => traceJson(buildTrace(run, report)));
  const csv = await timed(() => layersCsv(report));
  console.log(
    `${name} (${run.sim.events.length} events): report.json ${json.ms.toFixed(0)} ms ${kib(size(json.value))}; ` +
      `charts ${charts.ms.toFixed(0)} ms + report.html ${html.ms.toFixed(0)} ms ${kib(size(html.value))}; ` +
      `${pngs.value.length} PNGs ${pngs.ms.toFixed(0)} ms ${kib(pngs.value.reduce((s, p) => s + p.length, 0))}; ` +
      `trace ${trace.ms.toFixed(0)} ms ${kib(size(trace.value))}; csv ${csv.ms.toFixed(1)} ms ${kib(size(csv.value))}`,
  );
}
