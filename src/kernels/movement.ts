/**
 * Data movement: transposes (layout reorders), concat, split, repeat (tile) and constant padding.
 * All dtypes; values are copied, never converted.
 */
import type { TensorArray } from "../graph/types.js";

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** out = transpose(x, perm): output dimension i is input dimension perm[i]. */
export function permute(x: TensorArray, shape: readonly number[], perm: readonly number[], out: TensorArray): void {
  const rank = shape.length;
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const step = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += step[d];
      if (idx[d] < outShape[d]) break;
      src -= step[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

/** outer = product of dims before axis; inner = product of dims after it. */
function around(shape: readonly number[], axis: number): { outer: number; inner: number } {
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return { outer, inner };
}

export function concat(parts: { data: TensorArray; shape: readonly number[] }[], axis: number, out: TensorArray): void {
  const { outer, inner } = around(parts[0].shape, axis);
  let total = 0;
  for (const p of parts) total += p.shape[axis];
  let offset = 0;
  for (const p of parts) {
    const block = p.shape[axis] * inner;
    for (let o = 0; o < outer; o++) out.set(p.data.subarray(o * block, (o + 1) * block), o * total * inner + offset);
    offset += block;
  }
}

export function split(
  x: TensorArray,
  shape: readonly number[],
  axis: number,
  outs: TensorArray[],
  sizes: readonly number[],
): void {
  const { outer, inner } = around(shape, axis);
  const total = shape[axis] * inner;
  let offset = 0;
  sizes.forEach((s, j) => {
    const block = s * inner;
    const out = outs[j];
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * total + offset, o * total + offset + block), o * block);
    offset += block;
  });
}

/** numpy.tile: output dimension i is shape[i] * multiples[i], reading x at index mod shape[i]. */
export function repeat(x: TensorArray, shape: readonly number[], multiples: readonly number[], out: TensorArray): void {
  const outShape = shape.map((d, i) => d * multiples[i]);
  const inStrides = stridesOf(shape);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (idx[d] % shape[d]) * inStrides[d];
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Constant padding: pads[i] = [before, after] elements on dimension i, filled with `value`. */
export function pad(
  x: TensorArray,
  shape: readonly number[],
  pads: readonly (readonly [number, number])[],
  value: number,
  out: TensorArray,
): void {
  out.fill(value);
  const outShape = shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const outStrides = stridesOf(outShape);
  const rank = shape.length;
  const rows = x.length / shape[rank - 1];
  const rowLen = shape[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  // Copy innermost rows whole: row r of x lands at the padded coordinates of its index.
  for (let r = 0; r < rows; r++) {
    let dst = pads[rank - 1][0];
    for (let d = 0; d < rank - 1; d++) dst += (idx[d] + pads[d][0]) * outStrides[d];
    out.set(x.subarray(r * rowLen, (r + 1) * rowLen), dst);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}
