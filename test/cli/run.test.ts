import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CATEGORIES } from "../../src/sim/types.js";
import { smaug } from "../support/cli.js";

const CATEGORY_LABELS = [
  "accelerator compute",
  "data transfer (DMA/ACP)",
  "CPU data preparation",
  "CPU data finalisation",
  "CPU other",
  "idle / waiting",
];

describe("smaug run", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-run-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("with no network runs the built-in default (lenet5) and prints the breakdown it also writes to report.json", () => {
    const out = join(dir, "default");
    const r = smaug(["run", "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^lenet5 \(model zoo/);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(report.schema, "smaug-sim/run-report");
    assert.equal(report.version, 1);
    assert.equal(report.network.name, "lenet5");
    // Every category row of the table shows the report's figure (µs, 2 decimals below 100 µs).
    CATEGORIES.forEach((c, i) => {
      const ns = report.breakdownNs[c] as number;
      const shown = (ns / 1000).toFixed(ns >= 1e7 ? 0 : ns >= 1e5 ? 1 : 2);
      const row = r.stdout.split("\n").find((l) => l.includes(CATEGORY_LABELS[i]));
      assert.ok(row?.includes(` ${shown} `), `${c}: expected ${shown} in '${row}'`);
    });
    // The parts sum exactly to the latency.
    const sum = CATEGORIES.reduce((s, c) => s + report.breakdownNs[c], 0);
    assert.equal(sum, report.latencyNs);
    assert.ok(report.notes.some((n: string) => /Weights are tiled once before the measured run/.test(n)));
    // A classifier reports its top-1 class, the arg-max of its head.
    const o = report.outputs[0];
    assert.equal(o.shape.join("x"), "1x10");
    assert.equal(o.top1.index, o.head.indexOf(Math.max(...o.head)));
    assert.match(r.stdout, new RegExp(`top-1 class ${o.top1.index} `));
  });

  it("--json prints the report to stdout and nothing else", () => {
    const r = smaug(["run", "minerva", "--json", "--timing-only"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.outputs, null);
    assert.equal(report.options.timingOnly, true);
  });

  it("command-line overrides reach the SoC: --accels, --threads, --policy", () => {
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--accels", "4", "--threads", "2", "--policy", "acp"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.soc.summary.accelerators, 4);
    assert.equal(report.soc.summary.workers, 2);
    assert.equal(report.soc.summary.memoryPolicy, "AllAcp");
    assert.ok(report.memory.acpBytes > 0);
    assert.equal(report.memory.dmaBytes, 0);
    assert.deepEqual(
      report.resources.filter((x: { kind: string }) => x.kind === "accelerator").map((x: { name: string }) => x.name),
      ["smv0", "smv1", "smv2", "smv3"],
    );
  });

  it("--sample-level and --sample-num reach the run and the report", () => {
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--sample-level", "very_high", "--sample-num", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.options.sampleLevel, "very_high");
    assert.equal(report.options.sampleNum, 2);
    assert.equal(report.options.rowBuffer, true);
    assert.ok(report.invocations.replayed > 0 && report.invocations.replayed < report.invocations.total);
  });

  it("--schedule both reports the overlap schedule beside smaug's", () => {
    const r = smaug(["run", "cnn10", "--json", "--timing-only", "--schedule", "both"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.options.schedule, "smaug");
    assert.equal(report.alternatives.length, 1);
    assert.equal(report.alternatives[0].schedule, "overlap");
    assert.ok(report.alternatives[0].latencyNs > 0);
  });

  it("--accel systolic runs the systolic array", () => {
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--accel", "systolic"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.soc.summary.accelerator, "systolic");
    assert.ok(report.breakdownNs.acceleratorCompute > 0);
  });

  const bad: [string[], RegExp][] = [
    [["run", "nosuchnet"], /unknown model 'nosuchnet'/],
    [["run", "lenet5", "--accels", "0"], /--accels.*must be an integer from 1 to 64/],
    [["run", "lenet5", "--threads", "9"], /--threads: 9 worker threads, but the SoC has 8 CPU cores/],
    [["run", "lenet5", "--policy", "sometimes"], /--policy.*sometimes/],
    [["run", "lenet5", "--accel", "tpu"], /--accel: unknown accelerator 'tpu'/],
    [["run", "lenet5", "--sample-level", "extreme"], /--sample-level.*extreme/],
    [["run", "lenet5", "--schedule", "greedy"], /--schedule.*greedy/],
    [["run", "lenet5", "--soc", "no/such/soc.yaml"], /no\/such\/soc\.yaml/],
  ];
  for (const [args, message] of bad)
    it(`bad input: ${args.slice(1).join(" ")} → exit 2, one line naming it`, () => {
      const r = smaug(args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });

  it("an --out that is a file is refused before anything runs; nothing is written", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "keep me");
    const r = smaug(["run", "lenet5", "--out", file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--out: .* is not a directory/);
    assert.equal(readFileSync(file, "utf8"), "keep me");
  });

  it("a failing run leaves no report behind", () => {
    const out = join(dir, "failed");
    const r = smaug(["run", "nosuchnet", "--out", out]);
    assert.equal(r.code, 2);
    assert.ok(!existsSync(join(out, "report.json")));
    if (existsSync(out)) assert.deepEqual(readdirSync(out), []);
  });
});
