/**
 * ResNet-50 (He et al. 2016) as torchvision's `resnet50` (v1.5: the stride of a down-sampling
 * block sits on its 3x3 conv, not its first 1x1), on ImageNet 224x224x3:
 *   conv1 7x7/2 64 (no bias) + BN + ReLU; max pool 3x3/2;
 *   layer1..layer4: [3, 4, 6, 3] bottleneck blocks of widths 64, 128, 256, 512 with expansion 4
 *     (1x1 width + BN + ReLU; 3x3 width, stride s + BN + ReLU; 1x1 4*width + BN; add the shortcut;
 *     ReLU), stride 2 in the first block of layer2..layer4, and a projection shortcut
 *     (1x1 conv 4*width, stride s, no bias + BN) in the first block of every layer;
 *   global average pool; FC 2048->1000 with bias; softmax over the 1000 classes.
 * Convs have no bias; batch norms have eps 1e-5 (torchvision's). Node names follow torchvision's
 * module names (conv1, bn1, layer2.0.conv2, layer2.0.downsample.0, fc, ...).
 *
 * Padding is torchvision's explicit symmetric padding (conv1 3, every 3x3 conv 1, the max pool 1),
 * which gives the same output sizes as "same" (224 -> 112 -> 56 -> 28 -> 14 -> 7) but places the
 * zeros as PyTorch does, so torchvision's weights would give torchvision's outputs.
 *
 * Learned parameters 25,557,032 (torchvision's figure); 4.09 G multiply-accumulates at batch 1.
 */
import { GraphBuilder, type Tensor } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

/** Bottleneck blocks per stage and the stage widths. */
export const RESNET50_BLOCKS = [3, 4, 6, 3] as const;
export const RESNET50_WIDTHS = [64, 128, 256, 512] as const;
export const RESNET_EXPANSION = 4;

/**
 * One bottleneck block (torchvision `Bottleneck`): 1x1 width, 3x3 width with the stride, 1x1
 * 4*width, each followed by batch norm (ReLU fused on the first two), plus the identity or, when
 * `project`, a 1x1 strided conv + BN shortcut; the sum goes through a ReLU.
 */
export function bottleneck(
  b: GraphBuilder,
  x: Tensor,
  o: { name: string; width: number; stride: number; project: boolean },
): Tensor {
  const { name, width, stride } = o;
  let y = b.conv(x, { filters: width, kernel: 1, padding: "valid", name: `${name}.conv1` });
  y = b.batchNorm(y, { activation: "relu", name: `${name}.bn1` });
  y = b.conv(y, { filters: width, kernel: 3, stride, padding: [1, 1, 1, 1], name: `${name}.conv2` });
  y = b.batchNorm(y, { activation: "relu", name: `${name}.bn2` });
  y = b.conv(y, { filters: width * RESNET_EXPANSION, kernel: 1, padding: "valid", name: `${name}.conv3` });
  y = b.batchNorm(y, { name: `${name}.bn3` });
  let shortcut = x;
  if (o.project) {
    shortcut = b.conv(x, {
      filters: width * RESNET_EXPANSION,
      kernel: 1,
      stride,
      padding: "valid",
      name: `${name}.downsample.0`,
    });
    shortcut = b.batchNorm(shortcut, { name: `${name}.downsample.1` });
  }
  return b.relu(b.add(y, shortcut, `${name}.add`), `${name}.relu`);
}

export function resnet50(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("resnet50", { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 224, 224, 3] : [batch, 3, 224, 224];
  let x = b.input(shape, { name: "input" });
  x = b.conv(x, { filters: 64, kernel: 7, stride: 2, padding: [3, 3, 3, 3], name: "conv1" });
  x = b.batchNorm(x, { activation: "relu", name: "bn1" });
  x = b.maxPool(x, { pool: 3, stride: 2, padding: [1, 1, 1, 1], name: "maxpool" });
  RESNET50_BLOCKS.forEach((blocks, stage) => {
    for (let i = 0; i < blocks; i++) {
      x = bottleneck(b, x, {
        name: `layer${stage + 1}.${i}`,
        width: RESNET50_WIDTHS[stage],
        stride: i === 0 && stage > 0 ? 2 : 1,
        project: i === 0,
      });
    }
  });
  x = b.globalAvgPool(x, "avgpool");
  x = b.innerProduct(x, { units: 1000, bias: true, name: "fc" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
