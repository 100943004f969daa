/**
 * The model zoo: the networks of the SMAUG paper (Minerva, LeNet5, CNN10, VGG16, ELU16, ELU24,
 * ResNet50, LSTM) and two it lacked (MobileNet-v1, with the depthwise convolutions SMAUG never
 * accelerated, and a Transformer encoder block), each built with the GraphBuilder for any batch
 * size, backend layout and data type, with deterministic weights drawn from a seed.
 *
 *   const { graph, weights } = getModel("resnet50").build({ batch: 2, seed: 7 });
 *
 * Weights depend on the seed and on the constant's name only, never on the batch size.
 */
import { InputError } from "../errors.js";
import type { Backend } from "../graph/builder.js";
import type { DType, Graph, Weights } from "../graph/types.js";
import { cnn10 } from "./cnn10.js";
import { elu16 } from "./elu16.js";
import { elu24 } from "./elu24.js";
import { lenet5 } from "./lenet5.js";
import { lstm } from "./lstm.js";
import { minerva } from "./minerva.js";
import { mobilenetV1 } from "./mobilenet_v1.js";
import { resnet50 } from "./resnet50.js";
import { transformer } from "./transformer.js";
import { vgg16 } from "./vgg16.js";

export interface ModelOptions {
  /** Batch size (default 1). */
  batch?: number;
  /** Layout preference of the target backend: smv keeps 4-D tensors NHWC, reference NCHW (default "smv"). */
  backend?: Backend;
  /** Data type of activations and weights (default "float32"). */
  dtype?: DType;
  /** Seed of the generated weights (default 0). */
  seed?: number;
}

export interface ModelInfo {
  /** The registry name, also the graph's name. */
  name: string;
  description: string;
  dataset: string;
  build(options?: ModelOptions): { graph: Graph; weights: Weights };
}

type Builder = (options: ModelOptions) => { graph: Graph; weights: Weights };

/** Reject options no network can be built with, naming the model and the option. */
function checked(name: string, build: Builder): ModelInfo["build"] {
  return (options = {}) => {
    const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
    if (!Number.isSafeInteger(batch) || batch < 1)
      throw new InputError(`model '${name}': batch must be a positive integer, got ${batch}`);
    if (backend !== "smv" && backend !== "reference")
      throw new InputError(`model '${name}': backend must be "smv" or "reference", got ${JSON.stringify(backend)}`);
    if (dtype !== "float32" && dtype !== "float16")
      throw new InputError(`model '${name}': dtype must be "float32" or "float16", got ${JSON.stringify(dtype)}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new InputError(`model '${name}': seed must be an integer from 0 to 4294967295, got ${seed}`);
    return build({ batch, backend, dtype, seed });
  };
}

const model = (name: string, dataset: string, description: string, build: Builder): ModelInfo => ({
  name,
  dataset,
  description,
  build: checked(name, build),
});

/** The paper's networks in the paper's order, then the additions. */
export const MODELS: ModelInfo[] = [
  model("minerva", "MNIST", "Minerva MLP: FC 784-256-256-256-10, ReLU", minerva),
  model("lenet5", "MNIST", "LeNet5: two 3x3 convs (32), max pool, FC 128, FC 10", lenet5),
  model(
    "cnn10",
    "CIFAR-10",
    "CNN10: four 3x3 convs (32, 32, 64, 64) with batch norms, two pools, FC 512, FC 10",
    cnn10,
  ),
  model("vgg16", "CIFAR-10", "VGG16 (CIFAR-10 variant): ten 3x3 convs (64-512), four pools, FC 512, FC 10", vgg16),
  model("elu16", "CIFAR-100", "ELU16 (Clevert et al. 2015): 11 convs with ELU, 5 pools", elu16),
  model("elu24", "CIFAR-100", "ELU24 (Clevert et al. 2015): 19 convs with ELU, 5 pools", elu24),
  model(
    "resnet50",
    "ImageNet",
    "ResNet-50 v1.5 (torchvision): bottleneck blocks [3, 4, 6, 3], batch norm, FC 1000",
    resnet50,
  ),
  model("lstm", "synthetic sequences", "LSTM: 2 unrolled layers, 4 steps, 32 inputs, 128 units (as SMAUG's)", lstm),
  model("mobilenet_v1", "ImageNet", "MobileNet-v1 1.0 224: 13 depthwise-separable blocks, ReLU6, FC 1000", mobilenetV1),
  model(
    "transformer",
    "synthetic sequences",
    "Transformer encoder block: 32 tokens, d_model 128, 4 heads, FFN 512, post-norm",
    transformer,
  ),
];

/** Lower-case, without separators: "ResNet-50", "resnet_50" and "resnet50" are one name. */
const normalise = (name: string): string => name.toLowerCase().replace(/[\s_\-.]/g, "");

/** A model by name, case-insensitively and ignoring separators ("mobilenet-v1", "MobileNetV1", "resnet-50"). */
export function getModel(name: string): ModelInfo {
  const key = normalise(name);
  const found = MODELS.find((m) => normalise(m.name) === key);
  if (found === undefined)
    throw new InputError(`unknown model '${name}' (known models: ${MODELS.map((m) => m.name).join(", ")})`);
  return found;
}
