/**
 * Systolic-array simulation of conv and GEMM layers, SCALE-Sim v2 style, on any engine:
 * validation, layer mapping, the report with its ratios, and readers for SCALE-Sim's topology
 * CSV and .cfg files. The engines (src/engine/js/systolic.ts is the specification) do the
 * simulation; docs/systolic.md explains the model and where it differs from SCALE-Sim.
 *
 *   const engine = selectEngine().engine;
 *   const report = simulateSystolicLayer(engine, { rows: 32, cols: 32, dataflow: "ws" },
 *     { kind: "conv", ifmapH: 224, ifmapW: 224, filterH: 7, filterW: 7, channels: 3, filters: 64, strideH: 2 });
 */

import {
  DataflowCode,
  type Engine,
  NUM_SYSTOLIC_LAYER,
  NUM_SYSTOLIC_PARAMS,
  NUM_SYSTOLIC_RESULTS,
  SYSTOLIC_RESULTS,
  type SystolicResultName,
} from "../engine/types.js";
import { InputError } from "../errors.js";
import { matmulGeometry, spatial } from "../graph/ops.js";
import type { Graph, Node, TensorSpec } from "../graph/types.js";
import { DATAFLOWS, type Dataflow, type SystolicParams, systolicParamsSchema } from "./systolic-params.js";

/**
 * A convolution as SCALE-Sim's topology row gives it: the ifmap is taken as already padded
 * (SCALE-Sim's convention); `padding` [top, bottom, left, right], if given, is added to
 * ifmapH/ifmapW first. Output size: SCALE-Sim's ceil((H - F + S) / S) per dimension, which
 * counts a last partial window (8 rows, 3-row filter, stride 2: 4 outputs, where a framework
 * gives floor((8 - 3) / 2) + 1 = 3).
 */
export interface ConvLayer {
  kind: "conv";
  name?: string;
  ifmapH: number;
  ifmapW: number;
  filterH: number;
  filterW: number;
  channels: number;
  filters: number;
  strideH: number;
  /** defaults to strideH (SCALE-Sim topologies give one stride) */
  strideW?: number;
  padding?: [number, number, number, number];
  /** images; their ofmap pixels stack into the rows of one operand matrix (default 1) */
  batch?: number;
  /** identical independent copies run one after another (default 1); see SystolicReport */
  repeat?: number;
}

/** A GEMM: (M x K) times (K x N), as SCALE-Sim's GEMM topology rows "name, M, N, K". */
export interface GemmLayer {
  kind: "gemm";
  name?: string;
  m: number;
  n: number;
  k: number;
  repeat?: number;
}

export type SystolicLayer = ConvLayer | GemmLayer;

/**
 * The per-layer report. Cycle counts and access counts are integers. The utilisation ratios are
 * fractions (SCALE-Sim prints them as percentages); overallUtilisation can exceed 1 by a hair
 * because SCALE-Sim's totalCycles counts from 0 (one cycle less than the cycles spent).
 */
export interface SystolicReport {
  name?: string;
  dataflow: Dataflow;
  rows: number;
  cols: number;
  /** operand matrices: ifmap ofmapPixels x windowSize, filter windowSize x filters */
  ofmapPixels: number;
  windowSize: number;
  filters: number;
  /** spatial rows, spatial columns and temporal dimension of the dataflow */
  sr: number;
  sc: number;
  t: number;
  rowFolds: number;
  colFolds: number;
  folds: number;
  repeat: number;
  /** stall-free cycles of one fold: os R + C + T - 2, ws/is 2R + C + T - 2 */
  cyclesPerFold: number;
  /** stall-free cycles (a count): folds * cyclesPerFold, times repeat */
  computeCycles: number;
  /** cycles the array waits for operands or for a free ofmap buffer half */
  stallCycles: number;
  ifmapStallCycles: number;
  filterStallCycles: number;
  ofmapStallCycles: number;
  /**
   * SCALE-Sim's "Total Cycles": the index, counted from 0, of the cycle in which the last
   * output is written to the ofmap SRAM = computeCycles + stallCycles - 1.
   */
  totalCycles: number;
  /** cycles after compute until the last ofmap word is in DRAM (SCALE-Sim does not count them) */
  drainCycles: number;
  /** cycles from the first DRAM request to the last ofmap word in DRAM (a count) */
  latencyCycles: number;
  macs: number;
  /** SCALE-Sim's "Overall Util": macs / (totalCycles * rows * cols) */
  overallUtilisation: number;
  /** SCALE-Sim's "Mapping Efficiency": mean over folds of used PEs / (rows * cols) = Sr Sc / (folds R C) */
  mappingEfficiency: number;
  /** macs / (computeCycles * rows * cols): the stall-free utilisation (see docs/systolic.md) */
  computeUtilisation: number;
  /** SRAM accesses in words: reads by the array, writes from DRAM fills (ifmap, filter) */
  ifmapSramReads: number;
  ifmapSramWrites: number;
  filterSramReads: number;
  filterSramWrites: number;
  /** ofmap SRAM writes by the array, reads by the drain to DRAM */
  ofmapSramWrites: number;
  ofmapSramReads: number;
  /** DRAM traffic in words */
  ifmapDramReads: number;
  filterDramReads: number;
  ofmapDramWrites: number;
  /** DRAM transfers simulated (buffer fills and drains) */
  ifmapFills: number;
  filterFills: number;
  ofmapDrains: number;
}

/** Parameters as accepted here: schema fields (defaults fill the rest); bandwidth may be Infinity. */
export type SystolicParamsInput = Partial<SystolicParams>;

/** Values stay below this, so every engine computes exactly in doubles or 64-bit integers. */
const LIMIT = 2 ** 51;
const MAX_DEN = 65536;

function fail(what: string, msg: string): never {
  throw new InputError(`systolic ${what}: ${msg}`);
}

function positiveInt(what: string, field: string, v: unknown, max = 2 ** 31): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
    fail(what, `${field} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
  return v;
}

/** Words per cycle as a fraction num/den with den <= 65536 (num 0: unlimited). */
export function bandwidthFraction(bw: number): [number, number] {
  if (bw === Number.POSITIVE_INFINITY) return [0, 1];
  if (!(bw > 0) || !Number.isFinite(bw)) fail("params", `bandwidthWordsPerCycle must be positive, got ${bw}`);
  for (let den = 1; den <= MAX_DEN; den++) {
    const num = Math.round(bw * den);
    if (num >= 1 && Math.abs(num / den - bw) <= 1e-12 * bw) return [num, den];
  }
  // The engines step in integer arithmetic: a bandwidth that is no fraction with a small
  // denominator would be rounded, silently changing the simulated hardware. Refuse instead.
  if (bw < 1 / MAX_DEN) fail("params", `bandwidthWordsPerCycle must be at least 1/${MAX_DEN}, got ${bw}`);
  return fail(
    "params",
    `bandwidthWordsPerCycle ${bw} is not a fraction num/den with den <= ${MAX_DEN} (e.g. 2.5, 0.1, 1/3 are); round it yourself`,
  );
}

/** Validated parameters and their engine vector. */
export function systolicParamVector(input: SystolicParamsInput = {}): { params: SystolicParams; vector: Float64Array } {
  const bw = input.bandwidthWordsPerCycle;
  const unlimited = bw === Number.POSITIVE_INFINITY;
  const parsed = systolicParamsSchema.safeParse(unlimited ? { ...input, bandwidthWordsPerCycle: 1 } : input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail("params", `${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const params: SystolicParams = unlimited
    ? { ...parsed.data, bandwidthWordsPerCycle: Number.POSITIVE_INFINITY }
    : parsed.data;
  const words = (kib: number) => Math.floor((kib * 1024) / params.wordBytes);
  const [num, den] = bandwidthFraction(params.bandwidthWordsPerCycle);
  const v = new Float64Array(NUM_SYSTOLIC_PARAMS);
  v.set([
    params.rows,
    params.cols,
    DataflowCode[params.dataflow],
    words(params.ifmapSramKiB),
    words(params.filterSramKiB),
    words(params.ofmapSramKiB),
    num,
    den,
  ]);
  return { params, vector: v };
}

/** A layer's operand-matrix dimensions (E, K, N) and repeat count, validated. */
export function layerDimensions(layer: SystolicLayer): {
  ofmapPixels: number;
  windowSize: number;
  filters: number;
  repeat: number;
} {
  const what = `layer${layer?.name ? ` '${layer.name}'` : ""}`;
  if (typeof layer !== "object" || layer === null) fail("layer", "must be an object");
  const repeat = layer.repeat === undefined ? 1 : positiveInt(what, "repeat", layer.repeat);
  if (layer.kind === "gemm") {
    const m = positiveInt(what, "m", layer.m);
    const n = positiveInt(what, "n", layer.n);
    const k = positiveInt(what, "k", layer.k);
    return { ofmapPixels: m, windowSize: k, filters: n, repeat };
  }
  if (layer.kind !== "conv")
    fail(what, `kind must be "conv" or "gemm", got ${JSON.stringify((layer as { kind: unknown }).kind)}`);
  const pad = layer.padding ?? [0, 0, 0, 0];
  if (!Array.isArray(pad) || pad.length !== 4 || pad.some((x) => !Number.isInteger(x) || x < 0 || x > 2 ** 20))
    fail(what, `padding must be [top, bottom, left, right] non-negative integers, got ${JSON.stringify(pad)}`);
  const h = positiveInt(what, "ifmapH", layer.ifmapH) + pad[0] + pad[1];
  const w = positiveInt(what, "ifmapW", layer.ifmapW) + pad[2] + pad[3];
  const fh = positiveInt(what, "filterH", layer.filterH);
  const fw = positiveInt(what, "filterW", layer.filterW);
  const c = positiveInt(what, "channels", layer.channels);
  const n = positiveInt(what, "filters", layer.filters);
  const sh = positiveInt(what, "strideH", layer.strideH);
  const sw = layer.strideW === undefined ? sh : positiveInt(what, "strideW", layer.strideW);
  const batch = layer.batch === undefined ? 1 : positiveInt(what, "batch", layer.batch);
  if (fh > h || fw > w) fail(what, `filter ${fh}x${fw} is larger than the (padded) ifmap ${h}x${w}`);
  // SCALE-Sim's ofmap size, ceil((H - F + S) / S): a last, partial window counts
  const eh = Math.ceil((h - fh) / sh) + 1;
  const ew = Math.ceil((w - fw) / sw) + 1;
  return { ofmapPixels: batch * eh * ew, windowSize: fh * fw * c, filters: n, repeat };
}

/** Rough upper bound of every value the engine computes; rejects layers that could lose exactness. */
function checkBounds(what: string, v: Float64Array, e: number, k: number, n: number): void {
  const [R, C, df, , , , num, den] = v;
  const [sr, sc, t] = df === DataflowCode.os ? [e, n, k] : df === DataflowCode.ws ? [k, n, e] : [k, e, n];
  const folds = Math.ceil(sr / R) * Math.ceil(sc / C);
  const compute = folds * (2 * R + C + t);
  const words = folds * (R + C) * t + e * k + k * n + e * n;
  const bound = compute + words * (num === 0 ? 1 : den / num + 1) + e * k * n;
  if (!(bound < LIMIT)) fail(what, "is too large to simulate exactly (values would exceed 2^51)");
}

/** Simulate layers on one array (each from empty SRAMs); one engine call for the whole batch. */
export function simulateSystolicLayers(
  engine: Engine,
  params: SystolicParamsInput,
  layers: readonly SystolicLayer[],
): SystolicReport[] {
  const { params: p, vector } = systolicParamVector(params);
  const dims = layers.map((l) => layerDimensions(l));
  const input = new Float64Array(dims.length * NUM_SYSTOLIC_LAYER);
  dims.forEach((d, i) => {
    checkBounds(
      `layer${layers[i].name ? ` '${layers[i].name}'` : ` ${i}`}`,
      vector,
      d.ofmapPixels,
      d.windowSize,
      d.filters,
    );
    input.set([d.ofmapPixels, d.windowSize, d.filters], i * NUM_SYSTOLIC_LAYER);
  });
  const out = engine.simulateSystolic(vector, input, dims.length);
  if (out.length !== dims.length * NUM_SYSTOLIC_RESULTS)
    throw new Error(
      `engine ${engine.name} returned ${out.length} systolic results, expected ${dims.length * NUM_SYSTOLIC_RESULTS}`,
    );
  return dims.map((d, i) => report(p, layers[i], d, out, i * NUM_SYSTOLIC_RESULTS));
}

/** Simulate one layer: the report with SCALE-Sim's figures and their ratios. */
export function simulateSystolicLayer(
  engine: Engine,
  params: SystolicParamsInput,
  layer: SystolicLayer,
): SystolicReport {
  return simulateSystolicLayers(engine, params, [layer])[0];
}

function report(
  p: SystolicParams,
  layer: SystolicLayer,
  d: ReturnType<typeof layerDimensions>,
  out: Float64Array,
  o: number,
): SystolicReport {
  const r = (name: SystolicResultName) => out[o + SYSTOLIC_RESULTS.indexOf(name)];
  const x = d.repeat;
  const [sr, sc, t] =
    p.dataflow === "os"
      ? [d.ofmapPixels, d.filters, d.windowSize]
      : p.dataflow === "ws"
        ? [d.windowSize, d.filters, d.ofmapPixels]
        : [d.windowSize, d.ofmapPixels, d.filters];
  const pes = p.rows * p.cols;
  const folds = r("rowFolds") * r("colFolds");
  const computeCycles = x * r("computeCycles");
  const stallCycles = x * r("stallCycles");
  const drainCycles = x * r("drainCycles");
  const totalCycles = computeCycles + stallCycles - 1;
  const macs = x * r("macs");
  // one object literal of fixed shape (a spread in front of it made V8 build a new map per report)
  return {
    name: layer.name,
    dataflow: p.dataflow,
    rows: p.rows,
    cols: p.cols,
    ofmapPixels: d.ofmapPixels,
    windowSize: d.windowSize,
    filters: d.filters,
    sr,
    sc,
    t,
    rowFolds: r("rowFolds"),
    colFolds: r("colFolds"),
    folds,
    repeat: x,
    cyclesPerFold: r("cyclesPerFold"),
    computeCycles,
    stallCycles,
    ifmapStallCycles: x * r("ifmapStallCycles"),
    filterStallCycles: x * r("filterStallCycles"),
    ofmapStallCycles: x * r("ofmapStallCycles"),
    totalCycles,
    drainCycles,
    latencyCycles: computeCycles + stallCycles + drainCycles,
    macs,
    // a one-cycle layer would have totalCycles 0; SCALE-Sim divides by zero there, we count it as 1
    overallUtilisation: macs / (Math.max(1, totalCycles) * pes),
    mappingEfficiency: r("mappedPes") / (folds * pes),
    computeUtilisation: macs / (computeCycles * pes),
    ifmapSramReads: x * r("ifmapSramReads"),
    ifmapSramWrites: x * r("ifmapDramReads"),
    filterSramReads: x * r("filterSramReads"),
    filterSramWrites: x * r("filterDramReads"),
    ofmapSramWrites: x * r("ofmapSramWrites"),
    ofmapSramReads: x * r("ofmapDramWrites"),
    ifmapDramReads: x * r("ifmapDramReads"),
    filterDramReads: x * r("filterDramReads"),
    ofmapDramWrites: x * r("ofmapDramWrites"),
    ifmapFills: x * r("ifmapFills"),
    filterFills: x * r("filterFills"),
    ofmapDrains: x * r("ofmapDrains"),
  };
}

// ---- graph nodes --------------------------------------------------------------------------

function spec(graph: Graph, node: Node, i: number): TensorSpec {
  const ref = node.inputs[i];
  const s = ref === undefined ? undefined : graph.tensors[ref];
  if (s === undefined) throw new InputError(`node '${node.name}': input ${i} (${String(ref)}) has no tensor spec`);
  return s;
}

/**
 * The SCALE-Sim layer of a node: conv (the ifmap is the padded input's extent the windows
 * cover, (outH - 1) * strideH + filterH by (outW - 1) * strideW + filterW, so that the ofmap is
 * the node's; the batch stacks into the ofmap pixels), depthwise_conv (one single-channel, single-filter conv per channel, as SCALE-Sim's
 * "DP" layers: repeat = channels), inner_product (GEMM batch x in x out) and batched_matmul
 * (one GEMM with the batches stacked into M when B is shared, else one GEMM per batch).
 * Returns undefined for operators a systolic array does not run.
 */
export function systolicLayerFromNode(node: Node, graph: Graph): SystolicLayer | undefined {
  const name = node.name;
  switch (node.op) {
    case "conv":
    case "depthwise_conv": {
      const x = spatial(spec(graph, node, 0));
      const w = spec(graph, node, 1);
      const s = w.shape;
      const [kh, kw] = w.layout === "NHWC" ? [s[1], s[2]] : [s[2], s[3]];
      const o = s[0];
      const [sh, sw] = node.params.stride as [number, number];
      // the padded input rows and columns the windows cover, so that SCALE-Sim's rounding-up
      // output size is the node's output size (a remainder the windows skip is not read)
      const out = spatial(graph.tensors[name] ?? fail(`node '${name}'`, "has no output spec"));
      const common = {
        kind: "conv" as const,
        name,
        ifmapH: (out.h - 1) * sh + kh,
        ifmapW: (out.w - 1) * sw + kw,
        filterH: kh,
        filterW: kw,
      };
      const geometry = { strideH: sh, strideW: sw, batch: x.n };
      if (node.op === "depthwise_conv") return { ...common, channels: 1, filters: 1, ...geometry, repeat: x.c };
      return { ...common, channels: x.c, filters: o, ...geometry };
    }
    case "inner_product": {
      const x = spec(graph, node, 0);
      const w = spec(graph, node, 1);
      const out = w.layout === "CN" ? w.shape[1] : w.shape[0];
      return { kind: "gemm", name, m: x.shape[0], k: x.shape[1], n: out };
    }
    case "batched_matmul": {
      const g = matmulGeometry(
        spec(graph, node, 0),
        spec(graph, node, 1),
        node.params.transposeA === true,
        node.params.transposeB === true,
      );
      if (g.batchB === 1) return { kind: "gemm", name, m: g.batchA * g.m, k: g.k, n: g.n };
      return { kind: "gemm", name, m: g.m, k: g.k, n: g.n, repeat: g.batch };
    }
    default:
      return undefined;
  }
}

// ---- SCALE-Sim files ----------------------------------------------------------------------

/**
 * Layers of a SCALE-Sim topology CSV. The header row decides the format: "Layer, M, N, K" rows
 * are GEMMs, anything else is conv rows "name, ifmap H, ifmap W, filter H, filter W, channels,
 * filters, stride" (inputs already padded). Columns past those are ignored, as are blank rows
 * and rows without a name and numbers. A conv row whose name contains "DP" is depthwise:
 * SCALE-Sim runs it as one single-channel layer per channel, here one layer with
 * channels 1 and repeat = channels.
 */
export function parseScaleSimTopology(csvText: string): SystolicLayer[] {
  const lines = csvText.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((s) => s.trim().toLowerCase());
  const gemm = header[1] === "m" && header[2] === "n" && header[3] === "k";
  const layers: SystolicLayer[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",").map((s) => s.trim());
    if (cells.every((c) => c === "")) continue;
    const name = cells[0];
    const wanted = gemm ? 3 : 7;
    const nums = cells.slice(1, 1 + wanted);
    if (nums.every((c) => c === "")) continue;
    const where = `topology line ${i + 1}${name ? ` ('${name}')` : ""}`;
    const values = nums.map((c, j) => {
      const v = Number(c);
      if (c === "" || !Number.isInteger(v) || v < 1)
        throw new InputError(`${where}: column ${j + 2} must be a positive integer, got ${JSON.stringify(c)}`);
      return v;
    });
    if (values.length < wanted) throw new InputError(`${where}: expected ${wanted + 1} columns, got ${cells.length}`);
    if (gemm) {
      const [m, n, k] = values;
      layers.push({ kind: "gemm", name, m, n, k });
      continue;
    }
    const [ifmapH, ifmapW, filterH, filterW, channels, filters, stride] = values;
    const depthwise = name.includes("DP");
    const layer: ConvLayer = {
      kind: "conv",
      name,
      ifmapH,
      ifmapW,
      filterH,
      filterW,
      channels: depthwise ? 1 : channels,
      filters,
      strideH: stride,
      strideW: stride,
    };
    if (depthwise) layer.repeat = channels;
    layerDimensions(layer); // reject a filter larger than the ifmap here, with the line number
    layers.push(layer);
  }
  return layers;
}

/** A SCALE-Sim .cfg file as smaug-sim parameters. */
export interface ScaleSimConfig {
  runName: string;
  /**
   * The array. wordBytes is 1 (SCALE-Sim sizes SRAMs in kB of one-byte words). In CALC mode
   * (InterfaceBandwidth: CALC) SCALE-Sim does not limit the bandwidth, so
   * bandwidthWordsPerCycle is Infinity; in USER mode it is the configured Bandwidth.
   */
  params: SystolicParams;
  interfaceBandwidth: "CALC" | "USER";
  /** the Bandwidth entry (first value if several), whatever the mode */
  configuredBandwidth?: number;
}

/** Read a SCALE-Sim configuration (INI: [general], [architecture_presets], [run_presets]). */
export function parseScaleSimConfig(cfgText: string): ScaleSimConfig {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  cfgText.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      current = new Map();
      sections.set(sec[1].trim().toLowerCase(), current);
      return;
    }
    const m = /^([^:=]+)[:=](.*)$/.exec(line);
    if (!m || current === undefined)
      throw new InputError(`config line ${i + 1}: expected "key: value" inside a section`);
    current.set(m[1].trim().toLowerCase(), m[2].trim());
  });
  const get = (section: string, key: string): string | undefined => sections.get(section)?.get(key.toLowerCase());
  const arch = (key: string): number => {
    const v = get("architecture_presets", key);
    const n = Number(v);
    if (v === undefined || v === "" || !Number.isFinite(n))
      throw new InputError(`config [architecture_presets] ${key}: expected a number, got ${JSON.stringify(v)}`);
    return n;
  };
  const dataflow = get("architecture_presets", "Dataflow");
  if (!(DATAFLOWS as readonly string[]).includes(dataflow ?? ""))
    throw new InputError(
      `config [architecture_presets] Dataflow: expected os, ws or is, got ${JSON.stringify(dataflow)}`,
    );
  const mode = (get("run_presets", "InterfaceBandwidth") ?? "CALC").toUpperCase();
  if (mode !== "CALC" && mode !== "USER")
    throw new InputError(`config [run_presets] InterfaceBandwidth: expected CALC or USER, got ${JSON.stringify(mode)}`);
  const bwText = get("architecture_presets", "Bandwidth");
  const configuredBandwidth = bwText === undefined ? undefined : Number(bwText.split(",")[0]);
  if (mode === "USER" && !(configuredBandwidth !== undefined && configuredBandwidth > 0))
    throw new InputError(
      `config [architecture_presets] Bandwidth: USER mode needs a positive number, got ${JSON.stringify(bwText)}`,
    );
  const input: SystolicParamsInput = {
    rows: arch("ArrayHeight"),
    cols: arch("ArrayWidth"),
    dataflow: dataflow as Dataflow,
    ifmapSramKiB: arch("IfmapSramSzkB"),
    filterSramKiB: arch("FilterSramSzkB"),
    ofmapSramKiB: arch("OfmapSramSzkB"),
    bandwidthWordsPerCycle: mode === "USER" ? configuredBandwidth : Number.POSITIVE_INFINITY,
    wordBytes: 1,
  };
  const { params } = systolicParamVector(input);
  return {
    runName: get("general", "run_name") ?? "",
    params,
    interfaceBandwidth: mode,
    ...(configuredBandwidth === undefined || Number.isNaN(configuredBandwidth) ? {} : { configuredBandwidth }),
  };
}
