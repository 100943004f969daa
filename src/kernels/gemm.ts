/**
 * Dense matrix products on row-major Float32Arrays:
 *
 *   gemmABt: C[i][j] = bias[j] + sum_p A[i][p] * B[j][p]    (A is M x K, B is N x K)
 *   gemmAB:  C[i][j] =           sum_p A[i][p] * B[p][j]    (A is M x K, B is K x N)
 *
 * Precision: every sum is accumulated in float64 (JS numbers) and rounded to float32 once, when
 * stored; the bias is added before that single rounding.
 *
 * Speed: V8 neither vectorises nor hoists typed-array bounds checks, so the cost is dominated by
 * loads, not multiplies. The kernels therefore compute a 3 x 4 block of C per inner loop, keeping
 * the 12 sums in local variables: 7 loads per 12 multiply-adds. Measured on x86-64 (Node 20),
 * 3 x 4 and 4 x 3 were the fastest shapes; 4 x 4 and larger run out of the 16 XMM registers and
 * spill. Remainder rows and columns fall back to 1 x 4, 3 x 1 and 1 x 1 blocks.
 */

/**
 * Columns of B (rows of the N x K operand) per panel: about 192 KiB of B, which stays in L2 while
 * every row block of A streams past it. Without panels a 2048 x 512 B (a ResNet-50 1x1 conv)
 * would be re-read from L3 or DRAM for each row block.
 */
const PANEL_ELEMS = 48 * 1024;

/** Never written: stands in for a missing bias so the inner kernels see a single argument type. */
let zeros = new Float32Array(64);
function zeroBias(n: number): Float32Array {
  if (zeros.length < n) zeros = new Float32Array(Math.max(n, zeros.length * 2));
  return zeros;
}

function checkDims(m: number, n: number, k: number): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || !Number.isInteger(k) || m < 0 || n < 0 || k < 0) {
    throw new RangeError(`gemm: m, n, k must be non-negative integers, got ${m}, ${n}, ${k}`);
  }
}

function checkSpan(what: string, arr: Float32Array, offset: number, count: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`gemm: ${what} offset must be >= 0, got ${offset}`);
  if (offset + count > arr.length) {
    throw new RangeError(`gemm: ${what} needs ${offset + count} elements (offset ${offset}), has ${arr.length}`);
  }
}

/**
 * C[M x N] = A[M x K] * B^T (+ bias[N]), with B stored as N x K: both operands are contiguous in
 * K, which is the layout of im2col patches against OHWI conv weights. A starts at `aOffset`,
 * C at `outOffset`; B at 0.
 */
export function gemmABt(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | undefined,
  m: number,
  n: number,
  k: number,
  out: Float32Array,
  aOffset = 0,
  outOffset = 0,
): void {
  checkDims(m, n, k);
  checkSpan("A", a, aOffset, m * k);
  checkSpan("B", b, 0, n * k);
  checkSpan("C", out, outOffset, m * n);
  if (bias !== undefined && bias.length < n) throw new RangeError(`gemm: bias has ${bias.length} elements, needs ${n}`);
  const bs = bias ?? zeroBias(n);
  const panel = Math.max(4, Math.floor(PANEL_ELEMS / Math.max(k, 1)) & ~3);
  for (let j0 = 0; j0 < n; j0 += panel) {
    const j1 = Math.min(n, j0 + panel);
    let i = 0;
    for (; i + 3 <= m; i += 3) abtRows3(a, b, bs, n, k, out, aOffset + i * k, outOffset + i * n, j0, j1);
    for (; i < m; i++) abtRow1(a, b, bs, k, out, aOffset + i * k, outOffset + i * n, j0, j1);
  }
}

/** Rows a0, a0+k, a0+2k of A against columns [j0, j1) of C. */
function abtRows3(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array,
  n: number,
  k: number,
  out: Float32Array,
  a0: number,
  o0: number,
  j0: number,
  j1: number,
): void {
  const a1 = a0 + k;
  const a2 = a1 + k;
  const o1 = o0 + n;
  const o2 = o1 + n;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = j * k;
    const b1 = b0 + k;
    const b2 = b1 + k;
    const b3 = b2 + k;
    let c00 = 0;
    let c01 = 0;
    let c02 = 0;
    let c03 = 0;
    let c10 = 0;
    let c11 = 0;
    let c12 = 0;
    let c13 = 0;
    let c20 = 0;
    let c21 = 0;
    let c22 = 0;
    let c23 = 0;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const x1 = a[a1 + p];
      const x2 = a[a2 + p];
      let y = b[b0 + p];
      c00 += x0 * y;
      c10 += x1 * y;
      c20 += x2 * y;
      y = b[b1 + p];
      c01 += x0 * y;
      c11 += x1 * y;
      c21 += x2 * y;
      y = b[b2 + p];
      c02 += x0 * y;
      c12 += x1 * y;
      c22 += x2 * y;
      y = b[b3 + p];
      c03 += x0 * y;
      c13 += x1 * y;
      c23 += x2 * y;
    }
    const z0 = bias[j];
    const z1 = bias[j + 1];
    const z2 = bias[j + 2];
    const z3 = bias[j + 3];
    out[o0 + j] = c00 + z0;
    out[o0 + j + 1] = c01 + z1;
    out[o0 + j + 2] = c02 + z2;
    out[o0 + j + 3] = c03 + z3;
    out[o1 + j] = c10 + z0;
    out[o1 + j + 1] = c11 + z1;
    out[o1 + j + 2] = c12 + z2;
    out[o1 + j + 3] = c13 + z3;
    out[o2 + j] = c20 + z0;
    out[o2 + j + 1] = c21 + z1;
    out[o2 + j + 2] = c22 + z2;
    out[o2 + j + 3] = c23 + z3;
  }
  for (; j < j1; j++) {
    const b0 = j * k;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    for (let p = 0; p < k; p++) {
      const y = b[b0 + p];
      c0 += a[a0 + p] * y;
      c1 += a[a1 + p] * y;
      c2 += a[a2 + p] * y;
    }
    const z = bias[j];
    out[o0 + j] = c0 + z;
    out[o1 + j] = c1 + z;
    out[o2 + j] = c2 + z;
  }
}

/** One row of A against columns [j0, j1) of C. */
function abtRow1(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array,
  k: number,
  out: Float32Array,
  a0: number,
  o0: number,
  j0: number,
  j1: number,
): void {
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    const b0 = j * k;
    const b1 = b0 + k;
    const b2 = b1 + k;
    const b3 = b2 + k;
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    for (let p = 0; p < k; p++) {
      const x = a[a0 + p];
      c0 += x * b[b0 + p];
      c1 += x * b[b1 + p];
      c2 += x * b[b2 + p];
      c3 += x * b[b3 + p];
    }
    out[o0 + j] = c0 + bias[j];
    out[o0 + j + 1] = c1 + bias[j + 1];
    out[o0 + j + 2] = c2 + bias[j + 2];
    out[o0 + j + 3] = c3 + bias[j + 3];
  }
  for (; j < j1; j++) {
    const b0 = j * k;
    let c = 0;
    for (let p = 0; p < k; p++) c += a[a0 + p] * b[b0 + p];
    out[o0 + j] = c + bias[j];
  }
}

/**
 * C[M x N] = A[M x K] * B[K x N], all row-major. A starts at `aOffset`, B at `bOffset`, C at
 * `outOffset`. Same 3 x 4 blocking as gemmABt; here the four B values of a step are adjacent
 * (row p of B) and consecutive steps are N apart.
 */
export function gemmAB(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  out: Float32Array,
  aOffset = 0,
  bOffset = 0,
  outOffset = 0,
): void {
  checkDims(m, n, k);
  checkSpan("A", a, aOffset, m * k);
  checkSpan("B", b, bOffset, k * n);
  checkSpan("C", out, outOffset, m * n);
  // Panels of columns keep the K x panel slice of B cache-resident, as in gemmABt.
  const panel = Math.max(4, Math.floor(PANEL_ELEMS / Math.max(k, 1)) & ~3);
  for (let j0 = 0; j0 < n; j0 += panel) {
    const j1 = Math.min(n, j0 + panel);
    let i = 0;
    for (; i + 3 <= m; i += 3) abRows3(a, b, n, k, out, aOffset + i * k, bOffset, outOffset + i * n, j0, j1);
    for (; i < m; i++) abRow1(a, b, n, k, out, aOffset + i * k, bOffset, outOffset + i * n, j0, j1);
  }
}

function abRows3(
  a: Float32Array,
  b: Float32Array,
  n: number,
  k: number,
  out: Float32Array,
  a0: number,
  bOff: number,
  o0: number,
  j0: number,
  j1: number,
): void {
  const a1 = a0 + k;
  const a2 = a1 + k;
  const o1 = o0 + n;
  const o2 = o1 + n;
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    let c00 = 0;
    let c01 = 0;
    let c02 = 0;
    let c03 = 0;
    let c10 = 0;
    let c11 = 0;
    let c12 = 0;
    let c13 = 0;
    let c20 = 0;
    let c21 = 0;
    let c22 = 0;
    let c23 = 0;
    let q = bOff + j;
    for (let p = 0; p < k; p++, q += n) {
      const x0 = a[a0 + p];
      const x1 = a[a1 + p];
      const x2 = a[a2 + p];
      let y = b[q];
      c00 += x0 * y;
      c10 += x1 * y;
      c20 += x2 * y;
      y = b[q + 1];
      c01 += x0 * y;
      c11 += x1 * y;
      c21 += x2 * y;
      y = b[q + 2];
      c02 += x0 * y;
      c12 += x1 * y;
      c22 += x2 * y;
      y = b[q + 3];
      c03 += x0 * y;
      c13 += x1 * y;
      c23 += x2 * y;
    }
    out[o0 + j] = c00;
    out[o0 + j + 1] = c01;
    out[o0 + j + 2] = c02;
    out[o0 + j + 3] = c03;
    out[o1 + j] = c10;
    out[o1 + j + 1] = c11;
    out[o1 + j + 2] = c12;
    out[o1 + j + 3] = c13;
    out[o2 + j] = c20;
    out[o2 + j + 1] = c21;
    out[o2 + j + 2] = c22;
    out[o2 + j + 3] = c23;
  }
  for (; j < j1; j++) {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let q = bOff + j;
    for (let p = 0; p < k; p++, q += n) {
      const y = b[q];
      c0 += a[a0 + p] * y;
      c1 += a[a1 + p] * y;
      c2 += a[a2 + p] * y;
    }
    out[o0 + j] = c0;
    out[o1 + j] = c1;
    out[o2 + j] = c2;
  }
}

function abRow1(
  a: Float32Array,
  b: Float32Array,
  n: number,
  k: number,
  out: Float32Array,
  a0: number,
  bOff: number,
  o0: number,
  j0: number,
  j1: number,
): void {
  let j = j0;
  for (; j + 4 <= j1; j += 4) {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    let c3 = 0;
    let q = bOff + j;
    for (let p = 0; p < k; p++, q += n) {
      const x = a[a0 + p];
      c0 += x * b[q];
      c1 += x * b[q + 1];
      c2 += x * b[q + 2];
      c3 += x * b[q + 3];
    }
    out[o0 + j] = c0;
    out[o0 + j + 1] = c1;
    out[o0 + j + 2] = c2;
    out[o0 + j + 3] = c3;
  }
  for (; j < j1; j++) {
    let c = 0;
    let q = bOff + j;
    for (let p = 0; p < k; p++, q += n) c += a[a0 + p] * b[q];
    out[o0 + j] = c;
  }
}
