/**
 * Exclusive attribution of end-to-end time: every instant of the run goes to exactly one
 * category and one layer, so the parts sum to the total.
 *
 * When several resources are busy at once (an accelerator computing while a worker prepares the
 * next tile), the instant goes to the highest-priority category among the busy events, in the
 * order of CATEGORIES: accelerator compute, transfer, CPU preparation, CPU finalisation, CPU
 * other. An instant with no event is idle. This is SMAUG's single-threaded breakdown when nothing
 * overlaps, and otherwise answers "what would the run be waiting for if this were removed" from
 * the accelerator's side: compute hides the work it overlaps.
 *
 * Within the winning category the instant goes to the lowest-numbered layer busy in it; an idle
 * instant goes to the first layer whose span covers it, else to the next layer to start (or the
 * last layer).
 *
 * Times are multiples of 2^-10 ns (see `quantise`), so every sum here is exact in a double.
 */
import { type Breakdown, type BusyCategory, CATEGORIES, type Category, type TimelineEvent } from "./types.js";

/** Time resolution of the timeline: 2^-10 ns (about 1 ps); sums of such values are exact below 2^43 ns. */
export const TIME_QUANTUM = 1 / 1024;

/** Round a time in ns to the timeline's resolution. */
export function quantise(ns: number): number {
  return Math.round(ns * 1024) / 1024;
}

export function emptyBreakdown(): Breakdown {
  return { acceleratorCompute: 0, transfer: 0, cpuPrepare: 0, cpuFinalize: 0, cpuOther: 0, idle: 0, total: 0 };
}

const PRIORITY: readonly BusyCategory[] = CATEGORIES.filter((c): c is BusyCategory => c !== "idle");
const RANK: Record<string, number> = Object.fromEntries(PRIORITY.map((c, i) => [c, i]));

export interface Attribution {
  breakdown: Breakdown;
  layers: Breakdown[];
}

/**
 * Attribute [0, totalNs] over `events` (quantised times within [0, totalNs]) to categories and
 * `spans.length` layers; `spans[i]` is layer i's [start, end].
 */
export function attribute(
  events: readonly TimelineEvent[],
  totalNs: number,
  spans: readonly (readonly [number, number])[],
): Attribution {
  const layers = spans.map(() => emptyBreakdown());
  const run = emptyBreakdown();
  // Boundary points: +1 at a start, -1 at an end; ends sort before starts at the same time.
  const n = events.length;
  const order = new Uint32Array(2 * n);
  for (let i = 0; i < 2 * n; i++) order[i] = i;
  const timeOf = (p: number): number => (p < n ? events[p].start : events[p - n].end);
  order.sort((a, b) => timeOf(a) - timeOf(b) || (b >= n ? 1 : 0) - (a >= n ? 1 : 0));
  // Active events per category, counted per layer.
  const active: Map<number, number>[] = PRIORITY.map(() => new Map());
  const add = (category: Category, layer: number, d: number): void => {
    if (d <= 0) return;
    run[category] += d;
    run.total += d;
    const l = layers[layer];
    if (l !== undefined) {
      l[category] += d;
      l.total += d;
    }
  };
  const idleLayer = (t0: number): number => {
    let next = -1;
    for (let i = 0; i < spans.length; i++) {
      const [s, e] = spans[i];
      if (s <= t0 && t0 < e) return i;
      if (s > t0 && (next < 0 || s < spans[next][0])) next = i;
    }
    return next >= 0 ? next : spans.length - 1;
  };
  let t = 0;
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    const time = timeOf(p);
    if (time > t) {
      const d = time - t;
      let winner = -1;
      for (let c = 0; c < PRIORITY.length; c++)
        if (active[c].size > 0) {
          winner = c;
          break;
        }
      if (winner < 0) add("idle", idleLayer(t), d);
      else add(PRIORITY[winner], Math.min(...active[winner].keys()), d);
      t = time;
    }
    const e = p < n ? events[p] : events[p - n];
    const m = active[RANK[e.category]];
    const c = (m.get(e.layer) ?? 0) + (p < n ? 1 : -1);
    if (c === 0) m.delete(e.layer);
    else m.set(e.layer, c);
  }
  if (totalNs > t) add("idle", idleLayer(t), totalNs - t);
  return { breakdown: run, layers };
}
