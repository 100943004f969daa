/**
 * The SMAUG paper's VGG16, the CIFAR-10 variant (32x32x3), every conv 3x3 "same" with bias and
 * ReLU, max pools 2x2/2:
 *   64, 128, pool; 128, 128, pool; 256, 256, 256, pool; 512, 512, 512, pool;
 *   FC 2048->512 ReLU; FC 512->10; softmax.
 * Spatial sizes 32 -> 16 -> 8 -> 4 -> 2, so FC0 sees 2*2*512 = 2048.
 *
 * Learned parameters (conv k*k*in*out + out):
 *   (9*3*64+64) + (9*64*128+128) + (9*128*128+128)*2 + (9*128*256+256) + (9*256*256+256)*2
 *   + (9*256*512+512) + (9*512*512+512)*2 + (2048*512+512) + (512*10+10) = 8,800,138.
 */
import { GraphBuilder } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

/** Filters of each conv, stage by stage; a max pool ends every stage. */
export const VGG16_STAGES: readonly (readonly number[])[] = [
  [64, 128],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
];

export function vgg16(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("vgg16", { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 32, 32, 3] : [batch, 3, 32, 32];
  let x = b.input(shape, { name: "input" });
  let i = 0;
  VGG16_STAGES.forEach((stage, s) => {
    for (const filters of stage)
      x = b.conv(x, { filters, kernel: 3, padding: "same", bias: true, activation: "relu", name: `conv${i++}` });
    x = b.maxPool(x, { pool: 2, stride: 2, name: `pool${s}` });
  });
  x = b.innerProduct(x, { units: 512, bias: true, activation: "relu", name: "fc0" });
  x = b.innerProduct(x, { units: 10, bias: true, name: "fc1" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
