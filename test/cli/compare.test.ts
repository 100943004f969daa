/**
 * `smaug compare a.json b.json ... --out dir [--png]`: the happy path from report.json files that
 * `smaug run --out` wrote, and bad inputs, each of which exits 2 with one line naming the file
 * and the problem and writes nothing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smaug } from "../support/cli.js";

describe("smaug compare", function () {
  this.timeout(180_000);
  let dir: string;
  let dma: string;
  let acp: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-compare-"));
    for (const [name, args] of [
      ["dma", []],
      ["acp", ["--policy", "acp"]],
    ] as const) {
      const r = smaug(["run", "lenet5", "--timing-only", "--out", join(dir, name), ...args]);
      assert.equal(r.code, 0, r.stderr);
    }
    dma = join(dir, "dma", "report.json");
    acp = join(dir, "acp", "report.json");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("draws the runs side by side into report.html, with PNGs on --png", () => {
    const out = join(dir, "cmp");
    const r = smaug(["compare", dma, acp, "--out", out, "--png"]);
    assert.equal(r.code, 0, r.stderr);
    const written = ["report.html", "breakdown.png", "energy.png", "layers.png", "timeline-1.png", "timeline-2.png"];
    assert.deepEqual(readdirSync(out).sort(), [...written].sort());
    assert.deepEqual(
      r.stdout.trim().split("\n"),
      written.map((f) => `wrote ${join(out, f)}`),
    );
    const html = readFileSync(join(out, "report.html"), "utf8");
    // both runs, labelled by what differs, with each one's latency as report.json has it
    const reports = [dma, acp].map((f) => JSON.parse(readFileSync(f, "utf8")));
    assert.match(html, /<title>lenet5: DMA vs ACP<\/title>/);
    for (const [i, rep] of reports.entries()) {
      // below 1 ms: µs with two decimals (docs/html-report.md)
      assert.ok(rep.latencyNs < 1e6);
      const shown = `${(rep.latencyNs / 1000).toFixed(2)} µs`;
      assert.ok(
        html.includes(`data-run="${i}" data-field="latencyNs" data-unit="µs" data-value="${rep.latencyNs}">${shown}<`),
        `run ${i}'s latency ${shown}`,
      );
    }
    for (const f of written.slice(1))
      assert.ok(readFileSync(join(out, f)).subarray(1, 4).equals(Buffer.from("PNG")), `${f} is a PNG`);
  });

  /** A bad input: exit 2, one line on stderr naming the file and matching `why`, nothing on stdout, --out untouched. */
  function refuses(args: string[], file: string, why: RegExp): void {
    const out = join(dir, `refused-${Math.random().toString(36).slice(2)}`);
    const r = smaug(["compare", ...args, "--out", out]);
    assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, `one line: ${r.stderr}`);
    assert.ok(lines[0].startsWith(`smaug: ${file}: `), lines[0]);
    assert.match(lines[0], why);
    assert.equal(r.stdout, "");
    assert.equal(existsSync(out), false, "nothing written");
  }

  it("refuses a file that is not JSON", () => {
    const f = join(dir, "not.json");
    writeFileSync(f, "{ this is not json");
    refuses([dma, f], f, /not JSON/);
  });

  it("refuses JSON that is not a run report, and a report of another version", () => {
    const graph = join(dir, "graph.json");
    writeFileSync(graph, JSON.stringify({ format: "smaug-sim-graph", version: 1 }));
    refuses(
      [graph],
      graph,
      /schema: not a smaug-sim run report \(expected "schema": "smaug-sim\/run-report", got nothing\)/,
    );
    const arr = join(dir, "array.json");
    writeFileSync(arr, "[1, 2]");
    refuses([arr], arr, /not a smaug-sim run report \(a report is a JSON object, got an array\)/);
    const v2 = join(dir, "v2.json");
    writeFileSync(v2, JSON.stringify({ ...JSON.parse(readFileSync(dma, "utf8")), version: 2 }));
    refuses([dma, v2], v2, /version: report version 2 is not supported \(this smaug-sim reads version 1\)/);
  });

  it("refuses a report missing a field the charts need, or with a wrong one, naming the field", () => {
    const report = JSON.parse(readFileSync(dma, "utf8"));
    const noEnergy = join(dir, "no-energy.json");
    writeFileSync(noEnergy, JSON.stringify({ ...report, energy: undefined }));
    refuses([noEnergy], noEnergy, /energy: .*expected object/);
    const badLayer = join(dir, "bad-layer.json");
    report.layers[2].breakdownNs.transfer = "12";
    writeFileSync(badLayer, JSON.stringify(report));
    refuses([acp, badLayer], badLayer, /layers\.2\.breakdownNs\.transfer: .*expected number/);
  });

  it("refuses a missing file and a directory; nothing is written when any input is bad", () => {
    const missing = join(dir, "missing.json");
    refuses([dma, acp, missing], missing, /no such file$/);
    refuses([join(dir, "dma")], join(dir, "dma"), /is a directory/);
  });

  it("refuses --out that is a file", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    const r = smaug(["compare", dma, "--out", file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim(), `smaug: --out: ${file} exists and is not a directory`);
    assert.equal(readFileSync(file, "utf8"), "");
  });

  it("a report without a timeline (written before it existed) still draws, without the Gantt chart", () => {
    const old = join(dir, "old.json");
    const { timeline: _, ...rest } = JSON.parse(readFileSync(dma, "utf8"));
    writeFileSync(old, JSON.stringify(rest));
    const out = join(dir, "old-out");
    mkdirSync(out);
    const r = smaug(["compare", old, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(join(out, "report.html"), "utf8");
    assert.ok(html.includes('id="chart-breakdown"') && !html.includes('id="chart-timeline"'));
    assert.match(html, /this report has no timeline/);
  });
});
