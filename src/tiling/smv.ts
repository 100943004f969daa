/**
 * The SMV tiling optimiser and invocation loop nests (smaug-facts, "The SMV accelerator" and
 * "Tiling (the SMV tiling optimiser)"; docs/smv-tiling.md has the same rules with a worked example).
 *
 * Every number comes from SmvParams: P = pes, M = maccsPerPe, L = vectorLanes, and the
 * capacity of each scratchpad in fp16 elements, spadElements(KiB). Tensors are NHWC (4-D) or NC
 * (2-D), their innermost dimension aligned up to L; a tile occupies its shape's elements with the
 * innermost dimension rounded up to L ("storage").
 *
 * 1. Strategy of each tensor. For a tensor and a minimum tile shape, the first of None, DimN,
 *    DimNC, DimNH, DimNW, DimNHW, DimNCH, DimNCW (2-D: None, DimN, DimNC) whose minimum tile fits
 *    the tensor's scratchpad wins: the minimum tile of a strategy is the whole tensor with the
 *    strategy's dimensions cut to their minimum (never above the tensor's own extent). None left
 *    is a TilingError naming the layer, the tensor, its smallest tile and the scratchpad.
 *    Minimum tiles:
 *      conv            inputs {1, kH, W, M}   weights {P, kH, kW, M}   outputs {1, 1, Wo, P}
 *      inner product   inputs {1, M}          weights {P, M}           outputs {1, P}
 *      pooling         inputs {1, pH, pW, L}  outputs {1, 1, 1, L}
 *      batch norm      inputs {1, L, L, L} (NC: {1, L})                weights {4, L}
 *      depthwise       inputs {1, kH, W, L}   weights {L, kH, kW, 1}   outputs {1, 1, Wo, L}
 * 2. Coupling. conv: weights tiled (by N, i.e. output channels) force outputs DimNC; inputs tiled
 *    by H force outputs DimNH (DimNCH when the outputs are channel-tiled). Inner product: tiled
 *    weights force tiled outputs to DimNC. Pooling: inputs tiled by H (W) force the outputs to
 *    tile H (W) too. Batch norm: outputs = inputs.
 * 3. Enumeration, from the minimum upward: batch tiles 1, 2, ..., N; input channels in steps of M
 *    (pooling, batch norm, depthwise: L); output channels / weight kernels in steps of P; conv and
 *    pooling rows (columns) in steps of the window's row (column) stride from the window size;
 *    batch-norm rows and columns in steps of L. Inputs first, then weights compatible with them
 *    (same channel tile when the inputs are channel-tiled, else their own channel tile), then
 *    outputs (conv: rows follow the input row tile, channels follow the weight tile, or are
 *    enumerated on their own when the weights are whole).
 * 4. Selection: among the combinations where every tile fits its scratchpad, the one with the
 *    largest inputs + weights + outputs storage; the first one enumerated wins a tie.
 * 5. Halos. Row (column) tiles are cut on the output: the first output tile gets as many rows as
 *    an input tile of the chosen height yields with the top padding, the following ones as many as
 *    it yields without padding, the last one whatever remains when it fits. Each input tile holds
 *    exactly the input rows its output rows read, so consecutive input tiles overlap by the kernel
 *    halo kH - sH rows (skip sH - kH rows when the stride exceeds the kernel). `Tile.padding` is the
 *    zero padding the tile's windows reach into: the layer's padding at the tensor border, 0
 *    inside. (A tensor held whole carries the layer's padding.)
 * 6. Extensions, only where SMAUG's rules find no combination (SMAUG asserts there): conv cuts
 *    the input rows when the outputs need rows cut and enumerates the output channels of whole
 *    weights even when rows are cut, then cuts the batch of whole inputs (and of the outputs);
 *    pooling cuts the outputs in lockstep with the inputs (with the inputs' strategy, then with
 *    the dimensions the outputs need added, then with the input rows added, union(inputs, DimNH),
 *    which also covers the case where no strategy cuts the union of both); post-conv batch norm
 *    cuts weights too large for their scratchpad in the inputs' channel tiles.
 * 7. Labels. `TiledTensor.strategy` names the cut actually made, derived from the grid
 *    (gridStrategy: the strategy cutting exactly the dimensions with more than one tile), not the
 *    strategy the enumeration used: those differ where a strategy's dimension ends up whole or a
 *    coupled tensor is cut by its partner's tiles (SMAUG calls conv weights cut by kernels and by
 *    the inputs' channel tiles DimN; here they are DimNC). docs/smv-tiling.md lists the cases.
 *
 * Storage is always aligned: a channel tile enumerated in steps of M or P that is not a whole
 * number of vectors still occupies whole vectors, so no tile's aligned storage exceeds its
 * scratchpad.
 *
 * Output tiles follow the work (so that every invocation owns exactly its output tile): when the
 * weights of an inner product are cut by neurons, or the inputs of a pooling / post-FC batch norm
 * are cut by channels, the output tiles are cut the same way ("emission coupling"), even where
 * SMAUG kept one output tile in the scratchpad and wrote slices of it. The selection is SMAUG's
 * (it reserves the larger output tile); the emitted output tiles are never larger.
 *
 * Depthwise convolution (SMAUG never had it): the weights [C, kH, kW, 1] are held with their
 * channel dimension (dim 0, the one SMV vectorises) aligned to L, innermost 1 unpadded; inputs,
 * weights and outputs are cut into the same channel groups (multiples of L), no input-channel
 * reduction; rows like conv. One invocation per (batch tile, channel group, row tile), channel
 * groups outside rows so a weight tile stays resident across the rows.
 *
 * Global average pooling: pooling with the window = the whole H x W (stride 1, no padding); its
 * NC output is tiled [N, C] like the 4-D view [N, 1, 1, C].
 *
 * Unary operators, element-wise add/mul and compares: the tensors seen flat as [1, elements of the
 * aligned shape], cut into contiguous tiles of min(capacity, elements) rounded down to whole
 * vectors (a scratchpad below one vector is a TilingError); a broadcast operand that is not the
 * output's size stays whole and resident. Operand roles: "inputs" (the first operand of the
 * output's size) and "inputs1" (the other, held in the weights scratchpad as SMAUG does).
 * Softmax: [rows, row length] with rows never split; tiles of whole rows.
 *
 * Loop nests (SMAUG's SMV operators): conv and inner product: batch tiles, output-row tiles,
 * output-channel tiles (weight-kernel tiles), then the input-channel tiles accumulated on one
 * accelerator. `chain` is one id per output tile; `accumulate` is set on every input-channel tile
 * after the first of its chain and `sendResults` on its last. Pooling and batch norm: batch, rows,
 * columns, channels, one chain per invocation. `readInputs` / `readWeights` are false when the
 * previous invocation used the same tile (it is still resident); inputs1 sits in the weights
 * scratchpad and loads with the weights (readWeights), so a broadcast operand loads once.
 */

import { SMV_ELEMENT_BYTES, type SmvParams, smvOutputElementBytes, spadElements } from "../accel/smv-params.js";
import type { Invocation } from "../accel/types.js";
import { InputError } from "../errors.js";
import { innerProductWeights, normAxis, resolvePadding } from "../graph/ops.js";
import { fmtShape, numElements } from "../graph/tensor.js";
import type { Graph, Node, Padding, TensorSpec } from "../graph/types.js";
import type { Tile, TiledTensor, TilingStrategy } from "./types.js";

/** No tiling of a layer fits SMV's scratchpads (or SMV cannot run it): names the layer and what did not fit. */
export class TilingError extends InputError {}

export interface SmvLayerTiling {
  op: string;
  tensors: TiledTensor[];
  invocations: Omit<Invocation, "cost">[];
}

/** Which scratchpad holds each role (inputs1, the second operand of element-wise ops, sits in the weights one). */
export const SMV_ROLE_SCRATCHPAD: Readonly<Record<string, "inputs" | "weights" | "outputs">> = {
  inputs: "inputs",
  inputs1: "weights",
  weights: "weights",
  outputs: "outputs",
};

const UNARY = new Set(["relu", "leaky_relu", "elu", "selu", "tanh", "hard_tanh", "sigmoid"]);
const BINARY = new Set(["add", "mul", "less", "less_equal", "greater", "greater_equal"]);

/** Tile the layer `node` of `graph` for SMV with parameters `p`, and order its invocations. */
export function tileSmvLayer(node: Node, graph: Graph, p: SmvParams): SmvLayerTiling {
  const c = new Ctx(node, graph, p);
  switch (node.op) {
    case "conv":
      return tileConv(c);
    case "depthwise_conv":
      return tileDepthwise(c);
    case "inner_product":
      return tileInnerProduct(c);
    case "max_pool":
    case "avg_pool":
    case "global_avg_pool":
      return tilePool(c);
    case "batch_norm":
      return tileBatchNorm(c);
    case "softmax":
      return tileSoftmax(c);
    default:
      if (UNARY.has(node.op) || BINARY.has(node.op)) return tileFlat(c);
      throw new TilingError(`${c.where}: SMV does not run ${node.op}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Strategies

type Letter = "N" | "C" | "H" | "W";

const STRATEGY_LETTERS: Record<TilingStrategy, string> = {
  None: "",
  DimN: "N",
  DimNC: "NC",
  DimNH: "NH",
  DimNW: "NW",
  DimNHW: "NHW",
  DimNCH: "NCH",
  DimNCW: "NCW",
};
const ORDER_4D: TilingStrategy[] = ["None", "DimN", "DimNC", "DimNH", "DimNW", "DimNHW", "DimNCH", "DimNCW"];
const ORDER_2D: TilingStrategy[] = ["None", "DimN", "DimNC"];

const CUTS = Object.fromEntries(
  ORDER_4D.map((s) => [
    s,
    {
      C: STRATEGY_LETTERS[s].includes("C"),
      H: STRATEGY_LETTERS[s].includes("H"),
      W: STRATEGY_LETTERS[s].includes("W"),
    },
  ]),
) as Record<TilingStrategy, Record<Exclude<Letter, "N">, boolean>>;
const hasC = (s: TilingStrategy): boolean => CUTS[s].C;
const hasH = (s: TilingStrategy): boolean => CUTS[s].H;
const hasW = (s: TilingStrategy): boolean => CUTS[s].W;

/** The strategy cutting exactly these dimensions (N is cut by every strategy but None). */
function strategyOf(c: Ctx, d: { n?: boolean; c?: boolean; h?: boolean; w?: boolean }): TilingStrategy {
  if (!d.n && !d.c && !d.h && !d.w) return "None";
  const letters = `N${d.c ? "C" : ""}${d.h ? "H" : ""}${d.w ? "W" : ""}`;
  const s = ORDER_4D.find((x) => STRATEGY_LETTERS[x] === letters);
  if (s === undefined) throw new TilingError(`${c.where}: would need tiling by ${letters}, which no SMV strategy does`);
  return s;
}

/** `s` with the dimensions of `t` added. */
function union(c: Ctx, s: TilingStrategy, t: TilingStrategy): TilingStrategy {
  if (s === "None" && t === "None") return "None";
  return strategyOf(c, { n: true, c: hasC(s) || hasC(t), h: hasH(s) || hasH(t), w: hasW(s) || hasW(t) });
}

/** `s` with the dimensions of `t` added, or undefined when no strategy cuts them all. */
function tryUnion(s: TilingStrategy, t: TilingStrategy): TilingStrategy | undefined {
  const letters = `N${hasC(s) || hasC(t) ? "C" : ""}${hasH(s) || hasH(t) ? "H" : ""}${hasW(s) || hasW(t) ? "W" : ""}`;
  if (s === "None" && t === "None") return "None";
  return ORDER_4D.find((x) => STRATEGY_LETTERS[x] === letters);
}

// ---------------------------------------------------------------------------------------------
// Context

class Ctx {
  readonly L: number;
  readonly P: number;
  readonly M: number;
  readonly cap: { inputs: number; weights: number; outputs: number };
  readonly where: string;

  constructor(
    readonly node: Node,
    readonly graph: Graph,
    readonly p: SmvParams,
  ) {
    this.L = p.vectorLanes;
    this.P = p.pes;
    this.M = p.maccsPerPe;
    this.cap = {
      inputs: spadElements(p.inputsSpadKiB),
      weights: spadElements(p.weightsSpadKiB),
      outputs: spadElements(p.outputsSpadKiB),
    };
    this.where = `node '${node.name}' (${node.op})`;
    for (const ref of node.inputs) {
      const spec = graph.tensors[ref];
      if (spec?.layout === "NCHW")
        throw new TilingError(
          `${this.where}: input '${ref}' is NCHW ${fmtShape(spec.shape)}; SMV runs NHWC tensors only (reorder it to NHWC first)`,
        );
    }
  }

  /** `n` rounded up to the alignment (vector lanes). */
  al(n: number): number {
    return Math.ceil(n / this.L) * this.L;
  }

  /**
   * Scratchpad elements of the largest innermost extent `chunks(aligned, real, t)` makes, aligned
   * up to L (channel tiles in steps of M or P need not be whole vectors).
   */
  ext(aligned: number, real: number, t: number): number {
    return this.al(chunkMax(aligned, real, t));
  }

  /** Scratchpad elements of a tile: its shape with the innermost dimension aligned (unless `alignLast` is false). */
  storage(shape: readonly number[], alignLast = true): number {
    let n = 1;
    for (let i = 0; i < shape.length - 1; i++) n *= shape[i];
    const last = shape[shape.length - 1];
    return n * (alignLast ? this.al(last) : last);
  }

  spec(ref: string): TensorSpec {
    const s = this.graph.tensors[ref];
    if (s === undefined) throw new Error(`SMV tiling: ${this.where} refers to unknown tensor '${ref}'`);
    return s;
  }

  /** The node's activation input `i`, which must be 4-D NHWC. */
  nhwc(i: number): { ref: string; n: number; h: number; w: number; c: number } {
    const ref = this.node.inputs[i];
    const s = this.spec(ref);
    if (s.shape.length !== 4 || s.layout !== "NHWC")
      throw new TilingError(
        `${this.where}: input '${ref}' must be a 4-D NHWC tensor, got ${s.layout} ${fmtShape(s.shape)}`,
      );
    const [n, h, w, c] = s.shape;
    return { ref, n, h, w, c };
  }

  /**
   * SMAUG's strategy choice for one tensor (aligned `shape`, NHWC or NC) given its minimum tile:
   * the first strategy in preference order whose minimum tile fits `capacity`.
   */
  choose(
    role: string,
    ref: string,
    shape: number[],
    min: number[],
    capacity: number,
    alignLast = true,
  ): TilingStrategy {
    const order = shape.length === 4 ? ORDER_4D : ORDER_2D;
    for (const s of order) if (this.storage(minTile(shape, min, s), alignLast) <= capacity) return s;
    const smallest = minTile(shape, min, order[order.length - 1]);
    if (shape.length === 4) {
      smallest[1] = Math.min(shape[1], min[1]);
      smallest[2] = Math.min(shape[2], min[2]);
    }
    throw new TilingError(
      `${this.where}: ${role} '${ref}' ${fmtShape(shape)} cannot be tiled to fit the ${capacity}-element ` +
        `${SMV_ROLE_SCRATCHPAD[role] ?? role} scratchpad: its smallest tile ${fmtShape(smallest)} has ` +
        `${this.storage(smallest, alignLast)} elements`,
    );
  }

  /** No combination of tile shapes fits: name the strategies and the smallest tiles. */
  noFit(parts: { role: string; strategy: TilingStrategy; min: number[]; alignLast?: boolean }[]): TilingError {
    const what = parts
      .map((x) => {
        const t = x.min;
        return `${x.role} ${x.strategy} (smallest tile ${fmtShape(t)} = ${this.storage(t, x.alignLast ?? true)})`;
      })
      .join(", ");
    const caps = `inputs ${this.cap.inputs}, weights ${this.cap.weights}, outputs ${this.cap.outputs} elements`;
    return new TilingError(`${this.where}: no combination of tile shapes fits the scratchpads (${caps}): ${what}`);
  }
}

/** The minimum tile of strategy `s`: the tensor with the strategy's dimensions cut to their minimum. */
function minTile(shape: number[], min: number[], s: TilingStrategy): number[] {
  const t = [...shape];
  if (s === "None") return t;
  const last = shape.length - 1;
  t[0] = Math.min(shape[0], min[0]);
  if (hasC(s)) t[last] = Math.min(shape[last], min[last]);
  if (shape.length === 4) {
    if (hasH(s)) t[1] = Math.min(shape[1], min[1]);
    if (hasW(s)) t[2] = Math.min(shape[2], min[2]);
  }
  return t;
}

/** start, start + step, ... up to max (start capped at max). */
function steps(start: number, step: number, max: number): number[] {
  const out: number[] = [];
  for (let v = Math.min(start, max); v <= max; v += step) out.push(v);
  return out;
}

function upTo(n: number): number[] {
  return steps(1, 1, n);
}

// ---------------------------------------------------------------------------------------------
// Spans: how one dimension is cut

interface Span {
  origin: number;
  size: number;
  /** Real extent (the alignment padding excluded). */
  valid: number;
  /** Zero padding before and after (window dimensions of conv/pool inputs). */
  pad?: [number, number];
}

/**
 * Cut a dimension of `aligned` elements, `real` of them real, into tiles of `t`: ceil(real / t)
 * tiles, the last one reaching to the aligned end (so it carries the alignment padding).
 */
function chunks(aligned: number, real: number, t: number): Span[] {
  if (t >= real) return [{ origin: 0, size: aligned, valid: real }];
  const n = Math.ceil(real / t);
  const out: Span[] = [];
  for (let i = 0; i < n; i++) {
    const origin = i * t;
    const size = i === n - 1 ? aligned - origin : t;
    out.push({ origin, size, valid: Math.min(size, real - origin) });
  }
  return out;
}

/** The largest tile `chunks` makes. */
function chunkMax(aligned: number, real: number, t: number): number {
  if (t >= real) return aligned;
  return Math.max(t, aligned - (Math.ceil(real / t) - 1) * t);
}

/** One window dimension (rows or columns of conv/pool) cut into output tiles and the input tiles they read. */
interface WindowSplit {
  out: Span[];
  in: Span[];
  maxIn: number;
  maxOut: number;
}

/**
 * Cut `outSize` outputs of a window (size k, stride s, padding pb before and pa after) over
 * `inSize` inputs so that no input tile exceeds `t` rows (t >= min(k, inSize)). See the header
 * (5. Halos): the first tile uses the top padding, inner tiles yield floor((t - k) / s) + 1 rows,
 * the last takes what remains when its rows fit.
 */
function windowSplit(
  inSize: number,
  outSize: number,
  k: number,
  s: number,
  pb: number,
  pa: number,
  t: number,
): WindowSplit {
  if (t >= inSize)
    return {
      out: [{ origin: 0, size: outSize, valid: outSize }],
      in: [{ origin: 0, size: inSize, valid: inSize, pad: [pb, pa] }],
      maxIn: inSize,
      maxOut: outSize,
    };
  const out: Span[] = [];
  const inp: Span[] = [];
  let maxIn = 0;
  let maxOut = 0;
  const endAll = Math.min(inSize, (outSize - 1) * s - pb + k);
  for (let o = 0; o < outSize; ) {
    const start = o * s - pb;
    const lo = Math.max(0, start);
    let count: number;
    if (endAll - lo <= t) count = outSize - o;
    else count = Math.min(outSize - o, Math.max(1, Math.floor((t + lo + pb - k) / s) - o + 1));
    const hiRaw = (o + count - 1) * s - pb + k;
    const hi = Math.min(inSize, hiRaw);
    out.push({ origin: o, size: count, valid: count });
    inp.push({ origin: lo, size: hi - lo, valid: hi - lo, pad: [lo - start, Math.max(0, hiRaw - inSize)] });
    maxIn = Math.max(maxIn, hi - lo);
    maxOut = Math.max(maxOut, count);
    o += count;
  }
  return { out, in: inp, maxIn, maxOut };
}

/** A memo of windowSplit by tile height. */
function splitter(inSize: number, outSize: number, k: number, s: number, pb: number, pa: number) {
  const memo = new Map<number, WindowSplit>();
  return (t: number): WindowSplit => {
    let r = memo.get(t);
    if (r === undefined) {
      r = windowSplit(inSize, outSize, k, s, pb, pa, t);
      memo.set(t, r);
    }
    return r;
  };
}

const whole = (n: number): Span[] => [{ origin: 0, size: n, valid: n }];

// ---------------------------------------------------------------------------------------------
// Tiled tensors and loop nests

/**
 * The strategy label of a tile grid: the SMAUG strategy cutting exactly the dimensions with more
 * than one tile. 4-D grids are [N, H, W, C] (conv weights [O, kH, kW, I]: O counts as N, I as C;
 * depthwise weights [C, kH, kW, 1]: the channel groups count as N), 2-D grids [N, C] (flat tiles
 * [1, elements]: C; softmax [rows, row]: N). N is cut by every strategy but None, so a cut in C,
 * H or W alone is labelled DimNC, DimNH, DimNW. Undefined when no strategy cuts those dimensions.
 */
export function gridStrategy(gridShape: readonly number[]): TilingStrategy | undefined {
  const rank = gridShape.length;
  const cut = (d: number): boolean => (gridShape[d] ?? 1) > 1;
  const n = cut(0);
  const ch = rank > 1 && cut(rank - 1);
  const h = rank === 4 && cut(1);
  const w = rank === 4 && cut(2);
  if (!n && !ch && !h && !w) return "None";
  const letters = `N${ch ? "C" : ""}${h ? "H" : ""}${w ? "W" : ""}`;
  return ORDER_4D.find((x) => STRATEGY_LETTERS[x] === letters);
}

/**
 * A tiled tensor from its spans per dimension. Its strategy is the label of the grid actually
 * produced (gridStrategy), not the strategy the enumeration started from: a strategy's
 * dimensions may end up whole, and coupled tensors may be cut in dimensions of their own.
 */
function makeTiled(
  c: Ctx,
  o: {
    tensor: string;
    role: string;
    shape: number[];
    realShape: number[];
    spans: Span[][];
    /** Dimensions whose spans carry the [top, bottom] and [left, right] padding. */
    padDims?: [number, number];
  },
): TiledTensor {
  const rank = o.spans.length;
  const gridShape = o.spans.map((s) => s.length);
  const strategy = gridStrategy(gridShape);
  if (strategy === undefined)
    throw new TilingError(
      `${c.where}: ${o.role} '${o.tensor}' would be cut into a ${gridShape.join("x")} grid, which no SMV strategy does`,
    );
  const tileShape = o.spans.map((s) => s.reduce((m, x) => Math.max(m, x.size), 0));
  const count = numElements(gridShape);
  const tiles: Tile[] = new Array(count);
  const g = new Array<number>(rank).fill(0);
  const padDims = o.padDims;
  for (let index = 0; index < count; index++) {
    const grid = new Array<number>(rank);
    const origin = new Array<number>(rank);
    const shape = new Array<number>(rank);
    const valid = new Array<number>(rank);
    for (let d = 0; d < rank; d++) {
      const s = o.spans[d][g[d]];
      grid[d] = g[d];
      origin[d] = s.origin;
      shape[d] = s.size;
      valid[d] = s.valid;
    }
    const tile: Tile = { index, grid, origin, shape, valid };
    if (padDims !== undefined) {
      const ph = o.spans[padDims[0]][g[padDims[0]]].pad ?? [0, 0];
      const pw = o.spans[padDims[1]][g[padDims[1]]].pad ?? [0, 0];
      tile.padding = [ph[0], ph[1], pw[0], pw[1]];
    }
    tiles[index] = tile;
    for (let d = rank - 1; d >= 0; d--) {
      if (++g[d] < gridShape[d]) break;
      g[d] = 0;
    }
  }
  return {
    tensor: o.tensor,
    role: o.role,
    shape: o.shape,
    realShape: o.realShape,
    elementBytes: o.role === "outputs" ? smvOutputElementBytes(c.node.op) : SMV_ELEMENT_BYTES,
    strategy,
    tileShape,
    gridShape,
    tiles,
  };
}

/** Index of the tile at grid position `g` (row-major). */
function at(t: TiledTensor, ...g: number[]): number {
  let i = 0;
  for (let d = 0; d < g.length; d++) i = i * t.gridShape[d] + g[d];
  return i;
}

/** Builds invocations in loop-nest order with residency-aware read flags. */
class Nest {
  readonly list: Omit<Invocation, "cost">[] = [];
  private last: Record<string, number> = {};
  private chainId = -1;

  /** Start a new chain (a new output tile). */
  chain(): void {
    this.chainId++;
  }

  push(tiles: Record<string, number>, accumulate = false, sendResults = true): void {
    const last = this.last;
    const readInputs = tiles.inputs !== undefined && tiles.inputs !== last.inputs;
    // inputs1 (the second operand of element-wise ops) lives in the weights scratchpad, so its
    // residency is the weights': a broadcast operand loads once and stays.
    const readWeights =
      (tiles.weights !== undefined && tiles.weights !== last.weights) ||
      (tiles.inputs1 !== undefined && tiles.inputs1 !== last.inputs1);
    this.list.push({ tiles, flags: { readInputs, readWeights, accumulate, sendResults }, chain: this.chainId });
    this.last = tiles;
  }
}

function windowGeometry(c: Ctx, h: number, w: number, kh: number, kw: number) {
  const params = c.node.params;
  const [sh, sw] = (params.stride as [number, number] | undefined) ?? [kh, kw];
  const [pt, pb, pl, pr] = resolvePadding((params.padding as Padding | undefined) ?? "valid", h, w, kh, kw, sh, sw);
  return { sh, sw, pt, pb, pl, pr };
}

// ---------------------------------------------------------------------------------------------
// Convolution

function tileConv(c: Ctx): SmvLayerTiling {
  const { node, P, M, cap } = c;
  const x = c.nhwc(0);
  const wRef = node.inputs[1];
  const wSpec = c.spec(wRef);
  const ySpec = c.spec(node.name);
  const { n: N, h: H, w: W, c: C } = x;
  const [O, kH, kW] = wSpec.shape;
  const [, outH, outW] = ySpec.shape;
  const Ca = c.al(C);
  const Oa = c.al(O);
  const { sh, sw, pt, pb, pl, pr } = windowGeometry(c, H, W, kH, kW);
  const inShape = [N, H, W, Ca];
  const wShape = [O, kH, kW, Ca];
  const outShape = [N, outH, outW, Oa];
  const inMin = [1, kH, W, M];
  const wMin = [P, kH, kW, M];
  const outMin = [1, 1, outW, P];

  let sIn = c.choose("inputs", x.ref, inShape, inMin, cap.inputs);
  const sW = c.choose("weights", wRef, wShape, wMin, cap.weights);
  const sOut0 = c.choose("outputs", node.name, outShape, outMin, cap.outputs);
  const couple = (si: TilingStrategy): TilingStrategy => {
    let so = sW !== "None" ? "DimNC" : sOut0;
    if (hasH(si)) so = hasC(so) ? "DimNCH" : "DimNH";
    return so;
  };
  let sOut = couple(sIn);
  const rows = splitter(H, outH, kH, sh, pt, pb);
  const cExt = (t: number) => c.ext(Ca, C, t);

  const wSt = (wn: number, wc: number) => wn * kH * kW * cExt(wc);
  /** Weight tiles [kernels, channels] compatible with an input channel tile `ci` (SMAUG's order). */
  const weightOptions = (si: TilingStrategy, ci: number): number[] => {
    const opts: number[] = [];
    if (sW === "None") {
      const wc = hasC(si) ? ci : Ca;
      if (wSt(O, wc) <= cap.weights) opts.push(O, wc);
      return opts;
    }
    for (let wn = Math.min(P, O); wn <= O; wn += P) {
      if (sW === "DimN" || hasC(si)) {
        if (wSt(wn, ci) > cap.weights) break;
        opts.push(wn, ci);
      } else {
        const before = opts.length;
        for (let wc = Math.min(M, Ca); wc <= Ca; wc += M) {
          if (wSt(wn, wc) > cap.weights) break;
          opts.push(wn, wc);
        }
        if (opts.length === before) break;
      }
    }
    return opts;
  };

  /** `free`: the extension, output channels enumerated whenever the weights are whole. */
  const enumerate = (si: TilingStrategy, so: TilingStrategy, free: boolean) => {
    let best: { n: number; c: number; t: number; wn: number; wc: number; oc: number } | undefined;
    let bestTotal = -1;
    // Output channels: the weight tile's kernels (step 0), enumerated in steps of P, or all (-1).
    const ocStep = sW !== "None" || (hasH(so) && !free) ? 0 : so !== "None" ? P : -1;
    for (const n of si === "None" ? [N] : upTo(N))
      for (const ci of hasC(si) ? steps(M, M, Ca) : [Ca]) {
        const opts = weightOptions(si, ci);
        for (const t of hasH(si) ? steps(kH, sh, H) : [H]) {
          const rs = rows(t);
          const inSt = n * rs.maxIn * W * cExt(ci);
          if (inSt > cap.inputs) continue;
          const outRows = hasH(so) ? rs.maxOut : outH;
          for (let i = 0; i < opts.length; i += 2) {
            const wn = opts[i];
            const wc = opts[i + 1];
            // Output channels: the weight tile's kernels, or enumerated (weights whole), or all.
            const first = ocStep === 0 ? wn : ocStep > 0 ? Math.min(P, O) : O;
            const lastOc = ocStep > 0 ? O : first;
            for (let oc = first; oc <= lastOc; oc += Math.max(1, ocStep)) {
              const oSt = n * outRows * outW * c.ext(Oa, O, oc);
              if (oSt > cap.outputs) continue;
              const total = inSt + wSt(wn, wc) + oSt;
              if (total > bestTotal) {
                bestTotal = total;
                best = { n, c: ci, t, wn, wc, oc };
              }
            }
          }
        }
      }
    return best;
  };

  let best = enumerate(sIn, sOut, false);
  if (best === undefined) {
    // Extension: when the outputs need rows cut, cut the input rows with them; let the output
    // channels be enumerated even when rows are cut.
    if (hasH(sOut0) && !hasH(sIn)) {
      sIn = union(c, sIn, "DimNH");
      sOut = couple(sIn);
    }
    best = enumerate(sIn, sOut, true);
  }
  if (best === undefined && sIn === "None" && N > 1) {
    // Extension: whole inputs hold the batch whole, but the outputs (a channel tile of P that
    // occupies whole vectors when P < L) may need it cut: cut the batch of both.
    sIn = "DimN";
    sOut = couple(sIn);
    best = enumerate(sIn, sOut, true);
  }
  if (best === undefined)
    throw c.noFit([
      { role: "inputs", strategy: sIn, min: minTile(inShape, inMin, sIn) },
      { role: "weights", strategy: sW, min: minTile(wShape, wMin, sW) },
      { role: "outputs", strategy: sOut, min: minTile(outShape, outMin, sOut) },
    ]);

  const b = best;
  const nSpans = chunks(N, N, b.n);
  const rs = rows(b.t);
  const cs = windowSplit(W, outW, kW, sw, pl, pr, W);
  const inputs = makeTiled(c, {
    tensor: x.ref,
    role: "inputs",
    shape: inShape,
    realShape: [N, H, W, C],
    spans: [nSpans, rs.in, cs.in, chunks(Ca, C, b.c)],
    padDims: [1, 2],
  });
  const weights = makeTiled(c, {
    tensor: wRef,
    role: "weights",
    shape: wShape,
    realShape: [O, kH, kW, C],
    spans: [chunks(O, O, b.wn), whole(kH), whole(kW), chunks(Ca, C, b.wc)],
  });
  const outC = chunks(Oa, O, b.oc);
  const outputs = makeTiled(c, {
    tensor: node.name,
    role: "outputs",
    shape: outShape,
    realShape: [N, outH, outW, O],
    spans: [nSpans, rs.out, cs.out, outC],
  });

  const nest = new Nest();
  const wC = chunks(Ca, C, b.wc);
  for (let bi = 0; bi < nSpans.length; bi++)
    for (let r = 0; r < rs.out.length; r++)
      for (let o = 0; o < outC.length; o++) {
        const wn = Math.floor(outC[o].origin / b.wn);
        nest.chain();
        for (let k = 0; k < wC.length; k++) {
          const ic = Math.floor(wC[k].origin / b.c);
          nest.push(
            { inputs: at(inputs, bi, r, 0, ic), weights: at(weights, wn, 0, 0, k), outputs: at(outputs, bi, r, 0, o) },
            k > 0,
            k === wC.length - 1,
          );
        }
      }
  return { op: node.op, tensors: [inputs, weights, outputs], invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Depthwise convolution (designed here; see the header)

function tileDepthwise(c: Ctx): SmvLayerTiling {
  const { node, L, cap } = c;
  const x = c.nhwc(0);
  const wRef = node.inputs[1];
  const wSpec = c.spec(wRef);
  const ySpec = c.spec(node.name);
  const { n: N, h: H, w: W, c: C } = x;
  const [, kH, kW] = wSpec.shape;
  const [, outH, outW] = ySpec.shape;
  const Ca = c.al(C);
  const { sh, sw, pt, pb, pl, pr } = windowGeometry(c, H, W, kH, kW);
  const inShape = [N, H, W, Ca];
  const wShape = [Ca, kH, kW, 1];
  const outShape = [N, outH, outW, Ca];
  const inMin = [1, kH, W, L];
  const wMin = [L, kH, kW, 1];
  const outMin = [1, 1, outW, L];

  const sIn0 = c.choose("inputs", x.ref, inShape, inMin, cap.inputs);
  const sW0 = c.choose("weights", wRef, wShape, wMin, cap.weights, false);
  const sOut0 = c.choose("outputs", node.name, outShape, outMin, cap.outputs);
  // Lockstep: channel groups shared by all three, rows shared by inputs and outputs.
  const byChannel = hasC(sIn0) || sW0 !== "None" || hasC(sOut0);
  const byRow = hasH(sIn0) || hasH(sOut0);
  const byBatch = sIn0 !== "None" || sOut0 !== "None";
  const sAct = strategyOf(c, { n: byBatch || byChannel || byRow, c: byChannel, h: byRow });
  const sW: TilingStrategy = byChannel ? "DimN" : "None";
  const rows = splitter(H, outH, kH, sh, pt, pb);
  const cExt = (t: number) => c.ext(Ca, C, t);

  let best: { n: number; c: number; t: number } | undefined;
  let bestTotal = -1;
  for (const n of sAct === "None" ? [N] : upTo(N))
    for (const ci of byChannel ? steps(L, L, Ca) : [Ca]) {
      const wSt = chunkMax(Ca, C, ci) * kH * kW; // channels in dim 0, not aligned
      if (wSt > cap.weights) break;
      for (const t of byRow ? steps(kH, sh, H) : [H]) {
        const rs = rows(t);
        const inSt = n * rs.maxIn * W * cExt(ci);
        const oSt = n * rs.maxOut * outW * cExt(ci);
        if (inSt > cap.inputs || oSt > cap.outputs) continue;
        const total = inSt + wSt + oSt;
        if (total > bestTotal) {
          bestTotal = total;
          best = { n, c: ci, t };
        }
      }
    }
  if (best === undefined)
    throw c.noFit([
      { role: "inputs", strategy: sAct, min: minTile(inShape, inMin, sAct) },
      { role: "weights", strategy: sW, min: minTile(wShape, wMin, sW), alignLast: false },
      { role: "outputs", strategy: sAct, min: minTile(outShape, outMin, sAct) },
    ]);

  const nSpans = chunks(N, N, best.n);
  const chan = chunks(Ca, C, best.c);
  const rs = rows(best.t);
  const cs = windowSplit(W, outW, kW, sw, pl, pr, W);
  const inputs = makeTiled(c, {
    tensor: x.ref,
    role: "inputs",
    shape: inShape,
    realShape: [N, H, W, C],
    spans: [nSpans, rs.in, cs.in, chan],
    padDims: [1, 2],
  });
  const weights = makeTiled(c, {
    tensor: wRef,
    role: "weights",
    shape: wShape,
    realShape: [C, kH, kW, 1],
    spans: [chan, whole(kH), whole(kW), whole(1)],
  });
  const outputs = makeTiled(c, {
    tensor: node.name,
    role: "outputs",
    shape: outShape,
    realShape: [N, outH, outW, C],
    spans: [nSpans, rs.out, cs.out, chan],
  });
  const nest = new Nest();
  for (let bi = 0; bi < nSpans.length; bi++)
    for (let k = 0; k < chan.length; k++)
      for (let r = 0; r < rs.out.length; r++) {
        nest.chain();
        nest.push({
          inputs: at(inputs, bi, r, 0, k),
          weights: at(weights, k, 0, 0, 0),
          outputs: at(outputs, bi, r, 0, k),
        });
      }
  return { op: node.op, tensors: [inputs, weights, outputs], invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Inner product

function tileInnerProduct(c: Ctx): SmvLayerTiling {
  const { node, P, M, cap } = c;
  const xRef = node.inputs[0];
  const xSpec = c.spec(xRef);
  if (xSpec.shape.length !== 2)
    throw new TilingError(`${c.where}: input '${xRef}' must be 2-D NC, got ${xSpec.layout} ${fmtShape(xSpec.shape)}`);
  const wRef = node.inputs[1];
  // SMV reads the weights as [O, K] (one row per neuron); CN constants are held transposed.
  const [O, K] = innerProductWeights(c.spec(wRef));
  const [N] = xSpec.shape;
  const Ka = c.al(K);
  const Oa = c.al(O);
  const inShape = [N, Ka];
  const wShape = [O, Ka];
  const outShape = [N, Oa];
  const inMin = [1, M];
  const wMin = [P, M];
  const outMin = [1, P];
  const sIn = c.choose("inputs", xRef, inShape, inMin, cap.inputs);
  const sW = c.choose("weights", wRef, wShape, wMin, cap.weights);
  let sOut = c.choose("outputs", node.name, outShape, outMin, cap.outputs);
  if (sW !== "None" && sOut !== "None") sOut = "DimNC";
  const ext = (t: number) => c.ext(Ka, K, t);

  let best: { n: number; c: number; wn: number; wc: number; oc: number } | undefined;
  let bestTotal = -1;
  for (const n of sIn === "None" ? [N] : upTo(N))
    for (const ci of hasC(sIn) ? steps(M, M, Ka) : [Ka]) {
      const inSt = n * ext(ci);
      if (inSt > cap.inputs) break;
      const wSt = (wn: number, wc: number) => wn * ext(wc);
      const weightOptions: [number, number][] = [];
      if (sW === "None") {
        const wc = hasC(sIn) ? ci : Ka;
        if (wSt(O, wc) <= cap.weights) weightOptions.push([O, wc]);
      } else {
        for (const wn of steps(P, P, O)) {
          if (sW === "DimN" || hasC(sIn)) {
            if (wSt(wn, ci) > cap.weights) break;
            weightOptions.push([wn, ci]);
          } else {
            const before = weightOptions.length;
            for (const wc of steps(M, M, Ka)) {
              if (wSt(wn, wc) > cap.weights) break;
              weightOptions.push([wn, wc]);
            }
            if (weightOptions.length === before) break;
          }
        }
      }
      for (const [wn, wc] of weightOptions) {
        const ocs = sW !== "None" && sOut !== "None" ? [wn] : sOut !== "None" ? steps(P, P, O) : [O];
        for (const oc of ocs) {
          const oSt = n * c.ext(Oa, O, oc);
          if (oSt > cap.outputs) continue;
          const total = inSt + wSt(wn, wc) + oSt;
          if (total > bestTotal) {
            bestTotal = total;
            best = { n, c: ci, wn, wc, oc };
          }
        }
      }
    }
  if (best === undefined)
    throw c.noFit([
      { role: "inputs", strategy: sIn, min: minTile(inShape, inMin, sIn) },
      { role: "weights", strategy: sW, min: minTile(wShape, wMin, sW) },
      { role: "outputs", strategy: sOut, min: minTile(outShape, outMin, sOut) },
    ]);

  const b = best;
  // Emission coupling: weights cut by neurons give each chain its own output neurons.
  const oc = b.wn < O ? b.wn : b.oc;
  const nSpans = chunks(N, N, b.n);
  const inputs = makeTiled(c, {
    tensor: xRef,
    role: "inputs",
    shape: inShape,
    realShape: [N, K],
    spans: [nSpans, chunks(Ka, K, b.c)],
  });
  const wC = chunks(Ka, K, b.wc);
  const weights = makeTiled(c, {
    tensor: wRef,
    role: "weights",
    shape: wShape,
    realShape: [O, K],
    spans: [chunks(O, O, b.wn), wC],
  });
  const outC = chunks(Oa, O, oc);
  const outputs = makeTiled(c, {
    tensor: node.name,
    role: "outputs",
    shape: outShape,
    realShape: [N, O],
    spans: [nSpans, outC],
  });
  const nest = new Nest();
  for (let bi = 0; bi < nSpans.length; bi++)
    for (let o = 0; o < outC.length; o++) {
      const wn = Math.floor(outC[o].origin / b.wn);
      nest.chain();
      for (let k = 0; k < wC.length; k++) {
        const ic = Math.floor(wC[k].origin / b.c);
        nest.push(
          { inputs: at(inputs, bi, ic), weights: at(weights, wn, k), outputs: at(outputs, bi, o) },
          k > 0,
          k === wC.length - 1,
        );
      }
    }
  return { op: node.op, tensors: [inputs, weights, outputs], invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Pooling (max, average, global average)

function tilePool(c: Ctx): SmvLayerTiling {
  const { node, L, cap } = c;
  const x = c.nhwc(0);
  const { n: N, h: H, w: W, c: C } = x;
  const global = node.op === "global_avg_pool";
  const ySpec = c.spec(node.name);
  let kh: number;
  let kw: number;
  let g: { sh: number; sw: number; pt: number; pb: number; pl: number; pr: number };
  let outH: number;
  let outW: number;
  if (global) {
    [kh, kw, outH, outW] = [H, W, 1, 1];
    g = { sh: 1, sw: 1, pt: 0, pb: 0, pl: 0, pr: 0 };
  } else {
    [kh, kw] = node.params.pool as [number, number];
    g = windowGeometry(c, H, W, kh, kw);
    [, outH, outW] = ySpec.shape;
  }
  const Ca = c.al(C);
  const inShape = [N, H, W, Ca];
  const outShape = [N, outH, outW, Ca];
  const inMin = [1, kh, kw, L];
  const outMin = [1, 1, 1, L];
  let sIn = c.choose("inputs", x.ref, inShape, inMin, cap.inputs);
  const sOut0 = global
    ? c.choose("outputs", node.name, [N, Ca], [1, L], cap.outputs)
    : c.choose("outputs", node.name, outShape, outMin, cap.outputs);
  // SMAUG's coupling: input rows (columns) cut force output rows (columns) cut.
  let sOut = sOut0;
  if (hasH(sIn)) sOut = hasC(sOut) ? "DimNCH" : hasW(sOut) ? "DimNHW" : "DimNH";
  if (hasW(sIn)) sOut = hasC(sOut) ? "DimNCW" : hasH(sOut) ? "DimNHW" : "DimNW";
  const rows = splitter(H, outH, kh, g.sh, g.pt, g.pb);
  const cols = splitter(W, outW, kw, g.sw, g.pl, g.pr);
  const cExt = (t: number) => c.ext(Ca, C, t);

  /** `lockstep`: output tiles follow the input tiles in every dimension (the extension). */
  const enumerate = (si: TilingStrategy, so: TilingStrategy, lockstep: boolean) => {
    let best: { n: number; c: number; t: number; u: number } | undefined;
    let bestTotal = -1;
    for (const n of si === "None" ? [N] : upTo(N))
      for (const ci of hasC(si) ? steps(L, L, Ca) : [Ca])
        for (const t of hasH(si) ? steps(kh, g.sh, H) : [H])
          for (const u of hasW(si) ? steps(kw, g.sw, W) : [W]) {
            const rs = rows(t);
            const cs = cols(u);
            const inSt = n * rs.maxIn * cs.maxIn * cExt(ci);
            if (inSt > cap.inputs) break;
            const oRows = lockstep || hasH(so) ? rs.maxOut : outH;
            const oCols = lockstep || hasW(so) ? cs.maxOut : outW;
            const oC = lockstep || (hasC(si) && hasC(so)) ? cExt(ci) : Ca;
            const oSt = n * oRows * oCols * oC;
            if (oSt > cap.outputs) continue;
            if (inSt + oSt > bestTotal) {
              bestTotal = inSt + oSt;
              best = { n, c: ci, t, u };
            }
          }
    return best;
  };
  let best = enumerate(sIn, sOut, false);
  // Extension: output tiles in lockstep with the input tiles, first with the inputs' own
  // strategy, then with the dimensions the outputs need added, then (when no strategy cuts all
  // of those, e.g. DimNCH inputs and DimNHW outputs) with the input rows cut.
  for (const alt of [sIn, tryUnion(sIn, sOut0), tryUnion(sIn, "DimNH")]) {
    if (best !== undefined) break;
    if (alt === undefined) continue;
    best = enumerate(alt, alt, true);
    if (best !== undefined) sIn = alt;
  }
  if (best === undefined)
    throw c.noFit([
      { role: "inputs", strategy: sIn, min: minTile(inShape, inMin, sIn) },
      { role: "outputs", strategy: sIn, min: minTile(outShape, outMin, sIn) },
    ]);

  // Emission: the output tiles follow the input tiles (every invocation owns its output tile);
  // their strategy is the label of the spans produced (makeTiled), whatever sOut said.
  const nSpans = chunks(N, N, best.n);
  const chan = chunks(Ca, C, best.c);
  const rs = rows(best.t);
  const cs = cols(best.u);
  const inputs = makeTiled(c, {
    tensor: x.ref,
    role: "inputs",
    shape: inShape,
    realShape: [N, H, W, C],
    spans: [nSpans, rs.in, cs.in, chan],
    padDims: [1, 2],
  });
  const outputs = global
    ? makeTiled(c, {
        tensor: node.name,
        role: "outputs",
        shape: [N, Ca],
        realShape: [N, C],
        spans: [nSpans, chan],
      })
    : makeTiled(c, {
        tensor: node.name,
        role: "outputs",
        shape: outShape,
        realShape: [N, outH, outW, C],
        spans: [nSpans, rs.out, cs.out, chan],
      });
  const nest = new Nest();
  for (let bi = 0; bi < nSpans.length; bi++)
    for (let r = 0; r < rs.out.length; r++)
      for (let q = 0; q < cs.out.length; q++)
        for (let k = 0; k < chan.length; k++) {
          nest.chain();
          nest.push({
            inputs: at(inputs, bi, r, q, k),
            outputs: global ? at(outputs, bi, k) : at(outputs, bi, r, q, k),
          });
        }
  return { op: node.op, tensors: [inputs, outputs], invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Batch norm: the four [C] operands (mean, variance, gamma, beta) as one [4, C] weights tensor

function tileBatchNorm(c: Ctx): SmvLayerTiling {
  const { node, L, cap } = c;
  const xRef = node.inputs[0];
  const xSpec = c.spec(xRef);
  const wRef = node.inputs[1];
  const four = xSpec.shape.length === 4;
  if (four) c.nhwc(0);
  else if (xSpec.shape.length !== 2)
    throw new TilingError(
      `${c.where}: input '${xRef}' must be NHWC or NC, got ${xSpec.layout} ${fmtShape(xSpec.shape)}`,
    );
  const C = xSpec.shape[xSpec.shape.length - 1];
  const Ca = c.al(C);
  const N = xSpec.shape[0];
  const H = four ? xSpec.shape[1] : 1;
  const W = four ? xSpec.shape[2] : 1;
  const inShape = four ? [N, H, W, Ca] : [N, Ca];
  const realShape = four ? [N, H, W, C] : [N, C];
  const wShape = [4, Ca];
  const inMin = four ? [1, L, L, L] : [1, L];
  const wMin = [4, L];
  // Outputs have the inputs' tiles, so a tile must fit both scratchpads.
  let sIn = c.choose("inputs", xRef, inShape, inMin, Math.min(cap.inputs, cap.outputs));
  const sW = c.choose("weights", wRef, wShape, wMin, cap.weights);
  const cExt = (t: number) => c.ext(Ca, C, t);
  const fitsIO = (st: number) => st <= cap.inputs && st <= cap.outputs;

  let best: { n: number; c: number; h: number; w: number; wc: number } | undefined;
  let bestTotal = -1;
  const consider = (n: number, ci: number, h: number, w: number, wc: number) => {
    const st = n * h * w * cExt(ci);
    const wSt = 4 * cExt(wc);
    if (!fitsIO(st) || wSt > cap.weights) return;
    if (2 * st + wSt > bestTotal) {
      bestTotal = 2 * st + wSt;
      best = { n, c: ci, h, w, wc };
    }
  };
  if (four) {
    // Post-conv: SMAUG keeps the weights whole; when they do not fit (C > capacity / 4), they are
    // cut in the channel tiles of the inputs (extension).
    if (sW !== "None") sIn = union(c, sIn, "DimNC");
    for (const n of sIn === "None" ? [N] : upTo(N))
      for (const ci of hasC(sIn) ? steps(L, L, Ca) : [Ca])
        for (const h of hasH(sIn) ? steps(L, L, H) : [H])
          for (const w of hasW(sIn) ? steps(L, L, W) : [W]) consider(n, ci, h, w, sW === "None" ? Ca : ci);
  } else {
    // Post-FC (SMAUG): the weights take the inputs' channel tile, or their own when the inputs are whole.
    for (const n of sIn === "None" ? [N] : upTo(N))
      for (const ci of hasC(sIn) ? steps(L, L, Ca) : [Ca]) {
        if (sW === "None" || hasC(sIn)) consider(n, ci, 1, 1, sW === "None" ? Ca : ci);
        else for (const wc of steps(L, L, Ca)) consider(n, ci, 1, 1, wc);
      }
  }
  if (best === undefined)
    throw c.noFit([
      { role: "inputs", strategy: sIn, min: minTile(inShape, inMin, sIn) },
      { role: "weights", strategy: sW, min: minTile(wShape, wMin, sW) },
    ]);
  const b: { n: number; c: number; h: number; w: number; wc: number } = best;
  const nSpans = chunks(N, N, b.n);
  const inC = chunks(Ca, C, b.c);
  const wC = chunks(Ca, C, b.wc);
  // Emission coupling (post-FC, inputs whole, weights cut): outputs follow the weight tiles.
  const outC = wC.length > inC.length ? wC : inC;
  const hSpans = chunks(H, H, b.h);
  const wSpans = chunks(W, W, b.w);
  const spans = (ch: Span[]) => (four ? [nSpans, hSpans, wSpans, ch] : [nSpans, ch]);
  const inputs = makeTiled(c, {
    tensor: xRef,
    role: "inputs",
    shape: inShape,
    realShape,
    spans: spans(inC),
  });
  const weights = makeTiled(c, {
    tensor: wRef,
    role: "weights",
    shape: wShape,
    realShape: [4, C],
    spans: [whole(4), wC],
  });
  const outputs = makeTiled(c, {
    tensor: node.name,
    role: "outputs",
    shape: inShape,
    realShape,
    spans: spans(outC),
  });
  const nest = new Nest();
  const pos = (bi: number, r: number, q: number, k: number) => (four ? [bi, r, q, k] : [bi, k]);
  for (let bi = 0; bi < nSpans.length; bi++)
    for (let r = 0; r < hSpans.length; r++)
      for (let q = 0; q < wSpans.length; q++)
        for (let k = 0; k < outC.length; k++) {
          const ic = Math.floor(outC[k].origin / b.c);
          const wk = Math.floor(outC[k].origin / b.wc);
          nest.chain();
          nest.push({
            inputs: at(inputs, ...pos(bi, r, q, ic)),
            weights: at(weights, 0, wk),
            outputs: at(outputs, ...pos(bi, r, q, k)),
          });
        }
  return { op: node.op, tensors: [inputs, weights, outputs], invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Flat NC tiling: unary activations, element-wise add/mul, compares

/** Real elements among the first `x` of a flat aligned tensor whose rows are `Ra` long with `R` real. */
function realBefore(x: number, Ra: number, R: number): number {
  return Math.floor(x / Ra) * R + Math.min(x % Ra, R);
}

function tileFlat(c: Ctx): SmvLayerTiling {
  const { node, cap } = c;
  const ySpec = c.spec(node.name);
  const flat = (s: TensorSpec) => {
    const last = s.shape.length === 0 ? 1 : s.shape[s.shape.length - 1];
    const rows = s.shape.length === 0 ? 1 : numElements(s.shape) / last;
    return { aligned: rows * c.al(last), real: rows * last, Ra: c.al(last), R: last };
  };
  const out = flat(ySpec);
  const operands = node.inputs.map((ref) => ({ ref, f: flat(c.spec(ref)) }));
  // An operand of the output's size (numpy broadcasting: the same shape up to leading 1s) streams
  // in tiles; the first one goes through the inputs scratchpad.
  const streams = (o: { f: { real: number } }) => o.f.real === out.real;
  if (operands.length === 2 && !streams(operands[0]) && streams(operands[1])) operands.reverse();
  const roles = ["inputs", "inputs1"];
  let T = Math.min(out.aligned, cap.outputs);
  let spad: string = "outputs";
  operands.forEach((o, i) => {
    const s = SMV_ROLE_SCRATCHPAD[roles[i]];
    if (streams(o) && cap[s] < T) {
      T = cap[s];
      spad = s;
    }
  });
  // Whole vectors only: a tile of T elements occupies ceil(T / L) vectors of its scratchpad.
  T = Math.floor(T / c.L) * c.L;
  if (T < c.L)
    throw new TilingError(
      `${c.where}: a flat tile must hold at least one ${c.L}-element vector, but the ${spad} scratchpad ` +
        `holds ${cap[spad as keyof typeof cap]} elements`,
    );
  const count = Math.ceil(out.aligned / T);
  const flatSpans = (f: { aligned: number; Ra: number; R: number }, n: number, t: number): Span[] =>
    Array.from({ length: n }, (_, i) => {
      const origin = i * t;
      const size = Math.min(t, f.aligned - origin);
      return { origin, size, valid: realBefore(origin + size, f.Ra, f.R) - realBefore(origin, f.Ra, f.R) };
    });
  const tiled = (ref: string, role: string, f: ReturnType<typeof flat>, stream: boolean) => {
    if (!stream && f.aligned > cap[SMV_ROLE_SCRATCHPAD[role]])
      throw new TilingError(
        `${c.where}: broadcast operand '${ref}' (${f.aligned} elements) must stay whole in the ` +
          `${cap[SMV_ROLE_SCRATCHPAD[role]]}-element ${SMV_ROLE_SCRATCHPAD[role]} scratchpad and does not fit`,
      );
    const n = stream ? count : 1;
    return makeTiled(c, {
      tensor: ref,
      role,
      shape: [1, f.aligned],
      realShape: [1, f.real],
      spans: [whole(1), flatSpans(f, n, stream ? T : f.aligned)],
    });
  };
  const tensors = operands.map((o, i) => tiled(o.ref, roles[i], o.f, streams(o)));
  const outputs = tiled(node.name, "outputs", out, true);
  tensors.push(outputs);
  const nest = new Nest();
  for (let i = 0; i < count; i++) {
    const tiles: Record<string, number> = { outputs: i };
    operands.forEach((o, k) => {
      tiles[roles[k]] = streams(o) ? i : 0;
    });
    nest.chain();
    nest.push(tiles);
  }
  return { op: node.op, tensors, invocations: nest.list };
}

// ---------------------------------------------------------------------------------------------
// Softmax: whole rows of the innermost dimension

function tileSoftmax(c: Ctx): SmvLayerTiling {
  const { node, cap } = c;
  const xRef = node.inputs[0];
  const xSpec = c.spec(xRef);
  const rank = xSpec.shape.length;
  const axis = normAxis(node.params.axis as number, rank);
  if (axis !== rank - 1)
    throw new TilingError(
      `${c.where}: SMV's softmax normalises rows of the innermost dimension; axis ${axis} of ${fmtShape(xSpec.shape)} is not innermost`,
    );
  const R = xSpec.shape[rank - 1];
  const Ra = c.al(R);
  const rowsN = numElements(xSpec.shape) / R;
  const capacity = Math.min(cap.inputs, cap.outputs);
  if (Ra > capacity)
    throw new TilingError(
      `${c.where}: a softmax row of ${Ra} elements (aligned) does not fit the ${capacity}-element scratchpads; rows cannot be split`,
    );
  const k = Math.min(rowsN, Math.floor(capacity / Ra));
  const rowSpans = chunks(rowsN, rowsN, k);
  const mk = (tensor: string, role: string) =>
    makeTiled(c, {
      tensor,
      role,
      shape: [rowsN, Ra],
      realShape: [rowsN, R],
      spans: [rowSpans, [{ origin: 0, size: Ra, valid: R }]],
    });
  const inputs = mk(xRef, "inputs");
  const outputs = mk(node.name, "outputs");
  const nest = new Nest();
  for (let i = 0; i < rowSpans.length; i++) {
    nest.chain();
    nest.push({ inputs: i, outputs: i });
  }
  return { op: node.op, tensors: [inputs, outputs], invocations: nest.list };
}
