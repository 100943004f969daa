import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { numElements } from "../../src/graph/tensor.js";
import type { Graph, TensorData } from "../../src/graph/types.js";
import { loadGraph, saveGraph } from "../../src/io/graph-file.js";
import { runGraph } from "../../src/kernels/execute.js";
import { getModel } from "../../src/models/index.js";

function feeds(graph: Graph): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const n of graph.nodes.filter((x) => x.op === "data")) {
    const a = new Float32Array(numElements(graph.tensors[n.name].shape));
    for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 0.37) * 0.5 + 0.5;
    out[n.name] = a;
  }
  return out;
}

const bits = (t: TensorData | null) =>
  t === null ? null : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe("graph files: zoo networks survive save -> load with identical outputs", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-zoo-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, "float32" | "float16", "smv" | "reference"][] = [
    ["lenet5", "float32", "smv"],
    ["cnn10", "float16", "reference"],
    ["lstm", "float32", "smv"],
    ["transformer", "float32", "smv"],
    ["mobilenet_v1", "float16", "smv"],
  ];
  for (const [name, dtype, backend] of cases) {
    it(`${name} (${dtype}, ${backend})`, () => {
      const original = getModel(name).build({ dtype, backend, seed: 11 });
      const path = join(dir, `${name}-${dtype}.json`);
      saveGraph(original.graph, original.weights, path);
      const loaded = loadGraph(path);
      assert.deepEqual(loaded.graph, original.graph);
      assert.equal(loaded.weights.size, original.weights.size);
      for (const [k, t] of original.weights)
        assert.ok(bits(t)?.equals(bits(loaded.weights.get(k) ?? null) ?? Buffer.alloc(0)), k);
      const input = feeds(original.graph);
      const a = runGraph(original.graph, original.weights, input);
      const b = runGraph(loaded.graph, loaded.weights, input);
      for (const ref of original.graph.outputs) assert.ok(bits(a[ref])?.equals(bits(b[ref]) ?? Buffer.alloc(0)), ref);
    });
  }
});
