/**
 * The memory model: simulated addresses, DRAM timing, the DMA and ACP paths between host memory
 * and the accelerators, and the CPU cost of copies. Building blocks with plain-data inputs and
 * outputs; the scheduler composes them. docs/memory-model.md has the equations.
 */
import type { MemoryPolicy } from "../soc/index.js";

export * from "./acp.js";
export * from "./allocator.js";
export * from "./cpu-copy.js";
export * from "./dma.js";
export * from "./dram.js";

/** How an accelerator reaches a tensor in host memory. */
export type HostPath = "dma" | "acp";

/** What a tensor is to an accelerated operator, as the memory policy sees it. */
export type PolicyRole = "inputs" | "weights" | "outputs";

/**
 * SMAUG's per-graph host memory policy: AllDma moves inputs, weights and outputs by DMA; AllAcp
 * all through ACP; AllAcpWithDmaForWeights inputs and outputs through ACP, weights by DMA.
 */
export function hostPathFor(policy: MemoryPolicy, role: PolicyRole): HostPath {
  switch (policy) {
    case "AllDma":
      return "dma";
    case "AllAcp":
      return "acp";
    case "AllAcpWithDmaForWeights":
      return role === "weights" ? "dma" : "acp";
    default:
      throw new RangeError(`unknown memory policy "${String(policy)}"`);
  }
}
