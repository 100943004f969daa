/**
 * The native engine: the C++ cache simulator (native/cache_sim.hpp) loaded as a Node-API addon.
 *
 * The addon is built at install time by scripts/build-native.mjs (cmake-js) or by hand with
 * node-gyp; both write `<package root>/build/Release/smaug_native.node`. A machine without a
 * compiler has no addon, and loadNativeEngine() then throws so the caller can fall back to WASM.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { packageRoot } from "./package-root.js";
import {
  type CacheCore,
  type CacheParams,
  type Engine,
  NUM_COUNTERS,
  NUM_SYSTOLIC_RESULTS,
  paramVector,
  type RunArrays,
} from "./types.js";

/** The addon's relative location, also used in error messages. */
const ADDON_RELATIVE = "build/Release/smaug_native.node";

/** What the addon exports (native/addon.cpp). */
interface NativeAddon {
  CacheCore: new (params: Float64Array) => NativeCacheCore;
  numCounters: number;
  /** The systolic simulator (native/systolic.hpp): a whole batch of layers per call. */
  simulateSystolic(params: Float64Array, layers: Float64Array, count: number): Float64Array;
  numSystolicResults: number;
}

interface NativeCacheCore {
  run(addr: Float64Array, bytes: Float64Array, op: Uint8Array, requester: Uint8Array, count: number): void;
  readCounters(out: Float64Array): void;
  reset(): void;
  dispose(): void;
}

let cached: NativeAddon | undefined;

function loadAddon(): NativeAddon {
  if (cached) return cached;
  const override = process.env.SMAUG_NATIVE_PATH;
  const file = override ? resolve(override) : join(packageRoot(), ADDON_RELATIVE);
  const shown = override ? file : ADDON_RELATIVE;
  if (!existsSync(file)) {
    throw new Error(
      override
        ? `${shown} (SMAUG_NATIVE_PATH) not found`
        : `${shown} not found: the native build did not run or failed (see build/native-build.log)`,
    );
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(file) as NativeAddon;
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new Error(`${shown} could not be loaded (${why}); rebuild it with npm run build:native`);
  }
  if (typeof addon?.CacheCore !== "function" || addon.numCounters !== NUM_COUNTERS) {
    throw new Error(`${shown} is stale or foreign (counter layout differs); rebuild it with npm run build:native`);
  }
  if (typeof addon.simulateSystolic !== "function" || addon.numSystolicResults !== NUM_SYSTOLIC_RESULTS) {
    throw new Error(`${shown} is stale (its systolic results differ); rebuild it with npm run build:native`);
  }
  cached = addon;
  return addon;
}

class NativeCore implements CacheCore {
  private core: NativeCacheCore;

  constructor(addon: NativeAddon, p: CacheParams) {
    this.core = new addon.CacheCore(Float64Array.from(paramVector(p)));
  }

  run(b: RunArrays): void {
    this.core.run(b.addr, b.bytes, b.op, b.requester, b.count);
  }

  readCounters(out: Float64Array): void {
    this.core.readCounters(out);
  }

  reset(): void {
    this.core.reset();
  }

  dispose(): void {
    this.core.dispose();
  }
}

/**
 * The native engine. Throws an Error saying why in one sentence when the addon is missing,
 * cannot be loaded, or was built from other sources; the caller falls back to another engine.
 */
export function loadNativeEngine(): Engine {
  const addon = loadAddon();
  return {
    name: "native",
    createCacheCore: (params: CacheParams): CacheCore => new NativeCore(addon, params),
    simulateSystolic: (params: Float64Array, layers: Float64Array, count: number): Float64Array =>
      addon.simulateSystolic(params, layers, count),
  };
}
