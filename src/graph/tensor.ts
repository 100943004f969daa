/**
 * Tensor helpers: sizes, layout axes, storage by data type, fp16 rounding, alignment padding.
 */
import { f16round } from "@petamoriken/float16";
import type { DType, Layout, TensorArray, TensorData, TensorSpec } from "./types.js";

export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Index of the channel axis (C) in a layout, or undefined when the layout has none. */
export function channelAxis(layout: Layout): number | undefined {
  const i = layout.indexOf("C");
  return i < 0 || layout === "any" ? undefined : i;
}

/** Index of a named axis letter (N, C, H, W, T) in a layout, or undefined. */
export function axisOf(layout: Layout, letter: "N" | "C" | "H" | "W" | "T"): number | undefined {
  if (layout === "any") return undefined;
  const i = layout.indexOf(letter);
  return i < 0 ? undefined : i;
}

/** Bytes one element occupies in host memory. */
export function dtypeBytes(dtype: DType): number {
  switch (dtype) {
    case "float32":
    case "int32":
      return 4;
    case "float16":
      return 2;
    case "bool":
      return 1;
  }
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float16";
}

/** A zeroed array of the storage type a data type uses in memory here. */
export function allocate(dtype: DType, count: number): TensorArray {
  switch (dtype) {
    case "float32":
    case "float16":
      return new Float32Array(count);
    case "int32":
      return new Int32Array(count);
    case "bool":
      return new Uint8Array(count);
  }
}

/**
 * Bring values to what the data type can hold, in place: fp16 tensors are kept rounded to the
 * nearest fp16 (round-to-nearest-even, IEEE 754 binary16), the way SMV stores data in memory;
 * bools are 0 or 1. Returns the same array.
 */
export function storeAs(dtype: DType, data: TensorArray): TensorArray {
  if (dtype === "float16") {
    for (let i = 0; i < data.length; i++) data[i] = f16round(data[i] as number);
  } else if (dtype === "bool") {
    for (let i = 0; i < data.length; i++) data[i] = data[i] ? 1 : 0;
  }
  return data;
}

export function makeTensor(spec: TensorSpec, data?: TensorArray | ArrayLike<number>): TensorData {
  const n = numElements(spec.shape);
  const storage = allocate(spec.dtype, n);
  if (data !== undefined) {
    if (data.length !== n)
      throw new Error(`tensor data has ${data.length} elements, shape ${fmtShape(spec.shape)} needs ${n}`);
    storage.set(data as ArrayLike<number>);
    storeAs(spec.dtype, storage);
  }
  return { shape: [...spec.shape], layout: spec.layout, dtype: spec.dtype, data: storage };
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join("x")}]`;
}

export function sameSpec(a: TensorSpec, b: TensorSpec): boolean {
  return (
    a.layout === b.layout &&
    a.dtype === b.dtype &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i])
  );
}

/**
 * SMV's alignment rule (smaug-facts: "the innermost dimension is padded up to a multiple of 8
 * elements"): the shape a tensor occupies in an accelerator's scratchpad and in tiled buffers.
 * The functional data here is never padded; the timing model uses this shape for sizes.
 */
export function alignedShape(shape: readonly number[], alignment = 8): number[] {
  if (shape.length === 0) return [];
  const out = [...shape];
  const last = out.length - 1;
  out[last] = Math.ceil((out[last] as number) / alignment) * alignment;
  return out;
}

export function alignedElements(shape: readonly number[], alignment = 8): number {
  return numElements(alignedShape(shape, alignment));
}

/**
 * IEEE 754 binary16 bit patterns of fp16-representable values (as fp16 tensors hold), for
 * writing them in two bytes. Values are converted exactly; anything not representable is a
 * caller error (round with storeAs first). Layout: sign 1, exponent 5 (bias 15), mantissa 10;
 * from binary32 (bias 127): normal when the fp32 exponent e > 112, subnormal (mantissa with
 * its implicit 1, shifted right 126 - e) down to e = 103, zero below.
 */
export function toFp16Bits(values: Float32Array, out: Uint16Array): void {
  const u32 = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < u32.length; i++) {
    const u = u32[i];
    const sign = (u >>> 16) & 0x8000;
    const e = (u >>> 23) & 0xff;
    const m = u & 0x7fffff;
    if (e === 0xff) out[i] = sign | 0x7c00 | (m !== 0 ? 0x200 | (m >>> 13) : 0);
    else if (e > 112) out[i] = sign | ((e - 112) << 10) | (m >>> 13);
    else if (e >= 103) out[i] = sign | ((m | 0x800000) >>> (126 - e));
    else out[i] = sign;
  }
}

let fp16Table: Float32Array | undefined;

/** Values of binary16 bit patterns, through a 65,536-entry table built on first use. */
export function fromFp16Bits(bits: Uint16Array, out: Float32Array): void {
  if (fp16Table === undefined) {
    fp16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >>> 10) & 0x1f;
      const m = h & 0x3ff;
      fp16Table[h] =
        e === 0
          ? sign * m * 2 ** -24
          : e === 31
            ? m === 0
              ? sign * Number.POSITIVE_INFINITY
              : Number.NaN
            : sign * (1024 + m) * 2 ** (e - 25);
    }
  }
  const table = fp16Table;
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
}
