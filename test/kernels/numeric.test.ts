/**
 * The fast kernels (blocked GEMM, im2col conv, pooling) against naive direct loops written here,
 * on seeded random inputs with awkward shapes: odd spatial sizes, channel counts that are not a
 * multiple of the GEMM blocks, even and odd kernels, asymmetric padding, batch 2. Plus a few
 * hand-worked examples whose expected values are derived in the comments.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import {
  type ConvGeometry,
  conv2dNHWC,
  convOutputSize,
  depthwiseConv2dNHWC,
  samePadding,
} from "../../src/kernels/conv.js";
import { gemmAB, gemmABt } from "../../src/kernels/gemm.js";
import {
  avgPoolNHWC,
  globalAvgPoolNHWC,
  maxPoolNHWC,
  type PoolGeometry,
  poolOutputSize,
} from "../../src/kernels/pool.js";

function random(seed: number, size: number): Float32Array {
  const r = mulberry32(seed);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = r() * 2 - 1;
  return a;
}

/** |got - want| <= 1e-5 * max(1, |want|) everywhere. */
function assertClose(got: Float32Array, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-5 * Math.max(1, Math.abs(want[i]));
    if (!(Math.abs(got[i] - want[i]) <= tol)) {
      assert.fail(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
    }
  }
}

// ---------------------------------------------------------------- oracles: direct loops

function naiveConv(
  x: Float32Array,
  wts: Float32Array,
  bias: Float32Array | undefined,
  o: number,
  g: ConvGeometry,
): Float64Array {
  const outH = Math.floor((g.h + g.padTop + g.padBottom - g.kh) / g.strideH) + 1;
  const outW = Math.floor((g.w + g.padLeft + g.padRight - g.kw) / g.strideW) + 1;
  const y = new Float64Array(g.n * outH * outW * o);
  for (let b = 0; b < g.n; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let oc = 0; oc < o; oc++) {
          let s = bias ? bias[oc] : 0;
          for (let i = 0; i < g.kh; i++)
            for (let j = 0; j < g.kw; j++)
              for (let c = 0; c < g.c; c++) {
                const ih = oh * g.strideH - g.padTop + i;
                const iw = ow * g.strideW - g.padLeft + j;
                if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
                s += x[((b * g.h + ih) * g.w + iw) * g.c + c] * wts[((oc * g.kh + i) * g.kw + j) * g.c + c];
              }
          y[((b * outH + oh) * outW + ow) * o + oc] = s;
        }
  return y;
}

function naiveDepthwise(
  x: Float32Array,
  wts: Float32Array,
  bias: Float32Array | undefined,
  g: ConvGeometry,
): Float64Array {
  const outH = Math.floor((g.h + g.padTop + g.padBottom - g.kh) / g.strideH) + 1;
  const outW = Math.floor((g.w + g.padLeft + g.padRight - g.kw) / g.strideW) + 1;
  const y = new Float64Array(g.n * outH * outW * g.c);
  for (let b = 0; b < g.n; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let c = 0; c < g.c; c++) {
          let s = bias ? bias[c] : 0;
          for (let i = 0; i < g.kh; i++)
            for (let j = 0; j < g.kw; j++) {
              const ih = oh * g.strideH - g.padTop + i;
              const iw = ow * g.strideW - g.padLeft + j;
              if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
              s += x[((b * g.h + ih) * g.w + iw) * g.c + c] * wts[(c * g.kh + i) * g.kw + j];
            }
          y[((b * outH + oh) * outW + ow) * g.c + c] = s;
        }
  return y;
}

function naivePool(x: Float32Array, g: PoolGeometry, kind: "max" | "avg"): Float64Array {
  const outH = Math.floor((g.h + g.padTop + g.padBottom - g.ph) / g.strideH) + 1;
  const outW = Math.floor((g.w + g.padLeft + g.padRight - g.pw) / g.strideW) + 1;
  const y = new Float64Array(g.n * outH * outW * g.c);
  for (let b = 0; b < g.n; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let c = 0; c < g.c; c++) {
          let m = -Infinity;
          let s = 0;
          let count = 0;
          for (let i = 0; i < g.ph; i++)
            for (let j = 0; j < g.pw; j++) {
              const ih = oh * g.strideH - g.padTop + i;
              const iw = ow * g.strideW - g.padLeft + j;
              if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
              const v = x[((b * g.h + ih) * g.w + iw) * g.c + c];
              m = Math.max(m, v);
              s += v;
              count++;
            }
          y[((b * outH + oh) * outW + ow) * g.c + c] = kind === "max" ? m : s / count;
        }
  return y;
}

function naiveGemm(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | undefined,
  m: number,
  n: number,
  k: number,
  bTransposed: boolean,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * (bTransposed ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

// ---------------------------------------------------------------- hand-worked examples

describe("kernels: hand-worked examples", () => {
  it("samePadding follows SAME_UPPER (extra padding after)", () => {
    // out = ceil(5/1) = 5; total = 4*1 + 2 - 5 = 1 -> [0, 1]
    assert.deepEqual(samePadding(5, 2, 1), [0, 1]);
    // out = 112; total = 111*2 + 7 - 224 = 5 -> [2, 3]
    assert.deepEqual(samePadding(224, 7, 2), [2, 3]);
    // out = 56; total = 55*2 + 3 - 112 = 1 -> [0, 1]
    assert.deepEqual(samePadding(112, 3, 2), [0, 1]);
    // out = 4; total = 3 + 3 - 4 = 2 -> [1, 1]
    assert.deepEqual(samePadding(4, 3, 1), [1, 1]);
    // total would be negative (1x1 stride 2 on 5: (3-1)*2 + 1 - 5 = 0) -> [0, 0]
    assert.deepEqual(samePadding(5, 1, 2), [0, 0]);
  });

  it("a 2x2 kernel of ones sums each 2x2 window of 1..9", () => {
    // 1 2 3
    // 4 5 6   windows: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28
    // 7 8 9
    const g: ConvGeometry = {
      ...{ n: 1, h: 3, w: 3, c: 1, kh: 2, kw: 2, strideH: 1, strideW: 1 },
      ...{ padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 },
    };
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Float32Array(4);
    conv2dNHWC(x, new Float32Array(4).fill(1), undefined, 1, g, out);
    assert.deepEqual([...out], [12, 16, 24, 28]);
    // with bias 0.5 and a second output channel of weights [1, 0, 0, -1] (top-left minus bottom-right):
    // 1-5 = -4, 2-6 = -4, 4-8 = -4, 5-9 = -4
    const out2 = new Float32Array(8);
    conv2dNHWC(x, Float32Array.from([1, 1, 1, 1, 1, 0, 0, -1]), Float32Array.from([0.5, 0.5]), 2, g, out2);
    assert.deepEqual([...out2], [12.5, -3.5, 16.5, -3.5, 24.5, -3.5, 28.5, -3.5]);
  });

  it("a padded 3x3 depthwise kernel of ones sums each clipped neighbourhood", () => {
    // 2x2 input, channel 0 = 1 2 / 3 4, channel 1 = 10 x that; pad 1 all round, 3x3 ones:
    // every window covers the whole 2x2 input -> 10 and 100.
    const g: ConvGeometry = {
      ...{ n: 1, h: 2, w: 2, c: 2, kh: 3, kw: 3, strideH: 1, strideW: 1 },
      ...{ padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 },
    };
    const x = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const out = new Float32Array(8);
    depthwiseConv2dNHWC(x, new Float32Array(18).fill(1), undefined, g, out);
    assert.deepEqual([...out], [10, 100, 10, 100, 10, 100, 10, 100]);
  });

  it("average pooling divides by the number of non-padding elements (count_include_pad=0)", () => {
    // 1 2 3
    // 4 5 6   2x2 windows, stride 2, padTop = padLeft = 1, padBottom = padRight = 0:
    // 7 8 9   outH = floor((3 + 1 - 2) / 2) + 1 = 2
    // windows: {1} -> 1; {2,3} -> 2.5; {4,7} -> 5.5; {5,6,8,9} -> 7
    const g: PoolGeometry = {
      ...{ n: 1, h: 3, w: 3, c: 1, ph: 2, pw: 2, strideH: 2, strideW: 2 },
      ...{ padTop: 1, padBottom: 0, padLeft: 1, padRight: 0 },
    };
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const avg = new Float32Array(4);
    avgPoolNHWC(x, g, avg);
    assert.deepEqual([...avg], [1, 2.5, 5.5, 7]);
    const max = new Float32Array(4);
    maxPoolNHWC(x, g, max);
    assert.deepEqual([...max], [1, 3, 7, 9]);
  });

  it("max pooling ignores padding even when every input is negative", () => {
    // all -1: a padded zero must not win. 2x2 input, 3x3 window, pad 1, stride 1 -> 2x2 of -1
    const g: PoolGeometry = {
      ...{ n: 1, h: 2, w: 2, c: 1, ph: 3, pw: 3, strideH: 1, strideW: 1 },
      ...{ padTop: 1, padBottom: 1, padLeft: 1, padRight: 1 },
    };
    const out = new Float32Array(4);
    maxPoolNHWC(new Float32Array(4).fill(-1), g, out);
    assert.deepEqual([...out], [-1, -1, -1, -1]);
  });

  it("max pooling propagates NaN", () => {
    const g: PoolGeometry = {
      ...{ n: 1, h: 1, w: 3, c: 1, ph: 1, pw: 3, strideH: 1, strideW: 1 },
      ...{ padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 },
    };
    for (const x of [
      [Number.NaN, 1, 2],
      [1, Number.NaN, 2],
      [1, 2, Number.NaN],
    ]) {
      const out = new Float32Array(1);
      maxPoolNHWC(Float32Array.from(x), g, out);
      assert.ok(Number.isNaN(out[0]), `max of ${x}`);
    }
  });

  it("global average pooling averages each channel over H*W", () => {
    // batch 2, 2x1 pixels, 2 channels: n0 = (1,2),(3,4) -> (2,3); n1 = (0,-2),(1,2) -> (0.5,0)
    const out = new Float32Array(4);
    globalAvgPoolNHWC(Float32Array.from([1, 2, 3, 4, 0, -2, 1, 2]), 2, 2, 1, 2, out);
    assert.deepEqual([...out], [2, 3, 0.5, 0]);
  });

  it("a 2x2 GEMM, both layouts, with bias", () => {
    // [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50]; B^T stored as [5 7; 6 8]; bias (1, -1)
    const a = Float32Array.from([1, 2, 3, 4]);
    const ab = new Float32Array(4);
    gemmAB(a, Float32Array.from([5, 6, 7, 8]), 2, 2, 2, ab);
    assert.deepEqual([...ab], [19, 22, 43, 50]);
    const abt = new Float32Array(4);
    gemmABt(a, Float32Array.from([5, 7, 6, 8]), Float32Array.from([1, -1]), 2, 2, 2, abt);
    assert.deepEqual([...abt], [20, 21, 44, 49]);
  });

  it("sums are rounded to float32 once, not per step", () => {
    // 2^24 + 1 + 1: float32 steps would give 2^24 (each +1 rounds away); float64 gives 2^24 + 2.
    const out = new Float32Array(1);
    gemmABt(Float32Array.from([2 ** 24, 1, 1]), Float32Array.from([1, 1, 1]), undefined, 1, 1, 3, out);
    assert.equal(out[0], 2 ** 24 + 2);
  });
});

// ---------------------------------------------------------------- random shapes vs the oracles

interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  k: [number, number];
  s: [number, number];
  pad: [number, number, number, number];
  bias: boolean;
}

const convCases: ConvCase[] = [
  { n: 1, h: 7, w: 9, c: 3, o: 5, k: [3, 3], s: [1, 1], pad: [1, 1, 1, 1], bias: true },
  { n: 2, h: 7, w: 9, c: 13, o: 17, k: [3, 3], s: [2, 2], pad: [0, 1, 1, 0], bias: false },
  { n: 2, h: 9, w: 7, c: 5, o: 8, k: [1, 1], s: [1, 1], pad: [0, 0, 0, 0], bias: true },
  { n: 1, h: 9, w: 7, c: 13, o: 3, k: [1, 1], s: [1, 1], pad: [0, 0, 0, 0], bias: false },
  { n: 2, h: 9, w: 11, c: 13, o: 7, k: [1, 1], s: [2, 2], pad: [0, 0, 0, 0], bias: true },
  { n: 1, h: 6, w: 6, c: 4, o: 6, k: [1, 1], s: [1, 1], pad: [1, 0, 0, 1], bias: true },
  { n: 2, h: 11, w: 8, c: 3, o: 13, k: [5, 5], s: [1, 2], pad: [2, 2, 1, 3], bias: true },
  { n: 1, h: 7, w: 9, c: 5, o: 4, k: [2, 2], s: [1, 1], pad: [0, 1, 0, 1], bias: false },
  { n: 2, h: 8, w: 7, c: 13, o: 9, k: [2, 2], s: [2, 2], pad: [0, 0, 0, 0], bias: true },
  { n: 1, h: 5, w: 5, c: 5, o: 3, k: [2, 3], s: [2, 1], pad: [1, 0, 2, 0], bias: true },
  { n: 1, h: 12, w: 12, c: 3, o: 16, k: [7, 7], s: [2, 2], pad: [2, 3, 2, 3], bias: false },
  // padding wider than the kernel: some outputs see only zeros (bias alone)
  { n: 1, h: 3, w: 4, c: 2, o: 3, k: [1, 1], s: [1, 1], pad: [2, 1, 0, 2], bias: true },
  // K = 3*3*64 and 286 output pixels: three im2col chunks of 111 pixels and two GEMM panels (84 + 6)
  { n: 2, h: 13, w: 11, c: 64, o: 90, k: [3, 3], s: [1, 1], pad: [1, 1, 1, 1], bias: true },
];

function convGeometry(t: ConvCase): ConvGeometry {
  return {
    ...{ n: t.n, h: t.h, w: t.w, c: t.c, kh: t.k[0], kw: t.k[1], strideH: t.s[0], strideW: t.s[1] },
    ...{ padTop: t.pad[0], padBottom: t.pad[1], padLeft: t.pad[2], padRight: t.pad[3] },
  };
}

const describeCase = (t: ConvCase) =>
  `${t.n}x${t.h}x${t.w}x${t.c} ${t.k[0]}x${t.k[1]} s${t.s.join(",")} pad ${t.pad.join(",")}` +
  `${t.bias ? " +bias" : ""}`;

describe("kernels: conv2dNHWC vs direct loops", () => {
  convCases.forEach((t, idx) => {
    it(`${describeCase(t)} -> ${t.o}`, () => {
      const g = convGeometry(t);
      const x = random(100 + idx, t.n * t.h * t.w * t.c);
      const wts = random(200 + idx, t.o * t.k[0] * t.k[1] * t.c);
      const bias = t.bias ? random(300 + idx, t.o) : undefined;
      const { outH, outW } = convOutputSize(g);
      const out = new Float32Array(t.n * outH * outW * t.o).fill(Number.NaN);
      conv2dNHWC(x, wts, bias, t.o, g, out);
      assertClose(out, naiveConv(x, wts, bias, t.o, g), describeCase(t));
    });
  });
});

describe("kernels: depthwiseConv2dNHWC vs direct loops", () => {
  convCases.forEach((t, idx) => {
    it(describeCase(t), () => {
      const g = convGeometry(t);
      const x = random(400 + idx, t.n * t.h * t.w * t.c);
      const wts = random(500 + idx, t.c * t.k[0] * t.k[1]);
      const bias = t.bias ? random(600 + idx, t.c) : undefined;
      const { outH, outW } = convOutputSize(g);
      const out = new Float32Array(t.n * outH * outW * t.c).fill(Number.NaN);
      depthwiseConv2dNHWC(x, wts, bias, g, out);
      assertClose(out, naiveDepthwise(x, wts, bias, g), describeCase(t));
    });
  });
});

describe("kernels: pooling vs direct loops", () => {
  const poolCases: Array<{
    n: number;
    h: number;
    w: number;
    c: number;
    p: [number, number];
    s: [number, number];
    pad: number[];
  }> = [
    { n: 1, h: 7, w: 9, c: 3, p: [3, 3], s: [2, 2], pad: [1, 1, 1, 1] },
    { n: 2, h: 9, w: 7, c: 13, p: [2, 2], s: [2, 2], pad: [0, 1, 1, 0] },
    { n: 2, h: 8, w: 11, c: 5, p: [3, 2], s: [1, 2], pad: [2, 0, 0, 1] },
    { n: 1, h: 5, w: 5, c: 13, p: [5, 5], s: [3, 3], pad: [4, 4, 2, 3] },
    { n: 1, h: 6, w: 6, c: 8, p: [1, 1], s: [2, 2], pad: [0, 0, 0, 0] },
  ];
  poolCases.forEach((t, idx) => {
    const g: PoolGeometry = {
      ...{ n: t.n, h: t.h, w: t.w, c: t.c, ph: t.p[0], pw: t.p[1], strideH: t.s[0], strideW: t.s[1] },
      ...{ padTop: t.pad[0], padBottom: t.pad[1], padLeft: t.pad[2], padRight: t.pad[3] },
    };
    const label = `${t.n}x${t.h}x${t.w}x${t.c} ${t.p.join("x")} s${t.s.join(",")} pad ${t.pad.join(",")}`;
    it(`max and avg: ${label}`, () => {
      const x = random(700 + idx, t.n * t.h * t.w * t.c);
      const { outH, outW } = poolOutputSize(g);
      const out = new Float32Array(t.n * outH * outW * t.c);
      maxPoolNHWC(x, g, out);
      assertClose(out, naivePool(x, g, "max"), `max ${label}`);
      avgPoolNHWC(x, g, out);
      assertClose(out, naivePool(x, g, "avg"), `avg ${label}`);
    });
  });

  it("global average: batch 2, 7x9x13", () => {
    const [n, h, w, c] = [2, 7, 9, 13];
    const x = random(800, n * h * w * c);
    const out = new Float32Array(n * c);
    globalAvgPoolNHWC(x, n, h, w, c, out);
    const g: PoolGeometry = {
      ...{ n, h, w, c, ph: h, pw: w, strideH: 1, strideW: 1 },
      ...{ padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 },
    };
    assertClose(out, naivePool(x, g, "avg"), "global avg");
  });
});

describe("kernels: GEMM vs direct loops", () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [1, 3, 17],
    [3, 1, 5],
    [3, 4, 1],
    [17, 33, 3],
    [33, 17, 65],
    [5, 7, 129],
    [10, 100, 1000], // K = 1000 gives panels of 48 columns: two full panels and a partial one
    [2, 3, 0], // K = 0: bias only
  ];
  for (const [m, n, k] of shapes) {
    it(`gemmABt and gemmAB ${m}x${n}x${k}, with offsets`, () => {
      const a = random(m * 1000 + n * 10 + k, m * k);
      const bt = random(n * 1000 + k, n * k);
      const bias = random(k + 7, n);
      const out = new Float32Array(m * n).fill(Number.NaN);
      gemmABt(a, bt, bias, m, n, k, out);
      assertClose(out, naiveGemm(a, bt, bias, m, n, k, true), "ABt + bias");
      gemmABt(a, bt, undefined, m, n, k, out);
      assertClose(out, naiveGemm(a, bt, undefined, m, n, k, true), "ABt");

      const b = random(n * 999 + k, k * n);
      gemmAB(a, b, m, n, k, out);
      assertClose(out, naiveGemm(a, b, undefined, m, n, k, false), "AB");

      // The same products read from and written into the middle of larger arrays.
      const a2 = new Float32Array(m * k + 5);
      a2.set(a, 5);
      const b2 = new Float32Array(k * n + 3);
      b2.set(b, 3);
      const out2 = new Float32Array(m * n + 9).fill(-7);
      gemmAB(a2, b2, m, n, k, out2, 5, 3, 4);
      assertClose(out2.subarray(4, 4 + m * n), naiveGemm(a, b, undefined, m, n, k, false), "AB offsets");
      gemmABt(a2, bt, bias, m, n, k, out2, 5, 4);
      assertClose(out2.subarray(4, 4 + m * n), naiveGemm(a, bt, bias, m, n, k, true), "ABt offsets");
      assert.deepEqual([...out2.subarray(0, 4), ...out2.subarray(4 + m * n)], [-7, -7, -7, -7, -7, -7, -7, -7, -7]);
    });
  }
});

describe("kernels: geometry validation", () => {
  const base: ConvGeometry = {
    ...{ n: 1, h: 4, w: 4, c: 2, kh: 3, kw: 3, strideH: 1, strideW: 1 },
    ...{ padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 },
  };

  it("output sizes follow floor((in + pads - k) / stride) + 1", () => {
    assert.deepEqual(convOutputSize(base), { outH: 2, outW: 2 });
    assert.deepEqual(
      convOutputSize({
        ...base,
        h: 224,
        w: 224,
        kh: 7,
        kw: 7,
        strideH: 2,
        strideW: 2,
        padTop: 2,
        padBottom: 3,
        padLeft: 2,
        padRight: 3,
      }),
      {
        outH: 112,
        outW: 112,
      },
    );
  });

  it("rejects a window larger than the padded input", () => {
    assert.throws(() => convOutputSize({ ...base, kh: 5 }), RangeError);
    const out = new Float32Array(100);
    assert.throws(() =>
      conv2dNHWC(new Float32Array(32), new Float32Array(2 * 5 * 3 * 2), undefined, 2, { ...base, kh: 5 }, out),
    );
  });

  it("rejects non-integer or out-of-range geometry", () => {
    assert.throws(() => convOutputSize({ ...base, strideH: 0 }), RangeError);
    assert.throws(() => convOutputSize({ ...base, padLeft: -1 }), RangeError);
    assert.throws(() => convOutputSize({ ...base, c: 1.5 }), RangeError);
  });

  it("rejects arrays of the wrong size", () => {
    const x = new Float32Array(32);
    const w = new Float32Array(3 * 3 * 3 * 2);
    conv2dNHWC(x, w, undefined, 3, base, new Float32Array(12));
    assert.throws(() => conv2dNHWC(x, w, undefined, 3, base, new Float32Array(11)), RangeError);
    assert.throws(() => conv2dNHWC(x.subarray(1), w, undefined, 3, base, new Float32Array(12)), RangeError);
    assert.throws(() => conv2dNHWC(x, w, new Float32Array(2), 3, base, new Float32Array(12)), RangeError);
    assert.throws(() => gemmABt(x, w, undefined, 4, 3, 9, new Float32Array(12)), RangeError); // A too short
    assert.throws(() => gemmAB(x, w, 2, 3, 8, new Float32Array(6), 0, 0, 1), RangeError); // C too short
  });

  it("pooling rejects padding as wide as the window", () => {
    const g: PoolGeometry = {
      ...{ n: 1, h: 4, w: 4, c: 1, ph: 2, pw: 3, strideH: 1, strideW: 1 },
      ...{ padTop: 1, padBottom: 1, padLeft: 2, padRight: 2 },
    };
    assert.deepEqual(poolOutputSize(g), { outH: 5, outW: 6 });
    assert.throws(() => poolOutputSize({ ...g, padTop: 2 }), RangeError);
    assert.throws(() => poolOutputSize({ ...g, padRight: 3 }), RangeError);
    assert.throws(() => maxPoolNHWC(new Float32Array(16), { ...g, padBottom: 2 }, new Float32Array(36)), RangeError);
  });
});
