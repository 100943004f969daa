/**
 * ELU24, the deeper CIFAR-100 network of Clevert, Unterthiner & Hochreiter, "Fast and accurate
 * deep network learning by exponential linear units (ELUs)", ICLR 2016 (arXiv 1511.07289),
 * section 4.3 (its 18-layer net; the stacks list 19 convs counting the 100-class classifier),
 * stacks of (layers x units x receptive field):
 *   ([1x384x3], [1x384x1, 1x384x2, 2x640x2], [1x640x1, 3x768x2], [1x768x1, 2x896x2],
 *    [1x896x3, 2x1024x2], [1x1024x1, 1x1152x2], [1x1152x1], [1x100x1])
 * with a 2x2/2 max pool after each of the first five stacks: 19 convs + 5 pools = 24 layers,
 * hence the name. Input 32x32x3; spatial 32 -> 16 -> 8 -> 4 -> 2 -> 1, so the last three
 * stacks run at 1x1 (a "same" 2x2 conv there pads one zero row and column).
 *
 * As ELU16 (see elu16.ts): "same" padding, biases, ELU fused into every conv except the last
 * 1x1 conv to 100 classes, then a flatten of the [N,1,1,100] logits and a softmax.
 *
 * Learned parameters (sum of k*k*in*out + out over the convs): 39,330,404; 1.50 G MACs at batch 1.
 */
import type { Graph, Weights } from "../graph/types.js";
import { eluNetwork } from "./elu16.js";
import type { ModelOptions } from "./index.js";

/** [kernel, filters] of each conv, stack by stack; a 2x2/2 max pool follows each of the first five stacks. */
export const ELU24_STACKS: readonly (readonly [number, number][])[] = [
  [[3, 384]],
  [
    [1, 384],
    [2, 384],
    [2, 640],
    [2, 640],
  ],
  [
    [1, 640],
    [2, 768],
    [2, 768],
    [2, 768],
  ],
  [
    [1, 768],
    [2, 896],
    [2, 896],
  ],
  [
    [3, 896],
    [2, 1024],
    [2, 1024],
  ],
  [
    [1, 1024],
    [2, 1152],
  ],
  [[1, 1152]],
  [[1, 100]],
];

export function elu24(options: ModelOptions = {}): { graph: Graph; weights: Weights } {
  return eluNetwork("elu24", ELU24_STACKS, options);
}
