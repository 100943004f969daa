/**
 * Minerva (Reagen et al., ISCA 2016), the MNIST multilayer perceptron of the SMAUG paper:
 * FC 784-256-256-256-10, ReLU on the hidden layers, every layer with a bias, softmax over the
 * 10 classes. The input is the flattened 28x28 image, [batch, 784] NC.
 *
 * Learned parameters: 784*256+256 + 2*(256*256+256) + 256*10+10 = 335,114.
 */
import { GraphBuilder } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

export function minerva(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder("minerva", { backend, dtype });
  let x = b.input([batch, 784], { layout: "NC", name: "input" });
  x = b.innerProduct(x, { units: 256, bias: true, activation: "relu", name: "fc0" });
  x = b.innerProduct(x, { units: 256, bias: true, activation: "relu", name: "fc1" });
  x = b.innerProduct(x, { units: 256, bias: true, activation: "relu", name: "fc2" });
  x = b.innerProduct(x, { units: 10, bias: true, name: "fc3" });
  const y = b.softmax(x, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}
