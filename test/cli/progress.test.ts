/**
 * Progress of `smaug run` (src/cli/progress.ts) on fake streams, driven by real runs through
 * runNetwork's onProgress hook: a terminal gets a bar that is drawn, shows the layers done of the
 * plan's total, and is taken down (cursor shown, line cleared, timer stopped) even when the run
 * throws; anything else gets one line per stage; --quiet gets nothing.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createProgress, type ProgressStream, withProgress } from "../../src/cli/progress.js";
import { selectEngine } from "../../src/engine/index.js";
import { getModel } from "../../src/models/index.js";
import { runNetwork } from "../../src/sim/run.js";
import { resolveSoc } from "../../src/soc/index.js";

const engine = selectEngine().engine;
const soc = resolveSoc({});

/** A stream that records what is written; isTTY as asked (a terminal 100 columns wide). */
function fakeStream(isTTY: boolean): ProgressStream & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 100,
    chunks,
    write(chunk: string) {
      chunks.push(String(chunk));
      return true;
    },
    text: () => chunks.join(""),
  };
}

const ESC = "\x1b";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";
const CLEAR_LINE = "\x1b[2K";

describe("cli: run progress", function () {
  this.timeout(60_000);
  const { graph, weights } = getModel("lenet5").build({ batch: 1, seed: 0 });
  // The plan's steps: every node but data and constant (docs/report.md, layers[]).
  const layers = graph.nodes.filter((n) => n.op !== "data" && n.op !== "constant").length;

  it("not a terminal: one line per stage, naming the network, the schedule and the layer count", () => {
    const s = fakeStream(false);
    const p = createProgress(s);
    const r = withProgress(p, (q) => {
      q.run("lenet5", "smaug");
      return runNetwork({ graph, weights, soc, engine, schedule: "smaug", onProgress: q.onProgress });
    });
    assert.equal(r.sim.layers.length, layers);
    assert.deepEqual(s.text().split("\n"), [
      "smaug: planning lenet5",
      `smaug: simulating lenet5 (smaug schedule): ${layers} layers`,
      "smaug: functional execution of lenet5",
      "",
    ]);
    assert.ok(!s.text().includes("\x1b"), "no terminal escapes in a log");
  });

  it("not a terminal, two schedules: each run's stages again (timing-only: no functional line)", () => {
    const s = fakeStream(false);
    withProgress(createProgress(s), (q) => {
      for (const schedule of ["smaug", "overlap"] as const) {
        q.run("lenet5", schedule);
        runNetwork({ graph, soc, engine, schedule, timingOnly: true, onProgress: q.onProgress });
      }
    });
    assert.deepEqual(s.chunks, [
      "smaug: planning lenet5\n",
      `smaug: simulating lenet5 (smaug schedule): ${layers} layers\n`,
      "smaug: planning lenet5\n",
      `smaug: simulating lenet5 (overlap schedule): ${layers} layers\n`,
    ]);
  });

  it("quiet: nothing, on a terminal or not", () => {
    for (const tty of [true, false]) {
      const s = fakeStream(tty);
      withProgress(createProgress(s, { quiet: true }), (q) => {
        q.run("lenet5", "smaug");
        runNetwork({ graph, soc, engine, timingOnly: true, onProgress: q.onProgress });
      });
      assert.deepEqual(s.chunks, [], `isTTY ${tty}`);
    }
  });

  it("a terminal: a bar drawn with the stage and layers done / total, then cleared and the cursor restored", async () => {
    const s = fakeStream(true);
    withProgress(createProgress(s), (q) => {
      q.run("lenet5", "smaug");
      runNetwork({ graph, weights, soc, engine, onProgress: q.onProgress });
    });
    const text = s.text();
    assert.ok(text.startsWith(`\x1b7${HIDE_CURSOR}`), "cursor saved and hidden first");
    assert.match(text, /smaug planning lenet5 \[-+\]/);
    // The functional stage is drawn as soon as it starts (done 0 of 1), before its long step.
    assert.match(text, /smaug functional execution of lenet5 \[-+\]/);
    assert.ok(text.includes(`${ESC}[?7l`), "line wrapping off while drawing");
    assert.ok(text.includes(`${ESC}[?7h`), "and back on");
    // Stopping redraws the last state, then restores the cursor and clears the line.
    const end = text.lastIndexOf(SHOW_CURSOR);
    assert.ok(end > 0 && text.indexOf(CLEAR_LINE, end) > end, "cursor shown, then the line cleared");
    // A simulate line with the plan's layer count was drawn (the first one at least; later ones
    // are throttled to one redraw per 200 ms, and lenet5 takes less).
    assert.match(text, new RegExp(`simulating lenet5 \\(smaug\\) \\[[=-]+\\] \\d+/${layers} layers`));
    // The bar's timer is stopped: the elapsed time would redraw it within a second otherwise.
    const written = s.chunks.length;
    await sleep(1200);
    assert.equal(s.chunks.length, written, "nothing drawn after stop");
  });

  it("a terminal: a run that throws still takes the bar down", async () => {
    const s = fakeStream(true);
    // A functional run without weights fails after simulating, with the bar on screen.
    assert.throws(
      () =>
        withProgress(createProgress(s), (q) => {
          q.run("lenet5", "smaug");
          return runNetwork({ graph, soc, engine, timingOnly: false, onProgress: q.onProgress });
        }),
      /needs the network's weights/,
    );
    const text = s.text();
    assert.match(text, new RegExp(`${layers}/${layers} layers`), "the bar was drawn through the simulation");
    const end = text.lastIndexOf(SHOW_CURSOR);
    assert.ok(end > text.lastIndexOf(HIDE_CURSOR), "cursor shown again");
    assert.ok(text.indexOf(CLEAR_LINE, end) > end, "line cleared");
    const written = s.chunks.length;
    await sleep(1200);
    assert.equal(s.chunks.length, written, "nothing drawn after the throw");
  });
});
