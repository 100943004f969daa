/**
 * Tiling as plain data: how a layer's tensors are cut into tiles that fit an accelerator's
 * scratchpads, and which contiguous byte runs a CPU copy moves to build each tile.
 *
 * Coordinates are in the tensor's own dimension order (NHWC for 4-D activations and conv
 * weights [O, kH, kW, I], NC for 2-D) and in *aligned* shapes: the innermost dimension is padded
 * up to the accelerator's alignment (SMV: 8 elements), as the tensor sits in host memory for
 * the accelerator (smaug-facts: "the innermost dimension is padded up to a multiple of 8").
 */

/** SMAUG's tiling strategies (smaug-facts, "Tiling"): which dimensions are cut. */
export const TILING_STRATEGIES = ["None", "DimN", "DimNC", "DimNH", "DimNW", "DimNHW", "DimNCH", "DimNCW"] as const;
export type TilingStrategy = (typeof TILING_STRATEGIES)[number];

/** One tile of a tensor. */
export interface Tile {
  /** Index of the tile in the tensor's tile list. */
  index: number;
  /** Position in the tile grid, one entry per dimension. */
  grid: number[];
  /** First element of the tile in the (aligned) tensor, one entry per dimension. */
  origin: number[];
  /** Tile extent per dimension (edge tiles may be smaller than the nominal tile shape). */
  shape: number[];
  /**
   * Extent of real data per dimension: `shape`, less the alignment padding of the innermost
   * dimension where the tile reaches past the tensor's unaligned size. Work (MACs) counts this.
   */
  valid: number[];
  /**
   * Zero padding this tile of a conv/pool input carries on its own [top, bottom, left, right]:
   * the layer's padding where the tile touches the tensor border, 0 inside (row tiles overlap
   * by the kernel halo instead).
   */
  padding?: [number, number, number, number];
}

/** A tensor cut into tiles. */
export interface TiledTensor {
  /** Tensor reference in the graph (`node` or `node:i`). */
  tensor: string;
  /** What the tensor is to the layer: "inputs", "weights", "outputs", or an operator-specific name. */
  role: string;
  /** The tensor's aligned shape. */
  shape: number[];
  /** The tensor's real (unaligned) shape in the same dimension order. */
  realShape: number[];
  /** Bytes per element in host memory (SMV: 2, fp16). */
  elementBytes: number;
  strategy: TilingStrategy;
  /** Nominal tile shape (the largest tile). */
  tileShape: number[];
  /** Tiles along each dimension. */
  gridShape: number[];
  /** Every tile, row-major over the grid. */
  tiles: Tile[];
}

/** One contiguous piece of a copy: `bytes` from byte offset `src` of the source to `dst` of the destination. */
export interface CopyRun {
  src: number;
  dst: number;
  bytes: number;
}

/** The copies that build (or take apart) one tile. */
export interface TileCopyPlan {
  tile: number;
  /** Runs after merging adjacent ones, in copy order. */
  runs: CopyRun[];
  /** Total bytes moved. */
  bytes: number;
}
