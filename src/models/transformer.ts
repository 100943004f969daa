/**
 * One small Transformer encoder block (Vaswani et al. 2017, post-norm as the original):
 * 32 tokens, d_model 128, 4 heads (d_head 32), feed-forward 512 with ReLU. Input [batch, 32, 128]
 * NTC (already-embedded tokens), viewed as [batch*32, 128] NC so every projection is an inner
 * product over all tokens at once:
 *
 *   Q = x Wq^T + bq, K = x Wk^T + bk, V = x Wv^T + bv            (128 -> 128 each)
 *   per head h: split Q, K, V along features into 4 x 32, reshape to [batch, 32, 32],
 *     A_h = softmax(Q_h K_h^T * 1/sqrt(32)) over the last axis    (batched matmul, transposeB)
 *     O_h = A_h V_h, reshaped back to [batch*32, 32]
 *   attn = concat_h(O_h) Wo^T + bo; x1 = layer_norm(x + attn)
 *   ffn = relu(x1 W1^T + b1) W2^T + b2                            (128 -> 512 -> 128)
 *   y = layer_norm(x1 + ffn), reshaped to [batch, 32, 128] NTC
 *
 * The scale 1/sqrt(32) is one shared [1] constant: graphStats counts it as a stored parameter,
 * so its totals are the 198,272 learned parameters + 1.
 * Learned parameters: 4*(128*128+128) + (128*512+512) + (512*128+128) + 2*(128+128) = 198,272.
 * No classifier, hence no softmax at the end.
 */
import { GraphBuilder, type Tensor } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

export const TRANSFORMER_TOKENS = 32;
export const TRANSFORMER_DMODEL = 128;
export const TRANSFORMER_HEADS = 4;
export const TRANSFORMER_FFN = 512;

export function transformer(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const T = TRANSFORMER_TOKENS;
  const D = TRANSFORMER_DMODEL;
  const H = TRANSFORMER_HEADS;
  const dh = D / H;
  const b = new GraphBuilder("transformer", { backend, dtype });
  const input = b.input([batch, T, D], { layout: "NTC", name: "input" });
  const x = b.reshape(input, [batch * T, D], "NC", "tokens");
  const proj = (t: Tensor, units: number, name: string, activation?: "relu") =>
    b.innerProduct(t, { units, bias: true, activation, name });
  const q = proj(x, D, "attn/q");
  const k = proj(x, D, "attn/k");
  const v = proj(x, D, "attn/v");
  const heads = (t: Tensor, name: string) =>
    b
      .split(t, new Array<number>(H).fill(dh), 1, `${name}/split`)
      .map((s, i) => b.reshape(s, [batch, T, dh], "any", `${name}/head${i}`));
  const qs = heads(q, "attn/q");
  const ks = heads(k, "attn/k");
  const vs = heads(v, "attn/v");
  const scale = b.constant([1], "N", { values: [1 / Math.sqrt(dh)], name: "attn/scale" });
  const outs = qs.map((qh, i) => {
    const p = `attn/head${i}`;
    const scores = b.mul(b.matmul(qh, ks[i], { transposeB: true, name: `${p}/qk` }), scale, `${p}/scale`);
    const weights = b.softmax(scores, -1, `${p}/softmax`);
    const o = b.matmul(weights, vs[i], { name: `${p}/av` });
    return b.reshape(o, [batch * T, dh], "NC", `${p}/out`);
  });
  const attn = proj(b.concat(outs, 1, "attn/concat"), D, "attn/o");
  const x1 = b.layerNorm(b.add(x, attn, "attn/residual"), { name: "attn/layer_norm" });
  const ffn = proj(proj(x1, TRANSFORMER_FFN, "ffn/fc1", "relu"), D, "ffn/fc2");
  const x2 = b.layerNorm(b.add(x1, ffn, "ffn/residual"), { name: "ffn/layer_norm" });
  const y = b.reshape(x2, [batch, T, D], "NTC", "output");
  return b.build({ seed, outputs: [y] });
}
