/**
 * SoC descriptions: the SMAUG baseline and presets, partial files merged field by field over a
 * preset, YAML/JSON loading with errors that name the field, its valid range and the file line,
 * the JSON Schema, and the views other modules take (the cache engine's configuration, the list
 * of accelerator instances).
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { MAX_PORTS, type ResolvedCacheHierarchyConfig, resolveCacheConfig } from "../engine/cache.js";
import { InputError } from "../errors.js";
import {
  type AcceleratorSpec,
  acceleratorEntrySchema,
  acceleratorKindSchema,
  CACHE_LEVEL_DOCS,
  cacheLevelSchema,
  crossFieldIssues,
  knownAcceleratorKinds,
  paramsSchemaFor,
  type Soc,
  socSchema,
} from "./schema.js";

export * from "./schema.js";

// ---------------------------------------------------------------------------------------------
// Baseline and presets
// ---------------------------------------------------------------------------------------------

type Plain = Record<string, unknown>;

const isPlainObject = (v: unknown): v is Plain =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** The SMAUG baseline SoC (paper Table 2): the schema's defaults. Frozen; resolveSoc to change it. */
export const SMAUG_BASELINE: Soc = deepFreeze(socSchema.parse({}));

/**
 * Deep-merge `over` onto `base`: objects merge key by key, everything else (scalars, arrays such
 * as `accelerators`) replaces. A null where the base holds a section keeps the section (a YAML
 * section whose fields are all commented out parses as null).
 */
function mergeOver(base: unknown, over: unknown): unknown {
  if (over === undefined || (over === null && isPlainObject(base))) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Plain = {};
  // defineProperty, so a "__proto__" key in a parsed file stays a plain (unknown) field
  const set = (k: string, v: unknown) =>
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const k of Object.keys(base)) set(k, Object.hasOwn(over, k) ? mergeOver(base[k], over[k]) : base[k]);
  for (const k of Object.keys(over)) if (!Object.hasOwn(base, k)) set(k, over[k]);
  return out;
}

function preset(partial: Plain): Soc {
  const r = socSchema.safeParse(mergeOver(SMAUG_BASELINE, partial));
  if (!r.success) throw new Error(`built-in preset is invalid: ${JSON.stringify(r.error.issues)}`);
  return deepFreeze(r.data);
}

/** What each preset is, for `smaug soc --preset` and the docs. */
export const PRESET_DESCRIPTIONS: Record<string, string> = {
  "smaug-baseline":
    "the SMAUG baseline (paper Table 2): 8 cores at 2.5 GHz, 64 KiB L1D, 2 MiB LLC, LPDDR4 4 x 25.6 GB/s, one SMV accelerator at 1 GHz, AllDma, one thread",
  "smaug-acp": "the baseline with every tensor moved through the coherent ACP port instead of DMA (AllAcp)",
  "smaug-systolic": "the baseline with the paper's systolic array (8 x 8 PEs, 1 GHz, 32 KiB SRAMs) in place of SMV",
  "smaug-optimized":
    "the three SoC-level changes the paper studies, together: AllAcp, 8 SMV accelerators, 8 data-preparation threads",
};

/** Named complete SoCs; a file picks one as its base with `extends: <name>` (default smaug-baseline). */
export const PRESETS: Readonly<Record<string, Soc>> = Object.freeze({
  "smaug-baseline": SMAUG_BASELINE,
  "smaug-acp": preset({ memoryPolicy: "AllAcp" }),
  "smaug-systolic": preset({ accelerators: [{ kind: "systolic" }] }),
  "smaug-optimized": preset({
    memoryPolicy: "AllAcp",
    accelerators: [{ kind: "smv", count: 8 }],
    threads: { workers: 8 },
  }),
});

export const DEFAULT_PRESET = "smaug-baseline";

// ---------------------------------------------------------------------------------------------
// Error messages that name the field and what would be valid
// ---------------------------------------------------------------------------------------------

type Path = readonly PropertyKey[];

export interface SocIssue {
  path: Path;
  message: string;
}

/** The parts of zod's internals this module reads to describe a field's valid values. */
interface ZodLike {
  _zod: {
    def: {
      type: string;
      innerType?: ZodLike;
      in?: ZodLike;
      shape?: Record<string, ZodLike>;
      element?: ZodLike;
      valueType?: ZodLike;
      options?: ZodLike[];
      entries?: Record<string, unknown>;
      values?: unknown[];
      checks?: {
        _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string; minimum?: number } };
      }[];
    };
  };
  description?: string;
}

const WRAPPERS = new Set(["default", "prefault", "optional", "nullable", "readonly", "catch", "nonoptional"]);
const asLike = (s: unknown) => s as ZodLike;
const ENTRY = asLike(acceleratorEntrySchema);
const LEVEL = asLike(cacheLevelSchema);

function unwrap(s: ZodLike): ZodLike {
  let cur = s;
  for (;;) {
    const d = cur._zod.def;
    if (WRAPPERS.has(d.type) && d.innerType) cur = d.innerType;
    else if (d.type === "pipe" && d.in) cur = d.in;
    else return cur;
  }
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== "object" || v === null || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The schema of the field at `path` as declared (wrappers such as defaults included); params by the entry's kind. */
function schemaAt(path: Path, input: unknown): ZodLike | undefined {
  let s: ZodLike | undefined = asLike(socSchema);
  for (let i = 0; i < path.length && s !== undefined; i++) {
    const key = path[i];
    const u = unwrap(s);
    const def = u._zod.def;
    if (u === ENTRY && key === "params") {
      const kind = valueAt(input, [...path.slice(0, i), "kind"]);
      s = typeof kind === "string" ? asLike(paramsSchemaFor(kind)) : undefined;
    } else if (def.type === "object" && typeof key === "string" && def.shape && Object.hasOwn(def.shape, key))
      s = def.shape[key];
    else if (def.type === "array" && typeof key === "number") s = def.element;
    else if (def.type === "record") s = def.valueType;
    else s = undefined;
  }
  return s;
}

const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12))));

/** What a schema accepts, in words: "an integer from 1 to 32", `one of "lru", "fifo"`, ... */
export function describeExpected(schema: unknown): string | undefined {
  const s = unwrap(asLike(schema));
  const def = s._zod.def;
  switch (def.type) {
    case "number": {
      let isInt = false;
      let lo: number | undefined;
      let hi: number | undefined;
      let loInc = true;
      let hiInc = true;
      for (const c of def.checks ?? []) {
        const d = c._zod.def;
        if (d.check === "number_format" && d.format !== undefined && /int/.test(d.format)) isInt = true;
        if (d.check === "greater_than" && d.value !== undefined) [lo, loInc] = [d.value, d.inclusive ?? true];
        if (d.check === "less_than" && d.value !== undefined) [hi, hiInc] = [d.value, d.inclusive ?? true];
      }
      if (hi !== undefined && hi >= Number.MAX_SAFE_INTEGER) hi = undefined;
      const what = isInt ? "an integer" : "a number";
      if (lo !== undefined && hi !== undefined && loInc && hiInc) return `${what} from ${num(lo)} to ${num(hi)}`;
      const parts: string[] = [];
      if (lo !== undefined) parts.push(`${loInc ? ">=" : ">"} ${num(lo)}`);
      if (hi !== undefined) parts.push(`${hiInc ? "<=" : "<"} ${num(hi)}`);
      return parts.length > 0 ? `${what} ${parts.join(" and ")}` : what;
    }
    case "string":
      return s === asLike(acceleratorKindSchema)
        ? `an accelerator kind (${knownAcceleratorKinds().join(", ")})`
        : "a string";
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${Object.values(def.entries ?? {})
        .map((v) => JSON.stringify(v))
        .join(", ")}`;
    case "literal":
      return (def.values ?? []).map((v) => JSON.stringify(v)).join(" or ");
    case "union": {
      const parts = (def.options ?? []).map((o) => describeExpected(o));
      return parts.every((p) => p !== undefined) ? parts.join(" or ") : undefined;
    }
    case "object":
    case "record":
      return "a mapping of fields";
    case "array": {
      const min = (def.checks ?? []).find((c) => c._zod.def.check === "min_length")?._zod.def.minimum;
      return min ? `a list of at least ${min} ${min === 1 ? "entry" : "entries"}` : "a list";
    }
    default:
      return undefined;
  }
}

function show(v: unknown): string {
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return v.length === 0 ? "got an empty list" : "got a list";
  if (isPlainObject(v)) return "got a mapping";
  const s = typeof v === "string" ? JSON.stringify(v) : String(v);
  return `got ${s.length > 40 ? `${s.slice(0, 37)}...` : s}`;
}

/** Field names valid at `path` (an object schema), for "unknown field" messages. */
function fieldsAt(path: Path, input: unknown): string[] | undefined {
  const s = schemaAt(path, input);
  if (s === undefined) return undefined;
  const def = unwrap(s)._zod.def;
  return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

const REWRITTEN = new Set([
  "invalid_type",
  "too_small",
  "too_big",
  "invalid_union",
  "invalid_value",
  "not_multiple_of",
]);

/** zod's issues, one per problem, each naming its field and (for value errors) the valid range. */
export function collectIssues(error: z.ZodError, input: unknown): SocIssue[] {
  const out: SocIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      const valid = fieldsAt(issue.path, input);
      for (const key of issue.keys)
        out.push({
          path: [...issue.path, key],
          message: `unknown field${valid ? ` (valid fields here: ${valid.join(", ")})` : ""}`,
        });
      continue;
    }
    const leaf = REWRITTEN.has(issue.code) ? schemaAt(issue.path, input) : undefined;
    const expected = leaf && describeExpected(leaf);
    out.push({
      path: issue.path,
      message: expected ? `must be ${expected} (${show(valueAt(input, issue.path))})` : issue.message,
    });
  }
  return dedupe(out);
}

function dedupe(issues: SocIssue[]): SocIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${formatPath(i.path)}\0${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `accelerators[0].params.pes` */
export function formatPath(path: Path): string {
  let s = "";
  for (const k of path) s += typeof k === "number" ? `[${k}]` : s === "" ? String(k) : `.${String(k)}`;
  return s || "(root)";
}

const MAX_SHOWN = 8;

function formatIssues(issues: SocIssue[], locate?: (path: Path) => number | undefined): string {
  const parts = issues.slice(0, MAX_SHOWN).map((i) => {
    const line = i.path.length > 0 ? locate?.(i.path) : undefined;
    return `${formatPath(i.path)}${line !== undefined ? ` (line ${line})` : ""}: ${i.message}`;
  });
  if (issues.length > MAX_SHOWN) parts.push(`and ${issues.length - MAX_SHOWN} more`);
  return parts.join("; ");
}

// ---------------------------------------------------------------------------------------------
// Resolving partial descriptions
// ---------------------------------------------------------------------------------------------

export interface ResolveOptions {
  /** The preset to merge over when the description has no `extends` (default smaug-baseline). */
  preset?: string;
}

function presetNames(): string {
  return Object.keys(PRESETS).join(", ");
}

function resolveWith(
  partial: unknown,
  source: string | undefined,
  options: ResolveOptions,
  locate?: (path: Path) => number | undefined,
): Soc {
  const fail = (issues: SocIssue[]): never => {
    throw new InputError(`${source ?? "invalid SoC description"}: ${formatIssues(issues, locate)}`);
  };
  if (options.preset !== undefined && !Object.hasOwn(PRESETS, options.preset))
    throw new InputError(`unknown SoC preset '${options.preset}' (presets: ${presetNames()})`);
  let body: Plain = {};
  if (partial !== undefined && partial !== null) {
    if (!isPlainObject(partial)) fail([{ path: [], message: `must be a mapping of SoC fields (${show(partial)})` }]);
    else body = partial;
  }
  const { extends: ext, ...rest } = body;
  let base = options.preset ?? DEFAULT_PRESET;
  if (ext !== undefined) {
    if (typeof ext !== "string" || !Object.hasOwn(PRESETS, ext))
      fail([{ path: ["extends"], message: `must name a preset: ${presetNames()} (${show(ext)})` }]);
    else if (options.preset !== undefined && options.preset !== ext)
      fail([{ path: ["extends"], message: `'${ext}' conflicts with the preset asked for ('${options.preset}')` }]);
    else base = ext;
  }
  const merged = mergeOver(PRESETS[base], rest);
  const r = socSchema.safeParse(merged);
  // the cross-field checks run inside the schema only when every field is valid; here they are
  // reported together with the fields' own problems
  if (!r.success) return fail(dedupe([...collectIssues(r.error, merged), ...crossFieldIssues(merged)]));
  return r.data;
}

/**
 * A complete SoC from a partial description: `partial` is merged field by field over the preset
 * it names with `extends` (else `options.preset`, else the SMAUG baseline) — objects merge
 * recursively, arrays (`accelerators`) replace, and an accelerator's `params` take that kind's
 * defaults for whatever they omit — then validated. Errors are InputErrors naming each field and
 * its valid range, starting with `source` when given.
 */
export function resolveSoc(partial: unknown, source?: string, options: ResolveOptions = {}): Soc {
  return resolveWith(partial, source, options);
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/** Offset of the first JSON syntax error in `t` (JSON.parse does not always say where). */
function jsonErrorOffset(t: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < t.length && (t[i] === " " || t[i] === "\t" || t[i] === "\n" || t[i] === "\r")) i++;
  };
  const literal = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
  const str = () => {
    i++;
    while (i < t.length && t[i] !== '"') {
      if (t[i] < " ") fail();
      i += t[i] === "\\" ? 2 : 1;
    }
    if (i >= t.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = t[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (t[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (t[i] !== '"') fail();
          str();
          ws();
          if (t[i] !== ":") fail();
          i++;
        }
        value();
        ws();
        if (t[i] === ",") i++;
        else if (t[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      str();
      return;
    }
    literal.lastIndex = i;
    const m = literal.exec(t);
    if (m === null) fail();
    else i += m[0].length;
  };
  try {
    value();
    ws();
    if (i < t.length) fail();
    return -1;
  } catch (e) {
    if (typeof e === "number") return e;
    throw e;
  }
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${path}: no such SoC file`);
    if (code === "EISDIR") throw new InputError(`${path}: is a directory, not a SoC file`);
    throw new InputError(`${path}: cannot read the SoC file (${(e as Error).message})`);
  }
}

/**
 * A partial SoC description from a YAML (.yaml, .yml) or JSON (.json) file, resolved over its
 * preset (see resolveSoc). Syntax errors name the file, line and column; validation errors name
 * the file, each field, its line and its valid range. Unknown fields are errors.
 */
export function loadSocFile(path: string, options: ResolveOptions = {}): Soc {
  const ext = extname(path).toLowerCase();
  if (ext !== ".yaml" && ext !== ".yml" && ext !== ".json")
    throw new InputError(`${path}: a SoC file must end in .yaml, .yml or .json`);
  const text = readText(path);
  let data: unknown;
  if (ext === ".json") {
    try {
      data = JSON.parse(text);
    } catch {
      const at = jsonErrorOffset(text);
      const where = lineCol(text, at < 0 ? text.length : at);
      const found = at >= 0 && at < text.length ? `unexpected ${JSON.stringify(text[at])}` : "unexpected end of file";
      throw new InputError(`${path}: line ${where.line}, column ${where.col}: invalid JSON: ${found}`);
    }
  }
  // JSON is YAML too: its document gives the line of every field for validation errors.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (ext !== ".json") {
    const err = doc.errors[0];
    if (err !== undefined) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      throw new InputError(`${path}: line ${line}, column ${col}: ${err.message.split("\n")[0]}`);
    }
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new InputError(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const locate = (p: Path): number | undefined => {
    if (doc.errors.length > 0) return undefined;
    const node = doc.getIn(p as unknown[], true);
    return isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  return resolveWith(data, path, options, locate);
}

// ---------------------------------------------------------------------------------------------
// JSON Schema
// ---------------------------------------------------------------------------------------------

/**
 * The JSON Schema (draft 2020-12) of a SoC file: every field with its type, range, unit and
 * default; accelerator `params` checked per built-in kind; `extends` naming a preset. A file is
 * partial (missing fields take the preset's values), so no field is required.
 */
export function socJsonSchema(): Record<string, unknown> {
  const kindParams = knownAcceleratorKinds().flatMap((kind) => {
    const schema = paramsSchemaFor(kind);
    if (schema === undefined) return [];
    try {
      const { $schema: _, ...params } = z.toJSONSchema(schema, { io: "input" }) as Plain;
      const when = { properties: { kind: { const: kind } }, required: ["kind"] };
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords
      return [{ if: when, then: { properties: { params } } }];
    } catch {
      return []; // a registered model's schema with types JSON Schema cannot express
    }
  });
  const schema = z.toJSONSchema(socSchema, {
    io: "input",
    target: "draft-2020-12",
    override: (ctx) => {
      const zs = ctx.zodSchema as unknown;
      const js = ctx.jsonSchema as Plain;
      // a partial file may give any subset of a cache level: the merge supplies the rest
      if (zs === LEVEL) delete js.required;
      if (zs === LEVEL && isPlainObject(js.properties))
        for (const [k, v] of Object.entries(js.properties))
          if (isPlainObject(v) && CACHE_LEVEL_DOCS[k] !== undefined) v.description = CACHE_LEVEL_DOCS[k];
      if (zs === ENTRY) {
        if (kindParams.length > 0) js.allOf = kindParams;
        if (isPlainObject(js.properties) && isPlainObject(js.properties.kind))
          js.properties.kind.examples = knownAcceleratorKinds();
      }
    },
  }) as Plain;
  const props = schema.properties as Plain;
  return {
    $schema: schema.$schema,
    $id: "https://smaug-sim.dev/schemas/soc.json",
    title: "smaug-sim SoC description",
    description:
      "A partial SoC description: every field omitted takes the value of the preset named by `extends` (default smaug-baseline, the SMAUG paper's Table 2). Units are in the field names.",
    type: "object",
    properties: {
      extends: {
        type: "string",
        enum: Object.keys(PRESETS),
        default: DEFAULT_PRESET,
        description: "the preset this file overrides",
      },
      ...props,
    },
    additionalProperties: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Views for the rest of the simulator
// ---------------------------------------------------------------------------------------------

/** One accelerator instance: entries with count N expand to N instances, in order. */
export interface AcceleratorInstance {
  /** Position among all instances; also the instance's ACP port into the LLC. */
  index: number;
  /** e.g. "smv0", "smv1", "systolic0": the kind and its index among instances of that kind. */
  name: string;
  kind: string;
  clockGHz: number;
  params: AcceleratorSpec["params"];
  /** Which entry of `soc.accelerators` it comes from. */
  entry: number;
}

export function acceleratorInstances(soc: Soc): AcceleratorInstance[] {
  const out: AcceleratorInstance[] = [];
  const perKind = new Map<string, number>();
  soc.accelerators.forEach((a, entry) => {
    for (let i = 0; i < a.count; i++) {
      const k = perKind.get(a.kind) ?? 0;
      perKind.set(a.kind, k + 1);
      out.push({
        index: out.length,
        name: `${a.kind}${k}`,
        kind: a.kind,
        clockGHz: a.clockGHz,
        params: a.params,
        entry,
      });
    }
  });
  return out;
}

/** The cache engine's configuration for this SoC: cores from cpu.cores, one ACP port per accelerator instance. */
export function cacheConfigOf(soc: Soc): ResolvedCacheHierarchyConfig {
  const accelPorts = soc.accelerators.reduce((n, a) => n + a.count, 0);
  if (accelPorts > MAX_PORTS) throw new InputError(`accelerators: ${accelPorts} instances; at most ${MAX_PORTS}`);
  return resolveCacheConfig({
    cores: soc.cpu.cores,
    accelPorts,
    l1d: soc.caches.l1d,
    llc: soc.caches.llc,
    seed: soc.caches.seed,
  });
}

// ---------------------------------------------------------------------------------------------
// YAML output
// ---------------------------------------------------------------------------------------------

/** The description of the field at `path` (schema `.describe()` text; cache-level docs). */
export function fieldDescription(path: Path, soc: unknown = SMAUG_BASELINE): string | undefined {
  if (path.length >= 1) {
    const parent = schemaAt(path.slice(0, -1), soc);
    const key = path[path.length - 1];
    if (parent && unwrap(parent) === LEVEL && typeof key === "string") return CACHE_LEVEL_DOCS[key];
  }
  let s = schemaAt(path, soc);
  while (s !== undefined) {
    if (s.description) return s.description;
    const d = s._zod.def;
    s = WRAPPERS.has(d.type) ? d.innerType : d.type === "pipe" ? d.in : undefined;
  }
  return undefined;
}

/**
 * A SoC as YAML, each field commented with its description (unit, default's source), under an
 * optional header comment. The output is itself a valid SoC file.
 */
export function socToYaml(soc: Soc, header?: string): string {
  const doc = new Document(soc);
  const annotate = (node: unknown, path: PropertyKey[]) => {
    if (isMap(node))
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        const p = [...path, key as PropertyKey];
        const text = path.includes("params") ? undefined : fieldDescription(p, soc);
        if (text && isScalar(pair.value)) pair.value.comment = ` ${text}`;
        else if (text && isScalar(pair.key)) pair.key.commentBefore = ` ${text}`;
        annotate(pair.value, p);
      }
    else if (isSeq(node)) for (const [i, item] of node.items.entries()) annotate(item, [...path, i]);
  };
  annotate(doc.contents, []);
  if (header)
    doc.commentBefore = header
      .split("\n")
      .map((l) => ` ${l}`)
      .join("\n");
  return doc.toString({ lineWidth: 0 });
}
