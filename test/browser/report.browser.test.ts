/**
 * report.html in a real browser: Debian's Chromium, headless, through playwright-core. The page
 * must render its charts (SVGs with real size), log no errors, request nothing but itself, and
 * show the report's labels and latency. Full-page screenshots go to test-artifacts/browser/ for
 * people to look at. Without Chromium this test fails, naming the fix: CI installs it (.ci/run).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { selectEngine } from "../../src/engine/index.js";
import { writeVisualReport } from "../../src/report/html.js";
import type { RunReport } from "../../src/report/report.js";
import { resolveSoc, SMAUG_BASELINE, type Soc } from "../../src/soc/index.js";
import { repoRoot } from "../support/cli.js";
import { simulateReport } from "../support/report.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(repoRoot, "test-artifacts", "browser");
const _engine = selectEngine().engine;

function report(name: string, soc: Soc, socSource: string): RunReport {
  return simulateReport(name, soc, { socSource }).report;
}

/**
 * A latency as the chart writes it, restated: in µs with 2 decimals when the chart's largest
 * value (maxNs) is below 1 ms, else in ms with 3; thousands grouped with commas.
 */
function latencyText(ns: number, maxNs: number): string {
  const [div, dec, unit] = maxNs >= 1e6 ? [1e6, 3, "ms"] : [1e3, 2, "µs"];
  const [whole, frac] = (ns / div).toFixed(dec).split(".");
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac} ${unit}`;
}

const CATEGORY_LABELS = [
  "Accelerator compute",
  "Data transfer (DMA/ACP)",
  "CPU data preparation",
  "CPU finalisation",
  "CPU other",
  "Idle",
];

describe("report.html in Chromium", function () {
  this.timeout(300_000);
  let browser: Browser;

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: this test needs a real browser and does not skip. ` +
          "Install it with: apt-get update && apt-get install -y --no-install-recommends chromium (CI does, in .ci/run)",
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
  });

  const cases: { name: string; reports: () => RunReport[] }[] = [
    { name: "lenet5", reports: () => [report("lenet5", SMAUG_BASELINE, "preset smaug-baseline")] },
    { name: "resnet50", reports: () => [report("resnet50", SMAUG_BASELINE, "preset smaug-baseline")] },
    {
      name: "lenet5-dma-vs-acp",
      reports: () => [
        report("lenet5", SMAUG_BASELINE, "preset smaug-baseline"),
        report("lenet5", resolveSoc({ memoryPolicy: "AllAcp" }), "preset smaug-baseline with --policy acp"),
      ],
    },
  ];

  for (const c of cases)
    it(`${c.name}: charts render, no errors or requests, labels and latency match the report; screenshot saved`, async () => {
      const reports = c.reports();
      const dir = join(ARTIFACTS, c.name);
      const [html] = await writeVisualReport(dir, reports, { png: false });
      const url = pathToFileURL(html).href;
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      try {
        await page.goto(url, { waitUntil: "load" });

        // the page requested itself and nothing else, and nothing went wrong
        assert.deepEqual(requests, [url]);
        assert.deepEqual(problems, []);

        const runs = reports.length;
        const main = ["breakdown", "energy", "layers", ...(runs === 1 ? ["timeline"] : ["timeline-1", "timeline-2"])];
        for (const id of main) {
          const box = await page.locator(`#chart-${id} > svg`).boundingBox();
          assert.ok(box !== null && box.width > 300 && box.height > 100, `${id}: ${JSON.stringify(box)}`);
          // and it drew marks, not just a frame
          assert.ok((await page.locator(`#chart-${id} svg .role-mark path`).count()) > runs, `${id} has no bars`);
        }

        // labels the reader needs: the network, the categories, each run's latency at its bar's end
        assert.ok((await page.locator("h1").textContent())?.includes(reports[0].network.name));
        const legend = await page.locator("#chart-breakdown .role-legend-label text").allTextContents();
        assert.deepEqual(legend, CATEGORY_LABELS);
        const totals = page.locator("#chart-breakdown .totals_marks text");
        const maxNs = Math.max(...reports.map((r) => r.latencyNs));
        assert.deepEqual(
          await totals.allTextContents(),
          reports.map((r) => latencyText(r.latencyNs, maxNs)),
        );
        const totalBox = await totals.first().boundingBox();
        assert.ok(totalBox !== null && totalBox.width > 20, "the latency label is drawn");
        if (runs > 1)
          assert.deepEqual(
            await page
              .locator("#chart-breakdown .role-axis-label text")
              .filter({ hasText: /^[A-Z]/ })
              .allTextContents(),
            ["DMA", "ACP"],
          );

        // nothing wider than the window: wide charts scroll inside their figure
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 1600, `page is ${width} px wide`);

        // the zoom opens without scripts: a details element
        const zoom = page.locator("#timeline details > summary", { hasText: "Zoom" }).first();
        await zoom.click();
        const zoomBox = await page.locator("#timeline details[open] figure > svg").first().boundingBox();
        assert.ok(zoomBox !== null && zoomBox.width > 300 && zoomBox.height > 50, `zoom: ${JSON.stringify(zoomBox)}`);

        const shot = join(ARTIFACTS, `report-${c.name}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        assert.ok(statSync(shot).size > 10_000, "screenshot written");
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
});
