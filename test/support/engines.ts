import { ENGINE_NAMES, type Engine, type EngineName, loadEngine } from "../../src/engine/index.js";

/**
 * The engines every engine test runs on. All three must load: a missing native addon or wasm
 * module fails the suite instead of skipping it. SMAUG_TEST_ENGINES (comma-separated) narrows
 * the list deliberately, e.g. on a machine known to have no compiler.
 */
export function testEngines(): Engine[] {
  const wanted = (process.env.SMAUG_TEST_ENGINES?.split(",").map((s) => s.trim()) ?? ENGINE_NAMES) as EngineName[];
  return wanted.map((name) => loadEngine(name));
}

export const testEngineNames = (): EngineName[] =>
  (process.env.SMAUG_TEST_ENGINES?.split(",").map((s) => s.trim()) as EngineName[] | undefined) ?? [...ENGINE_NAMES];
