import Benchmark from "benchmark";
import { planGraph } from "../dist/accel/index.js";
import { getModel } from "../dist/models/index.js";
import { copyPlanSummary } from "../dist/tiling/copy-plan.js";
import { machine, quick, writeJson } from "./common.js";

const names = quick ? ["lenet5"] : ["lenet5", "vgg16", "mobilenet_v1", "resnet50"];
const results = [];
const suite = new Benchmark.Suite();
for (const name of names) {
  const { graph } = getModel(name).build(); // topology only: weights are drawn lazily and never here
  let last;
  const run = () => {
    last = planGraph(graph, "smv");
    let copies = 0;
    for (const step of last.steps)
      if (step.device === "accelerator") for (const t of step.tensors) copies += copyPlanSummary(t).copies;
    last.copies = copies;
  };
  suite.add(name, run, {
    minSamples: quick ? 1 : 5,
    maxTime: quick ? 0.1 : 3,
    onComplete(event) {
      const t = event.target;
      results.push({
        model: name,
        seconds: t.stats.mean,
        rme: t.stats.rme,
        samples: t.stats.sample.length,
        layers: last.totals.acceleratedLayers,
        invocations: last.totals.invocations,
        copies: last.copies,
        acceleratorCycles: last.totals.cycles,
      });
    },
  });
}

suite
  .on("cycle", () => {
    const r = results[results.length - 1];
    console.log(
      `${r.model}: ${(r.seconds * 1000).toFixed(1)} ms (±${r.rme.toFixed(1)}%, ${r.samples} samples) — ${r.layers} accelerated layers, ${r.invocations} invocations, ${r.copies} tile copies, ${r.acceleratorCycles} accelerator cycles`,
    );
  })
  .on("complete", () => {
    writeJson({ meta: machine(), results });
  })
  .run({ async: false });
