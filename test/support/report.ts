/**
 * One simulated zoo network and its report.json, as the report tests need them: timing only,
 * batch 1, seed 0, the SMV backend's layouts, and a fixed test version so pages do not depend on
 * package.json.
 */
import { selectEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { buildReport, type RunReport } from "../../src/report/report.js";
import { type RunResult, runNetwork } from "../../src/sim/run.js";
import type { SampleLevel, ScheduleName } from "../../src/sim/types.js";
import type { Soc } from "../../src/soc/index.js";

export const TEST_VERSION = "0.0.0-test";

export interface SimulateOptions {
  schedule?: ScheduleName;
  sampleLevel?: SampleLevel;
  /** What the report names as the SoC's origin (default "test SoC"). */
  socSource?: string;
}

export function simulateReport(
  name: string,
  soc: Soc,
  options: SimulateOptions = {},
): { run: RunResult; report: RunReport } {
  const engine = selectEngine().engine;
  const { graph } = getModel(name).build({ batch: 1, seed: 0, backend: "smv" });
  const run = runNetwork({
    graph,
    soc,
    engine,
    schedule: options.schedule,
    sampleLevel: options.sampleLevel,
    timingOnly: true,
  });
  const report = buildReport(run, {
    graph,
    source: `model zoo (${name})`,
    soc,
    socSource: options.socSource ?? "test SoC",
    engine: engine.name,
    version: TEST_VERSION,
    timingOnly: true,
  });
  return { run, report };
}
