// End-to-end runs (issue 5 targets), per engine:
//  (1) `smaug run resnet50 --timing-only` on the baseline SoC: wall time of the whole command and
//      its peak memory (target native: <= 5 s, <= 2 GiB); the same with functional execution
//      (target <= 20 s);
//  (2) the sweep: the seven paper networks x {dma, acp} x {1, 8 accelerators} x {1, 8 threads},
//      timing only, in one process (target <= 60 s in total), with each network's speed-ups;
//  (3) sampling: resnet50 at every sample level, simulation wall time and latency error against
//      the unsampled run.
// Runs the compiled package (dist/). Wall-clock figures, one sample each: runs take seconds.
//
//   node bench/run.bench.js [--quick] [--json out.json] [--engines native,wasm,js]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadEngine } from "../dist/engine/index.js";
import { getModel } from "../dist/models/index.js";
import { runNetwork } from "../dist/sim/run.js";
import { resolveSoc } from "../dist/soc/index.js";
import { machine, option, quick, writeJson } from "./common.js";

const engines = (option("--engines") ?? "native,wasm,js").split(",");
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli/main.js");
const tmp = mkdtempSync(join(os.tmpdir(), "smaug-bench-"));

/** Run the CLI in a child process; wall time and peak RSS of that process. */
function command(args) {
  const rssFile = join(tmp, "rss");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["--import", join(root, "bench/rss-at-exit.mjs"), cli, ...args], {
    env: { ...process.env, SMAUG_BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`smaug ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { seconds, peakMiB: Number(readFileSync(rssFile, "utf8")) / 1024 };
}

const results = { meta: machine() };

// (1) the resnet50 command
const big = quick ? "lenet5" : "resnet50";
results.command = [];
for (const engine of engines) {
  for (const timingOnly of [true, false]) {
    const args = ["--engine", engine, "run", big, "--json", ...(timingOnly ? ["--timing-only"] : [])];
    const m = command(args);
    results.command.push({ engine, model: big, timingOnly, ...m });
    console.log(
      `smaug ${args.filter((a) => a !== "--json").join(" ")}: ${m.seconds.toFixed(2)} s, peak ${m.peakMiB.toFixed(0)} MiB`,
    );
  }
}

// (2) the sweep
const paper = quick ? ["minerva", "lenet5"] : ["minerva", "lenet5", "cnn10", "vgg16", "elu16", "elu24", "resnet50"];
const configs = [];
for (const policy of ["AllDma", "AllAcp"])
  for (const count of [1, 8]) for (const workers of [1, 8]) configs.push({ policy, count, workers });
results.sweep = [];
for (const engineName of engines) {
  const engine = loadEngine(engineName);
  const t0 = performance.now();
  const rows = [];
  for (const name of paper) {
    const { graph } = getModel(name).build();
    for (const c of configs) {
      const soc = resolveSoc({
        memoryPolicy: c.policy,
        accelerators: [{ kind: "smv", count: c.count }],
        threads: { workers: c.workers },
      });
      const r = runNetwork({ graph, soc, engine, timingOnly: true });
      rows.push({ model: name, ...c, latencyNs: r.sim.totalNs, shares: r.sim.breakdown });
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  results.sweep.push({ engine: engineName, runs: rows.length, seconds, rows });
  console.log(`sweep (${paper.length} networks x ${configs.length} SoCs, ${engineName}): ${seconds.toFixed(1)} s`);
}
// Speed-ups of the SoC changes per network (from the first engine's sweep; all engines agree).
const rows = results.sweep[0].rows;
const find = (m, policy, count, workers) =>
  rows.find((r) => r.model === m && r.policy === policy && r.count === count && r.workers === workers);
results.speedups = paper.map((m) => {
  const base = find(m, "AllDma", 1, 1);
  const b = base.shares;
  const s = (x) => base.latencyNs / x.latencyNs;
  return {
    model: m,
    baselineUs: base.latencyNs / 1000,
    accel: b.acceleratorCompute / b.total,
    transfer: b.transfer / b.total,
    cpu: (b.cpuPrepare + b.cpuFinalize + b.cpuOther) / b.total,
    acp: s(find(m, "AllAcp", 1, 1)),
    accels8: s(find(m, "AllDma", 8, 1)),
    threads8: s(find(m, "AllDma", 1, 8)),
    combined: s(find(m, "AllAcp", 8, 8)),
  };
});
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log("network   baseline µs  accel  transfer  cpu    | speed-up: ACP  8 accels  8 threads  all three");
for (const r of results.speedups)
  console.log(
    `${r.model.padEnd(9)} ${r.baselineUs.toFixed(1).padStart(11)}  ${pct(r.accel).padStart(5)}  ${pct(r.transfer).padStart(8)}  ${pct(r.cpu).padStart(5)}  |  ${r.acp.toFixed(2).padStart(11)}  ${r.accels8.toFixed(2).padStart(8)}  ${r.threads8.toFixed(2).padStart(9)}  ${r.combined.toFixed(2).padStart(9)}`,
  );
const mean = (k) => results.speedups.reduce((s, r) => s + r[k], 0) / results.speedups.length;
console.log(`average shares: accel ${pct(mean("accel"))}, transfer ${pct(mean("transfer"))}, cpu ${pct(mean("cpu"))}`);

// (3) sampling
results.sampling = [];
{
  const engine = loadEngine(engines[0]);
  const { graph } = getModel(big).build();
  const soc = resolveSoc({});
  let base;
  for (const [level, num] of [
    ["no", 1],
    ["low", 1],
    ["low", 2],
    ["medium", 1],
    ["high", 1],
    ["very_high", 1],
    ["very_high", 2],
  ]) {
    const r = runNetwork({ graph, soc, engine, timingOnly: true, sampleLevel: level, sampleNum: num });
    base ??= r;
    const row = {
      level,
      num,
      simulateSeconds: r.wallMs.simulate / 1000,
      speedup: base.wallMs.simulate / r.wallMs.simulate,
      latencyNs: r.sim.totalNs,
      error: (r.sim.totalNs - base.sim.totalNs) / base.sim.totalNs,
      replayed: r.sim.replayedInvocations,
      invocations: r.sim.invocations,
    };
    results.sampling.push(row);
    console.log(
      `sampling ${level} ${num}: simulate ${row.simulateSeconds.toFixed(2)} s (${row.speedup.toFixed(2)}x), latency error ${(100 * row.error).toFixed(2)}%, ${row.replayed}/${row.invocations} invocations replayed`,
    );
  }
}

writeJson(results);
rmSync(tmp, { recursive: true, force: true });
