/**
 * `smaug run --out` writes the pictures beside report.json: report.html (this run first, then the
 * --vs runs, side by side), and with --png one PNG per main chart. The numbers in the page are
 * read back from its data cells and compared with the report.json files themselves; report.json
 * keeps each timeline segment on one line but parses to the same report. --png and --vs without
 * --out, and a --vs file that is not a report, are refused before the run, with exit 2 and
 * nothing written.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smaug } from "../support/cli.js";

type Json = Record<string, unknown>;

/** The raw values of the page's data cells with this data-field, in document order. */
function dataValues(html: string, field: string): number[] {
  const out: number[] = [];
  const re = /<[^>]*\bdata-field="([^"]*)"[^>]*>/g;
  for (const m of html.matchAll(re)) {
    if (m[1] !== field) continue;
    const v = /\bdata-value="([^"]*)"/.exec(m[0]);
    if (v !== null) out.push(Number(v[1]));
  }
  return out;
}

describe("smaug run --out: report.html, --png, --vs", function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-run-visual-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("writes report.html and PNGs; --vs draws an earlier run beside this one; the numbers are report.json's", () => {
    const acp = join(dir, "acp");
    const a = smaug(["run", "lenet5", "--timing-only", "--policy", "acp", "--out", acp, "--quiet"]);
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(readdirSync(acp).sort(), ["report.html", "report.json"]);

    const dma = join(dir, "dma");
    const r = smaug([
      "run",
      "lenet5",
      "--timing-only",
      "--out",
      dma,
      "--png",
      "--quiet",
      "--vs",
      join(acp, "report.json"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const files = readdirSync(dma).sort();
    for (const f of ["report.json", "report.html", "breakdown.png", "energy.png"]) assert.ok(files.includes(f), f);
    assert.ok(
      files.some((f) => /^timeline.*\.png$/.test(f)),
      files.join(" "),
    );
    for (const f of files.filter((x) => x.endsWith(".png"))) {
      const png = readFileSync(join(dma, f));
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${f} is a PNG`);
    }

    const mine = JSON.parse(readFileSync(join(dma, "report.json"), "utf8")) as Json;
    const earlier = JSON.parse(readFileSync(join(acp, "report.json"), "utf8")) as Json;
    const html = readFileSync(join(dma, "report.html"), "utf8");
    assert.doesNotMatch(html, /<script\b[^>]*\bsrc=/i);
    // Both runs' latencies appear as data cells, this run's first (ns in data-value).
    const latencies = dataValues(html, "latencyNs");
    assert.ok(latencies.length >= 2, `latency cells: ${latencies.length}`);
    assert.deepEqual(latencies.slice(0, 2), [mine.latencyNs, earlier.latencyNs]);
    assert.notEqual(mine.latencyNs, earlier.latencyNs);
    // The policies differ, so the runs are told apart by it.
    assert.match(html, />DMA</);
    assert.match(html, />ACP</);
  });

  it("report.json keeps one timeline segment per line and parses to what --json prints", () => {
    const out = join(dir, "json");
    const r = smaug(["run", "lenet5", "--timing-only", "--out", out, "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(out, "report.json"), "utf8");
    const report = JSON.parse(text) as { timeline: { resources: { segments: unknown[][] }[] } };
    const segments = report.timeline.resources.flatMap((x) => x.segments);
    assert.ok(segments.length > 0);
    for (const s of segments) assert.ok(text.includes(`\n${" ".repeat(10)}${JSON.stringify(s)}`), JSON.stringify(s));
    const printed = smaug(["run", "lenet5", "--timing-only", "--json", "--quiet"]);
    assert.equal(printed.code, 0, printed.stderr);
    const a = JSON.parse(printed.stdout) as Json;
    const b = JSON.parse(text) as Json;
    delete a.wallMs;
    delete b.wallMs;
    assert.deepEqual(a, b);
  });

  it("--png or --vs without --out, or a --vs file that is not a report, exit 2 with one line and write nothing", () => {
    const notReport = join(dir, "not-a-report.json");
    writeFileSync(notReport, JSON.stringify({ hello: "world" }));
    const out = join(dir, "refused");
    const cases: [string[], RegExp][] = [
      [["run", "lenet5", "--png"], /--png: needs --out/],
      [["run", "lenet5", "--vs", notReport], /--vs: needs --out/],
      [["run", "lenet5", "--out", out, "--vs", notReport], /not-a-report\.json/],
      [["run", "lenet5", "--out", out, "--vs", join(dir, "missing.json")], /missing\.json: no such file/],
    ];
    for (const [args, message] of cases) {
      const r = smaug(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(existsSync(out), false, `${args.join(" ")} wrote ${out}`);
    }
  });

  it("a target that is not a regular file, or a write that fails after the run, exits 2 with one line and writes nothing", () => {
    const cases: { args: string[]; setup?: () => void; message: RegExp; dir: string }[] = [];
    // A chart PNG's name taken by a directory: refused before the run.
    const pngDir = join(dir, "png-taken");
    cases.push({
      setup: () => mkdirSync(join(pngDir, "breakdown.png"), { recursive: true }),
      args: ["run", "lenet5", "--timing-only", "--quiet", "--out", pngDir, "--png"],
      message: /--png: .*breakdown\.png is a directory/,
      dir: pngDir,
    });
    // A symlink where the CSV goes: renaming over it would replace the link, so it is refused.
    const linkDir = join(dir, "link");
    cases.push({
      setup: () => {
        mkdirSync(linkDir, { recursive: true });
        writeFileSync(join(linkDir, "real.csv"), "keep me\n");
        symlinkSync(join(linkDir, "real.csv"), join(linkDir, "layers.csv"));
      },
      args: ["run", "lenet5", "--timing-only", "--quiet", "--csv", join(linkDir, "layers.csv")],
      message: /--csv: .*layers\.csv is not a regular file/,
      dir: linkDir,
    });
    // A directory that accepts no files (procfs): found only when writing, after the run; the
    // other outputs of the run must not be left behind either.
    const procOut = join(dir, "proc-out");
    cases.push({
      args: ["run", "lenet5", "--timing-only", "--quiet", "--out", procOut, "--trace", "/proc/smaug-sim-trace.json"],
      message: /--trace: cannot write \/proc\/smaug-sim-trace\.json/,
      dir: procOut,
    });
    for (const c of cases) {
      c.setup?.();
      const before = existsSync(c.dir) ? readdirSync(c.dir).sort() : [];
      const r = smaug(c.args);
      assert.equal(r.code, 2, `${c.args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      const after = existsSync(c.dir) ? readdirSync(c.dir).sort() : [];
      assert.deepEqual(after, before, `${c.args.join(" ")} left files behind`);
    }
    assert.equal(readFileSync(join(linkDir, "real.csv"), "utf8"), "keep me\n");
    assert.equal(existsSync("/proc/smaug-sim-trace.json"), false);
  });

  it("smaug compare refuses a report.html that is a directory before reading anything", () => {
    const cmp = join(dir, "cmp");
    mkdirSync(join(cmp, "report.html"), { recursive: true });
    const r = smaug(["compare", join(dir, "does-not-matter.json"), "--out", cmp]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--out: .*report\.html is a directory/);
    assert.deepEqual(readdirSync(cmp), ["report.html"]);
  });
});
