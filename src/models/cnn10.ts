/**
 * CNN10, the SMAUG paper's CIFAR-10 network (32x32x3), and the classifier of its camera-pipeline
 * case study:
 *   conv 3x3 same 3->32 ReLU; BN; conv 3x3 32->32 ReLU; max pool 2x2/2; BN;
 *   conv 3x3 32->64 ReLU; conv 3x3 64->64 ReLU; max pool 2x2/2; BN;
 *   FC 4096->512 ReLU; FC 512->10; softmax.
 * The facts list the activation only on the first two convs; the last two get ReLU as well (as
 * every conv of SMAUG's CNN10 does). Spatial sizes 32 -> 16 -> 8, so FC0 sees 8*8*64 = 4096.
 * Convs and FCs have biases; batch norms carry gamma, beta (learned) and running mean, variance.
 *
 * Learned parameters: (3*9*32+32) + 2*32 + (32*9*32+32) + 2*32 + (32*9*64+64) + (64*9*64+64)
 *   + 2*64 + (4096*512+512) + (512*10+10) = 2,168,618.
 */
import { GraphBuilder } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

export function cnn10(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("cnn10", { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 32, 32, 3] : [batch, 3, 32, 32];
  let x = b.input(shape, { name: "input" });
  x = b.conv(x, { filters: 32, kernel: 3, padding: "same", bias: true, activation: "relu", name: "conv0" });
  x = b.batchNorm(x, { name: "bn0" });
  x = b.conv(x, { filters: 32, kernel: 3, padding: "same", bias: true, activation: "relu", name: "conv1" });
  x = b.maxPool(x, { pool: 2, stride: 2, name: "pool0" });
  x = b.batchNorm(x, { name: "bn1" });
  x = b.conv(x, { filters: 64, kernel: 3, padding: "same", bias: true, activation: "relu", name: "conv2" });
  x = b.conv(x, { filters: 64, kernel: 3, padding: "same", bias: true, activation: "relu", name: "conv3" });
  x = b.maxPool(x, { pool: 2, stride: 2, name: "pool1" });
  x = b.batchNorm(x, { name: "bn2" });
  x = b.innerProduct(x, { units: 512, bias: true, activation: "relu", name: "fc0" });
  x = b.innerProduct(x, { units: 10, bias: true, name: "fc1" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
