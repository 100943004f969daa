/**
 * The per-layer CSV (src/report/csv.ts), read back with a parser written here from RFC 4180 (not
 * csv-stringify's own): its header is the documented, stable column list; every cell equals the
 * field of report.json (the JSON text, parsed) it stands for; names with commas, quotes and line
 * breaks survive; docs/csv.md documents every column.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { selectEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { layersCsv } from "../../src/report/csv.js";
import { buildReport, type RunReport } from "../../src/report/report.js";
import { runNetwork } from "../../src/sim/run.js";
import type { ScheduleName } from "../../src/sim/types.js";
import { resolveSoc, type Soc } from "../../src/soc/index.js";
import { repoRoot } from "../support/cli.js";

const engine = selectEngine().engine;

/**
 * RFC 4180: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
 * commas, line breaks and doubled quotes. Returns the records; a final line break ends the last.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
        if (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r")
          throw new Error(`character after a closing quote at ${i}`);
      } else {
        field += ch;
        i++;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== "") throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      fieldStarted = true;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      fieldStarted = false;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new Error("unterminated quoted field");
  if (fieldStarted || field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** The stable header (docs/csv.md) and, restated here, the report.json field of each column. */
const COLUMNS: [string, (l: Record<string, unknown>) => unknown][] = [
  ["index", (l) => l.index],
  ["name", (l) => l.name],
  ["op", (l) => l.op],
  ["device", (l) => l.device],
  ["start_ns", (l) => l.startNs],
  ["end_ns", (l) => l.endNs],
  ["accelerator_compute_ns", (l) => (l.breakdownNs as Record<string, number>).acceleratorCompute],
  ["transfer_ns", (l) => (l.breakdownNs as Record<string, number>).transfer],
  ["cpu_prepare_ns", (l) => (l.breakdownNs as Record<string, number>).cpuPrepare],
  ["cpu_finalize_ns", (l) => (l.breakdownNs as Record<string, number>).cpuFinalize],
  ["cpu_other_ns", (l) => (l.breakdownNs as Record<string, number>).cpuOther],
  ["idle_ns", (l) => (l.breakdownNs as Record<string, number>).idle],
  ["total_ns", (l) => (l.breakdownNs as Record<string, number>).total],
  ["invocations", (l) => l.invocations],
  ["replayed_invocations", (l) => l.replayedInvocations],
  ["macs", (l) => l.macs],
  ["host_load_bytes", (l) => l.hostLoadBytes],
  ["host_store_bytes", (l) => l.hostStoreBytes],
  ["prepare_bytes", (l) => l.prepareBytes],
  ["finalize_bytes", (l) => l.finalizeBytes],
];

function report(network: string, soc: Soc, schedule: ScheduleName, sampleLevel?: "medium"): RunReport {
  const { graph } = getModel(network).build({ batch: 1, seed: 0 });
  const run = runNetwork({ graph, soc, engine, schedule, timingOnly: true, sampleLevel });
  return buildReport(run, {
    graph,
    source: network,
    soc,
    socSource: "test",
    engine: engine.name,
    version: "test",
    timingOnly: true,
  });
}

/** Every cell against report.json as a reader of the JSON file sees it. */
function checkAgainstJson(r: RunReport, what: string): void {
  const json = JSON.parse(JSON.stringify(r)) as { layers: Record<string, unknown>[] };
  const rows = parseCsv(layersCsv(r));
  assert.deepEqual(
    rows[0],
    COLUMNS.map(([n]) => n),
    `${what}: header`,
  );
  assert.equal(rows.length, json.layers.length + 1, `${what}: one row per layer`);
  json.layers.forEach((l, i) => {
    const row = rows[i + 1];
    assert.equal(row.length, COLUMNS.length, `${what}: row ${i} width`);
    COLUMNS.forEach(([name, get], k) => {
      const v = get(l);
      if (typeof v === "number") assert.equal(Number(row[k]), v, `${what}: layer ${i} ${name}`);
      else assert.equal(row[k], v, `${what}: layer ${i} ${name}`);
    });
  });
}

describe("report: per-layer CSV", function () {
  this.timeout(120_000);

  it("the test's parser reads RFC 4180 by hand-made examples", () => {
    assert.deepEqual(parseCsv('a,b\r\n"x,1","say ""hi""\nthere",\n'), [
      ["a", "b"],
      ["x,1", 'say "hi"\nthere', ""],
    ]);
    assert.deepEqual(parseCsv("1,2"), [["1", "2"]]);
  });

  it("lenet5 (smaug schedule): every cell equals report.json, in full precision", () => {
    const r = report("lenet5", resolveSoc({}), "smaug");
    // full precision matters: these layers have times like 75378.1435546875 ns
    assert.ok(r.layers.some((l) => !Number.isInteger(l.endNs)));
    checkAgainstJson(r, "lenet5");
  });

  it("cnn10 (overlap, 4 accelerators, ACP, sampled): every cell equals report.json", () => {
    const r = report(
      "cnn10",
      resolveSoc({ accelerators: [{ kind: "smv", count: 4 }], threads: { workers: 2 }, memoryPolicy: "AllAcp" }),
      "overlap",
      "medium",
    );
    assert.ok(
      r.layers.some((l) => l.replayedInvocations > 0),
      "some invocations replayed",
    );
    checkAgainstJson(r, "cnn10");
  });

  it("a layer name with a comma, quotes or a line break is quoted (RFC 4180) and reads back unchanged", () => {
    const r = report("lenet5", resolveSoc({}), "smaug");
    const odd = ['conv,"1"', "two\nlines", 'plain"quote', " spaced "];
    const edited: RunReport = { ...r, layers: r.layers.map((l, i) => ({ ...l, name: odd[i] ?? l.name })) };
    const text = layersCsv(edited);
    assert.ok(text.includes('0,"conv,""1""",conv,'), text.split("\n")[1]);
    assert.ok(text.includes('1,"two\nlines",conv,'));
    assert.ok(text.includes('2,"plain""quote",'));
    const rows = parseCsv(text);
    assert.equal(rows.length, r.layers.length + 1);
    odd.forEach((name, i) => {
      assert.equal(rows[i + 1][1], name);
    });
    checkAgainstJson(edited, "odd names");
  });

  it("an empty network gives the header alone", () => {
    const r = report("lenet5", resolveSoc({}), "smaug");
    assert.deepEqual(parseCsv(layersCsv({ ...r, layers: [] })), [COLUMNS.map(([n]) => n)]);
  });

  it("docs/csv.md documents every column", () => {
    const doc = readFileSync(`${repoRoot}/docs/csv.md`, "utf8");
    for (const [name] of COLUMNS) assert.match(doc, new RegExp(`^\\| \`${name}\` +\\|`, "m"), name);
  });
});
