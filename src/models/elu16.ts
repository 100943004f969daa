/**
 * ELU16, the CIFAR-100 network of Clevert, Unterthiner & Hochreiter, "Fast and accurate deep
 * network learning by exponential linear units (ELUs)", ICLR 2016 (arXiv 1511.07289), section
 * 4.3: 11 convolutional layers in stacks of (layers x units x receptive field)
 *   ([1x192x5], [1x192x1, 1x240x3], [1x240x1, 1x260x2], [1x260x1, 1x280x2], [1x280x1, 1x300x2],
 *    [1x300x1], [1x100x1])
 * with a 2x2/2 max pool after each of the first five stacks: 11 convs + 5 pools = 16 layers,
 * hence the name. Input 32x32x3; spatial 32 -> 16 -> 8 -> 4 -> 2 -> 1 (the paper's "pool after
 * each stack" cannot apply to the last two, which run at 1x1).
 *
 * Every conv is "same" (TF SAME_UPPER: the even 2x2 kernels pad one row/column at the bottom and
 * right), has a bias, and has ELU (alpha 1) fused, except the last 1x1 conv to 100 classes, which
 * gives the logits. Its output is [N,1,1,100] (the five pools bring 32x32 down to 1x1), so the
 * classifier head is a flatten to [N,100] -- identical to a global average pool at 1x1 but
 * without a pointless operator -- and a softmax over the 100 classes.
 *
 * Learned parameters (sum of k*k*in*out + out over the convs): 1,669,028; 157.5 M MACs at batch 1.
 */
import type { Tensor } from "../graph/builder.js";
import { GraphBuilder } from "../graph/builder.js";
import type { Graph, Weights } from "../graph/types.js";
import type { ModelOptions } from "./index.js";

/** [kernel, filters] of each conv, stack by stack; a 2x2/2 max pool follows each of the first five stacks. */
export const ELU16_STACKS: readonly (readonly [number, number][])[] = [
  [[5, 192]],
  [
    [1, 192],
    [3, 240],
  ],
  [
    [1, 240],
    [2, 260],
  ],
  [
    [1, 260],
    [2, 280],
  ],
  [
    [1, 280],
    [2, 300],
  ],
  [[1, 300]],
  [[1, 100]],
];

/** The first five stacks end in a 2x2/2 max pool (32x32 -> 1x1); the rest run at 1x1. */
const POOLED_STACKS = 5;

/** Build an ELU network from its stacks (shared by ELU16 and ELU24). */
export function eluNetwork(
  name: string,
  stacks: readonly (readonly [number, number][])[],
  options: ModelOptions,
): { graph: Graph; weights: Weights } {
  const { batch = 1, backend = "smv", dtype = "float32", seed = 0 } = options;
  const b = new GraphBuilder(name, { backend, dtype });
  const shape = b.preferredLayout === "NHWC" ? [batch, 32, 32, 3] : [batch, 3, 32, 32];
  let x: Tensor = b.input(shape, { name: "input" });
  let conv = 0;
  const convs = stacks.reduce((n, s) => n + s.length, 0);
  stacks.forEach((stack, s) => {
    for (const [kernel, filters] of stack) {
      const last = ++conv === convs;
      x = b.conv(x, {
        filters,
        kernel,
        padding: "same",
        bias: true,
        activation: last ? undefined : { type: "elu", alpha: 1 },
        name: `conv${conv - 1}`,
      });
    }
    if (s < POOLED_STACKS) x = b.maxPool(x, { pool: 2, stride: 2, name: `pool${s}` });
  });
  const logits = b.flatten(x, "flatten");
  const y = b.softmax(logits, -1, "softmax");
  return b.build({ seed, outputs: [y] });
}

export function elu16(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  return eluNetwork("elu16", ELU16_STACKS, options);
}
