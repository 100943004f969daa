/**
 * Network commands: `smaug models`, `smaug inspect <model|graph.json>`, `smaug export <model>`.
 */
import { existsSync } from "node:fs";
import { sep } from "node:path";
import { type Command, Option } from "commander";
import { InputError } from "../errors.js";
import type { Backend } from "../graph/builder.js";
import { type GraphStats, graphStats } from "../graph/graph.js";
import { fmtShape } from "../graph/tensor.js";
import type { DType, Graph, Weights } from "../graph/types.js";
import { loadGraph, saveGraph } from "../io/graph-file.js";
import { getModel, MODELS, type ModelOptions } from "../models/index.js";
import { table } from "../report/table.js";
import { intOption } from "./options.js";

const count = (n: number) => n.toLocaleString("en-US");

/** 25557032 -> "25.56 M"; MAC counts the same way. */
export function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}

const positiveInt = intOption(1, 65536);

interface BuildOpts {
  batch: number;
  backend: Backend;
  dtype: DType;
  seed: number;
}

const buildOptions = (c: Command) =>
  c
    .option("--batch <n>", "batch size (zoo models)", positiveInt, 1)
    .addOption(
      new Option("--backend <name>", "layout preference: smv (NHWC) or reference (NCHW)")
        .choices(["smv", "reference"])
        .default("smv"),
    )
    .addOption(
      new Option("--dtype <type>", "data type of activations and weights")
        .choices(["float32", "float16"])
        .default("float32"),
    )
    .option("--seed <n>", "seed of the generated weights", intOption(0, 2 ** 32 - 1), 0);

/**
 * A graph file when the argument looks like a path (ends in .json or has a directory
 * separator), else a zoo model, so a stray file or folder named "lenet5" cannot shadow the zoo.
 */
export function loadNetwork(
  spec: string,
  o: BuildOpts,
): { network: { graph: Graph; weights: Weights }; source: string } {
  if (spec.endsWith(".json") || spec.includes("/") || spec.includes(sep)) {
    if (!existsSync(spec)) throw new InputError(`${spec}: no such graph file`);
    return { network: loadGraph(spec), source: spec };
  }
  const opts: ModelOptions = { batch: o.batch, backend: o.backend, dtype: o.dtype, seed: o.seed };
  // Not spread: zoo weights are drawn lazily, and inspecting needs only the topology.
  return { network: getModel(spec).build(opts), source: `model zoo (${spec})` };
}

function layerCount(stats: GraphStats): number {
  return stats.layers.length;
}

export function registerGraphCommands(cmd: Command): void {
  cmd
    .command("models")
    .description("list the built-in networks with their layers, parameters, multiply-accumulates and input shape")
    .option("--batch <n>", "batch size", positiveInt, 1)
    .option("--json", "print JSON instead of a table")
    .action((opts: { batch: number; json?: boolean }) => {
      const rows = MODELS.map((m) => {
        const { graph } = m.build({ batch: opts.batch });
        const s = graphStats(graph);
        return {
          name: m.name,
          dataset: m.dataset,
          description: m.description,
          layers: layerCount(s),
          params: s.params,
          trainableParams: s.trainableParams,
          macs: s.macs,
          inputs: s.inputs.map((i) => ({ name: i.name, shape: i.shape, layout: i.layout })),
        };
      });
      if (opts.json) {
        console.log(JSON.stringify({ batch: opts.batch, models: rows }, null, 2));
        return;
      }
      const t = table(["model", "dataset", "layers", "parameters", "MACs", "input"]);
      for (const r of rows)
        t.push([
          r.name,
          r.dataset,
          r.layers,
          human(r.trainableParams),
          human(r.macs),
          r.inputs.map((i) => `${fmtShape(i.shape)} ${i.layout}`).join(", "),
        ]);
      console.log(t.toString());
      console.log(
        `batch ${opts.batch}; parameters are learned ones (batch-norm running statistics excluded); MACs are multiply-accumulates of one inference`,
      );
    });

  buildOptions(
    cmd
      .command("inspect")
      .argument("<network>", "a model name (see `smaug models`) or a graph file (.json)")
      .description("per-layer table of a network: name, operator, output shape, parameters, MACs"),
  )
    .option("--json", "print JSON instead of a table")
    .action((network: string, opts: BuildOpts & { json?: boolean }) => {
      const { network: net, source } = loadNetwork(network, opts);
      const graph = net.graph;
      const s = graphStats(graph);
      if (opts.json) {
        console.log(JSON.stringify({ name: graph.name, source, ...s, outputs: graph.outputs }, null, 2));
        return;
      }
      const t = table(["layer", "operator", "output shape", "layout", "parameters", "MACs"]);
      for (const l of s.layers)
        t.push([l.name, l.op, fmtShape(l.outputShape), graph.tensors[l.name].layout, count(l.params), count(l.macs)]);
      console.log(`${graph.name} (${source})`);
      console.log(t.toString());
      console.log(
        `${layerCount(s)} layers; ${count(s.trainableParams)} learned parameters (${count(s.params)} stored); ${count(s.macs)} MACs; inputs ${s.inputs.map((i) => `${i.name} ${fmtShape(i.shape)} ${i.layout} ${i.dtype}`).join(", ")}`,
      );
    });

  buildOptions(
    cmd
      .command("export")
      .argument("<model>", "a model name (see `smaug models`)")
      .requiredOption("--out <file.json>", "topology file to write; the weights go beside it as <name>.bin")
      .description("write a zoo model as a graph file (JSON topology + binary weights) to edit or reload"),
  ).action((model: string, opts: BuildOpts & { out: string }) => {
    const { graph, weights } = getModel(model).build(opts);
    const written = saveGraph(graph, weights, opts.out);
    console.log(`wrote ${written.jsonPath} and ${written.weightsPath}`);
  });
}
