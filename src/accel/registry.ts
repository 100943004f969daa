/**
 * The accelerator registry: built-in models and the ones users add from their own files.
 * `kind` in the SoC description names an entry here.
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError } from "../errors.js";
import type { AcceleratorModel } from "./types.js";

// biome-ignore lint/suspicious/noExplicitAny: models differ in their parameter types
type AnyModel = AcceleratorModel<any>;

const models = new Map<string, AnyModel>();

/** Add (or replace) a model under its kind. */
export function registerAccelerator(model: AnyModel): void {
  const problems = checkModel(model);
  if (problems.length > 0) throw new InputError(`accelerator model '${String(model?.kind)}': ${problems.join("; ")}`);
  models.set(model.kind, model);
}

export function getAccelerator(kind: string): AnyModel {
  const m = models.get(kind);
  if (m === undefined)
    throw new InputError(
      `unknown accelerator kind '${kind}' (known: ${[...models.keys()].sort().join(", ") || "none"})`,
    );
  return m;
}

export function hasAccelerator(kind: string): boolean {
  return models.has(kind);
}

export function acceleratorKinds(): string[] {
  return [...models.keys()].sort();
}

/** What a model object lacks, so a user's file fails with a clear message, not deep in a run. */
function checkModel(model: AnyModel): string[] {
  if (typeof model !== "object" || model === null) return ["is not an object"];
  const problems: string[] = [];
  if (typeof model.kind !== "string" || !/^[a-z][a-z0-9_-]*$/.test(model.kind))
    problems.push("kind must be a lower-case name (letters, digits, _ and -)");
  for (const f of ["scratchpads", "supports", "plan", "invocationCost", "alignment"] as const)
    if (typeof model[f] !== "function") problems.push(`${f} must be a function`);
  if (typeof model.params?.safeParse !== "function") problems.push("params must be a zod schema");
  if (model.layout !== "NHWC" && model.layout !== "NCHW") problems.push('layout must be "NHWC" or "NCHW"');
  if (!Number.isInteger(model.elementBytes) || model.elementBytes < 1)
    problems.push("elementBytes must be a positive integer");
  return problems;
}

/**
 * Load a user's accelerator from a JavaScript/TypeScript module whose default export (or export
 * named `accelerator`) is an AcceleratorModel, and register it.
 */
export async function loadAcceleratorFile(path: string): Promise<AnyModel> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(path)).href;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw new InputError(`${path}: cannot load the accelerator module: ${(e as Error).message}`);
  }
  const model = (mod.default ?? mod.accelerator) as AnyModel | undefined;
  if (model === undefined)
    throw new InputError(`${path}: exports no accelerator (export default or export const accelerator)`);
  try {
    registerAccelerator(model);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${path}: ${e.message}`);
    throw e;
  }
  return model;
}
