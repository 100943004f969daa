/**
 * Copy plans: the contiguous byte runs a CPU copy moves to build one tile of a tensor (tiling,
 * "prepare") or to put a tile back into its tensor (untiling, "finalize").
 *
 * The tensor sits row-major over its aligned shape `t.shape` in host memory, `t.elementBytes` per
 * element; a tile buffer is dense, row-major over `tile.shape`. A copy moves the largest contiguous
 * inner block at a time (smaug-facts, "Tiling"): walking the dimensions from the innermost
 * outwards, every dimension the tile spans completely joins the block, and so does the first one
 * it cuts; the dimensions outside that one repeat the block. So for a tile of shape T in a tensor
 * of shape S (rank r), with j the outermost dimension such that T[d] = S[d] for every d > j:
 *
 *   run bytes = elementBytes · T[j] · T[j+1] ··· T[r-1]     runs = T[0] · T[1] ··· T[j-1]
 *
 * Runs are maximal: two consecutive runs differ in some dimension m < j, and because T[j] < S[j]
 * (or j = 0 and there is only one run) the source skips at least S[j]-T[j] elements between them.
 * The destination is always contiguous, so merging depends on the source alone.
 *
 * Paper example (1x16x16x128 fp16 NHWC): row-wise tiles 1x8x16x128 → j = 1, one run of
 * 8·16·128 = 16,384 elements per tile, 2 over the 2 tiles; channel-wise tiles 1x16x16x64 → j = 3,
 * 16·16 = 256 runs of 64 elements per tile, 512 over the 2 tiles.
 *
 * Three forms, cheapest first: `tileRunShape` / `copyPlanSummary` (closed form, O(rank) per tile),
 * `forEachRun` (a callback per run, no allocation per run), `tileCopyPlan` / `untileCopyPlan`
 * (CopyRun objects, for tests and inspection).
 */
import type { CopyRun, Tile, TileCopyPlan, TiledTensor } from "./types.js";

/** Which way a copy goes: tensor → tile buffer ("tile", prepare) or tile buffer → tensor ("untile", finalize). */
export type CopyDirection = "tile" | "untile";

/** Called once per run, in copy order; offsets and length in bytes. */
export type RunCallback = (src: number, dst: number, bytes: number) => void;

/** The shape of one tile's copy: `runs` runs of `runBytes` bytes each (0 runs for an empty tile). */
export interface TileRunShape {
  runs: number;
  runBytes: number;
  /** The outermost dimension inside a run (j above): dimensions 0..j-1 repeat the run. */
  splitDim: number;
}

/** Summary of every tile's copy plan of a tiled tensor (overlapping tiles count once per tile). */
export interface CopyPlanSummary {
  tiles: number;
  /** Runs over all tiles. */
  copies: number;
  /** Bytes moved over all tiles. */
  bytes: number;
  /** Largest and smallest run over all tiles; 0 when there are no runs. */
  largestRunBytes: number;
  smallestRunBytes: number;
}

function checkTile(t: TiledTensor, tile: Tile): void {
  const s = t.shape;
  const r = s.length;
  if (r === 0) throw new RangeError(`${t.tensor}: a tensor of rank 0 has no tiles`);
  if (!Number.isInteger(t.elementBytes) || t.elementBytes <= 0)
    throw new RangeError(`${t.tensor}: elementBytes ${t.elementBytes} must be a positive integer`);
  if (tile.shape.length !== r || tile.origin.length !== r)
    throw new RangeError(
      `${t.tensor} tile ${tile.index}: origin [${tile.origin}] and shape [${tile.shape}] must have rank ${r}`,
    );
  for (let d = 0; d < r; d++) {
    const o = tile.origin[d];
    const n = tile.shape[d];
    if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o + n > s[d])
      throw new RangeError(
        `${t.tensor} tile ${tile.index}: dimension ${d} spans [${o}, ${o + n}) outside the tensor's [0, ${s[d]})`,
      );
  }
}

/** Closed form of `splitDim`, `runBytes` and `runs` (no validation). */
function runShape(shape: number[], tshape: number[], elementBytes: number): TileRunShape {
  const r = shape.length;
  let d = r - 1;
  let runBytes = elementBytes;
  while (d > 0 && tshape[d] === shape[d]) runBytes *= tshape[d--];
  runBytes *= tshape[d];
  let runs = 1;
  for (let k = 0; k < d; k++) runs *= tshape[k];
  if (runBytes === 0 || runs === 0) return { runs: 0, runBytes: 0, splitDim: d };
  return { runs, runBytes, splitDim: d };
}

/** How many runs one tile's copy takes and how long each is, in O(rank). */
export function tileRunShape(t: TiledTensor, tile: Tile): TileRunShape {
  checkTile(t, tile);
  return runShape(t.shape, tile.shape, t.elementBytes);
}

/**
 * Calls `fn(src, dst, bytes)` for every run of one tile's copy, in copy order (row-major over the
 * tile), without allocating per run. Direction "tile" copies tensor → tile buffer (src is the
 * tensor offset, dst the buffer offset); "untile" the reverse. Returns the number of runs.
 */
export function forEachRun(t: TiledTensor, tile: Tile, fn: RunCallback, direction: CopyDirection = "tile"): number {
  checkTile(t, tile);
  const s = t.shape;
  const ts = tile.shape;
  const { runs, runBytes, splitDim: j } = runShape(s, ts, t.elementBytes);
  if (runs === 0) return 0;
  const toTile = direction === "tile";
  // byte strides of the tensor and the offset of the tile's first element
  const r = s.length;
  const stride = new Array<number>(r);
  let acc = t.elementBytes;
  for (let d = r - 1; d >= 0; d--) {
    stride[d] = acc;
    acc *= s[d];
  }
  let src = 0;
  for (let d = 0; d < r; d++) src += tile.origin[d] * stride[d];
  if (j === 0) {
    if (toTile) fn(src, 0, runBytes);
    else fn(0, src, runBytes);
    return 1;
  }
  // dimension j-1 is the innermost loop; dimensions 0..j-2 form an odometer
  const last = j - 1;
  const n = ts[last];
  const step = stride[last];
  const idx = new Array<number>(last).fill(0);
  let dst = 0;
  for (;;) {
    let a = src;
    if (toTile) for (let i = 0; i < n; i++, a += step, dst += runBytes) fn(a, dst, runBytes);
    else for (let i = 0; i < n; i++, a += step, dst += runBytes) fn(dst, a, runBytes);
    let d = last - 1;
    for (; d >= 0; d--) {
      src += stride[d];
      if (++idx[d] < ts[d]) break;
      src -= ts[d] * stride[d];
      idx[d] = 0;
    }
    if (d < 0) return runs;
  }
}

function plan(t: TiledTensor, tile: Tile, direction: CopyDirection): TileCopyPlan {
  const runs: CopyRun[] = [];
  forEachRun(t, tile, (src, dst, bytes) => runs.push({ src, dst, bytes }), direction);
  let bytes = 0;
  for (const run of runs) bytes += run.bytes;
  return { tile: tile.index, runs, bytes };
}

/** The runs that copy one tile from the tensor (byte offsets from the tensor's start) into a dense tile buffer. */
export function tileCopyPlan(t: TiledTensor, tile: Tile): TileCopyPlan {
  return plan(t, tile, "tile");
}

/**
 * The runs that copy a dense tile buffer back into the tensor: `tileCopyPlan` with src and dst
 * swapped. Only meaningful for tilings whose tiles do not overlap (outputs).
 */
export function untileCopyPlan(t: TiledTensor, tile: Tile): TileCopyPlan {
  return plan(t, tile, "untile");
}

/** Tiles, runs, bytes and run-length extremes over every tile of `t`, in O(tiles × rank), materialising no runs. */
export function copyPlanSummary(t: TiledTensor): CopyPlanSummary {
  let copies = 0;
  let bytes = 0;
  let largestRunBytes = 0;
  let smallestRunBytes = Number.POSITIVE_INFINITY;
  for (const tile of t.tiles) {
    const { runs, runBytes } = tileRunShape(t, tile);
    if (runs === 0) continue;
    copies += runs;
    bytes += runs * runBytes;
    if (runBytes > largestRunBytes) largestRunBytes = runBytes;
    if (runBytes < smallestRunBytes) smallestRunBytes = runBytes;
  }
  if (copies === 0) smallestRunBytes = 0;
  return { tiles: t.tiles.length, copies, bytes, largestRunBytes, smallestRunBytes };
}
