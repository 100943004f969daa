/**
 * `smaug plan <network>`: how a network maps onto the SoC's accelerator — per layer the device,
 * the tiling strategy and tile shape of each tensor, invocations, accelerator cycles, MACs and
 * utilisation. Timing of data movement and CPU work is `smaug run`'s job (issue 5).
 */
import { type Command, Option } from "commander";
import { planGraph, type StepPlan } from "../accel/index.js";
import { describeSelection, selectEngine } from "../engine/index.js";
import { InputError } from "../errors.js";
import { fmtShape } from "../graph/tensor.js";
import { table } from "../report/table.js";
import { PRESETS } from "../soc/index.js";
import { loadNetwork } from "./graph-commands.js";
import { socFromOptions } from "./options.js";

const count = (n: number) => n.toLocaleString("en-US");

/** Peak MACs per accelerator cycle, for utilisation (SMV: PEs x MACCs per PE; systolic: rows x cols). */
function peakMacs(params: Record<string, unknown>): number | undefined {
  const { pes, maccsPerPe, rows, cols } = params;
  if (typeof pes === "number" && typeof maccsPerPe === "number") return pes * maccsPerPe;
  if (typeof rows === "number" && typeof cols === "number") return rows * cols;
  return undefined;
}

function strategies(step: StepPlan): string {
  if (step.device !== "accelerator") return "-";
  return step.tensors.map((t) => `${t.role} ${t.strategy} ${fmtShape(t.tileShape)}`).join("; ");
}

export function registerPlanCommand(cmd: Command): void {
  cmd
    .command("plan")
    .argument("<network>", "a model name (see `smaug models`) or a graph file (.json)")
    .description("tile every layer for the SoC's accelerator: strategies, invocations, cycles, MACs, utilisation")
    .option("--soc <file>", "SoC description (YAML or JSON; partial files override the default)")
    .option("--preset <name>", `start from a preset (${Object.keys(PRESETS).join(", ")})`)
    .addOption(new Option("--batch <n>", "batch size (zoo models)").default(1).argParser((v) => Number(v)))
    .option("--json", "print JSON (the full plan with every tile and invocation)")
    .action((network: string, opts: { soc?: string; preset?: string; batch: number; json?: boolean }) => {
      if (!Number.isSafeInteger(opts.batch) || opts.batch < 1)
        throw new InputError("--batch: must be a positive integer");
      // A forced engine that cannot load is an error here too, never a silent fallback.
      const selection = selectEngine(cmd.opts().engine as string | undefined);
      const { soc } = socFromOptions(opts);
      const accel = soc.accelerators[0];
      if (accel === undefined) throw new InputError("the SoC has no accelerator to plan for");
      const others =
        soc.accelerators.length > 1
          ? ` (the SoC lists ${soc.accelerators.length} accelerator kinds; plan uses the first)`
          : "";
      const { network: net, source } = loadNetwork(network, {
        batch: opts.batch,
        backend: "smv",
        dtype: "float32",
        seed: 0,
      });
      const plan = planGraph(net.graph, accel.kind, accel.params, { engine: selection.engine });
      if (opts.json) {
        console.log(
          JSON.stringify({ source, engine: selection.engine.name, soc: { accelerator: accel }, plan }, null, 2),
        );
        return;
      }
      const peak = peakMacs(plan.params);
      const t = table([
        "layer",
        "op",
        "device",
        "tiling (role strategy tile)",
        "invocations",
        "cycles",
        "MACs",
        "util",
      ]);
      for (const s of plan.steps) {
        const acc = s.device === "accelerator";
        const util = acc && peak && s.totals.cycles > 0 ? (s.totals.macs / (s.totals.cycles * peak)).toFixed(2) : "-";
        t.push([
          s.node,
          s.op,
          acc ? accel.kind : "cpu",
          acc ? strategies(s) : s.reason,
          acc ? count(s.invocations.length) : "-",
          acc ? count(s.totals.cycles) : "-",
          acc ? count(s.totals.macs) : "-",
          util,
        ]);
      }
      console.log(`${plan.graph} (${source}) on ${accel.kind} x${accel.count} at ${accel.clockGHz} GHz${others}`);
      console.log(describeSelection(selection));
      console.log(t.toString());
      const T = plan.totals;
      const utilAll = peak && T.cycles > 0 ? `, utilisation ${(T.macs / (T.cycles * peak)).toFixed(2)}` : "";
      console.log(
        `${T.acceleratedLayers} layers on ${accel.kind}, ${T.cpuLayers} on the CPU; ${count(T.invocations)} invocations; ${count(T.cycles)} accelerator cycles (${((T.cycles / accel.clockGHz) * 1e-6).toFixed(3)} ms of compute on one accelerator)${utilAll}; ${count(T.macs)} MACs; host loads ${count(T.hostLoadBytes)} B, stores ${count(T.hostStoreBytes)} B`,
      );
    });
}
