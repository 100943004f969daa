/**
 * `smaug run [network]`: the end-to-end simulation of one inference on an SoC. Prints the
 * breakdown table and writes the run's artefacts: report.json (docs/report.md) to --out, the
 * timeline as a Chrome trace (docs/trace.md) to --trace, the per-layer CSV (docs/csv.md) to --csv.
 * Progress goes to stderr (src/cli/progress.ts).
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { acceleratorKinds } from "../accel/index.js";
import { selectEngine } from "../engine/index.js";
import { InputError } from "../errors.js";
import { checkOutputFile, type OutputFile, writeOutputFiles } from "../io/output-files.js";
import type { ChartReport, ChartSet } from "../report/charts.js";
import { layersCsv } from "../report/csv.js";
import { buildReport, type RunReport, reportJson } from "../report/report.js";
import { formatReport } from "../report/text.js";
import { buildTrace, traceJson } from "../report/trace.js";
import { type RunResult, runNetwork } from "../sim/run.js";
import { SAMPLE_LEVELS, type SampleLevel, SCHEDULES, type ScheduleName } from "../sim/types.js";
import { type MemoryPolicy, PRESETS, resolveSoc, type Soc } from "../soc/index.js";
import { checkChartOutputs, readReportFile } from "./compare-command.js";
import { loadNetwork } from "./graph-commands.js";
import { intOption, socFromOptions } from "./options.js";
import { createProgress, withProgress } from "./progress.js";

/** The network `smaug run` simulates when none is named: small enough to answer instantly. */
export const DEFAULT_RUN_MODEL = "lenet5";

const POLICY_NAMES: Record<string, MemoryPolicy> = {
  dma: "AllDma",
  acp: "AllAcp",
  "acp-dma-weights": "AllAcpWithDmaForWeights",
};

export interface RunOpts {
  soc?: string;
  preset?: string;
  accels?: number;
  threads?: number;
  policy?: string;
  accel?: string;
  schedule: ScheduleName | "both";
  sampleLevel: SampleLevel;
  sampleNum: number;
  timingOnly?: boolean;
  out?: string;
  trace?: string;
  csv?: string;
  quiet?: boolean;
  png?: boolean;
  vs?: string[];
  json?: boolean;
  batch: number;
  seed: number;
  layers?: number;
}

/** The SoC of a run: file or preset, then the command-line overrides, validated as one description. */
export function runSoc(opts: RunOpts): { soc: Soc; source: string } {
  const { soc: base, source } = socFromOptions(opts);
  const overrides: string[] = [];
  const next: Soc = structuredClone(base) as Soc;
  if (opts.accel !== undefined || opts.accels !== undefined) {
    const first = next.accelerators[0];
    if (opts.accel !== undefined && !acceleratorKinds().includes(opts.accel))
      throw new InputError(`--accel: unknown accelerator '${opts.accel}' (known: ${acceleratorKinds().join(", ")})`);
    const kind = opts.accel ?? first?.kind ?? "smv";
    const count = opts.accels ?? next.accelerators.reduce((n, a) => n + a.count, 0);
    next.accelerators = [
      {
        kind,
        count,
        clockGHz: first?.clockGHz ?? 1,
        params: first !== undefined && first.kind === kind ? first.params : {},
      } as Soc["accelerators"][number],
    ];
    if (opts.accel !== undefined) overrides.push(`--accel ${opts.accel}`);
    if (opts.accels !== undefined) overrides.push(`--accels ${opts.accels}`);
  }
  if (opts.threads !== undefined) {
    if (opts.threads > next.cpu.cores)
      throw new InputError(`--threads: ${opts.threads} worker threads, but the SoC has ${next.cpu.cores} CPU cores`);
    next.threads = { ...next.threads, workers: opts.threads };
    overrides.push(`--threads ${opts.threads}`);
  }
  if (opts.policy !== undefined) {
    const p = POLICY_NAMES[opts.policy];
    if (p === undefined)
      throw new InputError(
        `--policy: unknown policy '${opts.policy}' (known: ${Object.keys(POLICY_NAMES).join(", ")})`,
      );
    next.memoryPolicy = p;
    overrides.push(`--policy ${opts.policy}`);
  }
  if (overrides.length === 0) return { soc: base, source };
  const soc = resolveSoc(next, `${source} with ${overrides.join(" ")}`);
  return { soc, source: `${source} with ${overrides.join(" ")}` };
}

/** What an artefact is made from: the main (first) schedule's run and report, and every run. */
export interface ArtefactInput {
  main: RunResult;
  report: RunReport;
  /** All runs, the main one first (--schedule both adds the overlap run). */
  results: RunResult[];
  /** Earlier runs to draw beside this one (--vs), already read and checked. */
  earlier: ChartReport[];
  /** The charts of this run and the --vs runs, rendered once on first use. */
  charts: () => Promise<ChartSet>;
}

/** A file `smaug run` writes: the option that asked for it, where, and its contents. */
export interface Artefact {
  option: string;
  path: string;
  render: (input: ArtefactInput) => string | Uint8Array | Promise<string | Uint8Array>;
}

/**
 * Every file the options ask for, in one list: checked before any work, rendered after the
 * runs, then written (atomically) only when all of them rendered. A new output is one entry here.
 */
export function runArtefacts(opts: RunOpts): Artefact[] {
  const list: Artefact[] = [];
  if (opts.out !== undefined) {
    list.push({ option: "--out", path: join(opts.out, "report.json"), render: ({ report }) => reportJson(report) });
    // The pictures go beside report.json: this run first, then the --vs runs.
    list.push({
      option: "--out",
      path: join(opts.out, "report.html"),
      render: async ({ report, earlier, charts }) => {
        const { htmlFromCharts } = await import("../report/html.js");
        return htmlFromCharts([report, ...earlier], await charts());
      },
    });
  }
  if (opts.trace !== undefined)
    list.push({
      option: "--trace",
      path: opts.trace,
      render: ({ main, report }) => traceJson(buildTrace(main, report)),
    });
  if (opts.csv !== undefined) list.push({ option: "--csv", path: opts.csv, render: ({ report }) => layersCsv(report) });
  return list;
}

/**
 * Refuse, before anything runs, an output the run could not write: something other than a
 * regular file where a file goes, a parent directory that is missing (other than --out's, which
 * is created), not a directory or not writable, a chart PNG name taken by something else, or two
 * options naming one file.
 */
export function checkOutputs(opts: RunOpts, artefacts: Artefact[]): void {
  if (opts.out !== undefined) checkChartOutputs(opts.out, opts.png === true);
  const seen = new Map<string, string>();
  for (const a of artefacts) {
    const full = resolve(a.path);
    const other = seen.get(full);
    if (other !== undefined) throw new InputError(`${a.option}: ${a.path} is also the file of ${other}`);
    seen.set(full, a.option);
    // --out's directory is created before anything is written, so a file may go into it.
    const intoOut = opts.out !== undefined && dirname(full) === resolve(opts.out);
    checkOutputFile(a.option, a.path, intoOut);
  }
}

/** Each main chart as a PNG file in `dir` (breakdown.png, energy.png, layers.png, timeline.png). */
async function chartPngs(dir: string, charts: ChartSet): Promise<OutputFile[]> {
  const { pngCharts } = await import("../report/html.js");
  const { svgToPng } = await import("../report/png.js");
  return pngCharts(charts).map((c) => ({ option: "--png", path: join(dir, `${c.id}.png`), data: svgToPng(c.svg).png }));
}

/** Render the charts of `reports` once, when first asked (vega and vega-lite load only then: half a second). */
function lazyCharts(reports: () => ChartReport[]): () => Promise<ChartSet> {
  let charts: Promise<ChartSet> | undefined;
  return () => {
    charts ??= import("../report/charts.js").then(({ renderCharts }) => renderCharts(reports()));
    return charts;
  };
}

export function registerRunCommand(cmd: Command): void {
  cmd
    .command("run")
    .argument("[network]", `a model name (see \`smaug models\`) or a graph file (.json); default ${DEFAULT_RUN_MODEL}`)
    .description("simulate one inference end to end on the SoC: where every nanosecond and nanojoule goes")
    .option("--soc <file>", "SoC description (YAML or JSON; partial files override the default)")
    .option("--preset <name>", `start from a preset (${Object.keys(PRESETS).join(", ")})`)
    .option("--accels <n>", "number of accelerator instances (overrides the SoC)", intOption(1, 64))
    .option("--threads <n>", "worker threads for data preparation (overrides the SoC)", intOption(1, 32))
    .addOption(
      new Option("--policy <name>", "host memory policy (overrides the SoC)").choices(Object.keys(POLICY_NAMES)),
    )
    .option("--accel <kind>", "accelerator kind, e.g. smv or systolic (overrides the SoC)")
    .addOption(
      new Option("--schedule <name>", "smaug (the original's order), overlap, or both side by side")
        .choices([...SCHEDULES, "both"])
        .default("smaug"),
    )
    .addOption(
      new Option("--sample-level <level>", "sampling of accelerator invocations")
        .choices([...SAMPLE_LEVELS])
        .default("no"),
    )
    .option("--sample-num <n>", "iterations simulated per sampled loop", intOption(1, 1_000_000), 1)
    .option("--timing-only", "skip the functional execution (no outputs)")
    .option("--out <dir>", "write report.json and report.html (the charts) into this directory (created if missing)")
    .option(
      "--trace <file>",
      "write the timeline as a Chrome trace (open in ui.perfetto.dev or chrome://tracing); with --schedule both, of the smaug schedule",
    )
    .option("--csv <file>", "write the per-layer table as CSV; with --schedule both, of the smaug schedule")
    .option("--quiet", "no progress on stderr")
    .option("--png", "with --out: also write each chart as a PNG at twice its size (for slides)")
    .option(
      "--vs <reports...>",
      "with --out: report.json files of earlier runs, drawn beside this one in report.html (put it last)",
    )
    .option("--json", "print report.json to stdout instead of the table")
    .option("--batch <n>", "batch size (zoo models)", intOption(1, 1024), 1)
    .option("--seed <n>", "seed of the generated weights and inputs (zoo models)", intOption(0, 2 ** 31), 0)
    .option("--layers <n>", "print only the n slowest layers", intOption(1, 1_000_000))
    .action(async (network: string | undefined, opts: RunOpts) => {
      const selection = selectEngine(cmd.opts().engine as string | undefined);
      const { soc, source: socSource } = runSoc(opts);
      const artefacts = runArtefacts(opts);
      checkOutputs(opts, artefacts);
      if (opts.out === undefined && (opts.png === true || opts.vs !== undefined))
        throw new InputError(`${opts.png === true ? "--png" : "--vs"}: needs --out, the directory the charts go into`);
      // Read the runs to compare with before simulating, so a bad file fails fast.
      const earlier = (opts.vs ?? []).map(readReportFile);
      const spec = network ?? DEFAULT_RUN_MODEL;
      const { network: net, source } = loadNetwork(spec, {
        batch: opts.batch,
        backend: "smv",
        dtype: "float32",
        seed: opts.seed,
      });
      const timingOnly = opts.timingOnly === true;
      const schedules: ScheduleName[] =
        opts.schedule === "both" ? ["smaug", "overlap"] : [opts.schedule as ScheduleName];
      const progress = createProgress(process.stderr, { quiet: opts.quiet === true });
      const results: RunResult[] = withProgress(progress, (p) =>
        schedules.map((schedule, i) => {
          p.run(net.graph.name, schedule);
          return runNetwork({
            graph: net.graph,
            weights: timingOnly || i > 0 ? undefined : net.weights,
            soc,
            engine: selection.engine,
            schedule,
            timingOnly: timingOnly || i > 0,
            inputSeed: opts.seed,
            sampleLevel: opts.sampleLevel,
            sampleNum: opts.sampleNum,
            onProgress: p.onProgress,
          });
        }),
      );
      const report: RunReport = buildReport(
        results[0],
        {
          graph: net.graph,
          source,
          soc,
          socSource,
          engine: selection.engine.name,
          version: cmd.version() ?? "unknown",
          timingOnly,
        },
        results.slice(1),
      );
      const charts = lazyCharts(() => [report, ...earlier]);
      const input: ArtefactInput = { main: results[0], report, results, earlier, charts };
      const files: OutputFile[] = [];
      for (const a of artefacts) files.push({ option: a.option, path: a.path, data: await a.render(input) });
      if (opts.png === true && opts.out !== undefined) files.push(...(await chartPngs(opts.out, await charts())));
      if (opts.out !== undefined) mkdirSync(opts.out, { recursive: true });
      writeOutputFiles(files);
      if (opts.json) process.stdout.write(reportJson(report));
      else {
        console.log(formatReport(report, { maxLayers: opts.layers }));
        for (const f of files) console.log(`wrote ${f.path}`);
      }
    });
}
