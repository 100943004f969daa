#!/usr/bin/env node
/**
 * The `smaug` command. Every subcommand is a thin layer over library functions; user errors
 * (InputError, bad options) print one line and exit 2, internal failures exit 1.
 */
import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import { loadAcceleratorFile } from "../accel/index.js";
import {
  CacheHierarchy,
  type CacheStats,
  describeSelection,
  ENGINE_NAMES,
  jsEngine,
  loadEngine,
  probeEngines,
  resolveCacheConfig,
  SMAUG_BASELINE_CACHES,
  selectEngine,
} from "../engine/index.js";
import { crossCheck } from "../engine/selfcheck.js";
import { WORKLOADS, type WorkloadName, workloadBatches } from "../engine/workloads.js";
import { InputError } from "../errors.js";
import { table } from "../report/table.js";
import { registerCompareCommand } from "./compare-command.js";
import { registerGraphCommands } from "./graph-commands.js";
import { intOption } from "./options.js";
import { registerPlanCommand } from "./plan-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerSocCommand } from "./soc-command.js";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

const fmt = (n: number) => (Number.isNaN(n) ? "-" : Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(4));

function statsTable(s: CacheStats): string {
  const t = table([
    "requester",
    "L1 acc",
    "L1 hit",
    "L1 miss",
    "L1 wb",
    "LLC acc",
    "LLC hit",
    "LLC miss",
    "LLC wb",
    "DRAM rd",
    "DRAM wr",
  ]);
  for (const r of s.requesters) {
    const c = r.counters;
    if (c.l1Accesses + c.llcAccesses + c.flushLines + c.invalidateLines === 0) continue;
    t.push(
      [
        r.name,
        c.l1Accesses,
        c.l1Hits,
        c.l1Misses,
        c.l1Writebacks,
        c.llcAccesses,
        c.llcHits,
        c.llcMisses,
        c.llcWritebacks,
        r.dramReadLines,
        r.dramWriteLines,
      ].map((v) => (typeof v === "number" ? fmt(v) : v)),
    );
  }
  return t.toString();
}

function program(): Command {
  const cmd = new Command("smaug")
    .description("End-to-end simulator for deep-learning inference on a system-on-chip")
    .version(version)
    .option(
      `--engine <name>`,
      `force an engine: auto, ${ENGINE_NAMES.join(", ")} (default: SMAUG_ENGINE, else auto: native, then wasm)`,
    )
    .option(
      "--accelerator <file>",
      "load your own accelerator model first (a module exporting an AcceleratorModel; see examples/accelerators); repeatable",
      (file: string, previous: string[]) => [...previous, file],
      [] as string[],
    )
    .showHelpAfterError("(see --help for usage)")
    .exitOverride()
    .hook("preAction", async (root) => {
      // User models must be registered before a SoC naming their kind is resolved.
      for (const file of (root.opts().accelerator as string[] | undefined) ?? []) await loadAcceleratorFile(file);
    });

  cmd
    .command("engines")
    .description("list the engines, whether each loads here, and cross-check their results on seeded random workloads")
    .option("--seed <n>", "seed of the random workloads", intOption(0, 2 ** 32 - 1), 1)
    .option("--cases <n>", "random hierarchies to check", intOption(1, 100000), 20)
    .option("--json", "print JSON instead of tables")
    .action((opts: { seed: number; cases: number; json?: boolean }) => {
      const probes = probeEngines();
      // the diagnostic command lists everything even when the forced engine cannot load
      let selectionLine: string;
      let selected: string | null = null;
      try {
        const selection = selectEngine(cmd.opts().engine);
        selectionLine = describeSelection(selection);
        selected = selection.engine.name;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        selectionLine = `engine: none selected (${err.message})`;
        process.exitCode = 2;
      }
      const others = probes.filter((p) => p.available && p.name !== "js").map((p) => loadEngine(p.name));
      const checks = crossCheck(jsEngine, others, opts.seed, opts.cases);
      const failed = checks.filter((c) => !c.ok);
      if (opts.json) {
        console.log(
          JSON.stringify(
            {
              version,
              selected,
              selection: selectionLine,
              engines: probes,
              selfCheck: { seed: opts.seed, cases: opts.cases, reference: "js", results: checks },
            },
            null,
            2,
          ),
        );
      } else {
        const t = table(["engine", "loads", "self-check vs js", "note"]);
        for (const p of probes) {
          const c = checks.find((k) => k.name === p.name);
          const check =
            p.name === "js"
              ? "reference"
              : !p.available
                ? "-"
                : c?.ok
                  ? `ok (${c.cases} cases, ${fmt(c.lineAccesses)} line accesses)`
                  : "MISMATCH";
          t.push([p.name, p.available ? "yes" : "no", check, p.reason ?? ""]);
        }
        console.log(t.toString());
        console.log(selectionLine);
        for (const f of failed) console.log(`${f.name}: ${f.mismatch}`);
      }
      if (failed.length > 0) process.exitCode = 1;
      else if (selected === null)
        console.error(`smaug: ${selectionLine.replace(/^engine: none selected \((.*)\)$/, "$1")}`);
    });

  cmd
    .command("cache")
    .description(
      "simulate a built-in address stream on the SMAUG baseline cache hierarchy (Table 2) and print the statistics",
    )
    .addOption(new Option("--workload <name>", "access pattern").choices(WORKLOADS).default("sequential"))
    .option("--mib <n>", "MiB of data the workload moves", intOption(1, 65536), 16)
    .option("--cores <n>", "CPU cores sharing the work", intOption(1, 32), 1)
    .option("--json", "print JSON instead of tables")
    .action((opts: { workload: WorkloadName; mib: number; cores: number; json?: boolean }) => {
      const selection = selectEngine(cmd.opts().engine);
      const config = resolveCacheConfig({
        ...SMAUG_BASELINE_CACHES,
        cores: Math.max(opts.cores, SMAUG_BASELINE_CACHES.cores),
      });
      const sim = new CacheHierarchy(selection.engine, config);
      const t0 = performance.now();
      for (const batch of workloadBatches(opts.workload, {
        bytes: opts.mib * 2 ** 20,
        cores: opts.cores,
        firstPort: sim.portId(0),
      }))
        sim.run(batch);
      const seconds = (performance.now() - t0) / 1000;
      const stats = sim.cumulative();
      sim.dispose();
      const lineRequests =
        stats.total.l1Accesses +
        stats.requesters.filter((r) => r.kind === "port").reduce((a, r) => a + r.counters.llcAccesses, 0);
      if (opts.json) {
        console.log(
          JSON.stringify(
            {
              version,
              engine: selection.engine.name,
              selection: describeSelection(selection),
              workload: opts.workload,
              mib: opts.mib,
              config,
              seconds,
              lineRequests,
              stats,
            },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `${describeSelection(selection)}\nworkload: ${opts.workload}, ${opts.mib} MiB, ${opts.cores} core(s); hierarchy: SMAUG baseline (L1D 64 KiB 4-way, LLC 2 MiB 16-way, 32 B lines, LRU)`,
      );
      console.log(statsTable(stats));
      console.log(
        `L1 hit rate ${fmt(stats.l1HitRate)}, LLC hit rate ${fmt(stats.llcHitRate)}; DRAM read ${fmt(stats.dramReadBytes)} B, written ${fmt(stats.dramWriteBytes)} B`,
      );
      console.log(
        `${fmt(lineRequests)} line requests in ${seconds.toFixed(3)} s (${(lineRequests / seconds / 1e6).toFixed(1)} M/s)`,
      );
    });
  registerGraphCommands(cmd);
  registerSocCommand(cmd);
  registerRunCommand(cmd);
  registerPlanCommand(cmd);
  registerCompareCommand(cmd);
  return cmd;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; any other commander error (unknown option or command,
      // bad value, missing subcommand) is a usage error
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof InputError) {
      console.error(`smaug: ${err.message}`);
      return 2;
    }
    console.error(err);
    return 1;
  }
}

process.exitCode = await main(process.argv);
