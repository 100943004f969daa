/**
 * The end-to-end timing simulation: a timeline over CPU worker threads, accelerators, their host
 * interfaces (DMA engine or ACP port) and DRAM bandwidth, built from a graph's accelerator plan,
 * the SoC description and the memory models (src/memory), with every cache access going through
 * the cache engine so that locality is real.
 *
 * The work of one accelerated layer (docs/model.md has the equations):
 *   dispatch (main thread) → prepare: copy each input tile out of its tensor (CPU, worker threads)
 *   → per invocation: invoke (main thread); on the chosen accelerator: [flush +] load each tile it
 *     must read (DMA or ACP), compute, [store the output tile (+ invalidate)]
 *   → finalise: copy each output tile into its tensor (CPU, worker threads).
 * A tensor that is a single tile of its own shape needs no copy: the accelerator reads and writes
 * it in place. Weights are tiled once before the measured run (as in SMAUG): their tile buffers
 * exist from the start and cost no CPU time.
 *
 * Work is placed in program order; each piece starts when its resource is free and its inputs are
 * ready, and its cost is computed at that moment from the cache engine's current state. The
 * accelerators of a layer share DRAM bandwidth evenly, and so do the workers of a copy phase.
 */
import type {
  AcceleratorModel,
  GraphPlan,
  Invocation,
  InvocationCost,
  InvocationFlags,
  LayerPlan,
} from "../accel/index.js";
import { getAccelerator } from "../accel/index.js";
import { acceleratorEnergyActions, addEnergyActions, type EnergyActions, emptyEnergyActions } from "../energy/index.js";
import { CacheHierarchy } from "../engine/cache.js";
import type { Engine } from "../engine/types.js";
import { graphStats } from "../graph/graph.js";
import { alignedShape, numElements } from "../graph/tensor.js";
import type { Graph, Node } from "../graph/types.js";
import {
  AddressAllocator,
  acpLoad,
  acpStore,
  cpuCopyCost,
  dmaFlushCost,
  dmaInvalidateCost,
  dmaTransferTime,
  hostPathFor,
  type RowBufferCounts,
  tensorKey,
  tileCopyCost,
  tileKey,
} from "../memory/index.js";
import { acceleratorInstances, cacheConfigOf, type Soc } from "../soc/index.js";
import type { Tile, TiledTensor } from "../tiling/types.js";
import { attribute, quantise } from "./breakdown.js";
import { type SampleIndex, samplePlan } from "./sampling.js";
import {
  KIND_CATEGORY,
  type LayerResult,
  type ResourceResult,
  type SimOptions,
  type SimResult,
  type TimelineEvent,
} from "./types.js";

export interface SimInput {
  graph: Graph;
  soc: Soc;
  /** The graph planned on the SoC's accelerator kind (planGraph). */
  plan: GraphPlan;
  engine: Engine;
  options: SimOptions;
}

/** Where a tiled tensor's tiles live: per tile, the buffer address (the tensor itself when untiled). */
interface Placement {
  tensorAddr: number;
  /** Tile buffers; undefined when the tensor is one tile of its own shape (no copy). */
  buffers?: number[];
}

/** One tile's readiness in the overlap schedule. */
type Ready = Map<string, number>;

const tileBytes = (t: TiledTensor, tile: Tile): number => numElements(tile.shape) * t.elementBytes;
const needsCopy = (t: TiledTensor): boolean => t.tiles.length > 1 || t.tiles[0].shape.some((n, d) => n !== t.shape[d]);

/** Roles the accelerator reads with the weights flag (SMV: weights, and a broadcast second operand). */
const WEIGHT_FLAG_ROLES = new Set(["weights", "inputs1"]);

function rowActivations(r: RowBufferCounts | undefined): number {
  return r === undefined ? 0 : r.empty + r.conflicts;
}

export function simulate(input: SimInput): SimResult {
  return new Simulation(input).run();
}

class Simulation {
  private readonly graph: Graph;
  private readonly soc: Soc;
  private readonly plan: GraphPlan;
  private readonly options: Required<Omit<SimOptions, "onLayer">> & Pick<SimOptions, "onLayer">;
  private readonly h: CacheHierarchy;
  // biome-ignore lint/suspicious/noExplicitAny: the registry holds models of any parameter type
  private readonly model: AcceleratorModel<any>;
  private readonly modelParams: unknown;
  private readonly accels: { name: string; clockGHz: number }[];
  private readonly workers: number;
  private readonly cpuFree: number[];
  private readonly accFree: number[];
  private readonly events: TimelineEvent[] = [];
  private readonly alloc = new AddressAllocator();
  private readonly tensorAddr = new Map<string, number>();
  private readonly weightBuffers = new Map<string, number[] | undefined>();
  private readonly constants: Set<string>;
  private readonly nodes: Map<string, Node>;
  private readonly tensorReady = new Map<string, number>();
  private readonly actions: EnergyActions = emptyEnergyActions();
  private dmaBytes = 0;
  private acpBytes = 0;
  private layer = 0;
  private layers: LayerResult[] = [];
  private invocations = 0;
  private nextAccel = 0;
  /** Host transfers placed so far that may still be in flight: [start, end]. */
  private transfers: [number, number][] = [];
  private replayed = 0;
  private readonly precision: "fp16" | "fp32";
  private readonly macsByNode: Map<string, number>;

  constructor(input: SimInput) {
    this.graph = input.graph;
    this.soc = input.soc;
    this.plan = input.plan;
    this.options = {
      schedule: input.options.schedule,
      rowBuffer: input.options.rowBuffer ?? true,
      sampleLevel: input.options.sampleLevel ?? "no",
      sampleNum: input.options.sampleNum ?? 1,
      onLayer: input.options.onLayer,
    };
    this.h = new CacheHierarchy(input.engine, cacheConfigOf(this.soc));
    this.model = getAccelerator(this.plan.accelerator);
    this.modelParams = this.plan.params;
    const instances = acceleratorInstances(this.soc);
    const kinds = new Set(instances.map((a) => a.kind));
    if (kinds.size !== 1 || !kinds.has(this.plan.accelerator))
      throw new RangeError(
        `the plan is for ${this.plan.accelerator}, the SoC has ${[...kinds].join(", ")}: a run uses one accelerator kind`,
      );
    this.accels = instances.map((a) => ({ name: a.name, clockGHz: a.clockGHz }));
    this.workers = this.soc.threads.workers;
    this.cpuFree = new Array(this.workers).fill(0);
    this.accFree = new Array(this.accels.length).fill(0);
    this.nodes = new Map(this.graph.nodes.map((n) => [n.name, n]));
    this.constants = new Set(this.graph.nodes.filter((n) => n.op === "constant").map((n) => n.name));
    this.precision = this.model.elementBytes <= 2 ? "fp16" : "fp32";
    this.macsByNode = new Map(graphStats(this.graph).layers.map((l) => [l.name, l.macs]));
  }

  // ------------------------------------------------------------------------------------------
  // Addresses
  // ------------------------------------------------------------------------------------------

  /** Every tensor gets its address up front, sized for the largest view of it (graph or tiled). */
  private placeTensors(): void {
    const bytes = new Map<string, number>();
    const alignment = this.model.alignment(this.modelParams);
    for (const [ref, spec] of Object.entries(this.graph.tensors)) {
      const shape = spec.shape.length >= 2 ? alignedShape(spec.shape, alignment) : spec.shape;
      bytes.set(ref, numElements(shape) * this.model.elementBytes);
    }
    for (const step of this.plan.steps) {
      if (step.device !== "accelerator") continue;
      for (const t of step.tensors)
        bytes.set(t.tensor, Math.max(bytes.get(t.tensor) ?? 0, numElements(t.shape) * t.elementBytes));
    }
    for (const [ref, b] of bytes)
      this.tensorAddr.set(ref, this.alloc.allocate(tensorKey(ref), Math.max(1, b), 4096).addr);
    // Weights are tiled once, before the measured run: their tile buffers persist.
    for (const step of this.plan.steps) {
      if (step.device !== "accelerator") continue;
      for (const t of step.tensors) {
        if (!this.constants.has(t.tensor) || this.weightBuffers.has(t.tensor)) continue;
        this.weightBuffers.set(
          t.tensor,
          needsCopy(t)
            ? t.tiles.map(
                (tile) => this.alloc.allocate(tileKey(t.tensor, tile.index), Math.max(1, tileBytes(t, tile)), 64).addr,
              )
            : undefined,
        );
      }
    }
  }

  private placement(t: TiledTensor): Placement {
    const tensorAddr = this.tensorAddr.get(t.tensor) as number;
    if (this.constants.has(t.tensor)) return { tensorAddr, buffers: this.weightBuffers.get(t.tensor) };
    if (!needsCopy(t)) return { tensorAddr };
    return {
      tensorAddr,
      buffers: t.tiles.map(
        (tile) => this.alloc.allocate(tileKey(t.tensor, tile.index), Math.max(1, tileBytes(t, tile)), 64).addr,
      ),
    };
  }

  // ------------------------------------------------------------------------------------------
  // Timeline
  // ------------------------------------------------------------------------------------------

  private record(e: Omit<TimelineEvent, "category" | "layer" | "op"> & { op?: string }): number {
    const start = quantise(e.start);
    const end = Math.max(start, quantise(e.end));
    if (end > start)
      this.events.push({ ...e, start, end, category: KIND_CATEGORY[e.kind], layer: this.layer, op: e.op ?? "" });
    return end;
  }

  /** DRAM bandwidth share of a CPU copy phase: BW divided evenly among its workers. */
  private share(requesters: number): number {
    return this.soc.dram.bandwidthGBps / Math.max(1, requesters);
  }

  /**
   * DRAM bandwidth share of a host transfer starting at `t`: BW / (1 + the other transfers in
   * flight then). A snapshot, so a transfer that starts just before another ends keeps half the
   * bandwidth to its end: with several accelerators a little more bandwidth can reorder
   * transfers and, rarely, lengthen a run (docs/model.md, "What is approximated").
   */
  private transferShare(t: number): number {
    let busy = 0;
    for (const [s, e] of this.transfers) if (s <= t && t < e) busy++;
    return this.soc.dram.bandwidthGBps / (1 + busy);
  }

  private inFlight(start: number, end: number): void {
    if (end <= start) return;
    this.transfers.push([start, end]);
    if (this.transfers.length > 256) {
      const floor = Math.min(...this.accFree);
      this.transfers = this.transfers.filter(([, e]) => e > floor);
    }
  }

  private barrier(): number {
    return Math.max(...this.cpuFree, ...this.accFree);
  }

  private cpuNs(cycles: number): number {
    return cycles / this.soc.cpu.clockGHz;
  }

  /**
   * Overlap schedule: a task for worker w > 0 is handed over by the main thread's pool, which
   * costs the worker taskOverheadCycles (as a phase of SMAUG's thread pool does). Returns when the
   * copy itself may start.
   */
  private handOff(w: number, at: number): number {
    if (w === 0 || this.workers === 1) return at;
    const start = Math.max(at, this.cpuFree[w]);
    const end = this.record({
      resource: `cpu${w}`,
      kind: "dispatch",
      start,
      end: start + this.cpuNs(this.soc.threads.taskOverheadCycles),
    });
    this.cpuFree[w] = end;
    return end;
  }

  /**
   * Overlap schedule: the worker that is free first (ties: lowest index). With workers > 1 the
   * main thread (cpu0) only dispatches and invokes; with one worker it does the copies too.
   */
  private earliestWorker(): number {
    if (this.workers === 1) return 0;
    let w = 1;
    for (let i = 2; i < this.workers; i++) if (this.cpuFree[i] < this.cpuFree[w]) w = i;
    return w;
  }

  // ------------------------------------------------------------------------------------------
  // CPU copies
  // ------------------------------------------------------------------------------------------

  /** One tile copy on worker `w` from `at`; returns its end. */
  private copyTile(
    kind: "prepare" | "finalize",
    t: TiledTensor,
    tile: Tile,
    place: Placement,
    w: number,
    at: number,
    share?: number,
  ): number {
    const start = Math.max(at, this.cpuFree[w]);
    const buffers = place.buffers as number[];
    const c = tileCopyCost(
      this.soc,
      this.h,
      {
        tensor: t,
        tile,
        direction: kind === "prepare" ? "tile" : "untile",
        tensorAddr: place.tensorAddr,
        bufferAddr: buffers[tile.index],
      },
      { core: w, bandwidthGBps: share ?? this.share(1), rowBuffer: this.options.rowBuffer },
    );
    this.actions.dramActivates += rowActivations(c.rows);
    const end = this.record({
      resource: `cpu${w}`,
      kind,
      start,
      end: start + c.ns,
      tile: tile.index,
      tensor: t.tensor,
      bytes: c.bytes,
      cycles: c.cycles,
      llcHits: c.llcHits,
      llcAccesses: c.llcHits + c.llcMisses,
    });
    this.cpuFree[w] = end;
    const layer = this.layers[this.layer];
    if (kind === "prepare") layer.prepareBytes += c.bytes;
    else layer.finalizeBytes += c.bytes;
    return end;
  }

  /**
   * SMAUG's thread pool: the tiles split into `workers` contiguous blocks, one task per worker,
   * all starting at `at`; the phase ends when the last worker does. Workers share DRAM evenly.
   */
  private copyPhase(
    kind: "prepare" | "finalize",
    work: { t: TiledTensor; tile: Tile; place: Placement }[],
    at: number,
  ): number {
    if (work.length === 0) return at;
    const per = Math.ceil(work.length / Math.min(this.workers, work.length));
    const blocks = Math.ceil(work.length / per); // no empty blocks: 5 tiles on 4 workers are 2, 2, 1
    const share = this.soc.dram.bandwidthGBps / blocks;
    let end = at;
    for (let w = 0; w < blocks; w++) {
      let t = Math.max(at, this.cpuFree[w]);
      if (this.workers > 1) {
        t = this.record({
          resource: `cpu${w}`,
          kind: "dispatch",
          start: t,
          end: t + this.cpuNs(this.soc.threads.taskOverheadCycles),
        });
        this.cpuFree[w] = t;
      }
      for (const x of work.slice(w * per, (w + 1) * per)) t = this.copyTile(kind, x.t, x.tile, x.place, w, t, share);
      end = Math.max(end, t);
    }
    return end;
  }

  // ------------------------------------------------------------------------------------------
  // Host transfers
  // ------------------------------------------------------------------------------------------

  /** Move one tile between host memory and accelerator `a`'s scratchpad; returns the end. */
  private transfer(
    direction: "load" | "store",
    t: TiledTensor,
    tile: Tile,
    place: Placement,
    a: number,
    at: number,
    invocation: number,
  ): number {
    const bytes = tileBytes(t, tile);
    const addr = place.buffers === undefined ? place.tensorAddr : place.buffers[tile.index];
    const ranges = [{ addr, bytes }];
    const role = this.constants.has(t.tensor) ? "weights" : direction === "load" ? "inputs" : "outputs";
    const path = hostPathFor(this.soc.memoryPolicy, role);
    const resource = `${path}${a}`;
    const common = { resource, tile: invocation, tensor: t.tensor, path, bytes };
    let time = at;
    if (path === "acp") {
      const c = (direction === "load" ? acpLoad : acpStore)(this.soc, this.h, ranges, {
        port: a,
        bandwidthGBps: this.transferShare(time),
        rowBuffer: this.options.rowBuffer,
      });
      this.actions.dramActivates += rowActivations(c.rows);
      this.acpBytes += bytes;
      const end = this.record({
        ...common,
        kind: direction,
        start: time,
        end: time + c.ns,
        cycles: c.cycles,
        llcHits: c.llcHits,
        llcAccesses: c.lines,
      });
      this.inFlight(time, end);
      return end;
    }
    const cpuSide = { core: 0, bandwidthGBps: this.transferShare(time) };
    if (direction === "load") {
      const f = dmaFlushCost(this.soc, this.h, ranges, cpuSide);
      const fEnd = this.record({ ...common, kind: "flush", start: time, end: time + f.ns, cycles: f.cpuCycles });
      time = fEnd;
    }
    const x = dmaTransferTime(this.soc, ranges, {
      accelerator: a,
      bandwidthGBps: this.transferShare(time),
      rowBuffer: this.options.rowBuffer,
    });
    this.actions.dramActivates += rowActivations(x.rows);
    this.dmaBytes += bytes;
    if (direction === "load") this.actions.dramReadBytes += bytes;
    else this.actions.dramWriteBytes += bytes;
    const xEnd = this.record({ ...common, kind: direction, start: time, end: time + x.ns, cycles: x.cycles });
    this.inFlight(time, xEnd);
    time = xEnd;
    if (direction === "store") {
      const v = dmaInvalidateCost(this.soc, this.h, ranges, cpuSide);
      time = this.record({ ...common, kind: "invalidate", start: time, end: time + v.ns, cycles: v.cpuCycles });
    }
    return time;
  }

  // ------------------------------------------------------------------------------------------
  // Layers
  // ------------------------------------------------------------------------------------------

  private newLayer(name: string, op: string, device: "accelerator" | "cpu"): LayerResult {
    const l: LayerResult = {
      index: this.layers.length,
      name,
      op,
      device,
      startNs: 0,
      endNs: 0,
      breakdown: { acceleratorCompute: 0, transfer: 0, cpuPrepare: 0, cpuFinalize: 0, cpuOther: 0, idle: 0, total: 0 },
      invocations: 0,
      macs: this.macsByNode.get(name) ?? 0,
      hostLoadBytes: 0,
      hostStoreBytes: 0,
      prepareBytes: 0,
      finalizeBytes: 0,
      replayedInvocations: 0,
    };
    this.layer = l.index;
    this.layers.push(l);
    return l;
  }

  /** Ready time of a tensor an operator reads (0 for constants and graph inputs). */
  private readyOf(ref: string): number {
    return this.tensorReady.get(ref) ?? 0;
  }

  /** Dispatch on the main thread; returns its end. */
  private dispatch(at: number, op: string): number {
    const start = Math.max(at, this.cpuFree[0]);
    const end = this.record({
      resource: "cpu0",
      kind: "dispatch",
      op,
      start,
      end: start + this.cpuNs(this.soc.cpu.dispatchOverheadCycles),
    });
    this.cpuFree[0] = end;
    return end;
  }

  /** An operator the CPU runs itself: its inputs stream through the caches into its outputs. */
  private cpuLayer(name: string, op: string): void {
    const node = this.nodes.get(name);
    if (node === undefined) throw new RangeError(`plan step '${name}' is not a node of the graph`);
    this.newLayer(name, op, "cpu");
    const smaug = this.options.schedule === "smaug";
    const inputsReady = Math.max(0, ...node.inputs.map((r) => this.readyOf(r)));
    const at = smaug ? this.barrier() : inputsReady;
    let t = this.dispatch(at, op);
    t = Math.max(t, inputsReady);
    const outs = Object.keys(this.graph.tensors).filter((r) => r === name || r.startsWith(`${name}:`));
    const outBytes = (r: string): number => numElements(this.graph.tensors[r].shape) * this.model.elementBytes;
    const runs: { src: number; dst: number; bytes: number }[] = [];
    const out0 = outs[0];
    if (out0 !== undefined) {
      let offset = 0;
      const total = outBytes(out0);
      for (const r of node.inputs) {
        if (this.constants.has(r)) continue;
        const bytes = Math.min(numElements(this.graph.tensors[r].shape) * this.model.elementBytes, total);
        const dst = (this.tensorAddr.get(out0) as number) + (offset % total);
        const src = this.tensorAddr.get(r) as number;
        runs.push({ src, dst, bytes: Math.min(bytes, total - (offset % total)) });
        offset += bytes;
      }
    }
    const copy = cpuCopyCost(this.soc, this.h, runs, {
      core: 0,
      bandwidthGBps: this.share(1),
      rowBuffer: this.options.rowBuffer,
    });
    this.actions.dramActivates += rowActivations(copy.rows);
    const elements = outs.reduce((s, r) => s + numElements(this.graph.tensors[r].shape), 0);
    const ops = Math.max(this.macsByNode.get(name) ?? 0, elements);
    const computeCycles = ops / this.soc.cpu.computeOpsPerCycle;
    const cycles = Math.max(copy.cycles, computeCycles);
    const end = this.record({
      resource: "cpu0",
      kind: op === "reorder" ? "reorder" : "cpu-op",
      op,
      start: t,
      end: t + this.cpuNs(cycles),
      bytes: copy.bytes,
      cycles,
      llcHits: copy.llcHits,
      llcAccesses: copy.llcHits + copy.llcMisses,
    });
    this.cpuFree[0] = end;
    for (const r of outs) this.tensorReady.set(r, end);
  }

  /** The flags and cost of an invocation on accelerator `a`, given what its scratchpads hold. */
  private costOn(
    step: LayerPlan,
    inv: Invocation,
    resident: Map<string, number>,
  ): { flags: InvocationFlags; cost: InvocationCost } {
    if (this.accels.length === 1) return { flags: inv.flags, cost: inv.cost };
    const flags = { ...inv.flags };
    for (const t of step.tensors) {
      if (t.role === "outputs") continue;
      const i = inv.tiles[t.role];
      if (i === undefined) continue;
      const isResident = resident.get(t.role) === i;
      if (WEIGHT_FLAG_ROLES.has(t.role)) flags.readWeights = flags.readWeights || !isResident;
      else flags.readInputs = flags.readInputs || !isResident;
    }
    if (flags.readInputs === inv.flags.readInputs && flags.readWeights === inv.flags.readWeights)
      return { flags, cost: inv.cost };
    const node = this.nodes.get(step.node);
    if (node === undefined) throw new RangeError(`plan step '${step.node}' is not a node of the graph`);
    const tiles: Record<string, { shape: number[]; valid: number[] }> = {};
    let padding: [number, number, number, number] | undefined;
    for (const t of step.tensors) {
      const i = inv.tiles[t.role];
      if (i === undefined) continue;
      const tile = t.tiles[i];
      tiles[t.role] = { shape: tile.shape, valid: tile.valid };
      if (t.role === "inputs") padding = tile.padding;
    }
    const cost = this.model.invocationCost({ node, graph: this.graph, tiles, padding, flags }, this.modelParams);
    return { flags, cost };
  }

  /** What makes two invocations' timelines alike: every tile's shape, and the flags. */
  private signature(step: LayerPlan, inv: Invocation, flags: InvocationFlags): string {
    const parts: string[] = [];
    for (const t of step.tensors) {
      const i = inv.tiles[t.role];
      if (i !== undefined) parts.push(`${t.role}:${t.tiles[i].shape.join("x")}`);
    }
    return `${parts.join(",")}|${+flags.readInputs}${+flags.readWeights}${+flags.accumulate}${+flags.sendResults}`;
  }

  /** Sampling: lay a representative invocation's events out again on accelerator `a` from `at`. */
  private replay(rep: readonly TimelineEvent[], a: number, at: number, k: number, layer: LayerResult): number {
    let time = at;
    for (const e of rep) {
      const resource = e.kind === "compute" ? this.accels[a].name : `${e.path}${a}`;
      const end = this.record({ ...e, resource, start: time, end: time + (e.end - e.start), tile: k });
      if (e.kind === "load" || e.kind === "store") {
        const bytes = e.bytes ?? 0;
        if (e.kind === "load") layer.hostLoadBytes += bytes;
        else layer.hostStoreBytes += bytes;
        if (e.path === "dma") {
          this.dmaBytes += bytes;
          if (e.kind === "load") this.actions.dramReadBytes += bytes;
          else this.actions.dramWriteBytes += bytes;
        } else this.acpBytes += bytes;
        this.inFlight(time, end);
      }
      time = end;
    }
    layer.replayedInvocations++;
    this.replayed++;
    return time;
  }

  private acceleratedLayer(step: LayerPlan, sampling: SampleIndex): void {
    const layer = this.newLayer(step.node, step.op, "accelerator");
    const smaug = this.options.schedule === "smaug";
    const byRole = new Map(step.tensors.map((t) => [t.role, t]));
    const mark = this.alloc.mark();
    const places = new Map(step.tensors.map((t) => [t.role, this.placement(t)]));
    const inputsReady = Math.max(
      0,
      ...step.tensors.filter((t) => t.role !== "outputs").map((t) => this.readyOf(t.tensor)),
    );
    let t = this.dispatch(smaug ? this.barrier() : 0, step.op);
    const dispatched = t;

    // Preparation: every input tile that is a copy of part of an activation tensor.
    const prepRoles = step.tensors.filter((x) => x.role !== "outputs" && !this.constants.has(x.tensor) && needsCopy(x));
    const tileReady: Ready = new Map();
    if (smaug) {
      const work = prepRoles.flatMap((x) =>
        x.tiles.map((tile) => ({ t: x, tile, place: places.get(x.role) as Placement })),
      );
      t = this.copyPhase("prepare", work, Math.max(t, inputsReady));
    }
    const prepare = (role: string, i: number): number => {
      const x = byRole.get(role) as TiledTensor;
      const key = `${role}#${i}`;
      const done = tileReady.get(key);
      if (done !== undefined) return done;
      const w = this.earliestWorker();
      const from = this.handOff(w, Math.max(dispatched, this.readyOf(x.tensor)));
      const end = this.copyTile("prepare", x, x.tiles[i], places.get(role) as Placement, w, from);
      tileReady.set(key, end);
      return end;
    };

    // Invocations: chains round-robin over the accelerators.
    const chainAccel = new Map<number, number>();
    const resident = this.accels.map(() => new Map<string, number>());
    // SMAUG restarts the round-robin at accelerator 0 for every operator; the overlap schedule
    // continues it, so independent single-tile layers spread over the accelerators.
    let nextAccel = smaug ? 0 : this.nextAccel;
    const outputs = byRole.get("outputs");
    const finalizeQueue: { tile: Tile; at: number }[] = [];
    const finalizeEnds: number[] = [];
    // Overlap: a stored tile is finalised by the first free worker; with one worker (the main
    // thread) only once its store is over by the time the thread is free, so that a copy never
    // holds up the invocations behind it; the rest at the end of the layer.
    const flushFinalize = (all: boolean): void => {
      while (finalizeQueue.length > 0 && (all || this.workers > 1 || finalizeQueue[0].at <= this.cpuFree[0])) {
        const f = finalizeQueue.shift() as { tile: Tile; at: number };
        const w = this.earliestWorker();
        const from = this.handOff(w, f.at);
        finalizeEnds.push(
          this.copyTile("finalize", outputs as TiledTensor, f.tile, places.get("outputs") as Placement, w, from),
        );
      }
    };
    const storeEnds: number[] = [];
    const representatives = new Map<string, TimelineEvent[]>();
    step.invocations.forEach((inv, k) => {
      let a = chainAccel.get(inv.chain);
      if (a === undefined) {
        a = nextAccel;
        nextAccel = (nextAccel + 1) % this.accels.length;
        chainAccel.set(inv.chain, a);
      }
      // Tiles this invocation needs, ready when?
      let ready = smaug ? t : inputsReady;
      if (!smaug)
        for (const x of prepRoles) {
          const i = inv.tiles[x.role];
          if (i !== undefined) ready = Math.max(ready, prepare(x.role, i));
        }
      // The main thread starts the invocation; in SMAUG's order it waits for the chosen accelerator.
      const invokeStart = Math.max(this.cpuFree[0], smaug ? Math.max(t, this.accFree[a]) : 0);
      const invokeEnd = this.record({
        resource: "cpu0",
        kind: "invoke",
        start: invokeStart,
        end: invokeStart + this.cpuNs(this.soc.cpu.invokeOverheadCycles),
        tile: k,
      });
      this.cpuFree[0] = invokeEnd;
      let time = Math.max(invokeEnd, this.accFree[a], ready);
      const { flags, cost } = this.costOn(step, inv, resident[a]);
      const signature = this.signature(step, inv, flags);
      const rep = sampling.replayable(k) ? representatives.get(signature) : undefined;
      const first = this.events.length;
      if (rep !== undefined) {
        // Sampling: take the representative's slots without simulating the memory system.
        time = this.replay(rep, a, time, k, layer);
        for (const x of step.tensors) {
          const i = inv.tiles[x.role];
          if (x.role !== "outputs" && i !== undefined) resident[a].set(x.role, i);
        }
        if (flags.sendResults && outputs !== undefined && inv.tiles.outputs !== undefined) {
          if (needsCopy(outputs)) finalizeQueue.push({ tile: outputs.tiles[inv.tiles.outputs], at: time });
          storeEnds.push(time);
        }
        addEnergyActions(this.actions, acceleratorEnergyActions(cost, this.precision));
      } else {
        // Loads.
        for (const x of step.tensors) {
          if (x.role === "outputs") continue;
          const i = inv.tiles[x.role];
          if (i === undefined) continue;
          const read = WEIGHT_FLAG_ROLES.has(x.role) ? flags.readWeights : flags.readInputs;
          resident[a].set(x.role, i);
          if (!read) continue;
          time = this.transfer("load", x, x.tiles[i], places.get(x.role) as Placement, a, time, k);
          layer.hostLoadBytes += tileBytes(x, x.tiles[i]);
        }
        // Compute.
        const accel = this.accels[a];
        time = this.record({
          resource: accel.name,
          kind: "compute",
          start: time,
          end: time + cost.cycles / accel.clockGHz,
          tile: k,
          cycles: cost.cycles,
        });
        addEnergyActions(this.actions, acceleratorEnergyActions(cost, this.precision));
        // Store.
        if (flags.sendResults && outputs !== undefined) {
          const i = inv.tiles.outputs;
          if (i !== undefined) {
            time = this.transfer("store", outputs, outputs.tiles[i], places.get("outputs") as Placement, a, time, k);
            layer.hostStoreBytes += tileBytes(outputs, outputs.tiles[i]);
            if (needsCopy(outputs)) finalizeQueue.push({ tile: outputs.tiles[i], at: time });
            storeEnds.push(time);
          }
        }
        if (this.options.sampleLevel !== "no") representatives.set(signature, this.events.slice(first));
      }
      this.accFree[a] = time;
      layer.invocations++;
      this.invocations++;
      // Overlap: finalise a stored tile after the next invocation has been issued.
      if (!smaug) flushFinalize(false);
    });
    this.nextAccel = nextAccel;
    let end: number;
    if (smaug) {
      const done = this.barrier();
      const work = finalizeQueue.map((f) => ({
        t: outputs as TiledTensor,
        tile: f.tile,
        place: places.get("outputs") as Placement,
      }));
      end = this.copyPhase("finalize", work, done);
    } else {
      flushFinalize(true);
      end = Math.max(0, ...finalizeEnds, ...storeEnds);
    }
    if (outputs !== undefined) this.tensorReady.set(outputs.tensor, end);
    this.alloc.release(mark);
  }

  run(): SimResult {
    this.placeTensors();
    const sampler = samplePlan(this.options.sampleLevel, this.options.sampleNum);
    const total = this.plan.steps.length;
    for (const [i, step] of this.plan.steps.entries()) {
      if (step.device === "cpu") this.cpuLayer(step.node, step.op);
      else this.acceleratedLayer(step, sampler(step));
      this.options.onLayer?.(i + 1, total);
    }
    return this.finish();
  }

  private finish(): SimResult {
    const totalNs = quantise(Math.max(0, ...this.events.map((e) => e.end)));
    const spans: [number, number][] = this.layers.map(() => [Number.POSITIVE_INFINITY, 0]);
    for (const e of this.events) {
      const s = spans[e.layer];
      s[0] = Math.min(s[0], e.start);
      s[1] = Math.max(s[1], e.end);
    }
    for (const s of spans) if (s[0] === Number.POSITIVE_INFINITY) s[0] = s[1];
    const { breakdown, layers } = attribute(this.events, totalNs, spans);
    this.layers.forEach((l, i) => {
      l.startNs = spans[i][0];
      l.endNs = spans[i][1];
      l.breakdown = layers[i];
    });
    // Resources.
    const busy = new Map<string, number>();
    for (const e of this.events) busy.set(e.resource, (busy.get(e.resource) ?? 0) + (e.end - e.start));
    const resources: ResourceResult[] = [];
    const kindOf = (r: string): ResourceResult["kind"] =>
      r.startsWith("cpu") ? "cpu" : r.startsWith("dma") || r.startsWith("acp") ? "interface" : "accelerator";
    const names = [
      ...this.cpuFree.map((_, i) => `cpu${i}`),
      ...this.accels.map((a) => a.name),
      ...[...busy.keys()]
        .filter((r) => r.startsWith("dma") || r.startsWith("acp"))
        .sort((x, y) => x.localeCompare(y, "en", { numeric: true })),
    ];
    for (const name of names) {
      const b = busy.get(name) ?? 0;
      resources.push({ name, kind: kindOf(name), busyNs: b, utilisation: totalNs > 0 ? b / totalNs : 0 });
    }
    // Energy actions from the timeline and the caches.
    const stats = this.h.cumulative();
    const a = this.actions;
    a.l1Accesses = stats.total.l1Accesses;
    a.llcAccesses = stats.total.llcAccesses;
    a.dramReadBytes += stats.dramReadBytes;
    a.dramWriteBytes += stats.dramWriteBytes;
    a.dmaBytes = this.dmaBytes;
    let cpuBusy = 0;
    let accBusyCycles = 0;
    for (const e of this.events) {
      // Flushes and invalidations run on the CPU (core 0's caches) though they sit on the
      // interface's track, where they hold up the transfer.
      if (e.resource.startsWith("cpu") || e.kind === "flush" || e.kind === "invalidate") cpuBusy += e.end - e.start;
      else if (e.kind === "compute") accBusyCycles += e.cycles ?? 0;
    }
    a.cpuActiveCycles = cpuBusy * this.soc.cpu.clockGHz;
    a.cpuIdleCycles = Math.max(0, this.soc.cpu.cores * totalNs * this.soc.cpu.clockGHz - a.cpuActiveCycles);
    a.acceleratorActiveCycles = accBusyCycles;
    a.acceleratorIdleCycles = Math.max(0, this.accels.reduce((s, x) => s + totalNs * x.clockGHz, 0) - accBusyCycles);
    a.elapsedNs = totalNs;
    a.dramChannelNs = this.soc.dram.channels * totalNs;
    const dramBytes = a.dramReadBytes + a.dramWriteBytes;
    const l1Hits = stats.total.l1Hits;
    const result: SimResult = {
      totalNs,
      breakdown,
      layers: this.layers,
      resources,
      memory: {
        dramReadBytes: a.dramReadBytes,
        dramWriteBytes: a.dramWriteBytes,
        averageBandwidthGBps: totalNs > 0 ? dramBytes / totalNs : 0,
        dmaBytes: this.dmaBytes,
        acpBytes: this.acpBytes,
        l1Accesses: stats.total.l1Accesses,
        l1HitRate: stats.total.l1Accesses > 0 ? l1Hits / stats.total.l1Accesses : 0,
        llcAccesses: stats.total.llcAccesses,
        llcHitRate: stats.total.llcAccesses > 0 ? stats.total.llcHits / stats.total.llcAccesses : 0,
        footprintBytes: this.alloc.peakFootprintBytes,
      },
      actions: a,
      events: this.events,
      invocations: this.invocations,
      replayedInvocations: this.replayed,
    };
    this.h.dispose();
    return result;
  }
}
