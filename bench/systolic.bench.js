import Benchmark from "benchmark";
import { simulateSystolicLayers, systolicLayerFromNode } from "../dist/accel/systolic.js";
import { loadEngine, probeEngines } from "../dist/engine/index.js";
import { getModel } from "../dist/models/index.js";
import { machine, quick, writeJson } from "./common.js";

const configs = [
  [
    "scale",
    {
      rows: 32,
      cols: 32,
      dataflow: "ws",
      ifmapSramKiB: 64,
      filterSramKiB: 64,
      ofmapSramKiB: 64,
      bandwidthWordsPerCycle: 10,
      wordBytes: 2,
    },
  ],
  [
    "fine",
    {
      rows: 32,
      cols: 32,
      dataflow: "ws",
      ifmapSramKiB: 2,
      filterSramKiB: 2,
      ofmapSramKiB: 2,
      bandwidthWordsPerCycle: 2,
      wordBytes: 2,
    },
  ],
];

const engines = probeEngines()
  .filter((p) => {
    if (!p.available) console.log(`# ${p.name}: unavailable (${p.reason})`);
    return p.available;
  })
  .map((p) => loadEngine(p.name));

const { graph } = getModel("resnet50").build();
const layers = graph.nodes.filter((n) => n.op === "conv").map((n) => systolicLayerFromNode(n, graph));
console.log(`# ResNet-50: ${layers.length} conv layers on a 32x32 ws array`);

const sum = (reports, key) => reports.reduce((s, r) => s + r[key], 0);
const results = [];
for (const [label, params] of configs) {
  // the model's figures (identical on every engine; the equivalence test checks it)
  const reports = simulateSystolicLayers(engines[0], params, layers);
  const events = sum(reports, "ifmapFills") + sum(reports, "filterFills") + sum(reports, "ofmapDrains");
  const compute = sum(reports, "computeCycles");
  const stalls = sum(reports, "stallCycles");
  const drain = sum(reports, "drainCycles");
  const macs = sum(reports, "macs");
  const figures = {
    computeCycles: compute,
    stallCycles: stalls,
    drainCycles: drain,
    totalCycles: compute + stalls - 1,
    overallUtilisation: macs / ((compute + stalls) * 32 * 32),
    dramWords: sum(reports, "ifmapDramReads") + sum(reports, "filterDramReads") + sum(reports, "ofmapDramWrites"),
    dramTransfers: events,
  };
  console.log(`\n# ${label}: ${JSON.stringify(params)}`);
  console.log(`# figures: ${JSON.stringify(figures)}`);

  const suite = new Benchmark.Suite(label);
  for (const engine of engines) {
    suite.add(
      `${label} [${engine.name}]`,
      () => {
        simulateSystolicLayers(engine, params, layers);
      },
      quick ? { maxTime: 0.2, minSamples: 1, initCount: 1 } : { maxTime: 3, minSamples: 5 },
    );
  }
  suite.on("cycle", (ev) => {
    const t = ev.target;
    const engine = t.name.match(/\[(\w+)\]/)[1];
    const ms = 1000 / t.hz;
    results.push({
      config: label,
      engine,
      msPerPass: ms,
      layers: layers.length,
      dramTransfersPerPass: events,
      mTransfersPerSecond: (events * t.hz) / 1e6,
      rme: t.stats.rme,
      samples: t.stats.sample.length,
      figures,
    });
    console.log(
      `${t.name}: ${ms.toFixed(3)} ms per pass (±${t.stats.rme.toFixed(1)}%, ${t.stats.sample.length} samples)`,
    );
  });
  suite.run();
}

console.log(
  "\n| config | engine | ms per pass (53 layers) | M transfers/s | time vs native | target 2 s |\n|---|---|---:|---:|---:|---|",
);
for (const r of results) {
  const native = results.find((n) => n.config === r.config && n.engine === "native");
  const ratio = native ? (r.msPerPass / native.msPerPass).toFixed(2) : "-";
  const ok = r.msPerPass <= 2000 ? "met" : "missed";
  console.log(
    `| ${r.config} | ${r.engine} | ${r.msPerPass.toFixed(3)} | ${r.mTransfersPerSecond.toFixed(1)} | ${ratio}x | ${ok} |`,
  );
}
const meta = machine();
console.log(`\n${JSON.stringify(meta)}`);
writeJson({ meta, results });
