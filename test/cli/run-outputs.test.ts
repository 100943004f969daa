/**
 * `smaug run --trace/--csv/--quiet` as a user runs it (the CLI from source in a child process,
 * stderr a pipe, so progress is in its line mode): the files are written and agree with the
 * report.json written by the same run; progress goes to stderr only, so `--json` stdout stays
 * the report; a bad output path is refused before anything runs, with one line and exit 2, and
 * nothing is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smaug } from "../support/cli.js";

type Json = Record<string, unknown>;

/** Minimal RFC 4180 reader for the CSV's numbers and plain names (the full parser is in test/report/csv.test.ts). */
function csvRows(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => line.split(","));
}

/** Busy ns per track name, from the trace's complete events (their exact args.startNs/endNs). */
function busyByTrack(trace: Json): Map<string, number> {
  const events = trace.traceEvents as Json[];
  const names = new Map<number, string>();
  for (const e of events) if (e.name === "thread_name") names.set(e.tid as number, (e.args as Json).name as string);
  const busy = new Map<string, number>();
  for (const e of events)
    if (e.ph === "X" && e.cat !== "layer") {
      const n = names.get(e.tid as number) as string;
      const args = e.args as Json;
      busy.set(n, (busy.get(n) ?? 0) + (args.endNs as number) - (args.startNs as number));
    }
  return busy;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

describe("smaug run: --trace, --csv, --quiet", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-run-outputs-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("--trace and --csv are written beside --out's report.json and agree with it", () => {
    const out = join(dir, "lenet5");
    mkdirSync(out);
    const trace = join(out, "trace.json");
    const csv = join(out, "layers.csv");
    const r = smaug(["run", "lenet5", "--timing-only", "--accels", "2", "--out", out, "--trace", trace, "--csv", csv]);
    assert.equal(r.code, 0, r.stderr);
    for (const f of [join(out, "report.json"), trace, csv]) assert.match(r.stdout, new RegExp(`wrote ${f}`));
    assert.deepEqual(
      readdirSync(out).sort(),
      ["layers.csv", "report.html", "report.json", "trace.json"],
      "no temporary files left",
    );
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    const t = JSON.parse(readFileSync(trace, "utf8")) as Json;
    assert.equal((t.otherData as Json).latencyNs, report.latencyNs);
    const busy = busyByTrack(t);
    for (const res of report.resources) close(busy.get(res.name) ?? 0, res.busyNs, res.name);
    assert.equal(report.resources.filter((x: Json) => x.kind === "accelerator").length, 2);
    const rows = csvRows(readFileSync(csv, "utf8"));
    assert.equal(rows[0][0], "index");
    assert.equal(rows.length, report.layers.length + 1);
    const col = (name: string) => rows[0].indexOf(name);
    report.layers.forEach((l: Json, i: number) => {
      const row = rows[i + 1];
      assert.equal(row[col("name")], l.name);
      assert.equal(Number(row[col("end_ns")]), l.endNs);
      assert.equal(Number(row[col("total_ns")]), (l.breakdownNs as Json).total);
      assert.equal(Number(row[col("host_load_bytes")]), l.hostLoadBytes);
    });
  });

  it("a file may go into --out's directory before it exists (it is created first)", () => {
    const out = join(dir, "fresh", "results");
    mkdirSync(join(dir, "fresh"));
    const r = smaug(["run", "minerva", "--timing-only", "--quiet", "--out", out, "--csv", join(out, "minerva.csv")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ["minerva.csv", "report.html", "report.json"]);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    assert.equal(csvRows(readFileSync(join(out, "minerva.csv"), "utf8")).length, report.layers.length + 1);
  });

  it("--json: stdout is the report alone; progress lines go to stderr", () => {
    const trace = join(dir, "json-trace.json");
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--trace", trace]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.schema, "smaug-sim/run-report");
    const layers = report.layers.length;
    assert.deepEqual(r.stderr.split("\n"), [
      "smaug: planning lenet5",
      `smaug: simulating lenet5 (smaug schedule): ${layers} layers`,
      "",
    ]);
    const t = JSON.parse(readFileSync(trace, "utf8")) as Json;
    assert.equal((t.otherData as Json).latencyNs, report.latencyNs);
  });

  it("--quiet: nothing on stderr", () => {
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(JSON.parse(r.stdout).network.name, "lenet5");
  });

  it("--schedule both: the trace and the CSV describe the main (smaug) schedule", () => {
    const trace = join(dir, "both.json");
    const csv = join(dir, "both.csv");
    const r = smaug(["run", "lenet5", "--json", "--timing-only", "--schedule", "both", "--trace", trace, "--csv", csv]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.notEqual(report.alternatives[0].latencyNs, report.latencyNs, "the schedules differ here");
    const other = (JSON.parse(readFileSync(trace, "utf8")) as Json).otherData as Json;
    assert.equal(other.schedule, "smaug");
    assert.equal(other.latencyNs, report.latencyNs);
    const rows = csvRows(readFileSync(csv, "utf8"));
    const end = rows[0].indexOf("end_ns");
    assert.equal(Math.max(...rows.slice(1).map((row) => Number(row[end]))), report.latencyNs);
    // both runs' stages were reported
    assert.match(r.stderr, /simulating lenet5 \(smaug schedule\)/);
    assert.match(r.stderr, /simulating lenet5 \(overlap schedule\)/);
  });

  it("--help says which schedule the trace and CSV describe", () => {
    const r = smaug(["run", "--help"]);
    assert.equal(r.code, 0);
    const flat = r.stdout.replace(/\s+/g, " ");
    assert.match(flat, /--trace <file> .*with --schedule both, of the smaug schedule/);
    assert.match(flat, /--csv <file> .*with --schedule both, of the smaug schedule/);
    assert.match(flat, /--quiet/);
  });

  describe("bad output paths: exit 2, one line naming the option, nothing written", () => {
    let base: string;
    before(() => {
      base = join(dir, "bad");
      mkdirSync(join(base, "a-directory"), { recursive: true });
      mkdirSync(join(base, "out-dir", "report.json"), { recursive: true });
      writeFileSync(join(base, "a-file"), "keep me");
    });

    const cases: [string, (b: string) => string[], RegExp][] = [
      [
        "--trace names a directory",
        (b) => ["--trace", join(b, "a-directory")],
        /^smaug: --trace: .*a-directory is a directory$/,
      ],
      [
        "--csv names a directory",
        (b) => ["--csv", join(b, "a-directory")],
        /^smaug: --csv: .*a-directory is a directory$/,
      ],
      [
        "--trace in a missing directory",
        (b) => ["--trace", join(b, "missing", "t.json")],
        /^smaug: --trace: directory .*missing does not exist$/,
      ],
      [
        "--csv in a missing directory",
        (b) => ["--csv", join(b, "missing", "l.csv")],
        /^smaug: --csv: directory .*missing does not exist$/,
      ],
      [
        "--csv under a file",
        (b) => ["--csv", join(b, "a-file", "l.csv")],
        /^smaug: --csv: .*a-file is not a directory$/,
      ],
      [
        "--trace and --csv the same file",
        (b) => ["--trace", join(b, "same"), "--csv", join(b, "same")],
        /^smaug: --csv: .*same is also the file of --trace$/,
      ],
      [
        "--out holding a directory named report.json",
        (b) => ["--out", join(b, "out-dir")],
        /^smaug: --out: .*out-dir\/report\.json is a directory$/,
      ],
      [
        "--trace is --out's report.json",
        (b) => ["--out", b, "--trace", join(b, "report.json")],
        /^smaug: --trace: .*report\.json is also the file of --out$/,
      ],
    ];
    for (const [what, args, message] of cases)
      it(what, () => {
        const before = readdirSync(base).sort();
        const newOut = join(dir, `never-${before.length}-${what.length}`);
        const r = smaug([
          "run",
          "lenet5",
          "--timing-only",
          ...args(base),
          ...(args(base).includes("--out") ? [] : ["--out", newOut]),
        ]);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], message);
        // refused before anything ran: no progress, no --out directory, no file in base
        assert.ok(!existsSync(newOut), "--out not created");
        assert.deepEqual(readdirSync(base).sort(), before);
        assert.equal(readFileSync(join(base, "a-file"), "utf8"), "keep me");
        assert.deepEqual(readdirSync(join(base, "a-directory")), []);
      });
  });
});
