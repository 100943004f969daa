/**
 * 2-D convolutions on NHWC activations, zero padding, no dilation:
 *
 *   conv2dNHWC:          y[n,oh,ow,o] = bias[o] + sum_{i,j,c} x[n, oh*sH - padTop + i, ow*sW - padLeft + j, c] * w[o,i,j,c]
 *   depthwiseConv2dNHWC: y[n,oh,ow,c] = bias[c] + sum_{i,j}   x[n, oh*sH - padTop + i, ow*sW - padLeft + j, c] * w[c,i,j]
 *
 * with x = 0 outside the input, outH = floor((H + padTop + padBottom - kH) / sH) + 1 (same for W).
 * Conv weights are OHWI, depthwise weights [C, kH, kW] (channel multiplier 1). Sums are
 * accumulated in float64 and rounded to float32 once, on store.
 *
 * conv2dNHWC is im2col + GEMM: a row of the patch matrix for one output pixel, ordered (i, j, c),
 * has the same order as a row of the OHWI weights, so y = patches * W^T (gemmABt). The patch
 * matrix is built for a bounded number of output pixels at a time. A 1x1, stride-1, unpadded
 * conv needs no patches: NHWC x already is the [pixels x C] matrix.
 */
import { gemmABt } from "./gemm.js";

export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/**
 * Patch-matrix elements built per GEMM call (256 KiB of float32): small enough to stay in L2
 * next to a panel of weights, large enough that the per-call overhead vanishes.
 */
const PATCH_ELEMS = 64 * 1024;

let patchScratch = new Float32Array(0);
function patchBuffer(size: number): Float32Array {
  if (patchScratch.length < size) patchScratch = new Float32Array(size);
  return patchScratch;
}

/** Throws unless the named fields are integers >= min. Shared with pool.ts. */
export function checkIntegers(op: string, g: object, fields: readonly string[], min: number): void {
  const rec = g as Record<string, unknown>;
  for (const f of fields) {
    const v = rec[f];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new RangeError(`${op}: ${f} must be an integer >= ${min}, got ${String(v)}`);
    }
  }
}

/** Throws unless `arr` has exactly `want` elements: a size mismatch means the caller's shapes disagree. */
export function checkLength(op: string, what: string, arr: Float32Array, want: number): void {
  if (arr.length !== want) throw new RangeError(`${op}: ${what} has ${arr.length} elements, expected ${want}`);
}

/** Output size of a window sweep; throws if the padded input is smaller than the window. */
export function windowOutputSize(
  op: string,
  h: number,
  w: number,
  kh: number,
  kw: number,
  g: { strideH: number; strideW: number; padTop: number; padBottom: number; padLeft: number; padRight: number },
): { outH: number; outW: number } {
  const outH = Math.floor((h + g.padTop + g.padBottom - kh) / g.strideH) + 1;
  const outW = Math.floor((w + g.padLeft + g.padRight - kw) / g.strideW) + 1;
  if (outH < 1 || outW < 1) {
    throw new RangeError(
      `${op}: a ${kh}x${kw} window does not fit the padded ${h}x${w} input (output ${outH}x${outW})`,
    );
  }
  return { outH, outW };
}

const DIMS = ["n", "h", "w", "c", "kh", "kw", "strideH", "strideW"] as const;
const PADS = ["padTop", "padBottom", "padLeft", "padRight"] as const;

export function convOutputSize(g: ConvGeometry): { outH: number; outW: number } {
  checkIntegers("conv", g, DIMS, 1);
  checkIntegers("conv", g, PADS, 0);
  return windowOutputSize("conv", g.h, g.w, g.kh, g.kw, g);
}

/**
 * TensorFlow "SAME" / ONNX auto_pad=SAME_UPPER padding for one spatial dimension:
 * out = ceil(in / stride); total = max((out - 1) * stride + kernel - in, 0);
 * before = floor(total / 2), after = total - before. When total is odd the extra row/column goes
 * after (bottom/right), e.g. a 2x2 stride-1 kernel pads [0, 1], and 7x7 stride 2 on 224 pads [2, 3].
 */
export function samePadding(inSize: number, kernel: number, stride: number): [number, number] {
  checkIntegers("samePadding", { inSize, kernel, stride }, ["inSize", "kernel", "stride"], 1);
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + kernel - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * x: [N, H, W, C]; weights: [O, kH, kW, C]; bias: [O] or undefined; out: [N, outH, outW, O].
 */
export function conv2dNHWC(
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array | undefined,
  outChannels: number,
  g: ConvGeometry,
  out: Float32Array,
): void {
  const { outH, outW } = convOutputSize(g);
  if (!Number.isInteger(outChannels) || outChannels < 1) {
    throw new RangeError(`conv: outChannels must be an integer >= 1, got ${outChannels}`);
  }
  const { n, h, w, c, kh, kw } = g;
  const k = kh * kw * c;
  checkLength("conv", "x", x, n * h * w * c);
  checkLength("conv", "weights", weights, outChannels * k);
  if (bias !== undefined) checkLength("conv", "bias", bias, outChannels);
  checkLength("conv", "out", out, n * outH * outW * outChannels);

  const pointwise =
    kh === 1 &&
    kw === 1 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.padTop === 0 &&
    g.padBottom === 0 &&
    g.padLeft === 0 &&
    g.padRight === 0;
  if (pointwise) {
    gemmABt(x, weights, bias, n * h * w, outChannels, c, out);
    return;
  }

  const pixels = n * outH * outW;
  // A multiple of 3 pixels per chunk: the GEMM computes 3 rows at a time and is slower on leftovers.
  const chunk = Math.min(pixels, Math.max(3, Math.floor(PATCH_ELEMS / k / 3) * 3));
  const patches = patchBuffer(chunk * k);
  for (let p0 = 0; p0 < pixels; p0 += chunk) {
    const count = Math.min(chunk, pixels - p0);
    im2col(x, g, outH, outW, p0, count, patches);
    gemmABt(patches, weights, bias, count, outChannels, k, out, 0, p0 * outChannels);
  }
}

/**
 * Patch rows for the `count` output pixels starting at flat pixel index p0 (over n, oh, ow).
 * For a fixed kernel row the in-bounds kernel columns read one contiguous run of x (adjacent
 * input pixels of NHWC), so each run is a single copy loop; out-of-bounds taps are zero.
 */
function im2col(
  x: Float32Array,
  g: ConvGeometry,
  outH: number,
  outW: number,
  p0: number,
  count: number,
  patches: Float32Array,
): void {
  const { h, w, c, kh, kw, strideH, strideW, padTop, padLeft } = g;
  const rowLen = kw * c;
  let b = Math.floor(p0 / (outH * outW));
  let oh = Math.floor(p0 / outW) % outH;
  let ow = p0 % outW;
  let dst = 0;
  for (let r = 0; r < count; r++) {
    const ih0 = oh * strideH - padTop;
    const iw0 = ow * strideW - padLeft;
    // Kernel columns [j0, j1) fall inside the input.
    const j0 = iw0 < 0 ? -iw0 : 0;
    const j1 = Math.min(kw, w - iw0);
    const lead = j0 * c;
    const run = j1 > j0 ? (j1 - j0) * c : 0;
    for (let i = 0; i < kh; i++) {
      const ih = ih0 + i;
      const rowEnd = dst + rowLen;
      if (ih < 0 || ih >= h || run === 0) {
        patches.fill(0, dst, rowEnd);
        dst = rowEnd;
        continue;
      }
      for (let e = dst + lead; dst < e; dst++) patches[dst] = 0;
      let src = ((b * h + ih) * w + iw0 + j0) * c;
      for (let e = dst + run; dst < e; dst++, src++) patches[dst] = x[src];
      for (; dst < rowEnd; dst++) patches[dst] = 0;
    }
    if (++ow === outW) {
      ow = 0;
      if (++oh === outH) {
        oh = 0;
        b++;
      }
    }
  }
}

/**
 * x: [N, H, W, C]; weights: [C, kH, kW]; bias: [C] or undefined; out: [N, outH, outW, C].
 */
export function depthwiseConv2dNHWC(
  x: Float32Array,
  weights: Float32Array,
  bias: Float32Array | undefined,
  g: ConvGeometry,
  out: Float32Array,
): void {
  const { outH, outW } = convOutputSize(g);
  const { n, h, w, c, kh, kw, strideH, strideW, padTop, padLeft } = g;
  checkLength("depthwise conv", "x", x, n * h * w * c);
  checkLength("depthwise conv", "weights", weights, c * kh * kw);
  if (bias !== undefined) checkLength("depthwise conv", "bias", bias, c);
  checkLength("depthwise conv", "out", out, n * outH * outW * c);

  // [C, kH, kW] -> [kH, kW, C], so that a tap's weights for adjacent channels are adjacent.
  const taps = kh * kw;
  const wt = new Float32Array(taps * c);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < taps; t++) wt[t * c + ch] = weights[ch * taps + t];
  const bs = bias ?? new Float32Array(c);

  const rowLen = outW * c;
  for (let b = 0; b < n; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * strideH - padTop;
      const i0 = ih0 < 0 ? -ih0 : 0;
      const i1 = Math.min(kh, h - ih0);
      const o = (b * outH + oh) * rowLen;
      depthwiseRow(x, wt, bs, out, o, (b * h + ih0) * w * c, i0, i1, w, c, kw, outW, strideW, padLeft);
    }
  }
}

/**
 * One output row. `xRow` is where input row ih0 = oh * strideH - padTop would start (negative
 * in the top padding: only kernel rows [i0, i1), which are in bounds, are read). A function of
 * its own so that V8 optimises it as a whole, with settled type feedback, rather than
 * on-stack-replacing the caller's loop nest.
 */
function depthwiseRow(
  x: Float32Array,
  wt: Float32Array,
  bs: Float32Array,
  out: Float32Array,
  o: number,
  xRow: number,
  i0: number,
  i1: number,
  w: number,
  c: number,
  kw: number,
  outW: number,
  strideW: number,
  padLeft: number,
): void {
  const wc = w * c;
  for (let ow = 0; ow < outW; ow++, o += c) {
    const iw0 = ow * strideW - padLeft;
    const j0 = iw0 < 0 ? -iw0 : 0;
    const j1 = Math.min(kw, w - iw0);
    const first = xRow + (iw0 + j0) * c;
    // Four channels at a time, each sum in a local: two loads per multiply-add.
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      let s0 = bs[ch];
      let s1 = bs[ch + 1];
      let s2 = bs[ch + 2];
      let s3 = bs[ch + 3];
      for (let i = i0; i < i1; i++) {
        let src = first + i * wc + ch;
        let wo = (i * kw + j0) * c + ch;
        for (let j = j0; j < j1; j++, src += c, wo += c) {
          s0 += x[src] * wt[wo];
          s1 += x[src + 1] * wt[wo + 1];
          s2 += x[src + 2] * wt[wo + 2];
          s3 += x[src + 3] * wt[wo + 3];
        }
      }
      out[o + ch] = s0;
      out[o + ch + 1] = s1;
      out[o + ch + 2] = s2;
      out[o + ch + 3] = s3;
    }
    for (; ch < c; ch++) {
      let s = bs[ch];
      for (let i = i0; i < i1; i++) {
        let src = first + i * wc + ch;
        let wo = (i * kw + j0) * c + ch;
        for (let j = j0; j < j1; j++, src += c, wo += c) s += x[src] * wt[wo];
      }
      out[o + ch] = s;
    }
  }
}
