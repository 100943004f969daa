import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { buildGraph } from "../../src/graph/graph.js";
import { makeTensor } from "../../src/graph/tensor.js";
import type { Graph, TensorData, TensorSpec, Weights } from "../../src/graph/types.js";
import {
  GraphFileError,
  graphFromJson,
  graphToJson,
  loadGraph,
  saveGraph,
  WEIGHTS_ALIGNMENT,
  weightsPathFor,
} from "../../src/io/graph-file.js";

/**
 * A small graph with a constant of every dtype: conv (parameters omitted, so their defaults are
 * resolved and stored) -> relu -> flatten -> inner product -> switch/merge on a bool constant;
 * plus fp16 and int32 adds with constant operands.
 */
function mixedGraph(): Graph {
  const spec = (shape: number[], layout: TensorSpec["layout"], dtype: TensorSpec["dtype"] = "float32") => ({
    shape,
    layout,
    dtype,
  });
  return buildGraph({
    name: "mixed",
    nodes: [
      { name: "x", op: "data", inputs: [], params: spec([1, 8, 8, 3], "NHWC") },
      { name: "w", op: "constant", inputs: [], params: spec([4, 3, 3, 3], "NHWC") },
      { name: "b", op: "constant", inputs: [], params: spec([4], "N") },
      { name: "conv1", op: "conv", inputs: ["x", "w", "b"], params: {} },
      { name: "relu1", op: "relu", inputs: ["conv1"], params: {} },
      { name: "flat", op: "reorder", inputs: ["relu1"], params: { layout: "NC" } },
      { name: "fc_w", op: "constant", inputs: [], params: spec([10, 256], "NC") },
      { name: "fc_b", op: "constant", inputs: [], params: spec([10], "N") },
      { name: "fc", op: "inner_product", inputs: ["flat", "fc_w", "fc_b"], params: {} },
      { name: "pred", op: "constant", inputs: [], params: spec([1], "N", "bool") },
      { name: "sw", op: "switch", inputs: ["fc", "pred"], params: {} },
      { name: "m", op: "merge", inputs: ["sw", "sw:1"], params: {} },
      { name: "h", op: "data", inputs: [], params: spec([2, 4], "NC", "float16") },
      { name: "h_c", op: "constant", inputs: [], params: spec([2, 4], "NC", "float16") },
      { name: "h_sum", op: "add", inputs: ["h", "h_c"], params: {} },
      { name: "i", op: "data", inputs: [], params: spec([3], "N", "int32") },
      { name: "i_c", op: "constant", inputs: [], params: spec([3], "N", "int32") },
      { name: "i_sum", op: "add", inputs: ["i", "i_c"], params: {} },
    ],
  });
}

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  });
}

function mixedWeights(graph: Graph): Weights {
  const w: Weights = new Map();
  const t = (name: string, data: ArrayLike<number>) => w.set(name, makeTensor(graph.tensors[name], data));
  // Edge values ride along with ordinary ones: signed zero, subnormals, extremes, infinities, NaN.
  const w0 = values(108, 1);
  w0.splice(0, 8, -0, 1e-45, 3.4028234663852886e38, -Infinity, Infinity, Number.NaN, 1 / 3, -2.5);
  t("w", w0);
  t("b", values(4, 2));
  t("fc_w", values(2560, 3));
  t("fc_b", values(10, 4));
  t("pred", [1]);
  // fp16: max, min subnormal (2^-24), -0, a value that needed rounding, NaN, -Inf.
  t("h_c", [65504, 2 ** -24, -0, 0.1, Number.NaN, -Infinity, 1, -2]);
  t("i_c", [-(2 ** 31), 2 ** 31 - 1, 7]);
  return w;
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), "smaug-graph-file-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
function freshDir(): string {
  const d = join(root, `case${dirCount++}`);
  mkdirSync(d);
  return d;
}

/** Save the mixed graph to a fresh directory. */
function saved(): { dir: string; jsonPath: string; weightsPath: string; graph: Graph; weights: Weights } {
  const dir = freshDir();
  const graph = mixedGraph();
  const weights = mixedWeights(graph);
  const { jsonPath, weightsPath } = saveGraph(graph, weights, join(dir, "model.json"));
  return { dir, jsonPath, weightsPath, graph, weights };
}

/** `fn` throws a GraphFileError (an InputError) whose message starts with `path` and matches every pattern. */
function throwsFileError(fn: () => unknown, path: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GraphFileError && e instanceof InputError, `not a GraphFileError: ${e}`);
    assert.ok(e.message.startsWith(`${path}: `), `message does not start with the path: ${e.message}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** Save, rewrite the JSON through `edit`, and expect loading to fail as described. */
// biome-ignore lint/suspicious/noExplicitAny: the edits poke at arbitrary JSON
function loadFailsAfter(edit: (obj: any) => void, ...patterns: RegExp[]): void {
  const { jsonPath } = saved();
  const obj = JSON.parse(readFileSync(jsonPath, "utf8"));
  edit(obj);
  writeFileSync(jsonPath, JSON.stringify(obj));
  throwsFileError(() => loadGraph(jsonPath), jsonPath, ...patterns);
}

/** Rewrite the weights file and its recorded size and hash, so only the content is wrong. */
function replaceWeightsFile(jsonPath: string, weightsPath: string, bytes: Buffer): void {
  writeFileSync(weightsPath, bytes);
  const obj = JSON.parse(readFileSync(jsonPath, "utf8"));
  obj.weights.bytes = bytes.length;
  obj.weights.sha256 = createHash("sha256").update(bytes).digest("hex");
  writeFileSync(jsonPath, JSON.stringify(obj));
}

describe("graph files: round trip", () => {
  it("loads back exactly what was saved: nodes, outputs, tensors and bit-exact weights of every dtype", () => {
    const { jsonPath, graph, weights } = saved();
    const loaded = loadGraph(jsonPath);
    assert.equal(loaded.graph.name, graph.name);
    assert.deepEqual(loaded.graph.nodes, graph.nodes);
    assert.deepEqual(loaded.graph.outputs, graph.outputs);
    assert.deepEqual(loaded.graph.tensors, graph.tensors);
    assert.deepEqual([...loaded.weights.keys()].sort(), [...weights.keys()].sort());
    for (const [name, t] of weights) {
      const got = loaded.weights.get(name);
      assert.ok(got, `${name} was not loaded`);
      assert.deepEqual([got.dtype, got.layout, got.shape], [t.dtype, t.layout, t.shape], name);
      assert.equal(got.data.constructor, t.data.constructor, name);
      assert.ok(bytesOf(got.data).equals(bytesOf(t.data)), `${name} is not bit-exact`);
    }
    assert.deepEqual(loaded.graph.outputs, ["m", "h_sum", "i_sum"]);
  });

  it("stores every parameter resolved, including defaults of parameters the graph omitted", () => {
    const { jsonPath } = saved();
    const obj = JSON.parse(readFileSync(jsonPath, "utf8"));
    const params = (name: string) => obj.nodes.find((n: { name: string }) => n.name === name).params;
    assert.deepEqual(params("conv1"), { stride: [1, 1], padding: "same" });
    assert.deepEqual(params("w"), { shape: [4, 3, 3, 3], layout: "NHWC", dtype: "float32" });
    assert.deepEqual(params("relu1"), {});
    assert.deepEqual(obj.outputs, ["m", "h_sum", "i_sum"]);
    assert.equal(obj.format, "smaug-sim-graph");
    assert.equal(obj.version, 1);
  });

  it("writes the weights little-endian in their storage type, 64-byte aligned, with the size and SHA-256 recorded", () => {
    const { jsonPath, weightsPath } = saved();
    const obj = JSON.parse(readFileSync(jsonPath, "utf8"));
    const bin = readFileSync(weightsPath);
    assert.equal(obj.weights.file, "model.bin");
    assert.equal(obj.weights.bytes, bin.length);
    assert.equal(obj.weights.sha256, createHash("sha256").update(bin).digest("hex"));
    const entry = (name: string) => obj.weights.tensors.find((t: { name: string }) => t.name === name);
    // Graph order; each offset aligned; each size elements x element bytes.
    assert.deepEqual(
      obj.weights.tensors.map((t: { name: string; bytes: number }) => [t.name, t.bytes]),
      [
        ["w", 108 * 4],
        ["b", 16],
        ["fc_w", 2560 * 4],
        ["fc_b", 40],
        ["pred", 1],
        ["h_c", 16],
        ["i_c", 12],
      ],
    );
    for (const t of obj.weights.tensors) assert.equal(t.offset % WEIGHTS_ALIGNMENT, 0, t.name);
    const last = obj.weights.tensors.at(-1);
    assert.equal(bin.length, last.offset + last.bytes);
    // Element encodings, read independently of the code under test.
    const w = entry("w").offset;
    assert.ok(Object.is(bin.readFloatLE(w), -0));
    assert.equal(bin.readFloatLE(w + 4), Math.fround(1e-45));
    assert.equal(bin.readFloatLE(w + 12), -Infinity);
    const h = entry("h_c").offset;
    assert.deepEqual([...bin.subarray(h, h + 6)], [0xff, 0x7b, 0x01, 0x00, 0x00, 0x80]); // 65504, 2^-24, -0
    assert.equal(bin.readUInt16LE(h + 6), 0x2e66); // 0.1 rounded to fp16
    assert.equal(bin.readUInt16LE(h + 10), 0xfc00); // -Infinity
    const i = entry("i_c").offset;
    assert.deepEqual(
      [bin.readInt32LE(i), bin.readInt32LE(i + 4), bin.readInt32LE(i + 8)],
      [-(2 ** 31), 2 ** 31 - 1, 7],
    );
    assert.equal(bin[entry("pred").offset], 1);
    // Padding between tensors is zero.
    assert.ok(bin.subarray(entry("b").offset + 16, entry("fc_w").offset).every((byte) => byte === 0));
  });

  it("is deterministic: saving the same graph twice gives identical files", () => {
    const a = saved();
    const b = saved();
    assert.ok(readFileSync(a.weightsPath).equals(readFileSync(b.weightsPath)));
    assert.equal(readFileSync(a.jsonPath, "utf8"), readFileSync(b.jsonPath, "utf8"));
  });

  it("round-trips a graph without constants (an empty weights file)", () => {
    const graph = buildGraph({
      name: "plain",
      nodes: [
        { name: "x", op: "data", inputs: [], params: { shape: [2, 3], layout: "NC" } },
        { name: "s", op: "softmax", inputs: ["x"], params: {} },
      ],
    });
    const { jsonPath, weightsPath } = saveGraph(graph, new Map(), join(freshDir(), "plain.json"));
    assert.equal(readFileSync(weightsPath).length, 0);
    const loaded = loadGraph(jsonPath);
    assert.deepEqual(loaded.graph, graph);
    assert.equal(loaded.weights.size, 0);
    assert.deepEqual(loaded.graph.nodes[1].params, { axis: -1 });
  });

  it("converts to and from plain JSON data without files", () => {
    const graph = mixedGraph();
    const index = { file: "m.bin", bytes: 0, sha256: "0".repeat(64), tensors: [] };
    const obj = JSON.parse(JSON.stringify(graphToJson(graph, index)));
    // Without weights entries the index check names the first missing constant...
    throwsFileError(
      () => graphFromJson(obj, "mem"),
      "mem",
      /weights\.tensors: no entry for constant nodes 'w', 'b', 'fc_w'/,
    );
    // ...and with none needed, the graph comes back equal.
    const plain = buildGraph({
      name: "p",
      nodes: [{ name: "x", op: "data", inputs: [], params: { shape: [1], layout: "N" } }],
      outputs: ["x"],
    });
    const back = graphFromJson(JSON.parse(JSON.stringify(graphToJson(plain, index))), "mem");
    assert.deepEqual(back.graph, plain);
    assert.deepEqual(back.weightsIndex, index);
  });

  it("names the weights file after the JSON file", () => {
    assert.equal(weightsPathFor("/a/b/model.json"), "/a/b/model.bin");
    assert.equal(weightsPathFor("/a/b/model.graph"), "/a/b/model.graph.bin");
  });
});

describe("graph files: atomic writes", () => {
  it("leaves exactly the two files behind, and replaces existing ones", () => {
    const { dir, jsonPath, graph, weights } = saved();
    assert.deepEqual(readdirSync(dir).sort(), ["model.bin", "model.json"]);
    saveGraph(graph, weights, jsonPath);
    assert.deepEqual(readdirSync(dir).sort(), ["model.bin", "model.json"]);
    loadGraph(jsonPath);
  });

  it("writes nothing when a directory stands where either file should go", () => {
    for (const blocked of ["model.json", "model.bin"]) {
      const dir = freshDir();
      mkdirSync(join(dir, blocked));
      const graph = mixedGraph();
      const jsonPath = join(dir, "model.json");
      throwsFileError(() => saveGraph(graph, mixedWeights(graph), jsonPath), jsonPath, /is a directory/);
      // Refused before anything is written: no lone weights file, no temporary file.
      assert.deepEqual(readdirSync(dir), [blocked]);
      assert.deepEqual(readdirSync(join(dir, blocked)), []);
    }
  });

  it("writes nothing when the directory does not exist", () => {
    const jsonPath = join(root, "no-such-dir", "model.json");
    const graph = mixedGraph();
    throwsFileError(() => saveGraph(graph, mixedWeights(graph), jsonPath), jsonPath, /cannot write/);
  });
});

describe("graph files: saving refuses weights that do not match their constants", () => {
  const graph = mixedGraph();
  /** Expect saveGraph to refuse, naming the node, and to write nothing. */
  function refuses(edit: (w: Weights) => void, ...patterns: RegExp[]): void {
    const weights = mixedWeights(graph);
    edit(weights);
    const dir = freshDir();
    const jsonPath = join(dir, "model.json");
    throwsFileError(() => saveGraph(graph, weights, jsonPath), jsonPath, ...patterns);
    assert.deepEqual(readdirSync(dir), []);
  }
  it("a missing weights entry", () => refuses((w) => w.delete("fc_b"), /constant node 'fc_b' has no entry/));
  it("a wrong dtype", () =>
    refuses(
      (w) => w.set("i_c", makeTensor({ shape: [3], layout: "N", dtype: "float32" }, [1, 2, 3])),
      /'i_c' has float32 weights, the node is int32/,
    ));
  it("a wrong shape", () =>
    refuses(
      (w) => w.set("b", makeTensor({ shape: [2, 2], layout: "N", dtype: "float32" })),
      /'b' has weights of shape \[2x2\], the node is \[4\]/,
    ));
  it("a wrong layout", () =>
    refuses((w) => w.set("b", makeTensor({ shape: [4], layout: "any", dtype: "float32" })), /'b' has any weights/));
  it("data of the wrong length", () =>
    refuses(
      (w) => w.set("b", { shape: [4], layout: "N", dtype: "float32", data: new Float32Array(3) }),
      /'b' has 3 weight values, shape \[4\] needs 4/,
    ));
  it("data in the wrong storage type", () =>
    refuses(
      (w) => w.set("b", { shape: [4], layout: "N", dtype: "float32", data: new Int32Array(4) }),
      /'b' has float32 weights stored in a Int32Array/,
    ));
  it("float16 values that are not fp16 values", () =>
    refuses((w) => {
      (w.get("h_c") as TensorData).data[0] = 0.1;
    }, /'h_c' has float16 weights that are not fp16 values \(element 0/));
  it("an entry for something that is not a constant", () =>
    refuses(
      (w) => w.set("conv1", makeTensor({ shape: [1], layout: "N", dtype: "float32" })),
      /weights entry 'conv1' is not a constant node/,
    ));
});

describe("graph files: loading rejects bad files, naming the field or node", () => {
  it("a missing JSON file", () => {
    const jsonPath = join(root, "absent.json");
    throwsFileError(() => loadGraph(jsonPath), jsonPath, /cannot read the graph file/);
  });
  it("malformed JSON", () => {
    const { jsonPath } = saved();
    writeFileSync(jsonPath, '{"format": "smaug-sim-graph",');
    throwsFileError(() => loadGraph(jsonPath), jsonPath, /not valid JSON/);
  });
  it("JSON that is not an object", () => {
    const { jsonPath } = saved();
    writeFileSync(jsonPath, "[1, 2]");
    throwsFileError(() => loadGraph(jsonPath), jsonPath, /a graph file is a JSON object, got an array/);
  });
  it("a graph without nodes", () => loadFailsAfter((o) => o.nodes.splice(0), /nodes: .*>=1/));
  it("another format", () =>
    loadFailsAfter((o) => {
      o.format = "onnx";
    }, /format: not a smaug-sim graph file.*"onnx"/));
  it("an unsupported version", () =>
    loadFailsAfter((o) => {
      o.version = 2;
    }, /version: graph file version 2 is not supported \(this smaug-sim reads version 1\)/));
  it("a missing version", () =>
    loadFailsAfter((o) => {
      delete o.version;
    }, /version: graph file version \(missing\) is not supported/));
  it("an unknown field", () =>
    loadFailsAfter((o) => {
      o.extra = 1;
    }, /\(root\): .*extra/));
  it("a node without inputs, naming the node", () =>
    loadFailsAfter((o) => {
      delete o.nodes[4].inputs;
    }, /nodes\.4\.inputs: .* \(node 'relu1', relu\)/));
  it("an unknown operator, naming the node", () =>
    loadFailsAfter((o) => {
      o.nodes[4].op = "gelu";
    }, /nodes\.4\.op: unknown operator 'gelu' \(known: .*conv.*\) \(node 'relu1', gelu\)/));
  it("a bad parameter, naming the field and the node", () =>
    loadFailsAfter((o) => {
      o.nodes[3].params.stride = 2;
    }, /nodes\.3\.params\.stride: .* \(node 'conv1', conv\)/));
  it("an unknown parameter", () =>
    loadFailsAfter((o) => {
      o.nodes[3].params.dilation = [2, 2];
    }, /nodes\.3\.params: .*dilation.* \(node 'conv1', conv\)/));
  it("a dangling input, naming the node (graph semantics)", () =>
    loadFailsAfter((o) => {
      o.nodes[4].inputs = ["nowhere"];
    }, /node 'relu1' \(relu\): input 0 'nowhere' refers to no node/));
  it("a shape error, naming the node", () =>
    loadFailsAfter((o) => {
      o.nodes[3].params.padding = "valid";
      o.nodes[0].params.shape = [1, 2, 2, 3];
    }, /node 'conv1' \(conv\): kernel 3x3 is larger than the padded input/));
  it("a weights file given as a path", () =>
    loadFailsAfter((o) => {
      o.weights.file = "../model.bin";
    }, /weights\.file: must be a file name/));
  it("a bad sha256", () =>
    loadFailsAfter((o) => {
      o.weights.sha256 = "xyz";
    }, /weights\.sha256: must be 64 lower-case hex digits/));
  it("a negative offset", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[2].offset = -64;
    }, /weights\.tensors\.2\.offset: /));
  it("an entry whose byte count does not match its shape and dtype", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[1].bytes = 8;
    }, /weights\.tensors\.1\.bytes: float32 \[4\] occupies 16 bytes, not 8/));
  it("an entry whose shape does not match its constant", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[0].shape = [4, 9, 3, 1]; // same size, different shape
    }, /weights\.tensors\.0\.shape: \[4x9x3x1\] does not match constant node 'w' \[4x3x3x3\]/));
  it("an entry whose dtype does not match its constant", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[6].dtype = "float32"; // i_c: int32 and float32 are both 4 bytes
    }, /weights\.tensors\.6\.dtype: float32 does not match constant node 'i_c' \(int32\)/));
  it("an entry whose layout does not match its constant", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[1].layout = "any";
    }, /weights\.tensors\.1\.layout: any does not match constant node 'b' \(N\)/));
  it("a missing weights entry", () =>
    loadFailsAfter((o) => {
      o.weights.tensors.splice(1, 1);
    }, /weights\.tensors: no entry for constant node 'b'/));
  it("a duplicate weights entry", () =>
    loadFailsAfter((o) => {
      o.weights.tensors.push({ ...o.weights.tensors[1] });
    }, /weights\.tensors\.7\.name: 'b' has a second entry \(the first is weights\.tensors\.1\)/));
  it("an entry for a node that is not a constant", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[1].name = "conv1";
    }, /weights\.tensors\.1\.name: 'conv1' is not a constant node of graph 'mixed'/));
  it("an entry past the end of the weights file", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[6].offset = o.weights.bytes;
    }, /weights\.tensors\.6\.offset: 'i_c' spans bytes \d+ to \d+, past the end of the \d+-byte weights file/));
  it("overlapping entries", () =>
    loadFailsAfter((o) => {
      o.weights.tensors[1].offset = 64; // inside w (bytes 0 to 432)
    }, /weights\.tensors\.1\.offset: 'b' at 64 overlaps weights\.tensors\.0 'w'/));
  it("a missing weights file", () => {
    const { jsonPath, weightsPath } = saved();
    rmSync(weightsPath);
    throwsFileError(() => loadGraph(jsonPath), jsonPath, /weights\.file: the weights file .*model\.bin does not exist/);
  });
  it("a truncated weights file", () => {
    const { jsonPath, weightsPath } = saved();
    const bin = readFileSync(weightsPath);
    writeFileSync(weightsPath, bin.subarray(0, bin.length - 5));
    throwsFileError(
      () => loadGraph(jsonPath),
      jsonPath,
      new RegExp(
        `weights\\.bytes: the weights file .*model\\.bin is ${bin.length - 5} bytes, the graph file says ${bin.length} \\(truncated\\)`,
      ),
    );
  });
  it("a weights file whose SHA-256 does not match", () => {
    const { jsonPath, weightsPath } = saved();
    const bin = readFileSync(weightsPath);
    bin[100] ^= 1;
    writeFileSync(weightsPath, bin);
    throwsFileError(
      () => loadGraph(jsonPath),
      jsonPath,
      /weights\.sha256: the weights file .*model\.bin has SHA-256 [0-9a-f]{64}/,
    );
  });
  it("a bool weight other than 0 or 1", () => {
    const { jsonPath, weightsPath } = saved();
    const obj = JSON.parse(readFileSync(jsonPath, "utf8"));
    const bin = readFileSync(weightsPath);
    bin[obj.weights.tensors[4].offset] = 7;
    replaceWeightsFile(jsonPath, weightsPath, bin);
    throwsFileError(
      () => loadGraph(jsonPath),
      jsonPath,
      /weights\.tensors\.4: bool tensor 'pred' holds 7 at element 0/,
    );
  });
  it("reports several problems of one kind together", () =>
    loadFailsAfter((o) => {
      o.nodes[3].params.stride = 2;
      o.nodes[8].params.activation = { type: "swish" };
    }, /nodes\.3\.params\.stride: .*; nodes\.8\.params\.activation\.type: .* \(node 'fc', inner_product\)/));
});
