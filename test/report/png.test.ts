/**
 * PNG export: a chart's SVG rasterised by resvg decodes as a PNG of the SVG's size times the
 * scale, and is a picture of the chart (the category colours are there), not a blank page.
 * writeVisualReport writes report.html and the PNGs, atomically, and returns their paths.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selectEngine } from "../../src/engine/index.js";
import { renderCharts } from "../../src/report/charts.js";
import { writeVisualReport } from "../../src/report/html.js";
import { svgToPng } from "../../src/report/png.js";
import type { RunReport } from "../../src/report/report.js";
import type { Category } from "../../src/sim/types.js";
import { SMAUG_BASELINE } from "../../src/soc/index.js";
import { simulateReport } from "../support/report.js";

const _engine = selectEngine().engine;

function lenet(): RunReport {
  return simulateReport("lenet5", SMAUG_BASELINE, { socSource: "preset smaug-baseline" }).report;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk, which must come first. */
function ihdr(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(SIGNATURE), "PNG signature");
  assert.equal(png.toString("latin1", 12, 16), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const svgSize = (svg: string) => ({
  width: Number(svg.match(/^<svg[^>]* width="([\d.]+)"/)?.[1]),
  height: Number(svg.match(/^<svg[^>]* height="([\d.]+)"/)?.[1]),
});

describe("PNG export", function () {
  this.timeout(120_000);
  let report: RunReport;
  before(() => {
    report = lenet();
  });

  it("the breakdown chart at scale 2: a PNG twice the SVG's size, with the bars' colours drawn", async () => {
    const { breakdown } = await renderCharts([report]);
    const image = svgToPng(breakdown.svg, { scale: 2 });
    const size = svgSize(breakdown.svg);
    assert.ok(size.width > 300 && size.height > 100, JSON.stringify(size));
    const { width, height } = ihdr(image.png);
    assert.ok(Math.abs(width - 2 * size.width) <= 1, `width ${width} for an SVG ${size.width} wide`);
    assert.ok(Math.abs(height - 2 * size.height) <= 1, `height ${height} for an SVG ${size.height} high`);
    assert.equal(image.width, width);
    assert.equal(image.height, height);
    assert.equal(image.pixels.length, width * height * 4);
    // Not blank: a good part of the picture is not white, and every category with time has its
    // colour somewhere (the bars' interiors are the exact fill colour).
    const px = image.pixels;
    let nonWhite = 0;
    const colours = new Set<string>();
    for (let i = 0; i < px.length; i += 4) {
      if (px[i] < 250 || px[i + 1] < 250 || px[i + 2] < 250) nonWhite++;
      colours.add(((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]).toString(16).padStart(6, "0"));
    }
    assert.ok(nonWhite > 0.05 * width * height, `${nonWhite} non-white pixels of ${width * height}`);
    const expected: Partial<Record<Category, string>> = {
      acceleratorCompute: "4c78a8",
      transfer: "f58518",
      cpuPrepare: "54a24b",
      cpuFinalize: "e45756",
      cpuOther: "b279a2",
    };
    for (const [c, hex] of Object.entries(expected) as [Category, string][])
      if (report.breakdownNs[c] > 0) assert.ok(colours.has(hex), `${c} (#${hex}) not drawn`);
    // the corners are the white background, not transparent black
    assert.deepEqual([...px.subarray(0, 4)], [255, 255, 255, 255]);
  });

  it("scale 1 gives the SVG's own size", async () => {
    const { energy } = await renderCharts([report]);
    const { width } = ihdr(svgToPng(energy.svg, { scale: 1 }).png);
    assert.ok(Math.abs(width - svgSize(energy.svg).width) <= 1);
  });

  it("writeVisualReport writes report.html and one PNG per main chart, atomically", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smaug-png-"));
    try {
      const out = join(dir, "new", "dir");
      const paths = await writeVisualReport(out, [report], { png: true });
      assert.deepEqual(
        paths.map((p) => p.slice(out.length + 1)),
        ["report.html", "breakdown.png", "energy.png", "layers.png", "timeline.png"],
      );
      assert.deepEqual(
        readdirSync(out).sort(),
        [...paths.map((p) => p.slice(out.length + 1))].sort(),
        "no temp files left",
      );
      for (const p of paths.slice(1)) ihdr(readFileSync(p));
      assert.match(readFileSync(paths[0], "utf8"), /^<!doctype html>/);
      // without png only the page
      const only = await writeVisualReport(join(dir, "html-only"), [report], { png: false });
      assert.deepEqual(only, [join(dir, "html-only", "report.html")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
