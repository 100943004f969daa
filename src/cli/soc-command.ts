/**
 * `smaug soc`: print the SoC description — the SMAUG baseline by default, a preset, or a partial
 * file resolved over its preset — as commented YAML or JSON, or print the JSON Schema of SoC files.
 */
import { type Command, Option } from "commander";
import {
  DEFAULT_PRESET,
  loadSocFile,
  PRESET_DESCRIPTIONS,
  PRESETS,
  resolveSoc,
  type Soc,
  socJsonSchema,
  socToYaml,
} from "../soc/index.js";

interface SocOptions {
  soc?: string;
  preset?: string;
  json?: boolean;
  schema?: boolean;
}

function header(opts: SocOptions, soc: Soc): string {
  const preset = opts.preset ?? DEFAULT_PRESET;
  const lines =
    opts.soc !== undefined
      ? [`SoC resolved from ${opts.soc} over its preset (fields it omits keep the preset's values).`]
      : preset === DEFAULT_PRESET
        ? [
            "The SMAUG baseline SoC (paper Table 2), smaug-sim's built-in default (preset smaug-baseline).",
            `${PRESET_DESCRIPTIONS[DEFAULT_PRESET]}.`,
          ]
        : [`Preset ${preset}: ${PRESET_DESCRIPTIONS[preset] ?? ""}.`];
  const n = soc.accelerators.reduce((k, a) => k + a.count, 0);
  lines.push(
    `${n} accelerator instance(s), memory policy ${soc.memoryPolicy}, ${soc.threads.workers} worker thread(s).`,
    "Units are in the field names; defaults and their sources: docs/soc.md. A SoC file needs only the",
    "fields it changes (plus `extends: <preset>` to start from another preset); see examples/soc/.",
  );
  return lines.join("\n");
}

export function registerSocCommand(cmd: Command): void {
  cmd
    .command("soc")
    .description(
      "print the SoC description: the SMAUG baseline (paper Table 2) by default, a preset, or a partial file resolved over its preset",
    )
    .option("--soc <file>", "a partial SoC description (.yaml, .yml or .json) to resolve and print")
    .addOption(
      new Option("--preset <name>", "start from a preset (the file's `extends` must agree)").choices(
        Object.keys(PRESETS),
      ),
    )
    .option("--json", "print JSON instead of commented YAML")
    .addOption(new Option("--schema", "print the JSON Schema of SoC files").conflicts(["soc", "preset"]))
    .action((opts: SocOptions) => {
      if (opts.schema) {
        console.log(JSON.stringify(socJsonSchema(), null, 2));
        return;
      }
      const soc =
        opts.soc !== undefined
          ? loadSocFile(opts.soc, { preset: opts.preset })
          : resolveSoc({}, undefined, { preset: opts.preset });
      if (opts.json) console.log(JSON.stringify(soc, null, 2));
      else process.stdout.write(socToYaml(soc, header(opts, soc)));
    });
}
