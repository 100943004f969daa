/**
 * The cycle model of one SMV invocation, derived from the loop nest of each SMAUG kernel
 * (smaug/operators/smv/kernels/*.c) and costed with SmvParams only. docs/smv-model.md has the same
 * equations with a worked example.
 *
 * Symbols (all from SmvParams):
 *   P = pes, M = maccsPerPe, L = vectorLanes, R = spadPorts, D = pipelineDepth,
 *   Lo = loopOverheadCycles, Ci = invocationOverheadCycles,
 *   V = max(1, floor(M / L))   vectors one PE multiplies per iteration (SMV: 4),
 *   B = V * L                  input-channel block of a PE (SMV: 32),
 *   ports(n) = ceil(n / R)     cycles n vector accesses to one scratchpad take. Each scratchpad
 *                              has R ports, each doing one vector read or write per cycle; reads
 *                              and writes of the same scratchpad share them.
 *   wports(n) = ceil(n / Rw)   cycles a pipelined loop takes to stream n vectors from the weights
 *                              scratchpad, Rw = weightStreamPorts (SMV: 1): the inner product's
 *                              weights, 2-D batch norm's parameters, eltwise's second operand.
 *                              Block loads into PE registers (conv, depthwise, 4-D batch norm,
 *                              outside the pipelined loop) use the R ports.
 *   pipe(II, n) = (D - 1) + II * n   one execution of a pipelined loop of n iterations.
 *
 * II of a pipelined loop = max(1, ports(accesses per iteration) for each scratchpad,
 * ceil(lanes one PE multiplies per iteration / M)). Operand registers loaded before the pipelined
 * loop cost ports(vectors) cycles at their level. Every iteration of a non-pipelined loop level
 * costs Lo; each execution of a pipelined loop costs the fill D - 1; Ci once per invocation.
 * Channel blocks are rounded up (a partial block costs a full block's loop levels), but the
 * vectors a partial block reads are only the ones holding real channels, as in SMAUG.
 * Trip counts come from the tiles: N, Ho, Wo from the output tile, kH, kW from the weights, real
 * channel counts from the `valid` extents.
 *
 * conv (convolution_simd.c; loops n, output-channel block ob, kernel row, kernel col,
 * input-channel block ib, output row, output col = pipelined):
 *   g_ob = min(P, O - ob*P) busy PEs, O = min(weights valid O, outputs valid C);
 *   v_ib = ceil(min(B, I - ib*B) / L) activation vectors, I = weights valid I.
 *   One iteration reads v activation vectors once and broadcasts them to all PEs (inputs
 *   scratchpad), reads and writes ceil(g/L) partial-sum vectors (outputs scratchpad), and
 *   multiplies v*L lanes per PE; weights sit in registers:
 *   II(g, v) = max(1, ports(v), ports(2*ceil(g/L)), ceil(v*L / M))          (SMV: 1)
 *   T_row = Lo + pipe(II, Wo);   T_ib = Lo + ports(g*v) + Ho * T_row   (weight registers)
 *   T_ob = Lo + kH * (Lo + kW * (Lo + sum_ib T_ib));   main = N * (Lo + sum_ob T_ob)
 *
 * depthwise_conv (not in SMAUG; designed here on the same datapath): each PE owns one group of L
 * channels, its V MACC vectors take V kernel taps (row-major, tap blocks of V), the first
 * reduction adds the taps, the lane reduction is skipped (no input-channel reduction). Loops n,
 * channel block cb (P groups), tap block tb, output row, output col = pipelined.
 *   G = ceil(C / L) groups, g_cb = min(P, G - cb*P); T = kH*kW taps, t_tb = min(V, T - tb*V).
 *   No broadcast: every PE reads its own t activation vectors; each PE reads and writes one
 *   partial-sum vector:
 *   II(g, t) = max(1, ports(g*t), ports(2*g), ceil(t*L / M))       (SMV, 3x3: 4, 4, 2 per block)
 *   T_row = Lo + pipe(II, Wo);   T_tb = Lo + ports(g*t) + Ho * T_row
 *   main = N * (Lo + sum_cb (Lo + sum_tb T_tb))
 *   Utilisation is bounded by R*L / (P*M) (SMV: 25%) and for 3x3 by 9 taps in 3 blocks of 4.
 *
 * inner_product (matrix_multiply.c, output-stationary; loops input row a, neuron group og of P,
 * activation chunk = pipelined): Ib = ceil(I / L) vectors, nIC = ceil(Ib / V), v = min(V, Ib),
 *   g_og = min(P, O - og*P). Each iteration reads v activation vectors and g*v weight vectors
 *   (weights are used once, not held in registers):
 *   II(g) = max(1, ports(v), wports(g*v), ceil(v*L / M))              (SMV: 32, weight ports)
 *   main = Na * (Lo + sum_og (Lo + pipe(II(g), nIC)))   (partial sums commit in the og level)
 *
 * Element-wise work (pooling's channel groups, batch norm, activations, eltwise, compares,
 * softmax) is unrolled U = R vectors side by side, as SMAUG's Aladdin configuration unrolls
 * these loops 8-way over its 8-bank scratchpads; its lanes also run on the PE array (P*M lanes).
 *
 * max_pool / avg_pool / global_avg_pool (pooling.c; loops n, output row, output col, channel
 * block of u <= U groups, window position = pipelined): G = ceil(C / L). Each window step reads
 * one vector per group and compares (max) or adds (avg) it:
 *   II(u) = max(1, ports(u), ceil(u*L / (P*M)))                              (SMV: 1)
 *   main = N * (Lo + Ho * (Lo + Wo * sum_blocks (Lo + pipe(II(u), ph*pw))))
 *   global_avg_pool is avg_pool with the window = the input tile's H x W and Ho = Wo = 1.
 *
 * batch_norm (batch_norm.c) 4-D: loops n, channel block of u groups (4u parameter vectors into
 *   registers), row, col = pipelined; u input reads, u output writes, 4 vector ops per group:
 *   II(u) = max(1, ports(u), ceil(4*u*L / (P*M)))                            (SMV: 1)
 *   main = N * (Lo + sum_blocks (Lo + ports(4u) + H * (Lo + pipe(II(u), W))))
 *   2-D (NC): loops row, vector block = pipelined, the 4u parameter vectors read every iteration:
 *   II = max(1, ports(u), wports(4u), ceil(4*u*L / (P*M))), u = min(U, G);  main = Na * (Lo + pipe(II, ceil(G / U)))
 *
 * Element-wise passes (activation_functions_simd.h, eltwise_add.c, eltwise_mul.c, compare.c):
 *   one flat pipelined loop over the n = ceil(elements / L) vectors of the aligned tile (eltwise:
 *   the output tile, a broadcast operand being re-read), u =
 *   min(U, n) vectors per iteration: E(n, a, w) = pipe(max(1, ports(a*u), wports(w*u), ceil(u*L / (P*M))), ceil(n / U))
 *   where a = accesses per vector on the busiest of the inputs/outputs scratchpads: 1 when reads
 *   and writes go to different scratchpads (standalone unary ops; eltwise/compares read inputs and
 *   inputs1 from two scratchpads and write the third), 2 in place; w = 1 for eltwise/compares
 *   (inputs1 is in the weights scratchpad), else 0. Every activation is one vector op per
 *   vector (transcendental units deepen the pipeline, they do not lower its throughput).
 *   softmax per row of c = ceil(C / L) vectors: exp pass, sum pass, in-place scale pass:
 *   Lo + E(c, 1) + E(c, 1) + E(c, 2) (exp in place, a = 2, when fused).
 *
 * Fused activations (conv, depthwise, inner product, batch norm): run on finished results only,
 * i.e. when sendResults, as SMAUG's kernels do: one extra in-place pass over the aligned output
 * tile, E(n_out, 2), reading and writing each vector once (softmax: its three passes).
 *
 * cycles = Ci + main + fused activation. Host transfers are not in `cycles` (the memory model
 * times them).
 *
 * Action counts: macs counts real MACs only (conv N*Ho*Wo*O*kH*kW*I, depthwise N*Ho*Wo*C*kH*kW,
 * inner product Na*O*I; 0 for the other kernels, as the graph's MAC counts). Scratchpad bytes are
 * the vectors the datapath reads and writes, times L, times 2 bytes (fp16; compare results are
 * bool, 1 byte). Activation reads skip the zero-padding positions the kernels skip. The first
 * pass over an output tile starts from zero unless `accumulate`, which adds the partial-sum
 * reads. hostLoadBytes = aligned bytes of inputs if readInputs, plus weights and inputs1 (which
 * lives in the weights scratchpad) if readWeights; hostStoreBytes = aligned bytes of the output
 * tile if sendResults.
 */
import { SMV_ELEMENT_BYTES, type SmvParams, smvOutputElementBytes } from "./smv-params.js";
import type { InvocationCost, InvocationFlags } from "./types.js";

/** One tile as the cost model sees it: aligned shape and real-data extents, same dimension order. */
export interface SmvTile {
  shape: number[];
  valid: number[];
}

export interface SmvInvocation {
  /** conv | depthwise_conv | inner_product | max_pool | avg_pool | global_avg_pool | batch_norm | relu | leaky_relu | elu | selu | tanh | hard_tanh | sigmoid | softmax | add | mul | less | less_equal | greater | greater_equal */
  op: string;
  /** The node's resolved params (stride [sh, sw], pool [ph, pw], activation, ...). */
  params: Record<string, unknown>;
  /**
   * Tiles by role: "inputs", "weights", "outputs" (batch norm: one "weights" tile [4, C] of mean,
   * var, gamma, beta; eltwise: "inputs" and "inputs1"). NHWC or NC; conv weights [O, kH, kW, I],
   * depthwise [C, kH, kW, 1], inner-product weights [O, I].
   */
  tiles: Record<string, SmvTile>;
  /** This input tile's zero padding [top, bottom, left, right]. */
  padding?: [number, number, number, number];
  flags: InvocationFlags;
}

const ELEMENTWISE_ACTIVATIONS = new Set(["relu", "leaky_relu", "elu", "selu", "tanh", "hard_tanh", "sigmoid"]);
const ELTWISE = new Set(["add", "mul"]);
const COMPARES = new Set(["less", "less_equal", "greater", "greater_equal"]);

export { smvOutputElementBytes };

/** Vectors one PE multiplies per iteration, V = max(1, floor(maccsPerPe / vectorLanes)). */
export function smvVectorsPerPe(p: SmvParams): number {
  return Math.max(1, Math.floor(p.maccsPerPe / p.vectorLanes));
}

/** macs / (cycles * pes * maccsPerPe): the fraction of the PE array's peak the invocation uses. */
export function smvUtilisation(cost: InvocationCost, p: SmvParams): number {
  return cost.cycles > 0 ? cost.macs / (cost.cycles * p.pes * p.maccsPerPe) : 0;
}

/** Datapath counts of one kernel, in cycles and vectors (converted to bytes at the end). */
interface Work {
  cycles: number;
  macs: number;
  readVectors: number;
  writeVectors: number;
}

const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

const product = (xs: number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * Blocks of `size` covering `total`: [count, extent] pairs, the full blocks then the partial one.
 * Loops over blocks become sums over (at most) two kinds of block.
 */
function blocks(total: number, size: number): [number, number][] {
  const full = Math.floor(total / size);
  const rest = total - full * size;
  const out: [number, number][] = [];
  if (full > 0) out.push([full, size]);
  if (rest > 0) out.push([1, rest]);
  return out;
}

/** Output positions i in [0, nOut) whose input index i*stride - pad + k lies inside [0, nIn). */
function validCount(nOut: number, nIn: number, stride: number, pad: number, k: number): number {
  const lo = Math.max(0, Math.ceil((pad - k) / stride));
  const hi = Math.min(nOut - 1, Math.floor((nIn - 1 + pad - k) / stride));
  return Math.max(0, hi - lo + 1);
}

/** Sum over window offsets k < kSize of validCount: (output, window offset) pairs reading real data. */
function validSum(nOut: number, nIn: number, stride: number, pad: number, kSize: number): number {
  let s = 0;
  for (let k = 0; k < kSize; k++) s += validCount(nOut, nIn, stride, pad, k);
  return s;
}

function pairParam(params: Record<string, unknown>, key: string, fallback?: [number, number]): [number, number] {
  const v = params[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 1))
    return [v[0] as number, v[1] as number];
  throw new Error(`SMV cost: param '${key}' must be a pair of positive integers, got ${JSON.stringify(v)}`);
}

function fusedActivation(params: Record<string, unknown>): string | undefined {
  const a = params.activation;
  if (a === undefined || a === null) return undefined;
  if (typeof a === "string") return a;
  if (typeof a === "object" && typeof (a as { type?: unknown }).type === "string") return (a as { type: string }).type;
  throw new Error(`SMV cost: unreadable activation ${JSON.stringify(a)}`);
}

class Model {
  readonly P: number;
  readonly M: number;
  readonly L: number;
  readonly R: number;
  readonly D: number;
  readonly Lo: number;
  readonly V: number;
  readonly B: number;
  readonly U: number;
  readonly Rw: number;

  constructor(p: SmvParams) {
    this.P = p.pes;
    this.M = p.maccsPerPe;
    this.L = p.vectorLanes;
    this.R = p.spadPorts;
    this.D = p.pipelineDepth;
    this.Lo = p.loopOverheadCycles;
    this.V = smvVectorsPerPe(p);
    this.B = this.V * this.L;
    this.U = this.R;
    this.Rw = p.weightStreamPorts;
  }

  /** Cycles n vector accesses to one scratchpad take. */
  ports(n: number): number {
    return ceilDiv(n, this.R);
  }

  /** Cycles a pipelined loop takes to stream n vectors from the weights scratchpad. */
  wports(n: number): number {
    return ceilDiv(n, this.Rw);
  }

  /** One execution of a pipelined loop: fill, then one iteration every II cycles. */
  pipe(ii: number, n: number): number {
    return this.D - 1 + ii * n;
  }

  /** Cycles the PE array needs for `lanes` multiplies (or vector-op lanes) per PE. */
  peLanes(lanes: number): number {
    return ceilDiv(lanes, this.M);
  }

  /** Cycles the whole PE array (P*M lanes) needs for `lanes` vector-op lanes. */
  arrayLanes(lanes: number): number {
    return ceilDiv(lanes, this.P * this.M);
  }

  conv(inv: SmvInvocation): Work {
    const x = tile(inv, "inputs");
    const w = tile(inv, "weights");
    const y = tile(inv, "outputs");
    dims(inv, "inputs", x, 4);
    dims(inv, "weights", w, 4);
    dims(inv, "outputs", y, 4);
    const [N, Ho, Wo] = y.shape;
    const [, kH, kW] = w.shape;
    const O = Math.min(w.valid[0], y.valid[3]);
    const I = w.valid[3];
    const [sh, sw] = pairParam(inv.params, "stride", [1, 1]);
    const [top, , left] = inv.padding ?? [0, 0, 0, 0];
    const { P, L, Lo } = this;

    const obBlocks = blocks(O, P);
    const ibBlocks = blocks(I, this.B).map(([count, chans]): [number, number] => [count, ceilDiv(chans, L)]);
    const nIB = ibBlocks.reduce((s, [c]) => s + c, 0);
    let sumOb = 0;
    for (const [obCount, g] of obBlocks) {
      let sumIb = 0;
      for (const [ibCount, v] of ibBlocks) {
        const ii = Math.max(1, this.ports(v), this.ports(2 * ceilDiv(g, L)), this.peLanes(v * L));
        const tRow = Lo + this.pipe(ii, Wo);
        sumIb += ibCount * (Lo + this.ports(g * v) + Ho * tRow);
      }
      sumOb += obCount * (Lo + kH * (Lo + kW * (Lo + sumIb)));
    }
    const cycles = N * (Lo + sumOb);

    const inVectorsPerPos = ceilDiv(I, L); // sum of v_ib over the blocks
    const positions = validSum(Ho, x.shape[1], sh, top, kH) * validSum(Wo, x.shape[2], sw, left, kW);
    const nOB = obBlocks.reduce((s, [c]) => s + c, 0);
    const psumVectors = obBlocks.reduce((s, [c, g]) => s + c * ceilDiv(g, L), 0);
    const passes = kH * kW * nIB;
    const firstFromZero = inv.flags.accumulate ? 0 : 1;
    return {
      cycles,
      macs: N * Ho * Wo * O * kH * kW * I,
      readVectors:
        N * nOB * inVectorsPerPos * positions +
        N * kH * kW * O * inVectorsPerPos +
        N * psumVectors * Ho * Wo * Math.max(0, passes - firstFromZero),
      writeVectors: N * psumVectors * Ho * Wo * passes,
    };
  }

  depthwise(inv: SmvInvocation): Work {
    const x = tile(inv, "inputs");
    const w = tile(inv, "weights");
    const y = tile(inv, "outputs");
    dims(inv, "inputs", x, 4);
    dims(inv, "weights", w, 4);
    dims(inv, "outputs", y, 4);
    const [N, Ho, Wo] = y.shape;
    const [, kH, kW] = w.shape;
    const C = Math.min(w.valid[0], y.valid[3]);
    const [sh, sw] = pairParam(inv.params, "stride", [1, 1]);
    const [top, , left] = inv.padding ?? [0, 0, 0, 0];
    const { P, L, Lo, V } = this;

    const G = ceilDiv(C, L);
    const T = kH * kW;
    const cbBlocks = blocks(G, P);
    const tbBlocks = blocks(T, V);
    const nTB = tbBlocks.reduce((s, [c]) => s + c, 0);
    let sumCb = 0;
    for (const [cbCount, g] of cbBlocks) {
      let sumTb = 0;
      for (const [tbCount, t] of tbBlocks) {
        const ii = Math.max(1, this.ports(g * t), this.ports(2 * g), this.peLanes(t * L));
        const tRow = Lo + this.pipe(ii, Wo);
        sumTb += tbCount * (Lo + this.ports(g * t) + Ho * tRow);
      }
      sumCb += cbCount * (Lo + sumTb);
    }
    const cycles = N * (Lo + sumCb);

    const positions = validSum(Ho, x.shape[1], sh, top, kH) * validSum(Wo, x.shape[2], sw, left, kW);
    const firstFromZero = inv.flags.accumulate ? 0 : 1;
    return {
      cycles,
      macs: N * Ho * Wo * C * kH * kW,
      readVectors: N * G * positions + N * G * T + N * G * Ho * Wo * Math.max(0, nTB - firstFromZero),
      writeVectors: N * G * Ho * Wo * nTB,
    };
  }

  innerProduct(inv: SmvInvocation): Work {
    const x = tile(inv, "inputs");
    const w = tile(inv, "weights");
    const y = tile(inv, "outputs");
    dims(inv, "inputs", x, 2);
    dims(inv, "weights", w, 2);
    dims(inv, "outputs", y, 2);
    const Na = x.shape[0];
    const O = Math.min(w.valid[0], y.valid[1]);
    const I = w.valid[1];
    const { P, L, Lo, V } = this;

    const Ib = ceilDiv(I, L);
    const nIC = ceilDiv(Ib, V);
    const v = Math.min(V, Ib);
    const ogBlocks = blocks(O, P);
    let sumOg = 0;
    for (const [count, g] of ogBlocks) {
      const ii = Math.max(1, this.ports(v), this.wports(g * v), this.peLanes(v * L));
      sumOg += count * (Lo + this.pipe(ii, nIC));
    }
    const nOG = ogBlocks.reduce((s, [c]) => s + c, 0);
    const psum = ceilDiv(O, L);
    return {
      cycles: Na * (Lo + sumOg),
      macs: Na * O * I,
      readVectors: Na * nOG * Ib + Na * O * Ib + (inv.flags.accumulate ? Na * psum : 0),
      writeVectors: Na * psum,
    };
  }

  pool(inv: SmvInvocation): Work {
    const x = tile(inv, "inputs");
    const y = tile(inv, "outputs");
    dims(inv, "inputs", x, 4);
    const global = inv.op === "global_avg_pool";
    const N = y.shape[0];
    let Ho: number;
    let Wo: number;
    let ph: number;
    let pw: number;
    let sh: number;
    let sw: number;
    let top = 0;
    let left = 0;
    if (global) {
      [Ho, Wo, ph, pw, sh, sw] = [1, 1, x.shape[1], x.shape[2], 1, 1];
    } else {
      dims(inv, "outputs", y, 4);
      [, Ho, Wo] = y.shape;
      [ph, pw] = pairParam(inv.params, "pool");
      [sh, sw] = pairParam(inv.params, "stride", [ph, pw]);
      [top, , left] = inv.padding ?? [0, 0, 0, 0];
    }
    const C = y.valid[y.valid.length - 1];
    const { L, Lo, U } = this;
    const G = ceilDiv(C, L);
    let perPixel = 0;
    for (const [count, u] of blocks(G, U)) {
      // u channel groups side by side; each window step reads one vector per group and compares
      // (max) or adds (avg) it: u*L lanes on the PE array.
      const ii = Math.max(1, this.ports(u), this.arrayLanes(u * L));
      perPixel += count * (Lo + this.pipe(ii, ph * pw));
    }
    const cycles = N * (Lo + Ho * (Lo + Wo * perPixel));
    const positions = validSum(Ho, x.shape[1], sh, top, ph) * validSum(Wo, x.shape[2], sw, left, pw);
    return { cycles, macs: 0, readVectors: N * G * positions, writeVectors: N * Ho * Wo * G };
  }

  batchNorm(inv: SmvInvocation): Work {
    const x = tile(inv, "inputs");
    tile(inv, "weights");
    const { L, Lo, U } = this;
    const C = x.valid[x.valid.length - 1];
    const G = ceilDiv(C, L);
    if (x.shape.length === 4) {
      const [N, H, W] = x.shape;
      let sumBlocks = 0;
      for (const [count, u] of blocks(G, U)) {
        // u groups side by side: u input reads, u output writes, 4 vector ops per group.
        const ii = Math.max(1, this.ports(u), this.arrayLanes(4 * u * L));
        sumBlocks += count * (Lo + this.ports(4 * u) + H * (Lo + this.pipe(ii, W)));
      }
      return {
        cycles: N * (Lo + sumBlocks),
        macs: 0,
        readVectors: N * H * W * G + N * G * 4,
        writeVectors: N * H * W * G,
      };
    }
    dims(inv, "inputs", x, 2);
    const Na = x.shape[0];
    const u = Math.min(U, G);
    // u input vectors and the 4u parameter vectors they need (weights scratchpad) per iteration.
    const ii = Math.max(1, this.ports(u), this.wports(4 * u), this.arrayLanes(4 * u * L));
    const cycles = Na * (Lo + this.pipe(ii, ceilDiv(G, U)));
    return { cycles, macs: 0, readVectors: Na * G * 5, writeVectors: Na * G };
  }

  /**
   * A flat element-wise loop over n vectors, unrolled U vectors per iteration; `busiest` is the
   * accesses per vector on the busiest scratchpad (1: reads and writes in different scratchpads,
   * 2: in place), `ops` the vector operations per vector, `weightReads` the vectors per vector read
   * from the weights scratchpad (eltwise's second operand).
   */
  elementwise(n: number, busiest: number, ops = 1, weightReads = 0): number {
    const u = Math.min(this.U, n);
    const ii = Math.max(1, this.ports(busiest * u), this.wports(weightReads * u), this.arrayLanes(ops * u * this.L));
    return this.pipe(ii, ceilDiv(n, this.U));
  }

  /** An activation pass over n vectors; `inPlace` when it reads and writes one scratchpad. */
  vectorPass(n: number, inPlace: boolean): Work {
    return { cycles: this.elementwise(n, inPlace ? 2 : 1), macs: 0, readVectors: n, writeVectors: n };
  }

  /** Softmax over the rows of a tile: exp, sum and scale passes per row. */
  softmax(t: SmvTile, inPlace: boolean): Work {
    const last = t.valid[t.valid.length - 1];
    const rows = product(t.shape.slice(0, -1));
    const c = ceilDiv(last, this.L);
    const perRow = this.Lo + this.elementwise(c, inPlace ? 2 : 1) + this.elementwise(c, 1) + this.elementwise(c, 2);
    return { cycles: rows * perRow, macs: 0, readVectors: rows * 3 * c, writeVectors: rows * 2 * c };
  }

  /** A fused activation on the finished output tile (in place on the outputs scratchpad). */
  activationOn(t: SmvTile, act: string): Work {
    if (act === "softmax") return this.softmax(t, true);
    if (!ELEMENTWISE_ACTIVATIONS.has(act)) throw new Error(`SMV cost: unknown fused activation '${act}'`);
    return this.vectorPass(ceilDiv(product(t.shape), this.L), true);
  }
}

function tile(inv: SmvInvocation, role: string): SmvTile {
  const t = inv.tiles[role];
  if (t === undefined) throw new Error(`SMV cost of ${inv.op}: no '${role}' tile`);
  if (t.shape.length !== t.valid.length || t.shape.length === 0)
    throw new Error(`SMV cost of ${inv.op}: '${role}' tile shape and valid extents differ in rank`);
  return t;
}

function dims(inv: SmvInvocation, role: string, t: SmvTile, rank: number): void {
  if (t.shape.length !== rank)
    throw new Error(`SMV cost of ${inv.op}: '${role}' tile must be ${rank}-D, got [${t.shape.join(", ")}]`);
}

/** Cycles and action counts of one SMV invocation (equations in this file's header). */
export function smvInvocationCost(inv: SmvInvocation, p: SmvParams): InvocationCost {
  const m = new Model(p);
  const op = inv.op;
  let work: Work;
  let fused: string | undefined;
  if (op === "conv") {
    work = m.conv(inv);
    fused = fusedActivation(inv.params);
  } else if (op === "depthwise_conv") {
    work = m.depthwise(inv);
    fused = fusedActivation(inv.params);
  } else if (op === "inner_product") {
    work = m.innerProduct(inv);
    fused = fusedActivation(inv.params);
  } else if (op === "max_pool" || op === "avg_pool" || op === "global_avg_pool") {
    work = m.pool(inv);
  } else if (op === "batch_norm") {
    work = m.batchNorm(inv);
    fused = fusedActivation(inv.params);
  } else if (ELEMENTWISE_ACTIVATIONS.has(op)) {
    work = m.vectorPass(ceilDiv(product(tile(inv, "inputs").shape), m.L), false);
  } else if (op === "softmax") {
    work = m.softmax(tile(inv, "inputs"), false);
  } else if (ELTWISE.has(op) || COMPARES.has(op)) {
    // One iteration per output vector; a broadcast operand (a whole, smaller inputs1 tile that stays
    // resident) is re-read for each. inputs and inputs1 sit in two scratchpads (SMAUG: inputs and
    // weights), results in the third.
    tile(inv, "inputs");
    tile(inv, "inputs1");
    const n = ceilDiv(product((inv.tiles.outputs ?? tile(inv, "inputs")).shape), m.L);
    work = { cycles: m.elementwise(n, 1, 1, 1), macs: 0, readVectors: 2 * n, writeVectors: n };
  } else {
    throw new Error(`SMV cost: operator '${op}' does not run on SMV`);
  }
  if (fused !== undefined && inv.flags.sendResults) {
    const a = m.activationOn(tile(inv, "outputs"), fused);
    work.cycles += a.cycles;
    work.readVectors += a.readVectors;
    work.writeVectors += a.writeVectors;
  }

  const eb = SMV_ELEMENT_BYTES;
  const outEb = smvOutputElementBytes(op);
  const vectorBytes = m.L * eb;
  // Compare results are written as bool vectors (L bytes); everything else as fp16.
  const writeBytes = COMPARES.has(op) ? work.writeVectors * m.L * outEb : work.writeVectors * vectorBytes;
  const bytesOf = (role: string, e = eb): number => {
    const t = inv.tiles[role];
    return t === undefined ? 0 : product(t.shape) * e;
  };
  // inputs1 sits in the weights scratchpad (SMAUG's eltwise kernels), so it loads with the weights:
  // a resident broadcast operand is not reloaded.
  const hostLoadBytes =
    (inv.flags.readInputs ? bytesOf("inputs") : 0) +
    (inv.flags.readWeights ? bytesOf("weights") + bytesOf("inputs1") : 0);
  // Unary and element-wise results have the input tile's shape when no output tile is named.
  const storeRole = inv.tiles.outputs === undefined ? "inputs" : "outputs";
  const hostStoreBytes = inv.flags.sendResults ? bytesOf(storeRole, outEb) : 0;
  return {
    cycles: p.invocationOverheadCycles + work.cycles,
    macs: work.macs,
    spadReadBytes: work.readVectors * vectorBytes,
    spadWriteBytes: writeBytes,
    hostLoadBytes,
    hostStoreBytes,
  };
}
