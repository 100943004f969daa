/**
 * MobileNet-v1 1.0 224 (Howard et al. 2017, arXiv 1704.04861, Table 1) on ImageNet 224x224x3,
 * as Keras' `MobileNet(alpha=1.0)` builds it (node names follow Keras' layer names):
 *   conv1 3x3/2 32 + BN + ReLU6;
 *   13 depthwise-separable blocks: depthwise 3x3 (stride s) + BN + ReLU6, pointwise 1x1 + BN + ReLU6,
 *     with (stride, pointwise filters) = (1,64) (2,128) (1,128) (2,256) (1,256) (2,512) 5x(1,512)
 *     (2,1024) (1,1024);
 *   global average pool; FC 1024->1000 with bias; softmax over the 1000 classes.
 * Convs have no bias; batch norms eps 1e-3 (Keras'). ReLU6 = hard_tanh(min 0, max 6), fused into
 * the batch norm. Padding is "same" (SAME_UPPER), which is what Keras' ZeroPadding2D((0,1),(0,1))
 * + "valid" does on the stride-2 layers. Spatial 224 -> 112 -> 56 -> 28 -> 14 -> 7.
 *
 * Learned parameters 4,231,976 (Keras' trainable count); 569 M multiply-accumulates (paper, Table 1).
 */
import { GraphBuilder } from "../graph/builder.js";
import type { Activation, Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

/** [depthwise stride, pointwise filters] of the 13 depthwise-separable blocks. */
export const MOBILENET_V1_BLOCKS: readonly [number, number][] = [
  [1, 64],
  [2, 128],
  [1, 128],
  [2, 256],
  [1, 256],
  [2, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [1, 512],
  [2, 1024],
  [1, 1024],
];

const RELU6: Activation = { type: "hard_tanh", min: 0, max: 6 };
const EPSILON = 1e-3;

export function mobilenetV1(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("mobilenet_v1", { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 224, 224, 3] : [batch, 3, 224, 224];
  let x = b.input(shape, { name: "input" });
  x = b.conv(x, { filters: 32, kernel: 3, stride: 2, padding: "same", name: "conv1" });
  x = b.batchNorm(x, { epsilon: EPSILON, activation: RELU6, name: "conv1_bn" });
  MOBILENET_V1_BLOCKS.forEach(([stride, filters], i) => {
    const id = i + 1;
    x = b.depthwiseConv(x, { kernel: 3, stride, padding: "same", name: `conv_dw_${id}` });
    x = b.batchNorm(x, { epsilon: EPSILON, activation: RELU6, name: `conv_dw_${id}_bn` });
    x = b.conv(x, { filters, kernel: 1, padding: "valid", name: `conv_pw_${id}` });
    x = b.batchNorm(x, { epsilon: EPSILON, activation: RELU6, name: `conv_pw_${id}_bn` });
  });
  x = b.globalAvgPool(x, "global_average_pooling");
  x = b.innerProduct(x, { units: 1000, bias: true, name: "fc" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
