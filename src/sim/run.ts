/**
 * One end-to-end run as a function call: plan the graph on the SoC's accelerator, simulate the
 * timeline, account energy, and (unless timing-only) execute the network functionally. Plain
 * data in (graph, weights, SoC, options), plain data out (RunResult); the report module turns it
 * into report.json and tables.
 */
import { type GraphPlan, planGraph } from "../accel/index.js";
import { type EnergyBreakdown, energyBreakdown } from "../energy/index.js";
import { mulberry32 } from "../engine/selfcheck.js";
import type { Engine } from "../engine/types.js";
import { InputError } from "../errors.js";
import { numElements } from "../graph/tensor.js";
import type { Graph, Weights } from "../graph/types.js";
import { runGraph } from "../kernels/execute.js";
import { acceleratorInstances, type Soc } from "../soc/index.js";
import { simulate } from "./simulate.js";
import type { SampleLevel, ScheduleName, SimOptions, SimResult } from "./types.js";

export interface RunInput {
  graph: Graph;
  /** Needed for functional execution; omit with timingOnly. */
  weights?: Weights;
  soc: Soc;
  engine: Engine;
  schedule?: ScheduleName;
  timingOnly?: boolean;
  /** Seed of the generated input data (default 0). */
  inputSeed?: number;
  sampleLevel?: SimOptions["sampleLevel"];
  sampleNum?: number;
  rowBuffer?: boolean;
  /**
   * Progress of the run's stages, for a progress bar: "plan" and "functional" are reported once
   * when they start (done 0 of 1), "simulate" after every layer (done of total layers).
   */
  onProgress?: (stage: RunStage, done: number, total: number) => void;
}

export type RunStage = "plan" | "simulate" | "functional";

/** One output tensor of the functional run. */
export interface OutputSummary {
  tensor: string;
  shape: number[];
  /** For a [1, K] output (a classifier): the arg-max class and its value. */
  top1?: { index: number; value: number };
  /** The first (up to 10) values. */
  head: number[];
  /** Sum of all values (a checksum for comparing runs). */
  sum: number;
  /** True when the output is dead (an untaken branch): head is empty and sum 0. */
  dead: boolean;
}

export interface RunResult {
  plan: GraphPlan;
  sim: SimResult;
  energy: EnergyBreakdown;
  schedule: ScheduleName;
  /** The simulation options the run used, defaults filled in. */
  options: { sampleLevel: SampleLevel; sampleNum: number; rowBuffer: boolean };
  /** null when timing-only. */
  outputs: OutputSummary[] | null;
  wallMs: { plan: number; simulate: number; functional: number };
}

/** Deterministic input data: uniform in [0, 1) from a 32-bit seed (the project's mulberry32). */
export function inputData(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = next();
  return out;
}

/** Execute the graph on seeded inputs and summarise its outputs. */
export function functionalOutputs(graph: Graph, weights: Weights, seed = 0): OutputSummary[] {
  const feeds: Record<string, Float32Array> = {};
  graph.nodes
    .filter((n) => n.op === "data")
    .forEach((n, i) => {
      feeds[n.name] = inputData(numElements(graph.tensors[n.name].shape), seed + i);
    });
  const values = runGraph(graph, weights, feeds);
  return graph.outputs.map((ref) => {
    const v = values[ref];
    const shape = [...graph.tensors[ref].shape];
    if (v === null || v === undefined) return { tensor: ref, shape, head: [], sum: 0, dead: true };
    const data = v.data;
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += Number(data[i]);
    const out: OutputSummary = {
      tensor: ref,
      shape,
      head: Array.from(data.subarray(0, 10), Number),
      sum,
      dead: false,
    };
    if (shape.length === 2 && shape[0] === 1 && shape[1] > 1) {
      let best = 0;
      for (let i = 1; i < data.length; i++) if (Number(data[i]) > Number(data[best])) best = i;
      out.top1 = { index: best, value: Number(data[best]) };
    }
    return out;
  });
}

export function runNetwork(input: RunInput): RunResult {
  const { graph, soc, engine } = input;
  const schedule = input.schedule ?? "smaug";
  const options = {
    sampleLevel: input.sampleLevel ?? "no",
    sampleNum: input.sampleNum ?? 1,
    rowBuffer: input.rowBuffer ?? true,
  };
  const instances = acceleratorInstances(soc);
  if (instances.length === 0) throw new InputError("the SoC has no accelerator");
  const kinds = [...new Set(instances.map((a) => a.kind))];
  if (kinds.length > 1)
    throw new InputError(
      `accelerators: the SoC mixes ${kinds.join(" and ")}; a run uses one kind (heterogeneous SoCs are not supported yet)`,
    );
  const progress = input.onProgress;
  progress?.("plan", 0, 1);
  const t0 = performance.now();
  const plan = planGraph(graph, instances[0].kind, instances[0].params, { engine });
  const t1 = performance.now();
  const sim = simulate({
    graph,
    soc,
    plan,
    engine,
    options: {
      schedule,
      ...options,
      onLayer: progress === undefined ? undefined : (done, total) => progress("simulate", done, total),
    },
  });
  const energy = energyBreakdown(sim.actions, soc.energy);
  const t2 = performance.now();
  let outputs: OutputSummary[] | null = null;
  if (!input.timingOnly) {
    if (input.weights === undefined) throw new InputError("a functional run needs the network's weights");
    progress?.("functional", 0, 1);
    outputs = functionalOutputs(graph, input.weights, input.inputSeed ?? 0);
  }
  const t3 = performance.now();
  return {
    plan,
    sim,
    energy,
    schedule,
    options,
    outputs,
    wallMs: { plan: t1 - t0, simulate: t2 - t1, functional: t3 - t2 },
  };
}
