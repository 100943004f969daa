/**
 * Progress of `smaug run` on stderr, driven by runNetwork's onProgress hook: on a terminal a
 * cli-progress bar (stage, layers done / total, elapsed time) redrawn in place; otherwise (a log,
 * a pipe, CI) one plain line per stage; nothing when quiet. Never stdout: `--json` prints the
 * report there. The stream is a parameter so tests can pass a fake terminal.
 */
import cliProgress from "cli-progress";
import type { RunStage } from "../sim/run.js";

/** What progress needs of a stream: process.stderr, or a fake in tests. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface RunProgress {
  /** Starting a run (one schedule of one network): its stages are reported under these names. */
  run(network: string, schedule: string): void;
  /** runNetwork's onProgress. */
  onProgress(stage: RunStage, done: number, total: number): void;
  /** Take the bar off the terminal and restore the cursor; safe to call more than once. */
  stop(): void;
}

const STAGE_TEXT: Readonly<Record<Exclude<RunStage, "simulate">, string>> = Object.freeze({
  plan: "planning",
  functional: "functional execution of",
});

/** The line for a stage in plain (non-terminal) mode. */
export function stageLine(network: string, schedule: string, stage: RunStage, total: number): string {
  if (stage === "simulate") return `smaug: simulating ${network} (${schedule} schedule): ${total} layers`;
  return `smaug: ${STAGE_TEXT[stage]} ${network}`;
}

/**
 * Run `work` with progress shown, and take the bar down however it ends: a bar left behind by a
 * throw would keep the cursor hidden and garble the error message that follows.
 */
export function withProgress<T>(progress: RunProgress, work: (progress: RunProgress) => T): T {
  try {
    return work(progress);
  } finally {
    progress.stop();
  }
}

// Quiet is the absence of progress, not a mode that could write by mistake.
const QUIET: RunProgress = { run() {}, onProgress() {}, stop() {} };

export function createProgress(stream: ProgressStream, options: { quiet?: boolean } = {}): RunProgress {
  if (options.quiet) return QUIET;
  return stream.isTTY === true ? barProgress(stream) : lineProgress(stream);
}

/** One line per stage (and per run): a log keeps a record without carriage-return noise. */
function lineProgress(stream: ProgressStream): RunProgress {
  let network = "";
  let schedule = "";
  let last: RunStage | undefined;
  return {
    run(n, s) {
      network = n;
      schedule = s;
      last = undefined;
    },
    onProgress(stage, _done, total) {
      if (stage === last) return;
      last = stage;
      stream.write(`${stageLine(network, schedule, stage, total)}\n`);
    },
    stop() {},
  };
}

function barProgress(stream: ProgressStream): RunProgress {
  const bar = new cliProgress.SingleBar({
    // cli-progress only writes and reads isTTY/columns; readline's cursor helpers write escapes.
    stream: stream as NodeJS.WritableStream,
    format: "smaug {stage} [{bar}]{layers} | {duration_formatted}",
    barsize: 30,
    hideCursor: true,
    clearOnComplete: true,
  });
  let network = "";
  let schedule = "";
  let started = false;
  let shown = "";
  return {
    run(n, s) {
      network = n;
      schedule = s;
    },
    onProgress(stage, done, total) {
      const payload = {
        stage: stage === "simulate" ? `simulating ${network} (${schedule})` : `${STAGE_TEXT[stage]} ${network}`,
        layers: stage === "simulate" ? ` ${done}/${total} layers` : "",
      };
      // The bar's total is the stage's: layers while simulating, 1 for plan and functional.
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
      // The run is synchronous, so the bar's timer never fires during it and update() redraws
      // only every 200 ms: draw a new stage now, before a long planning or functional step.
      if (payload.stage !== shown) {
        shown = payload.stage;
        bar.render();
      }
    },
    stop() {
      if (!started) return;
      started = false;
      bar.stop();
    },
  };
}
