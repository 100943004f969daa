/** Option parsing shared by the commands: integers in a range, and the SoC from --soc / --preset. */
import { InvalidArgumentError } from "commander";
import { InputError } from "../errors.js";
import { loadSocFile, PRESETS, type Soc } from "../soc/index.js";

/** A commander parser for an integer option in [min, max]; anything else is a usage error (exit 2). */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** The SoC a command starts from: a file (over --preset, if given), else the preset, else the baseline. */
export function socFromOptions(opts: { soc?: string; preset?: string }): { soc: Soc; source: string } {
  if (opts.soc !== undefined)
    return { soc: loadSocFile(opts.soc, opts.preset ? { preset: opts.preset } : {}), source: opts.soc };
  const name = opts.preset ?? "smaug-baseline";
  const soc = PRESETS[name];
  if (soc === undefined)
    throw new InputError(`--preset: unknown preset '${name}' (known: ${Object.keys(PRESETS).join(", ")})`);
  return { soc, source: `preset ${name}` };
}
