/**
 * A chart's SVG as a PNG, for slides and documents: resvg (a Rust SVG renderer, no browser, no
 * canvas) with the system's fonts, DejaVu Sans by default to match the charts' first font, on
 * white, at twice the SVG's size so the text stays sharp on a projector.
 */
import { Resvg } from "@resvg/resvg-js";

export interface PngOptions {
  /** Pixels per SVG pixel (default 2). */
  scale?: number;
}

export interface PngImage {
  /** The encoded PNG file. */
  png: Buffer;
  width: number;
  height: number;
  /** The decoded RGBA pixels, row by row (width × height × 4 bytes). */
  pixels: Buffer;
}

export const PNG_FONT_FAMILY = "DejaVu Sans";
export const PNG_SCALE = 2;

export function svgToPng(svg: string, options: PngOptions = {}): PngImage {
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: options.scale ?? PNG_SCALE },
    font: { loadSystemFonts: true, defaultFontFamily: PNG_FONT_FAMILY },
  });
  const image = resvg.render();
  return { png: image.asPng(), width: image.width, height: image.height, pixels: image.pixels };
}
