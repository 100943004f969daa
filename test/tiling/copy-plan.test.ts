/**
 * Copy plans (src/tiling/copy-plan.ts): the paper's example, hand-worked small cases, and
 * properties over random tensors and tilings. TiledTensors are built here by hand (`grid`), not
 * by the SMV tiling optimiser.
 */
import assert from "node:assert/strict";
import { mulberry32 } from "../../src/engine/selfcheck.js";
import { copyPlanSummary, forEachRun, tileCopyPlan, tileRunShape, untileCopyPlan } from "../../src/tiling/copy-plan.js";
import type { CopyRun, Tile, TiledTensor } from "../../src/tiling/types.js";

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** Origins along one dimension of extent `size` for tiles of `tile` elements every `step` (step < tile: overlap). */
function origins(size: number, tile: number, step: number): number[] {
  const out: number[] = [];
  for (let o = 0; ; o += step) {
    out.push(o);
    if (o + tile >= size) return out;
  }
}

/**
 * Grids `shape` into tiles of nominal `tileShape`, row-major over the grid; edge tiles are cut
 * to the tensor; `step` (default: the tile shape) below the tile shape makes tiles overlap.
 */
function grid(shape: number[], tileShape: number[], elementBytes = 2, step: number[] = tileShape): TiledTensor {
  const perDim = shape.map((s, d) => origins(s, tileShape[d], step[d]));
  const gridShape = perDim.map((o) => o.length);
  const tiles: Tile[] = [];
  const g = new Array<number>(shape.length).fill(0);
  for (let i = 0, n = prod(gridShape); i < n; i++) {
    const origin = g.map((k, d) => perDim[d][k]);
    const tshape = origin.map((o, d) => Math.min(tileShape[d], shape[d] - o));
    tiles.push({ index: i, grid: [...g], origin, shape: tshape, valid: [...tshape] });
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++g[d] < gridShape[d]) break;
      g[d] = 0;
    }
  }
  return {
    tensor: "t",
    role: "inputs",
    shape,
    realShape: shape,
    elementBytes,
    strategy: "None",
    tileShape,
    gridShape,
    tiles,
  };
}

const runs = (list: [number, number, number][]): CopyRun[] => list.map(([src, dst, bytes]) => ({ src, dst, bytes }));

describe("copy plans: the paper's example (1x16x16x128 fp16, NHWC)", () => {
  // The facts give "2 copies of 16K elements" (row-wise) and "512 copies of 64" (channel-wise).
  // Both figures are totals over the 2 tiles: row-wise is 1 copy per tile, channel-wise
  // 16 x 16 = 256 (H, W) positions per tile, each copying its 64 channels. So the reading that
  // matches is "in total", not "per tile".
  it("row-wise tiles 1x8x16x128: one run of 16,384 elements per tile, 2 in total", () => {
    const t = grid([1, 16, 16, 128], [1, 8, 16, 128]);
    assert.equal(t.tiles.length, 2);
    const plans = t.tiles.map((tile) => tileCopyPlan(t, tile));
    assert.deepEqual(
      plans.map((p) => p.runs),
      // tile 1 starts at row 8: 8 x 16 x 128 elements x 2 bytes = 32,768
      [runs([[0, 0, 16384 * 2]]), runs([[32768, 0, 16384 * 2]])],
    );
    assert.deepEqual(copyPlanSummary(t), {
      tiles: 2,
      copies: 2,
      bytes: 16 * 16 * 128 * 2,
      largestRunBytes: 16384 * 2,
      smallestRunBytes: 16384 * 2,
    });
  });

  it("channel-wise tiles 1x16x16x64: 256 runs of 64 elements per tile, 512 in total", () => {
    const t = grid([1, 16, 16, 128], [1, 16, 16, 64]);
    assert.equal(t.tiles.length, 2);
    const plans = t.tiles.map((tile) => tileCopyPlan(t, tile));
    assert.deepEqual(
      plans.map((p) => p.runs.length),
      [256, 256],
    );
    for (const p of plans) for (const r of p.runs) assert.equal(r.bytes, 64 * 2);
    // tile 1 (channels 64..127): first run at channel 64 (byte 128), the next a pixel (128 channels) later
    assert.deepEqual(
      plans[1].runs.slice(0, 2),
      runs([
        [128, 0, 128],
        [128 + 256, 128, 128],
      ]),
    );
    assert.deepEqual(copyPlanSummary(t), {
      tiles: 2,
      copies: 512,
      bytes: 16 * 16 * 128 * 2,
      largestRunBytes: 128,
      smallestRunBytes: 128,
    });
  });
});

describe("copy plans: hand-worked cases", () => {
  it("2-D NC tensor 4x10 (fp32) tiled by N into 2x10: a tile is whole rows, one run", () => {
    // C is spanned fully, so N joins the run: 2 rows x 10 x 4 bytes = 80 bytes; tile 1 starts at row 2 (byte 80)
    const t = grid([4, 10], [2, 10], 4);
    assert.deepEqual(tileCopyPlan(t, t.tiles[0]).runs, runs([[0, 0, 80]]));
    assert.deepEqual(tileCopyPlan(t, t.tiles[1]).runs, runs([[80, 0, 80]]));
  });

  it("2-D NC tensor 4x10 (fp32) tiled by C into 4x4: one run per row, the edge tile 2 wide", () => {
    // C is cut, so a run is one row's 4 channels (16 bytes); rows are 40 bytes apart in the tensor
    // and 16 bytes apart in the buffer. Tiles: C 0..3, 4..7, 8..9 (edge: 2 channels, 8-byte runs).
    const t = grid([4, 10], [4, 4], 4);
    assert.equal(t.tiles.length, 3);
    assert.deepEqual(
      tileCopyPlan(t, t.tiles[0]).runs,
      runs([
        [0, 0, 16],
        [40, 16, 16],
        [80, 32, 16],
        [120, 48, 16],
      ]),
    );
    assert.deepEqual(
      tileCopyPlan(t, t.tiles[2]).runs,
      runs([
        [32, 0, 8],
        [72, 8, 8],
        [112, 16, 8],
        [152, 24, 8],
      ]),
    );
    assert.equal(tileCopyPlan(t, t.tiles[2]).bytes, 32);
  });

  it("4-D NHWC tile with H and C cut: one run per (h, w) of the tile's channels", () => {
    // tensor 2x4x3x8 fp16: element strides C 1, W 8, H 24, N 96. Tile 1x2x3x4 at (1, 2, 0, 4):
    // C is cut, so each run is 4 channels = 8 bytes; 1 x 2 x 3 = 6 runs. First element
    // 96 + 2*24 + 0 + 4 = 148 -> byte 296; then W steps by 8 elements (16 bytes), H by 24 (48 bytes).
    const t = grid([2, 4, 3, 8], [1, 2, 3, 4]);
    const tile = t.tiles.find((x) => x.origin.join() === "1,2,0,4");
    assert.ok(tile);
    assert.deepEqual(
      tileCopyPlan(t, tile).runs,
      runs([
        [296, 0, 8],
        [312, 8, 8],
        [328, 16, 8],
        [344, 24, 8],
        [360, 32, 8],
        [376, 40, 8],
      ]),
    );
    assert.deepEqual(tileRunShape(t, tile), { runs: 6, runBytes: 8, splitDim: 3 });
  });

  it("4-D NHWC tile with only H cut and N = 2: one run per image", () => {
    // tile 2x2x3x8 at H = 2 of the same 2x4x3x8 tensor: W and C are full, H is cut, so a run is
    // 2 x 3 x 8 = 48 elements (96 bytes), one per image; image n starts at n*96 + 2*24 elements.
    const t = grid([2, 4, 3, 8], [2, 2, 3, 8]);
    assert.deepEqual(
      tileCopyPlan(t, t.tiles[1]).runs,
      runs([
        [96, 0, 96],
        [(96 + 48) * 2, 96, 96],
      ]),
    );
  });

  it("overlapping halo row tiles are each copied whole, the overlap twice", () => {
    // input 1x6x4x8 fp16 for a 3x3 conv computed 2 output rows per tile: tiles of 4 input rows
    // every 2 rows overlap by the 2-row halo: rows 0..3 and 2..5. W and C are full, so each tile
    // is one run of 4 x 4 x 8 = 128 elements (256 bytes); tile 1 starts at row 2 = byte 2*32*2.
    const t = grid([1, 6, 4, 8], [1, 4, 4, 8], 2, [1, 2, 4, 8]);
    assert.deepEqual(
      t.tiles.map((x) => x.origin[1]),
      [0, 2],
    );
    assert.deepEqual(tileCopyPlan(t, t.tiles[0]).runs, runs([[0, 0, 256]]));
    assert.deepEqual(tileCopyPlan(t, t.tiles[1]).runs, runs([[128, 0, 256]]));
    // the overlap is moved once per tile: 512 bytes for a 384-byte tensor
    assert.equal(copyPlanSummary(t).bytes, 512);
  });

  it("overlapping halo tiles with channels cut as well (DimNCH): one run per (h, w), halo rows repeated", () => {
    // 1x5x2x16 tiled 1x3x2x8 every 2 rows: H origins 0, 2 (rows 0..2 and 2..4), C origins 0, 8.
    // Each tile: 3 x 2 = 6 runs of 8 channels (16 bytes); 4 tiles -> 24 runs, 24 x 16 = 384 bytes,
    // against 320 bytes in the tensor (row 2 is copied twice, in both channel halves).
    const t = grid([1, 5, 2, 16], [1, 3, 2, 8], 2, [1, 2, 2, 8]);
    assert.equal(t.tiles.length, 4);
    assert.deepEqual(copyPlanSummary(t), {
      tiles: 4,
      copies: 24,
      bytes: 384,
      largestRunBytes: 16,
      smallestRunBytes: 16,
    });
    // tile (h 2.., c 8..): first run at (2, 0, 8) = 2*32 + 8 = 72 elements = byte 144
    const tile = t.tiles[3];
    assert.deepEqual(tile.origin, [0, 2, 0, 8]);
    assert.deepEqual(
      tileCopyPlan(t, tile).runs.slice(0, 3),
      runs([
        [144, 0, 16],
        [176, 16, 16],
        [208, 32, 16],
      ]),
    );
  });

  it("edge tiles smaller than the nominal shape: fewer rows, narrower runs", () => {
    // 1x5x5x24 fp16 tiled 1x2x5x16: H origins 0, 2, 4 (the last 1 row), C origins 0, 16 (the last 8
    // channels). C is cut in every tile, so runs are per (h, w): 16-channel tiles take rows x 5 runs
    // of 32 bytes, 8-channel ones rows x 5 runs of 16 bytes.
    const t = grid([1, 5, 5, 24], [1, 2, 5, 16]);
    assert.deepEqual(
      t.tiles.map((x) => x.shape),
      [
        [1, 2, 5, 16],
        [1, 2, 5, 8],
        [1, 2, 5, 16],
        [1, 2, 5, 8],
        [1, 1, 5, 16],
        [1, 1, 5, 8],
      ],
    );
    assert.deepEqual(
      t.tiles.map((x) => tileRunShape(t, x)),
      [
        { runs: 10, runBytes: 32, splitDim: 3 },
        { runs: 10, runBytes: 16, splitDim: 3 },
        { runs: 10, runBytes: 32, splitDim: 3 },
        { runs: 10, runBytes: 16, splitDim: 3 },
        { runs: 5, runBytes: 32, splitDim: 3 },
        { runs: 5, runBytes: 16, splitDim: 3 },
      ],
    );
    assert.deepEqual(copyPlanSummary(t), {
      tiles: 6,
      copies: 50,
      bytes: 5 * 5 * 24 * 2,
      largestRunBytes: 32,
      smallestRunBytes: 16,
    });
  });

  it("an edge row tile with full W and C is still one run", () => {
    // 1x5x4x8 tiled 1x2x4x8: the last tile has 1 row, one run of 4 x 8 x 2 = 64 bytes at row 4 (byte 256)
    const t = grid([1, 5, 4, 8], [1, 2, 4, 8]);
    assert.deepEqual(tileCopyPlan(t, t.tiles[2]).runs, runs([[256, 0, 64]]));
  });

  it("the whole tensor (strategy None) is one run; an empty tile none", () => {
    const t = grid([3, 7, 5, 16], [3, 7, 5, 16]);
    assert.deepEqual(tileCopyPlan(t, t.tiles[0]).runs, runs([[0, 0, 3 * 7 * 5 * 16 * 2]]));
    const empty: Tile = { index: 0, grid: [0, 0], origin: [1, 0], shape: [0, 4], valid: [0, 4] };
    const e = grid([2, 4], [2, 4]);
    assert.deepEqual(tileCopyPlan(e, empty), { tile: 0, runs: [], bytes: 0 });
    assert.deepEqual(copyPlanSummary({ ...e, tiles: [empty] }), {
      tiles: 1,
      copies: 0,
      bytes: 0,
      largestRunBytes: 0,
      smallestRunBytes: 0,
    });
  });

  it("untiling swaps src and dst", () => {
    const t = grid([4, 10], [4, 4], 4);
    const there = tileCopyPlan(t, t.tiles[1]);
    const back = untileCopyPlan(t, t.tiles[1]);
    assert.equal(back.bytes, there.bytes);
    assert.deepEqual(
      back.runs,
      there.runs.map((r) => ({ src: r.dst, dst: r.src, bytes: r.bytes })),
    );
  });

  it("rejects a tile outside the tensor or of the wrong rank", () => {
    const t = grid([4, 10], [4, 4], 4);
    const bad = (origin: number[], shape: number[]): Tile => ({ index: 9, grid: [0, 0], origin, shape, valid: shape });
    assert.throws(() => tileCopyPlan(t, bad([0, 8], [4, 4])), /tile 9: dimension 1 spans \[8, 12\)/);
    assert.throws(() => tileCopyPlan(t, bad([0], [4])), /rank 2/);
    assert.throws(() => copyPlanSummary({ ...t, tiles: [bad([-1, 0], [1, 1])] }), RangeError);
  });
});

describe("copy plans: properties on random tensors and tilings", () => {
  const r = mulberry32(0x5eed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

  /** A random tensor of rank 1..5 (up to ~6K elements) and a random tiling; sometimes overlapping. */
  function randomTiling(overlap: boolean): TiledTensor {
    const rank = int(1, 5);
    const shape = Array.from({ length: rank }, () => int(1, rank <= 2 ? 40 : 9));
    const tileShape = shape.map((s) => (r() < 0.35 ? s : int(1, s)));
    const step = tileShape.map((ts) => (overlap && ts > 1 && r() < 0.5 ? int(1, ts - 1) : ts));
    return grid(shape, tileShape, [1, 2, 4][int(0, 2)], step);
  }

  /** Expected tile buffer: the byte indices of the tile's elements, row-major over the tile. */
  function expectedTile(t: TiledTensor, tile: Tile): Int32Array {
    const eb = t.elementBytes;
    const out = new Int32Array(prod(tile.shape) * eb);
    const idx = new Array<number>(tile.shape.length).fill(0);
    for (let e = 0; e < prod(tile.shape); e++) {
      let flat = 0;
      for (let d = 0; d < t.shape.length; d++) flat = flat * t.shape[d] + tile.origin[d] + idx[d];
      for (let b = 0; b < eb; b++) out[e * eb + b] = flat * eb + b;
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < tile.shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  function checkPlans(t: TiledTensor) {
    const eb = t.elementBytes;
    const size = prod(t.shape) * eb;
    const source = Int32Array.from({ length: size }, (_, i) => i);
    const gathered = new Int32Array(size).fill(-1);
    let copies = 0;
    let bytes = 0;
    let largest = 0;
    let smallest = Number.POSITIVE_INFINITY;
    for (const tile of t.tiles) {
      const plan = tileCopyPlan(t, tile);
      const tileBytes = prod(tile.shape) * eb;
      // bytes sum to the tile size; the destination is filled in order, without gaps
      assert.equal(plan.bytes, tileBytes);
      let at = 0;
      for (const run of plan.runs) {
        assert.equal(run.dst, at);
        assert.ok(run.bytes > 0 && run.src >= 0 && run.src + run.bytes <= size);
        at += run.bytes;
      }
      assert.equal(at, tileBytes);
      // maximal: no two consecutive runs could be merged into one memcpy
      for (let i = 1; i < plan.runs.length; i++) {
        const a = plan.runs[i - 1];
        const b = plan.runs[i];
        assert.ok(!(a.src + a.bytes === b.src && a.dst + a.bytes === b.dst), `runs ${i - 1} and ${i} merge`);
      }
      // copying with the plan from a tensor holding its own byte indices builds the right tile
      const buffer = new Int32Array(tileBytes);
      for (const run of plan.runs) buffer.set(source.subarray(run.src, run.src + run.bytes), run.dst);
      assert.deepEqual(buffer, expectedTile(t, tile));
      // and the untile plan puts it back
      for (const run of untileCopyPlan(t, tile).runs)
        gathered.set(buffer.subarray(run.src, run.src + run.bytes), run.dst);
      // the callback form gives the same runs and count
      const seen: CopyRun[] = [];
      assert.equal(
        forEachRun(t, tile, (src, dst, n) => seen.push({ src, dst, bytes: n })),
        plan.runs.length,
      );
      assert.deepEqual(seen, plan.runs);
      copies += plan.runs.length;
      bytes += plan.bytes;
      for (const run of plan.runs) {
        largest = Math.max(largest, run.bytes);
        smallest = Math.min(smallest, run.bytes);
      }
    }
    // the closed-form summary equals the materialised plans
    assert.deepEqual(copyPlanSummary(t), {
      tiles: t.tiles.length,
      copies,
      bytes,
      largestRunBytes: largest,
      smallestRunBytes: copies === 0 ? 0 : smallest,
    });
    return { gathered, source };
  }

  it("non-overlapping tilings: tile then untile reproduces the tensor exactly (300 cases)", () => {
    for (let c = 0; c < 300; c++) {
      const t = randomTiling(false);
      const { gathered, source } = checkPlans(t);
      assert.deepEqual(gathered, source, `shape [${t.shape}] tile [${t.tileShape}]`);
      assert.equal(copyPlanSummary(t).bytes, source.length);
    }
  });

  it("overlapping tilings: every tile is built right, the overlap counted once per tile (300 cases)", () => {
    for (let c = 0; c < 300; c++) {
      const t = randomTiling(true);
      const { gathered, source } = checkPlans(t);
      // tiles still cover the tensor, so gathering (last writer wins, same data) reproduces it
      assert.deepEqual(gathered, source);
      assert.ok(copyPlanSummary(t).bytes >= source.length);
    }
  });
});
