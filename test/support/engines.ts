import { ENGINE_NAMES, type EngineName } from "../../src/engine/index.js";

/**
 * The engines every engine test runs on: all three by default, and a test fails (it does not
 * skip) when one of them cannot load. SMAUG_TEST_ENGINES (comma-separated) narrows the list
 * deliberately, e.g. on a machine known to have no compiler.
 */
export const testEngineNames = (): EngineName[] =>
  (process.env.SMAUG_TEST_ENGINES?.split(",").map((s) => s.trim()) as EngineName[] | undefined) ?? [...ENGINE_NAMES];
