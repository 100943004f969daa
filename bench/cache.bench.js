// Line accesses per second of each engine on the SMAUG baseline hierarchy (paper Table 2:
// L1D 64 KiB 4-way 32 B lines per core, LLC 2 MiB 16-way 32 B lines, LRU), for
// (a) sequential tile-like copies, (b) strided channel-wise copies, (c) random accesses.
// Runs the compiled package (dist/), as users do. `--quick` (or BENCH_QUICK=1) makes a short
// smoke run for CI; figures are only meaningful without it.
//
//   node bench/cache.bench.js [--quick] [--json out.json]
import { writeFileSync } from "node:fs";
import os from "node:os";
import Benchmark from "benchmark";
import { CacheHierarchy, loadEngine, probeEngines, SMAUG_BASELINE_CACHES, workloadBatches } from "../dist/index.js";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const jsonAt = process.argv.indexOf("--json");
const jsonOut = jsonAt > 0 ? process.argv[jsonAt + 1] : undefined;
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
const meta = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  quick,
  mib: MIB,
};
console.log(`\n${JSON.stringify(meta)}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ meta, results }, null, 2));
