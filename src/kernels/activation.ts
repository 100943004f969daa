/**
 * Activation functions, applied in place to float data (fused into conv/FC/BN or standalone).
 * Every parameter is honoured, standalone or fused (SMAUG ignored standalone parameters).
 *   relu(x)       = max(x, 0)
 *   leaky_relu(x) = x > 0 ? x : slope * x
 *   elu(x)        = x > 0 ? x : alpha * (e^x - 1)
 *   selu(x)       = lambda * (x > 0 ? x : alpha * (e^x - 1))
 *   hard_tanh(x)  = min(max(x, min), max)
 *   sigmoid(x)    = 1 / (1 + e^-x)
 *   softmax(x)_i  = e^(x_i - m) / sum_j e^(x_j - m), m = max_j x_j, along one axis
 */
import { type Activation, ACTIVATION_DEFAULTS as D } from "../graph/types.js";

export function applyActivation(act: Activation, data: Float32Array, shape: readonly number[], axis = -1): void {
  const n = data.length;
  switch (act.type) {
    case "relu":
      for (let i = 0; i < n; i++) if (data[i] < 0) data[i] = 0;
      return;
    case "leaky_relu": {
      const s = act.slope ?? D.slope;
      for (let i = 0; i < n; i++) if (data[i] < 0) data[i] = s * data[i];
      return;
    }
    case "elu": {
      const a = act.alpha ?? D.eluAlpha;
      for (let i = 0; i < n; i++) {
        const x = data[i];
        if (x < 0) data[i] = a * Math.expm1(x);
      }
      return;
    }
    case "selu": {
      const a = act.alpha ?? D.seluAlpha;
      const l = act.lambda ?? D.seluLambda;
      for (let i = 0; i < n; i++) {
        const x = data[i];
        data[i] = x > 0 ? l * x : l * a * Math.expm1(x);
      }
      return;
    }
    case "tanh":
      for (let i = 0; i < n; i++) data[i] = Math.tanh(data[i]);
      return;
    case "hard_tanh": {
      const lo = act.min ?? D.min;
      const hi = act.max ?? D.max;
      for (let i = 0; i < n; i++) data[i] = Math.min(Math.max(data[i], lo), hi);
      return;
    }
    case "sigmoid":
      for (let i = 0; i < n; i++) data[i] = 1 / (1 + Math.exp(-data[i]));
      return;
    case "softmax":
      softmax(data, shape, axis);
      return;
  }
}

/** Softmax along `axis` (negative counts from the end), max-subtracted for stability. */
export function softmax(data: Float32Array, shape: readonly number[], axis: number): void {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  const len = shape[a];
  let inner = 1;
  for (let i = a + 1; i < rank; i++) inner *= shape[i];
  const outer = data.length / (len * inner);
  const tmp = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * len * inner + j;
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < len; k++) m = Math.max(m, data[base + k * inner]);
      let sum = 0;
      for (let k = 0; k < len; k++) {
        const e = Math.exp(data[base + k * inner] - m);
        tmp[k] = e;
        sum += e;
      }
      for (let k = 0; k < len; k++) data[base + k * inner] = tmp[k] / sum;
    }
  }
}
