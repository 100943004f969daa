import Benchmark from "benchmark";
import { graphStats } from "../dist/graph/graph.js";
import { numElements } from "../dist/graph/tensor.js";
import { runGraph } from "../dist/kernels/execute.js";
import { getModel } from "../dist/models/index.js";
import { machine, quick, writeJson } from "./common.js";

// --quick is CI's smoke run: small networks only, so the bench cannot rot but costs seconds.
const names = quick ? ["lenet5", "lstm"] : ["lenet5", "cnn10", "vgg16", "mobilenet_v1", "resnet50", "transformer"];

/** Seeded feed for every data node: uniform [0, 1) like normalised pixels. */
function feeds(graph) {
  const out = {};
  let s = 12345;
  for (const n of graph.nodes.filter((x) => x.op === "data")) {
    const a = new Float32Array(numElements(graph.tensors[n.name].shape));
    for (let i = 0; i < a.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      a[i] = s / 4294967296;
    }
    out[n.name] = a;
  }
  return out;
}

const results = [];
const suite = new Benchmark.Suite();
for (const name of names) {
  const t0 = performance.now();
  const { graph, weights } = getModel(name).build({ batch: 1, seed: 1 });
  weights.size; // draw the weights now, not inside the timed runs
  const buildSeconds = (performance.now() - t0) / 1000;
  const input = feeds(graph);
  const macs = graphStats(graph).macs;
  suite.add(name, () => runGraph(graph, weights, input), {
    minSamples: quick ? 1 : 3,
    maxTime: quick ? 0.1 : 20,
    onComplete(event) {
      const t = event.target;
      results.push({
        model: name,
        seconds: t.stats.mean,
        rme: t.stats.rme,
        samples: t.stats.sample.length,
        gmacs: macs / 1e9,
        gmacPerSecond: macs / t.stats.mean / 1e9,
        buildSeconds,
        rssMiB: process.memoryUsage().rss / 2 ** 20,
      });
    },
  });
}

suite
  .on("cycle", (event) => {
    const r = results[results.length - 1];
    console.log(
      `${String(event.target)} | ${r.seconds.toFixed(3)} s per inference, ${r.gmacPerSecond.toFixed(2)} GMAC/s, build+weights ${r.buildSeconds.toFixed(2)} s, RSS ${r.rssMiB.toFixed(0)} MiB`,
    );
  })
  .on("complete", () => {
    writeJson({ meta: machine(), results });
  })
  .run({ async: false });
