/**
 * Engine selection. Automatic order: native (C++ addon) if it loads, else wasm, else js.
 * `--engine` or SMAUG_ENGINE forces one: a forced engine that cannot load is an error, never a
 * silent fallback. The selection records why each skipped engine was skipped.
 */
import { InputError } from "../errors.js";
import { JsCacheCore } from "./js/cache.js";
import { simulateSystolicJs } from "./js/systolic.js";
import { loadNativeEngine } from "./native.js";
import { ENGINE_NAMES, type Engine, type EngineName } from "./types.js";
import { loadWasmEngine } from "./wasm.js";

export * from "./cache.js";
export * from "./types.js";

export const jsEngine: Engine = {
  name: "js",
  createCacheCore: (params) => new JsCacheCore(params),
  simulateSystolic: simulateSystolicJs,
};

const loaded = new Map<EngineName, Engine | Error>();

/** Load one engine by name; throws an Error saying why it cannot load. */
export function loadEngine(name: EngineName): Engine {
  let e = loaded.get(name);
  if (e === undefined) {
    try {
      e = name === "native" ? loadNativeEngine() : name === "wasm" ? loadWasmEngine() : jsEngine;
    } catch (err) {
      e = err instanceof Error ? err : new Error(String(err));
    }
    loaded.set(name, e);
  }
  if (e instanceof Error) throw e;
  return e;
}

export interface EngineProbe {
  name: EngineName;
  available: boolean;
  /** why it does not load (absent when it loads) */
  reason?: string;
}

export function probeEngines(): EngineProbe[] {
  return ENGINE_NAMES.map((name) => {
    try {
      loadEngine(name);
      return { name, available: true };
    } catch (err) {
      return { name, available: false, reason: (err as Error).message };
    }
  });
}

export interface EngineSelection {
  engine: Engine;
  /** "auto", "--engine" or "SMAUG_ENGINE": what decided */
  source: "auto" | "option" | "env";
  /** engines tried before the chosen one, with the reason each was passed over */
  skipped: { name: EngineName; reason: string }[];
}

export function parseEngineName(value: string, where: string): EngineName | "auto" {
  const v = value.trim().toLowerCase();
  if (v === "auto" || (ENGINE_NAMES as readonly string[]).includes(v)) return v as EngineName | "auto";
  throw new InputError(`${where}: unknown engine "${value}" (valid: auto, ${ENGINE_NAMES.join(", ")})`);
}

/**
 * Choose the engine: the explicit option wins, then SMAUG_ENGINE, then automatic order.
 * @param requested the value of --engine, if given
 */
export function selectEngine(requested?: string, env: NodeJS.ProcessEnv = process.env): EngineSelection {
  let choice: EngineName | "auto" = "auto";
  let source: EngineSelection["source"] = "auto";
  if (requested !== undefined) {
    choice = parseEngineName(requested, "--engine");
    source = choice === "auto" ? "auto" : "option";
  } else if (env.SMAUG_ENGINE) {
    choice = parseEngineName(env.SMAUG_ENGINE, "SMAUG_ENGINE");
    source = choice === "auto" ? "auto" : "env";
  }
  if (choice !== "auto") {
    try {
      return { engine: loadEngine(choice), source, skipped: [] };
    } catch (err) {
      const by = source === "option" ? "--engine" : "SMAUG_ENGINE";
      throw new InputError(`engine "${choice}" (from ${by}) cannot load: ${(err as Error).message}`);
    }
  }
  const skipped: EngineSelection["skipped"] = [];
  for (const name of ENGINE_NAMES) {
    try {
      return { engine: loadEngine(name), source, skipped };
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message });
    }
  }
  // unreachable: the js engine always loads
  throw new Error("no engine loads");
}

/** One line for reports: "engine: wasm (auto; native unavailable: ...)". */
export function describeSelection(s: EngineSelection): string {
  const why = s.source === "option" ? "--engine" : s.source === "env" ? "SMAUG_ENGINE" : "auto";
  const notes = s.skipped.map((k) => `${k.name} unavailable: ${k.reason}`);
  return `engine: ${s.engine.name} (${[why, ...notes].join("; ")})`;
}
