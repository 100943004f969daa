/**
 * `smaug compare a.json b.json ... --out dir [--png]`: one report.html with the runs side by side
 * (DMA against ACP, one accelerator against eight, ...), drawn from report.json files that
 * `smaug run --out` wrote. Every file is read and validated before anything is written, so a bad
 * input leaves --out as it was. A bad file is an InputError naming the file and the problem.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { ENERGY_COMPONENTS } from "../energy/account.js";
import { InputError } from "../errors.js";
import { checkOutputFile, checkWritableDirectory, entriesMatching } from "../io/output-files.js";
import type { ChartReport } from "../report/charts.js";
import { REPORT_SCHEMA, REPORT_VERSION } from "../report/report.js";
import { CATEGORIES } from "../sim/types.js";

const ns = z.number().min(0);
const count = z.number().int().min(0);
const fraction = z.number().min(0);
const categoryTimes = z.object({
  ...Object.fromEntries(CATEGORIES.map((c) => [c, ns])),
  total: ns,
} as Record<(typeof CATEGORIES)[number] | "total", typeof ns>);
const shares = z.object(
  Object.fromEntries(CATEGORIES.map((c) => [c, fraction])) as Record<(typeof CATEGORIES)[number], typeof fraction>,
);
const busyCategory = z.enum(CATEGORIES.filter((c) => c !== "idle") as [Exclude<(typeof CATEGORIES)[number], "idle">]);

/**
 * The fields of report.json the charts and the page read (docs/report.md). Unknown fields are
 * ignored, as the report's versioning asks of readers. `timeline` is optional: a version-1
 * report written before it existed still draws, without the Gantt chart.
 */
const reportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  version: z.literal(REPORT_VERSION),
  simulator: z.object({ name: z.literal("smaug-sim"), version: z.string() }),
  engine: z.string(),
  network: z.object({ name: z.string(), source: z.string(), layers: count, macs: count, params: count }),
  soc: z.object({
    source: z.string(),
    summary: z.object({
      cpuCores: count,
      cpuClockGHz: z.number().positive(),
      workers: count,
      accelerator: z.string(),
      accelerators: count,
      acceleratorClockGHz: z.number().min(0),
      memoryPolicy: z.string(),
      dram: z.string(),
      dramBandwidthGBps: z.number().positive(),
      llcKiB: z.number().min(0),
    }),
  }),
  options: z.object({
    schedule: z.string(),
    timingOnly: z.boolean(),
    sampleLevel: z.string(),
    sampleNum: count,
    rowBuffer: z.boolean(),
  }),
  notes: z.array(z.string()),
  latencyNs: ns,
  breakdownNs: categoryTimes,
  shares,
  energy: z.object({
    table: z.string(),
    components: z.object(
      Object.fromEntries(ENERGY_COMPONENTS.map((c) => [c, z.number().min(0)])) as Record<
        (typeof ENERGY_COMPONENTS)[number],
        z.ZodNumber
      >,
    ),
    totalNj: z.number().min(0),
  }),
  layers: z.array(
    z.object({
      index: count,
      name: z.string(),
      op: z.string(),
      device: z.enum(["accelerator", "cpu"]),
      startNs: ns,
      endNs: ns,
      invocations: count,
      breakdownNs: categoryTimes,
    }),
  ),
  resources: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(["cpu", "accelerator", "interface"]),
      busyNs: ns,
      utilisation: fraction,
    }),
  ),
  invocations: z.object({ total: count, replayed: count }),
  timeline: z
    .object({
      resolutionNs: ns,
      events: count,
      resources: z.array(
        z.object({
          name: z.string(),
          kind: z.enum(["cpu", "accelerator", "interface"]),
          segments: z.array(z.tuple([ns, ns, busyCategory, count, ns])),
        }),
      ),
    })
    .optional(),
});

const MAX_REPORTED = 3;

/**
 * Validate the parsed JSON of a report file. Schema and version first, so a file of another
 * kind or version gets one plain sentence; then the fields, by path ("layers.3.breakdownNs.idle").
 */
export function parseReport(obj: unknown, source: string): ChartReport {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw new InputError(
      `${source}: not a smaug-sim run report (a report is a JSON object, got ${Array.isArray(obj) ? "an array" : obj === null ? "null" : typeof obj})`,
    );
  const { schema, version } = obj as { schema?: unknown; version?: unknown };
  if (schema !== REPORT_SCHEMA)
    throw new InputError(
      `${source}: schema: not a smaug-sim run report (expected "schema": "${REPORT_SCHEMA}", got ${JSON.stringify(schema) ?? "nothing"})`,
    );
  if (version !== REPORT_VERSION)
    throw new InputError(
      `${source}: version: report version ${JSON.stringify(version) ?? "(missing)"} is not supported (this smaug-sim reads version ${REPORT_VERSION})`,
    );
  const parsed = reportSchema.safeParse(obj);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, MAX_REPORTED).map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    const more = issues.length - shown.length;
    throw new InputError(`${source}: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`);
  }
  return parsed.data;
}

/** Read and validate one report.json; any problem is an InputError naming the file. */
export function readReportFile(path: string): ChartReport {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a report.json"
          : code === "EACCES"
            ? "permission denied"
            : (e as Error).message;
    throw new InputError(`${path}: ${why}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: not JSON (${(e as Error).message})`);
  }
  return parseReport(obj, path);
}

/** The PNG files the charts are written to (`--png`): breakdown, energy, layers[-N], timeline[-N]. */
export const CHART_PNG = /^(breakdown|energy|layers(-\d+)?|timeline(-\d+)?)\.png$/;

/**
 * Refuse, before any work, an --out directory the pictures could not be written into: a file in
 * its place, an unwritable directory, report.html or (with --png) a chart PNG's name taken by
 * something other than a regular file. `smaug run --out` and `smaug compare` share it.
 */
export function checkChartOutputs(out: string, png: boolean): void {
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new InputError(`--out: ${out} exists and is not a directory`);
  checkWritableDirectory("--out", out, true);
  checkOutputFile("--out", join(out, "report.html"), true);
  if (png) for (const name of entriesMatching(out, CHART_PNG)) checkOutputFile("--png", join(out, name));
}

export function registerCompareCommand(cmd: Command): void {
  cmd
    .command("compare")
    .argument("<reports...>", "report.json files written by `smaug run --out` (one or more)")
    .description("draw the runs of several report.json files side by side in one self-contained report.html")
    .requiredOption("--out <dir>", "write report.html (and the PNGs) into this directory (created if missing)")
    .option("--png", "also write each chart as a PNG at twice its size, for slides")
    .action(async (files: string[], opts: { out: string; png?: boolean }) => {
      checkChartOutputs(opts.out, opts.png === true);
      const reports = files.map(readReportFile);
      // Loaded here, not at the top: vega and vega-lite take half a second to import, which
      // every other command would pay.
      const { writeVisualReport } = await import("../report/html.js");
      const paths = await writeVisualReport(opts.out, reports, { png: opts.png === true });
      for (const p of paths) console.log(`wrote ${p}`);
    });
}
