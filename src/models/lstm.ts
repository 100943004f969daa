/**
 * SMAUG's LSTM (listed in the paper, not evaluated there): 2 stacked LSTM layers unrolled over
 * 4 time steps, 32 input features, gate width (hidden size) 128. Input [batch, 4, 32] NTC, split
 * into the 4 steps ([batch, 32] NC each). One step of a layer, as smaug/python/ops/recurrent.py:
 *
 *   z = x_t W^T + h_{t-1} U^T             W: [4*128 x in] NC, U: [4*128 x 128] NC, no bias
 *   i, f, g, o = split(z, 4 x 128)        (the gate order i, f, g, o)
 *   c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
 *   h_t = sigmoid(o) * tanh(c_t)
 *
 * The same W and U (one constant each per layer) serve every step: an inner product given an
 * existing constant. Like SMAUG's, the cell has no bias. The initial states are zero, so step 0
 * is computed exactly without them: z = x_0 W^T and c_0 = sigmoid(i) * tanh(g) (no zero-state
 * constants, which would count as parameters and grow with the batch).
 * Layer 2 takes layer 1's h_t as its input. Output: layer 2's hidden states of every step,
 * [batch, 4, 128] NTC (no classifier, hence no softmax).
 *
 * Learned parameters: layer 1 512*32 + 512*128 = 81,920; layer 2 512*128 + 512*128 = 131,072;
 * total 212,992.
 */
import { GraphBuilder, type Tensor } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

export const LSTM_STEPS = 4;
export const LSTM_INPUTS = 32;
export const LSTM_UNITS = 128;
export const LSTM_LAYERS = 2;

/** One LSTM layer over `steps` ([batch, in] NC each); returns h of every step. */
function lstmLayer(b: GraphBuilder, name: string, steps: Tensor[], units: number): Tensor[] {
  const inputs = steps[0].spec.shape[1];
  const kernel = b.constant([4 * units, inputs], "NC", { name: `${name}/kernel` });
  const recurrent = b.constant([4 * units, units], "NC", { name: `${name}/recurrent_kernel` });
  let h: Tensor | undefined;
  let c: Tensor | undefined;
  const out: Tensor[] = [];
  steps.forEach((x, t) => {
    const p = `${name}/step${t}`;
    let z = b.innerProduct(x, { units: 4 * units, weights: kernel, name: `${p}/mm_x` });
    if (h !== undefined)
      z = b.add(z, b.innerProduct(h, { units: 4 * units, weights: recurrent, name: `${p}/mm_h` }), `${p}/add_z`);
    const [zi, zf, zg, zo] = b.split(z, [units, units, units, units], 1, `${p}/split`);
    const i = b.sigmoid(zi, `${p}/sigmoid_i`);
    const g = b.tanh(zg, `${p}/tanh_g`);
    const ig = b.mul(i, g, `${p}/mul_i`);
    if (c === undefined) c = ig;
    else {
      const f = b.sigmoid(zf, `${p}/sigmoid_f`);
      c = b.add(b.mul(f, c, `${p}/mul_f`), ig, `${p}/add_c`);
    }
    const o = b.sigmoid(zo, `${p}/sigmoid_o`);
    h = b.mul(o, b.tanh(c, `${p}/tanh_c`), `${p}/mul_h`);
    out.push(h);
  });
  return out;
}

export function lstm(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("lstm", { backend, dtype });
  const x = b.input([batch, LSTM_STEPS, LSTM_INPUTS], { layout: "NTC", name: "input" });
  const parts = b.split(x, new Array<number>(LSTM_STEPS).fill(1), 1, "unstack");
  let steps = parts.map((s, t) => b.reshape(s, [batch, LSTM_INPUTS], "NC", `unstack/step${t}`));
  for (let l = 0; l < LSTM_LAYERS; l++) steps = lstmLayer(b, `lstm${l}`, steps, LSTM_UNITS);
  const expanded = steps.map((h, t) => b.reshape(h, [batch, 1, LSTM_UNITS], "NTC", `stack/step${t}`));
  const y = b.concat(expanded, 1, "stack");
  return b.build({ seed, outputs: [y] });
}
