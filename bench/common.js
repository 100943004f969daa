// What every benchmark script shares: its command-line options, the machine it ran on, and
// writing its figures as JSON.
import { writeFileSync } from "node:fs";
import os from "node:os";

/** Quick mode (`--quick` or BENCH_QUICK=1): one short sample of each figure, as CI runs them. */
export const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";

/** The value after `name` on the command line, or undefined. */
export function option(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Where `--json <file>` asks for the figures, or undefined. */
export const jsonOut = option("--json");

/** The machine and run the figures come from. */
export function machine(extra = {}) {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    quick,
    ...extra,
  };
}

/** Write `data` as indented JSON to --json's file, when one was named. */
export function writeJson(data) {
  if (jsonOut !== undefined) writeFileSync(jsonOut, `${JSON.stringify(data, null, 2)}\n`);
}
