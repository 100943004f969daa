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
