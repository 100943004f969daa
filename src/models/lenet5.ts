/**
 * LeNet5 as the SMAUG paper runs it on MNIST (28x28x1):
 *   conv 3x3 1->32 valid ReLU; conv 3x3 32->32 valid ReLU; max pool 2x2/2;
 *   FC 4608->128 ReLU; FC 128->10; softmax over the classes.
 * Spatial sizes 28 -> 26 -> 24 -> 12, so the flattened features are 12*12*32 = 4608.
 * Every conv and FC has a bias (Keras' default, from which SMAUG's models were converted).
 *
 * Learned parameters: (1*9*32+32) + (32*9*32+32) + (4608*128+128) + (128*10+10) = 600,810.
 */
import { GraphBuilder } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

export function lenet5(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("lenet5", { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 28, 28, 1] : [batch, 1, 28, 28];
  let x = b.input(shape, { name: "input" });
  x = b.conv(x, { filters: 32, kernel: 3, padding: "valid", bias: true, activation: "relu", name: "conv0" });
  x = b.conv(x, { filters: 32, kernel: 3, padding: "valid", bias: true, activation: "relu", name: "conv1" });
  x = b.maxPool(x, { pool: 2, stride: 2, name: "pool0" });
  x = b.innerProduct(x, { units: 128, bias: true, activation: "relu", name: "fc0" });
  x = b.innerProduct(x, { units: 10, bias: true, name: "fc1" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
