/**
 * Graph files: a network as two files, like SMAUG's topology/parameters split.
 *
 * - `<name>.json` — the topology: every node with its fully resolved parameters, the graph's
 *   outputs, and an index of the weights file (where each constant's bytes are, and the file's
 *   size and SHA-256 so a stale or damaged weights file is caught before it is used).
 * - `<name>.bin` — the values of the constant nodes, little-endian in their storage type, each
 *   tensor starting on a 64-byte boundary.
 *
 * The format is documented field by field in docs/graph-format.md. Every error is a
 * GraphFileError (an InputError: the CLI prints it and exits with code 2) whose message starts
 * with the path of the JSON file and then names the field, node or tensor at fault.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { endianness } from "node:os";
import { basename, dirname, join } from "node:path";
import { f16round, getFloat16, setFloat16 } from "@petamoriken/float16";
import { z } from "zod";
import { InputError } from "../errors.js";
import { buildGraph, GraphError } from "../graph/graph.js";
import { OPS, opDef } from "../graph/ops.js";
import { allocate, dtypeBytes, fmtShape, fromFp16Bits, numElements, toFp16Bits } from "../graph/tensor.js";
import {
  DTYPES,
  type DType,
  type Graph,
  LAYOUTS,
  type Node,
  type TensorArray,
  type TensorData,
  type TensorSpec,
  type Weights,
} from "../graph/types.js";

export class GraphFileError extends InputError {}

/** Value of the `format` field: identifies the file before its version is looked at. */
export const GRAPH_FORMAT = "smaug-sim-graph";
/** The one version this code reads and writes. A reader refuses other versions outright. */
export const GRAPH_FORMAT_VERSION = 1;
/** Every tensor in the weights file starts at a multiple of this (a cache line, and enough for any SIMD load). */
export const WEIGHTS_ALIGNMENT = 64;

/** Where one constant's values are in the weights file. */
export interface WeightsEntry {
  /** The constant node (its output 0 is the tensor). */
  name: string;
  dtype: DType;
  shape: number[];
  layout: TensorSpec["layout"];
  /** Byte offset in the weights file. */
  offset: number;
  /** Bytes the tensor occupies: elements x element size of its dtype. */
  bytes: number;
}

/** The `weights` section of a graph file. */
export interface WeightsIndex {
  /** Name of the weights file, in the same directory as the JSON file. */
  file: string;
  /** Size of the weights file in bytes. */
  bytes: number;
  /** SHA-256 of the whole weights file, lower-case hex. */
  sha256: string;
  tensors: WeightsEntry[];
}

/** A graph file's JSON, as plain data. */
export interface GraphFile {
  format: typeof GRAPH_FORMAT;
  version: typeof GRAPH_FORMAT_VERSION;
  name: string;
  nodes: Node[];
  outputs: string[];
  weights: WeightsIndex;
}

// ---------------------------------------------------------------------------------------------
// Schema

const count = z.number().int().min(0);

const entrySchema = z
  .object({
    name: z.string().min(1),
    dtype: z.enum(DTYPES),
    shape: z.array(z.number().int().min(1)).min(1),
    layout: z.enum(LAYOUTS),
    offset: count,
    bytes: count,
  })
  .strict()
  .superRefine((e, ctx) => {
    const want = numElements(e.shape) * dtypeBytes(e.dtype);
    if (e.bytes !== want)
      ctx.addIssue({
        code: "custom",
        path: ["bytes"],
        message: `${e.dtype} ${fmtShape(e.shape)} occupies ${want} bytes, not ${e.bytes}`,
      });
  });

const nodeSchema = z
  .object({
    name: z.string().min(1),
    op: z.string().min(1),
    inputs: z.array(z.string()),
    // Saved files carry every parameter; a hand-written file may omit defaulted ones.
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** The structure of a graph file's JSON. Operator parameters are checked afterwards, per operator. */
export const graphFileSchema = z
  .object({
    format: z.literal(GRAPH_FORMAT),
    version: z.literal(GRAPH_FORMAT_VERSION),
    name: z.string().min(1),
    nodes: z.array(nodeSchema).min(1),
    // Saved files list the outputs; when omitted, every tensor nobody consumes is an output.
    outputs: z.array(z.string()).min(1).optional(),
    weights: z
      .object({
        file: z
          .string()
          .min(1)
          .refine((f) => !/[/\\]/.test(f) && f !== "." && f !== "..", {
            message: "must be a file name in the JSON file's directory, not a path",
          }),
        bytes: count,
        sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex digits"),
        tensors: z.array(entrySchema),
      })
      .strict(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Error reporting

/** Problems found in one pass, reported together (at most a few, so a broken file stays readable). */
class Problems {
  private readonly list: string[] = [];
  constructor(
    private readonly source: string,
    private readonly nodes: unknown,
  ) {}

  add(path: readonly PropertyKey[], message: string): void {
    this.list.push(`${path.map(String).join(".") || "(root)"}: ${message}${this.nodeSuffix(path)}`);
  }

  addZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): void {
    for (const issue of error.issues) this.add([...prefix, ...issue.path], issue.message);
  }

  /** Throw everything collected so far, if anything. */
  check(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_REPORTED);
    const more = this.list.length - shown.length;
    throw new GraphFileError(`${this.source}: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`);
  }

  /** A path into `nodes` is hard to find by index alone in a large graph: name the node too. */
  private nodeSuffix(path: readonly PropertyKey[]): string {
    if (path[0] !== "nodes" || typeof path[1] !== "number" || !Array.isArray(this.nodes)) return "";
    const raw = this.nodes[path[1]] as { name?: unknown; op?: unknown } | undefined;
    if (typeof raw?.name !== "string") return "";
    return typeof raw.op === "string" ? ` (node '${raw.name}', ${raw.op})` : ` (node '${raw.name}')`;
  }
}

const MAX_REPORTED = 8;

// ---------------------------------------------------------------------------------------------
// JSON <-> Graph

/** The JSON of a graph file for a validated graph and the index of its weights file. */
export function graphToJson(graph: Graph, weightsIndex: WeightsIndex): GraphFile {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_FORMAT_VERSION,
    name: graph.name,
    nodes: graph.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      inputs: [...n.inputs],
      params: structuredClone(n.params),
    })),
    outputs: [...graph.outputs],
    weights: { ...weightsIndex, tensors: weightsIndex.tensors.map((t) => ({ ...t, shape: [...t.shape] })) },
  };
}

/**
 * Validate a graph file's parsed JSON and build its graph. Checks, in order: format and
 * version; structure (zod); each node's operator and parameters, by field path; the graph's
 * semantics (buildGraph: names, inputs, cycles, shapes); the weights index against the graph's
 * constants. Does not touch the weights file. `source` starts every error message.
 */
export function graphFromJson(obj: unknown, source = "graph"): { graph: Graph; weightsIndex: WeightsIndex } {
  checkFormat(obj, source);
  const nodes = (obj as { nodes?: unknown }).nodes;

  const parsed = graphFileSchema.safeParse(obj);
  if (!parsed.success) {
    const structure = new Problems(source, nodes);
    structure.addZod(parsed.error);
    structure.check();
    throw new Error("unreachable: a failed parse has issues");
  }
  const file = parsed.data;

  // Parameters by field path (nodes.3.params.stride), which buildGraph cannot give: it only
  // sees nodes, not where they sit in the file.
  const params = new Problems(source, nodes);
  file.nodes.forEach((n, i) => {
    const def = opDef(n.op);
    if (def === undefined) {
      params.add(["nodes", i, "op"], `unknown operator '${n.op}' (known: ${Object.keys(OPS).sort().join(", ")})`);
      return;
    }
    const p = def.params.safeParse(n.params);
    if (!p.success) params.addZod(p.error, ["nodes", i, "params"]);
  });
  params.check();

  let graph: Graph;
  try {
    graph = buildGraph({ name: file.name, nodes: file.nodes, outputs: file.outputs });
  } catch (e) {
    if (e instanceof GraphError) throw new GraphFileError(`${source}: ${e.message}`);
    throw e;
  }

  checkIndex(graph, file.weights, new Problems(source, nodes));
  return { graph, weightsIndex: file.weights };
}

/** Format and version first, so a file of another kind or a newer version gets one clear sentence. */
function checkFormat(obj: unknown, source: string): void {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw new GraphFileError(
      `${source}: a graph file is a JSON object, got ${Array.isArray(obj) ? "an array" : typeof obj}`,
    );
  const { format, version } = obj as { format?: unknown; version?: unknown };
  if (format !== GRAPH_FORMAT)
    throw new GraphFileError(
      `${source}: format: not a smaug-sim graph file (expected "format": "${GRAPH_FORMAT}", got ${JSON.stringify(format) ?? "nothing"})`,
    );
  if (version !== GRAPH_FORMAT_VERSION)
    throw new GraphFileError(
      `${source}: version: graph file version ${JSON.stringify(version) ?? "(missing)"} is not supported (this smaug-sim reads version ${GRAPH_FORMAT_VERSION})`,
    );
}

/**
 * The weights index against the graph: every constant has exactly one entry, with the
 * constant's shape, dtype and layout; no entry for anything else; every entry inside the file
 * and overlapping no other.
 */
function checkIndex(graph: Graph, index: WeightsIndex, problems: Problems): void {
  const constants = new Set(graph.nodes.filter((n) => n.op === "constant").map((n) => n.name));
  const seen = new Map<string, number>();
  index.tensors.forEach((t, i) => {
    const at = ["weights", "tensors", i];
    const first = seen.get(t.name);
    if (first !== undefined) {
      problems.add([...at, "name"], `'${t.name}' has a second entry (the first is weights.tensors.${first})`);
      return;
    }
    seen.set(t.name, i);
    if (!constants.has(t.name)) {
      problems.add([...at, "name"], `'${t.name}' is not a constant node of graph '${graph.name}'`);
      return;
    }
    const spec = graph.tensors[t.name] as TensorSpec;
    if (fmtShape(t.shape) !== fmtShape(spec.shape))
      problems.add(
        [...at, "shape"],
        `${fmtShape(t.shape)} does not match constant node '${t.name}' ${fmtShape(spec.shape)}`,
      );
    if (t.dtype !== spec.dtype)
      problems.add([...at, "dtype"], `${t.dtype} does not match constant node '${t.name}' (${spec.dtype})`);
    if (t.layout !== spec.layout)
      problems.add([...at, "layout"], `${t.layout} does not match constant node '${t.name}' (${spec.layout})`);
    if (t.offset + t.bytes > index.bytes)
      problems.add(
        [...at, "offset"],
        `'${t.name}' spans bytes ${t.offset} to ${t.offset + t.bytes}, past the end of the ${index.bytes}-byte weights file`,
      );
  });
  const missing = [...constants].filter((name) => !seen.has(name)).map((name) => `'${name}'`);
  if (missing.length > 0)
    problems.add(
      ["weights", "tensors"],
      `no entry for constant node${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
    );

  // Overlaps: sorted by offset, each region must end before the next begins.
  const byOffset = index.tensors.map((t, i) => ({ t, i })).sort((a, b) => a.t.offset - b.t.offset);
  for (let k = 1; k < byOffset.length; k++) {
    const prev = byOffset[k - 1];
    const cur = byOffset[k];
    if (cur.t.offset < prev.t.offset + prev.t.bytes)
      problems.add(
        ["weights", "tensors", cur.i, "offset"],
        `'${cur.t.name}' at ${cur.t.offset} overlaps weights.tensors.${prev.i} '${prev.t.name}' (bytes ${prev.t.offset} to ${prev.t.offset + prev.t.bytes})`,
      );
  }
  problems.check();
}

// ---------------------------------------------------------------------------------------------
// Weights file encoding

// Typed arrays are in host byte order; on little-endian hosts (all Node targets in practice)
// their bytes are already the file's and are copied whole, elsewhere element by element.
const LITTLE_ENDIAN_HOST = endianness() === "LE";

function storageMatches(dtype: DType, data: TensorArray): boolean {
  switch (dtype) {
    case "float32":
    case "float16":
      return data instanceof Float32Array;
    case "int32":
      return data instanceof Int32Array;
    case "bool":
      return data instanceof Uint8Array;
  }
}

/** Why a weights entry cannot be written as its constant node's values, or undefined when it can. */
function weightsProblem(spec: TensorSpec, t: TensorData | undefined): string | undefined {
  if (t === undefined) return "has no entry in the weights";
  if (t.dtype !== spec.dtype) return `has ${t.dtype} weights, the node is ${spec.dtype}`;
  if (t.layout !== spec.layout) return `has ${t.layout} weights, the node is ${spec.layout}`;
  if (fmtShape(t.shape) !== fmtShape(spec.shape))
    return `has weights of shape ${fmtShape(t.shape)}, the node is ${fmtShape(spec.shape)}`;
  if (!storageMatches(spec.dtype, t.data)) return `has ${spec.dtype} weights stored in a ${t.data.constructor.name}`;
  const n = numElements(spec.shape);
  if (t.data.length !== n) return `has ${t.data.length} weight values, shape ${fmtShape(spec.shape)} needs ${n}`;
  // A value that is not exactly an fp16 or a bool would be changed by writing it, and a file
  // must read back as exactly what was saved.
  if (spec.dtype === "float16")
    for (let i = 0; i < n; i++) {
      const v = t.data[i];
      if (!Object.is(f16round(v), v) && !Number.isNaN(v))
        return `has float16 weights that are not fp16 values (element ${i} is ${v}; round them with storeAs)`;
    }
  if (spec.dtype === "bool")
    for (let i = 0; i < n; i++)
      if (t.data[i] > 1) return `has bool weights other than 0 and 1 (element ${i} is ${t.data[i]})`;
  return undefined;
}

function encodeTensor(dtype: DType, data: TensorArray, out: Uint8Array, offset: number): void {
  if (dtype === "float16" && LITTLE_ENDIAN_HOST) {
    const bits = new Uint16Array(data.length);
    toFp16Bits(data as Float32Array, bits);
    out.set(new Uint8Array(bits.buffer), offset);
    return;
  }
  if (dtype === "bool" || (LITTLE_ENDIAN_HOST && dtype !== "float16")) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + offset);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (dtype === "float16") setFloat16(view, 2 * i, v, true);
    else if (dtype === "float32") view.setFloat32(4 * i, v, true);
    else view.setInt32(4 * i, v, true);
  }
}

function decodeTensor(dtype: DType, bytes: Uint8Array, n: number): TensorArray {
  const data = allocate(dtype, n);
  if (dtype === "float16" && LITTLE_ENDIAN_HOST) {
    const bits = new Uint16Array(n);
    new Uint8Array(bits.buffer).set(bytes);
    fromFp16Bits(bits, data as Float32Array);
    return data;
  }
  if (dtype === "bool" || (LITTLE_ENDIAN_HOST && dtype !== "float16")) {
    // Copy into the array's own buffer: the file's bytes need not be aligned for a view.
    new Uint8Array(data.buffer).set(bytes);
    return data;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) {
    if (dtype === "float16") data[i] = getFloat16(view, 2 * i, true);
    else if (dtype === "float32") data[i] = view.getFloat32(4 * i, true);
    else data[i] = view.getInt32(4 * i, true);
  }
  return data;
}

/**
 * The weights file's bytes for a graph's constants, in graph order, each at a multiple of
 * WEIGHTS_ALIGNMENT (padding is zero), and their index entries. Throws GraphFileError, starting
 * with `source`, naming every constant whose weights are missing or do not match its node; and
 * any weights entry that is not a constant of the graph (it would be silently dropped).
 */
export function encodeWeights(
  graph: Graph,
  weights: Weights,
  source = "graph",
): { bytes: Uint8Array; tensors: WeightsEntry[] } {
  const constants = graph.nodes.filter((n) => n.op === "constant");
  const problems: string[] = [];
  for (const n of constants) {
    const why = weightsProblem(graph.tensors[n.name], weights.get(n.name));
    if (why !== undefined) problems.push(`constant node '${n.name}' ${why}`);
  }
  const names = new Set(constants.map((n) => n.name));
  for (const key of weights.keys())
    if (!names.has(key)) problems.push(`weights entry '${key}' is not a constant node of graph '${graph.name}'`);
  if (problems.length > 0) throw new GraphFileError(`${source}: ${problems.join("; ")}`);

  const tensors: WeightsEntry[] = [];
  let end = 0;
  for (const n of constants) {
    const spec = graph.tensors[n.name];
    const offset = Math.ceil(end / WEIGHTS_ALIGNMENT) * WEIGHTS_ALIGNMENT;
    const bytes = numElements(spec.shape) * dtypeBytes(spec.dtype);
    tensors.push({ name: n.name, dtype: spec.dtype, shape: [...spec.shape], layout: spec.layout, offset, bytes });
    end = offset + bytes;
  }
  const out = new Uint8Array(end);
  for (const t of tensors) encodeTensor(t.dtype, (weights.get(t.name) as TensorData).data, out, t.offset);
  return { bytes: out, tensors };
}

/**
 * The constants' values from a weights file's bytes, given a checked index. `source` starts
 * error messages (a bool byte other than 0 or 1 is the only thing left to go wrong).
 */
export function decodeWeights(index: readonly WeightsEntry[], bytes: Uint8Array, source = "graph"): Weights {
  const weights: Weights = new Map();
  index.forEach((t, i) => {
    const n = numElements(t.shape);
    const data = decodeTensor(t.dtype, bytes.subarray(t.offset, t.offset + t.bytes), n);
    if (t.dtype === "bool") {
      const bad = data.findIndex((v) => v > 1);
      if (bad >= 0)
        throw new GraphFileError(
          `${source}: weights.tensors.${i}: bool tensor '${t.name}' holds ${data[bad]} at element ${bad} (a bool is 0 or 1)`,
        );
    }
    weights.set(t.name, { shape: [...t.shape], layout: t.layout, dtype: t.dtype, data });
  });
  return weights;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The weights file that goes with a JSON path: `model.json` -> `model.bin` (other names get `.bin` appended). */
export function weightsPathFor(jsonPath: string): string {
  return jsonPath.endsWith(".json") ? `${jsonPath.slice(0, -".json".length)}.bin` : `${jsonPath}.bin`;
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * The JSON text: one line per node and per weights entry, so a large model stays readable and
 * diffs by node.
 */
export function stringifyGraphFile(f: GraphFile): string {
  const one = (v: unknown) => JSON.stringify(v);
  const list = (items: readonly unknown[], indent: string) =>
    items.length === 0 ? "[]" : `[\n${items.map((i) => `${indent}  ${one(i)}`).join(",\n")}\n${indent}]`;
  return [
    "{",
    `  "format": ${one(f.format)},`,
    `  "version": ${one(f.version)},`,
    `  "name": ${one(f.name)},`,
    `  "nodes": ${list(f.nodes, "  ")},`,
    `  "outputs": ${one(f.outputs)},`,
    `  "weights": {`,
    `    "file": ${one(f.weights.file)},`,
    `    "bytes": ${one(f.weights.bytes)},`,
    `    "sha256": ${one(f.weights.sha256)},`,
    `    "tensors": ${list(f.weights.tensors, "    ")}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Write a graph and its weights: `jsonPath` and, beside it, the weights file (weightsPathFor).
 * The graph is re-validated first, so the file carries every parameter resolved and always
 * loads; weights must match their constants exactly (GraphFileError otherwise, before anything
 * is written). Both files are written to temporary files in the same directory and renamed into
 * place, the weights first: a failure never leaves a partly written file under either name, and
 * a JSON file always describes a complete weights file (an old JSON beside a newer weights file
 * is caught on load by the size and SHA-256).
 */
export function saveGraph(graph: Graph, weights: Weights, jsonPath: string): { jsonPath: string; weightsPath: string } {
  let valid: Graph;
  try {
    valid = buildGraph({ name: graph.name, nodes: graph.nodes, outputs: graph.outputs });
  } catch (e) {
    if (e instanceof GraphError) throw new GraphFileError(`${jsonPath}: the graph does not validate: ${e.message}`);
    throw e;
  }
  const { bytes, tensors } = encodeWeights(valid, weights, jsonPath);
  const weightsPath = weightsPathFor(jsonPath);
  const index: WeightsIndex = { file: basename(weightsPath), bytes: bytes.length, sha256: sha256(bytes), tensors };
  const text = stringifyGraphFile(graphToJson(valid, index));

  // A directory under either name would fail the second rename after the first succeeded.
  for (const p of [jsonPath, weightsPath])
    if (existsSync(p) && statSync(p).isDirectory())
      throw new GraphFileError(`${jsonPath}: cannot write the graph: ${p} is a directory`);
  const temps: string[] = [];
  try {
    const binTemp = writeTemp(weightsPath, bytes);
    temps.push(binTemp);
    const jsonTemp = writeTemp(jsonPath, Buffer.from(text, "utf8"));
    temps.push(jsonTemp);
    renameSync(binTemp, weightsPath);
    temps.shift();
    renameSync(jsonTemp, jsonPath);
    temps.shift();
  } catch (e) {
    for (const t of temps) rmSync(t, { force: true });
    throw new GraphFileError(`${jsonPath}: cannot write the graph: ${(e as Error).message}`);
  }
  return { jsonPath, weightsPath };
}

/** Write bytes to a new, uniquely named hidden file beside `path`, flushed to disk; returns its path. */
function writeTemp(path: string, bytes: Uint8Array): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  // "wx": never reuse an existing file, however unlikely the name collision.
  const fd = openSync(temp, "wx");
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  closeSync(fd);
  return temp;
}

/**
 * Read a graph file and its weights file. Every check of graphFromJson, then the weights file:
 * it exists, has the recorded size and SHA-256, and every bool is 0 or 1. Errors are
 * GraphFileError starting with `jsonPath`.
 */
export function loadGraph(jsonPath: string): { graph: Graph; weights: Weights } {
  let text: string;
  try {
    text = readFileSync(jsonPath, "utf8");
  } catch (e) {
    throw new GraphFileError(`${jsonPath}: cannot read the graph file: ${(e as Error).message}`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new GraphFileError(`${jsonPath}: not valid JSON: ${(e as Error).message}`);
  }
  const { graph, weightsIndex } = graphFromJson(obj, jsonPath);

  const weightsPath = join(dirname(jsonPath), weightsIndex.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(weightsPath);
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `cannot be read: ${(e as Error).message}`;
    throw new GraphFileError(`${jsonPath}: weights.file: the weights file ${weightsPath} ${why}`);
  }
  if (bytes.length !== weightsIndex.bytes)
    throw new GraphFileError(
      `${jsonPath}: weights.bytes: the weights file ${weightsPath} is ${bytes.length} bytes, the graph file says ${weightsIndex.bytes} (${bytes.length < weightsIndex.bytes ? "truncated" : "not the file written with this graph"})`,
    );
  const digest = sha256(bytes);
  if (digest !== weightsIndex.sha256)
    throw new GraphFileError(
      `${jsonPath}: weights.sha256: the weights file ${weightsPath} has SHA-256 ${digest}, the graph file says ${weightsIndex.sha256} (damaged, or not the file written with this graph)`,
    );
  return { graph, weights: decodeWeights(weightsIndex.tensors, bytes, jsonPath) };
}
