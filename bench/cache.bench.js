import Benchmark from "benchmark";
import { CacheHierarchy, loadEngine, probeEngines, SMAUG_BASELINE_CACHES, workloadBatches } from "../dist/index.js";
import { machine, quick, writeJson } from "./common.js";

const MIB = quick ? 1 : 16;
const workloads = [
  ["a: sequential", "sequential"],
  ["b: strided", "strided"],
  ["c: random", "random"],
];

const engines = probeEngines()
  .filter((p) => {
    if (!p.available) console.log(`# ${p.name}: unavailable (${p.reason})`);
    return p.available;
  })
  .map((p) => loadEngine(p.name));

// Pre-generate each workload once (copies of the reused batch), so generation is not timed.
function materialise(name) {
  const batches = [];
  for (const b of workloadBatches(name, { bytes: MIB * 2 ** 20, cores: 1, firstPort: 8 })) {
    batches.push({
      addr: b.addr.slice(0, b.count),
      bytes: b.bytes.slice(0, b.count),
      op: b.op.slice(0, b.count),
      requester: b.requester.slice(0, b.count),
      count: b.count,
    });
  }
  return batches;
}

const results = [];
for (const [label, name] of workloads) {
  const batches = materialise(name);
  const suite = new Benchmark.Suite(label);
  let lineAccesses = 0;
  const sims = [];
  for (const engine of engines) {
    const sim = new CacheHierarchy(engine, SMAUG_BASELINE_CACHES);
    sims.push(sim);
    // one warm pass also counts the line accesses a pass makes
    for (const b of batches) sim.run(b);
    lineAccesses = sim.cumulative().total.l1Accesses;
    sim.reset();
    suite.add(
      `${label} [${engine.name}]`,
      () => {
        for (const b of batches) sim.run(b);
      },
      quick ? { maxTime: 0.2, minSamples: 1, initCount: 1 } : { maxTime: 3, minSamples: 5 },
    );
  }
  suite.on("cycle", (ev) => {
    const t = ev.target;
    const engine = t.name.match(/\[(\w+)\]/)[1];
    const perSecond = lineAccesses * t.hz;
    results.push({
      workload: name,
      engine,
      lineAccessesPerPass: lineAccesses,
      mlinesPerSecond: perSecond / 1e6,
      rme: t.stats.rme,
      samples: t.stats.sample.length,
    });
    console.log(
      `${t.name}: ${(perSecond / 1e6).toFixed(1)} M line accesses/s (±${t.stats.rme.toFixed(1)}%, ${t.stats.sample.length} samples)`,
    );
  });
  suite.run();
  for (const sim of sims) sim.dispose();
}

console.log("\n| workload | engine | M line accesses/s | time vs native |\n|---|---|---:|---:|");
for (const r of results) {
  const native = results.find((n) => n.workload === r.workload && n.engine === "native");
  const ratio = native ? (native.mlinesPerSecond / r.mlinesPerSecond).toFixed(2) : "-";
  console.log(`| ${r.workload} | ${r.engine} | ${r.mlinesPerSecond.toFixed(1)} | ${ratio}x |`);
}
const meta = machine({ mib: MIB });
console.log(`\n${JSON.stringify(meta)}`);
writeJson({ meta, results });
