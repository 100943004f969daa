/**
 * Pooling on NHWC activations. With the window W(oh, ow) = rows [oh*sH - padTop, +pH) x columns
 * [ow*sW - padLeft, +pW) clipped to the input (padding never contributes):
 *
 *   maxPoolNHWC:       y[n,oh,ow,c] = max_{(i,j) in W} x[n,i,j,c]
 *   avgPoolNHWC:       y[n,oh,ow,c] = sum_{(i,j) in W} x[n,i,j,c] / |W|    (ONNX count_include_pad=0)
 *   globalAvgPoolNHWC: y[n,c]       = sum_{i,j} x[n,i,j,c] / (H*W)
 *
 * outH = floor((H + padTop + padBottom - pH) / sH) + 1 (same for W). Every pad must be smaller
 * than the window in its dimension, which guarantees |W| >= 1 for every output. Sums are
 * accumulated in float64 and rounded to float32 on store.
 */
import { checkIntegers, checkLength, windowOutputSize } from "./conv.js";

export interface PoolGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  ph: number;
  pw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

const DIMS = ["n", "h", "w", "c", "ph", "pw", "strideH", "strideW"] as const;
const PADS = ["padTop", "padBottom", "padLeft", "padRight"] as const;

export function poolOutputSize(g: PoolGeometry): { outH: number; outW: number } {
  checkIntegers("pool", g, DIMS, 1);
  checkIntegers("pool", g, PADS, 0);
  if (g.padTop >= g.ph || g.padBottom >= g.ph || g.padLeft >= g.pw || g.padRight >= g.pw) {
    throw new RangeError(
      `pool: padding [${g.padTop}, ${g.padBottom}, ${g.padLeft}, ${g.padRight}] must be smaller than the ${g.ph}x${g.pw} window`,
    );
  }
  return windowOutputSize("pool", g.h, g.w, g.ph, g.pw, g);
}

function checkPool(op: string, x: Float32Array, g: PoolGeometry, out: Float32Array): { outH: number; outW: number } {
  const size = poolOutputSize(g);
  checkLength(op, "x", x, g.n * g.h * g.w * g.c);
  checkLength(op, "out", out, g.n * size.outH * size.outW * g.c);
  return size;
}

export function maxPoolNHWC(x: Float32Array, g: PoolGeometry, out: Float32Array): void {
  const { outH, outW } = checkPool("max pool", x, g, out);
  const { n, h, w, c, ph, pw, strideH, strideW, padTop, padLeft } = g;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      const i0 = Math.max(0, ih0);
      const i1 = Math.min(h, ih0 + ph);
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * strideW - padLeft;
        const j0 = Math.max(0, iw0);
        const j1 = Math.min(w, iw0 + pw);
        // The first valid element seeds the maximum, so -Infinity and NaN inputs behave as in max().
        const first = ((b * h + i0) * w + j0) * c;
        for (let ch = 0; ch < c; ch++) out[o + ch] = x[first + ch];
        for (let i = i0; i < i1; i++) {
          for (let j = i === i0 ? j0 + 1 : j0; j < j1; j++) {
            const src = ((b * h + i) * w + j) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[src + ch];
              // A NaN anywhere in the window makes the result NaN, as Math.max would.
              if (v > out[o + ch] || Number.isNaN(v)) out[o + ch] = v;
            }
          }
        }
        o += c;
      }
    }
  }
}

export function avgPoolNHWC(x: Float32Array, g: PoolGeometry, out: Float32Array): void {
  const { outH, outW } = checkPool("avg pool", x, g, out);
  const { n, h, w, c, ph, pw, strideH, strideW, padTop, padLeft } = g;
  const acc = new Float64Array(c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      const i0 = Math.max(0, ih0);
      const i1 = Math.min(h, ih0 + ph);
      for (let ow = 0; ow < outW; ow++) {
        const iw0 = ow * strideW - padLeft;
        const j0 = Math.max(0, iw0);
        const j1 = Math.min(w, iw0 + pw);
        acc.fill(0);
        for (let i = i0; i < i1; i++) {
          for (let j = j0; j < j1; j++) {
            const src = ((b * h + i) * w + j) * c;
            for (let ch = 0; ch < c; ch++) acc[ch] += x[src + ch];
          }
        }
        const count = (i1 - i0) * (j1 - j0);
        for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch] / count;
        o += c;
      }
    }
  }
}

/** x: [N, H, W, C] -> out: [N, C]. */
export function globalAvgPoolNHWC(
  x: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  out: Float32Array,
): void {
  checkIntegers("global avg pool", { n, h, w, c }, ["n", "h", "w", "c"], 1);
  checkLength("global avg pool", "x", x, n * h * w * c);
  checkLength("global avg pool", "out", out, n * c);
  const acc = new Float64Array(c);
  const pixels = h * w;
  for (let b = 0; b < n; b++) {
    acc.fill(0);
    const base = b * pixels * c;
    for (let p = 0; p < pixels; p++) {
      const src = base + p * c;
      for (let ch = 0; ch < c; ch++) acc[ch] += x[src + ch];
    }
    for (let ch = 0; ch < c; ch++) out[b * c + ch] = acc[ch] / pixels;
  }
}
