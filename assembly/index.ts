// Entry point of the WebAssembly engine (build: `npm run build:wasm` -> dist/engine.wasm).
// One instance simulates one cache hierarchy; see assembly/cache.ts.
export {
  counterCount,
  exportCounters,
  init,
  NUM_COUNTERS,
  reset,
  run,
  stagingAddr,
  stagingBytes,
  stagingOp,
  stagingRequester,
} from "./cache";
// The systolic-array simulator (assembly/systolic.ts); its instance is separate from the caches'.
export {
  SYSTOLIC_NUM_RESULTS,
  systolicCapacity,
  systolicInit,
  systolicLayers,
  systolicParams,
  systolicResults,
  systolicRun,
} from "./systolic";
