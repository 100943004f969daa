/**
 * Normalisations.
 *   batch norm (inference): y = gamma_c * (x - mean_c) / sqrt(var_c + eps) + beta_c, c the channel
 *   layer norm:             y = gamma_d * (x - mu) / sqrt(sigma^2 + eps) + beta_d over the last axis,
 *                           mu and sigma^2 the mean and biased variance of that axis.
 */

export function batchNorm(
  x: Float32Array,
  shape: readonly number[],
  axis: number,
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  out: Float32Array,
): void {
  const c = shape[axis];
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  // Fold into one multiply-add per element: scale_c = gamma_c / sqrt(var_c + eps).
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    scale[k] = gamma[k] / Math.sqrt(variance[k] + epsilon);
    shift[k] = beta[k] - mean[k] * scale[k];
  }
  const n = x.length;
  if (inner === 1) {
    for (let i = 0; i < n; i += c) for (let k = 0; k < c; k++) out[i + k] = x[i + k] * scale[k] + shift[k];
    return;
  }
  for (let i = 0; i < n; i += c * inner) {
    for (let k = 0; k < c; k++) {
      const s = scale[k];
      const b = shift[k];
      const base = i + k * inner;
      for (let j = 0; j < inner; j++) out[base + j] = x[base + j] * s + b;
    }
  }
}

export function layerNorm(
  x: Float32Array,
  d: number,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
  out: Float32Array,
): void {
  for (let base = 0; base < x.length; base += d) {
    let mu = 0;
    for (let j = 0; j < d; j++) mu += x[base + j];
    mu /= d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const t = x[base + j] - mu;
      v += t * t;
    }
    const inv = 1 / Math.sqrt(v / d + epsilon);
    for (let j = 0; j < d; j++) out[base + j] = (x[base + j] - mu) * inv * gamma[j] + beta[j];
  }
}
