/**
 * Binary elementwise operators with numpy broadcasting: out[i] = f(a[ia], b[ib]) where, with the
 * shapes right-aligned, a dimension of size 1 is read at index 0 for every output index.
 */
import type { TensorArray } from "../graph/types.js";

export type BinaryFn = (a: number, b: number) => number;

export const BINARY: Record<string, BinaryFn> = {
  add: (a, b) => a + b,
  mul: (a, b) => a * b,
  less: (a, b) => (a < b ? 1 : 0),
  less_equal: (a, b) => (a <= b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greater_equal: (a, b) => (a >= b ? 1 : 0),
};

/** Element strides of `shape` seen from an output of rank `rank`: 0 where the dimension broadcasts. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const rank = outShape.length;
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = rank - shape.length + i;
    strides[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

export function binaryBroadcast(
  fn: BinaryFn,
  a: TensorArray,
  aShape: readonly number[],
  b: TensorArray,
  bShape: readonly number[],
  out: TensorArray,
  outShape: readonly number[],
): void {
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = fn(a[i], b[i]);
    return;
  }
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = fn(a[ia], b[ib]);
    // Odometer increment of the output index, moving both input offsets with it.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
}
