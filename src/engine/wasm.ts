/**
 * The WebAssembly engine: loads dist/engine.wasm (compiled from assembly/ by `npm run build:wasm`)
 * and drives one module instance per cache hierarchy.
 *
 * Batches are copied into a staging area inside the instance's memory, `BATCH_CAPACITY` runs at a
 * time. The instance allocates all of its memory in `init`, so the typed-array views created right
 * after it stay attached for the instance's lifetime (a `memory.grow` would detach them).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";
import {
  type CacheCore,
  type CacheParams,
  type Engine,
  NUM_COUNTERS,
  NUM_SYSTOLIC_LAYER,
  NUM_SYSTOLIC_PARAMS,
  NUM_SYSTOLIC_RESULTS,
  paramVector,
  type RunArrays,
} from "./types.js";

/** Runs per staging chunk (also keeps the first calls short while V8 tiers up). */
const BATCH_CAPACITY = 16384;

interface WasmExports {
  memory: WebAssembly.Memory;
  init(
    cores: number,
    ports: number,
    lineBits: number,
    l1Sets: number,
    l1Ways: number,
    l1Repl: number,
    llcSets: number,
    llcWays: number,
    llcRepl: number,
    seed: number,
    batchCapacity: number,
  ): void;
  reset(): void;
  run(count: number): void;
  exportCounters(): number;
  counterCount(): number;
  stagingAddr(): number;
  stagingBytes(): number;
  stagingOp(): number;
  stagingRequester(): number;
}

let compiled: WebAssembly.Module | undefined;

/** Path of the compiled module (exported for diagnostics). */
export function wasmPath(): string {
  return join(packageRoot(), "dist", "engine.wasm");
}

function compile(): WebAssembly.Module {
  if (compiled) return compiled;
  let path: string;
  try {
    path = wasmPath();
  } catch (e) {
    throw new Error(`WebAssembly engine unavailable: ${(e as Error).message}.`);
  }
  if (!existsSync(path)) {
    throw new Error(`WebAssembly engine unavailable: ${path} does not exist (run \`npm run build:wasm\`).`);
  }
  try {
    compiled = new WebAssembly.Module(readFileSync(path));
  } catch (e) {
    throw new Error(`WebAssembly engine unavailable: ${path} could not be compiled (${(e as Error).message}).`);
  }
  return compiled;
}

function instantiate(module: WebAssembly.Module): WasmExports {
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, column: number): never {
        throw new Error(`engine abort at ${line}:${column}, most likely out of memory`);
      },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  return instance.exports as unknown as WasmExports;
}

class WasmCacheCore implements CacheCore {
  private wasm: WasmExports | null;
  private readonly capacity: number;
  private addr: Float64Array;
  private bytes: Float64Array;
  private op: Uint8Array;
  private requester: Uint8Array;
  private counters: Float64Array;

  constructor(module: WebAssembly.Module, p: CacheParams) {
    const w = instantiate(module);
    this.capacity = BATCH_CAPACITY;
    try {
      w.init(...paramVector(p), this.capacity);
    } catch (e) {
      throw new Error(
        `WebAssembly engine could not allocate this cache hierarchy (${(e as Error).message}); wasm32 memory is limited to 4 GiB.`,
      );
    }
    const n = w.counterCount();
    if (n !== (p.cores + p.ports) * NUM_COUNTERS) {
      throw new Error(`WebAssembly engine reports ${n} counters, expected ${(p.cores + p.ports) * NUM_COUNTERS}.`);
    }
    // All memory is allocated by init: these views stay valid for the instance's lifetime.
    const buf = w.memory.buffer;
    this.addr = new Float64Array(buf, w.stagingAddr(), this.capacity);
    this.bytes = new Float64Array(buf, w.stagingBytes(), this.capacity);
    this.op = new Uint8Array(buf, w.stagingOp(), this.capacity);
    this.requester = new Uint8Array(buf, w.stagingRequester(), this.capacity);
    this.counters = new Float64Array(buf, w.exportCounters(), n);
    this.wasm = w;
  }

  private live(): WasmExports {
    if (this.wasm === null) throw new Error("WebAssembly cache core used after dispose().");
    return this.wasm;
  }

  run(b: RunArrays): void {
    const w = this.live();
    const cap = this.capacity;
    const count = b.count;
    for (let off = 0; off < count; off += cap) {
      const n = Math.min(cap, count - off);
      const end = off + n;
      this.addr.set(b.addr.subarray(off, end));
      this.bytes.set(b.bytes.subarray(off, end));
      this.op.set(b.op.subarray(off, end));
      this.requester.set(b.requester.subarray(off, end));
      w.run(n);
    }
  }

  readCounters(out: Float64Array): void {
    this.live().exportCounters();
    out.set(this.counters);
  }

  reset(): void {
    this.live().reset();
  }

  dispose(): void {
    // drop the instance and every view of its memory so the memory can be collected
    this.wasm = null;
    this.addr = this.bytes = this.counters = new Float64Array(0);
    this.op = this.requester = new Uint8Array(0);
  }
}

/** Layers per systolic staging chunk. */
const SYSTOLIC_CAPACITY = 4096;

interface SystolicExports {
  memory: WebAssembly.Memory;
  SYSTOLIC_NUM_RESULTS: WebAssembly.Global;
  systolicInit(capacity: number): void;
  systolicParams(): number;
  systolicLayers(): number;
  systolicResults(): number;
  systolicRun(count: number): void;
}

/**
 * The systolic simulator runs in one module instance of its own (assembly/systolic.ts), created
 * on first use; its staging areas are allocated once, so the views below stay attached.
 */
class WasmSystolic {
  private readonly wasm: SystolicExports;
  private readonly params: Float64Array;
  private readonly layers: Float64Array;
  private readonly results: Float64Array;

  constructor(module: WebAssembly.Module) {
    const w = instantiate(module) as unknown as SystolicExports;
    if (typeof w.systolicRun !== "function" || Number(w.SYSTOLIC_NUM_RESULTS?.value) !== NUM_SYSTOLIC_RESULTS) {
      throw new Error("WebAssembly engine is stale: its systolic results differ (run `npm run build:wasm`).");
    }
    w.systolicInit(SYSTOLIC_CAPACITY);
    const buf = w.memory.buffer;
    this.params = new Float64Array(buf, w.systolicParams(), NUM_SYSTOLIC_PARAMS);
    this.layers = new Float64Array(buf, w.systolicLayers(), SYSTOLIC_CAPACITY * NUM_SYSTOLIC_LAYER);
    this.results = new Float64Array(buf, w.systolicResults(), SYSTOLIC_CAPACITY * NUM_SYSTOLIC_RESULTS);
    this.wasm = w;
  }

  simulate(params: Float64Array, layers: Float64Array, count: number): Float64Array {
    const out = new Float64Array(count * NUM_SYSTOLIC_RESULTS);
    this.params.set(params.subarray(0, NUM_SYSTOLIC_PARAMS));
    for (let off = 0; off < count; off += SYSTOLIC_CAPACITY) {
      const n = Math.min(SYSTOLIC_CAPACITY, count - off);
      this.layers.set(layers.subarray(off * NUM_SYSTOLIC_LAYER, (off + n) * NUM_SYSTOLIC_LAYER));
      this.wasm.systolicRun(n);
      out.set(this.results.subarray(0, n * NUM_SYSTOLIC_RESULTS), off * NUM_SYSTOLIC_RESULTS);
    }
    return out;
  }
}

/** Load the WebAssembly engine; throws an Error with a one-sentence reason if it is unavailable. */
export function loadWasmEngine(): Engine {
  const module = compile();
  let systolic: WasmSystolic | undefined;
  return {
    name: "wasm",
    createCacheCore(params: CacheParams): CacheCore {
      return new WasmCacheCore(module, params);
    },
    simulateSystolic(params: Float64Array, layers: Float64Array, count: number): Float64Array {
      systolic ??= new WasmSystolic(module);
      return systolic.simulate(params, layers, count);
    },
  };
}
