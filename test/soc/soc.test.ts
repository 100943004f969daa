import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { parse as parseYaml } from "yaml";
import { registerSocCommand } from "../../src/cli/soc-command.js";
import { InputError } from "../../src/errors.js";
import {
  acceleratorInstances,
  cacheConfigOf,
  loadSocFile,
  PRESETS,
  resolveSoc,
  SMAUG_BASELINE,
  type Soc,
  socJsonSchema,
  socSchema,
  socToYaml,
} from "../../src/soc/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** resolveSoc must throw an InputError whose whole message matches `re`. */
function rejects(partial: unknown, re: RegExp, source = "soc.yaml"): void {
  assert.throws(
    () => resolveSoc(partial, source),
    (e: unknown) => {
      assert.ok(e instanceof InputError, `not an InputError: ${e}`);
      assert.match(e.message, re);
      return true;
    },
  );
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `not an InputError: ${e}`);
    return e.message;
  }
  assert.fail("did not throw");
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe("SoC description", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-soc-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  describe("defaults: the SMAUG baseline (paper Table 2)", () => {
    it("CPU: 8 out-of-order x86 cores, 2.5 GHz, 8-wide issue, 192-entry ROB", () => {
      const { cpu } = SMAUG_BASELINE;
      assert.equal(cpu.cores, 8);
      assert.equal(cpu.clockGHz, 2.5);
      assert.equal(cpu.issueWidth, 8);
      assert.equal(cpu.robEntries, 192);
    });

    it("caches: L1D 64 KB 4-way 32 B LRU 2-cycle per core; LLC 2 MB shared 16-way LRU 20-cycle", () => {
      assert.deepEqual(SMAUG_BASELINE.caches.l1d, {
        sizeBytes: 64 * 1024,
        lineBytes: 32,
        ways: 4,
        replacement: "lru",
        hitLatencyCycles: 2,
      });
      assert.deepEqual(SMAUG_BASELINE.caches.llc, {
        sizeBytes: 2 * 1024 * 1024,
        lineBytes: 32,
        ways: 16,
        replacement: "lru",
        hitLatencyCycles: 20,
      });
    });

    it("DRAM: LPDDR4 at 3200 MT/s, 4 channels, 25.6 GB/s, 4 GB", () => {
      const { dram } = SMAUG_BASELINE;
      assert.match(dram.type, /LPDDR4/);
      assert.match(dram.type, /3200/);
      assert.equal(dram.channels, 4);
      assert.equal(dram.bandwidthGBps, 25.6);
      assert.equal(dram.sizeGiB, 4);
      // 4 channels x 3200 MT/s x 2 B (x16) = 25.6 GB/s: the label and the bandwidth agree
      assert.equal((dram.channels * 3200e6 * 2) / 1e9, dram.bandwidthGBps);
      // DRAMsim3 LPDDR4_8Gb_x16_2400.ini: tRCD = tRP = 15 and CL = 17 cycles of tCK = 0.83 ns
      assert.deepEqual(
        [dram.rowBuffer.activateNs, dram.rowBuffer.prechargeNs, dram.rowBuffer.casNs],
        [12.45, 12.45, 14.11],
      );
      assert.equal(dram.rowBuffer.banksPerChannel, 2 * 4);
      assert.equal(dram.rowBuffer.rowBytes, (1024 * 16) / 8);
      assert.ok(dram.latencyNs >= dram.rowBuffer.activateNs + dram.rowBuffer.casNs);
    });

    it("one SMV accelerator at 1 GHz: 8 PEs x 32 MACCs, 8-lane vectors, three 32 KB scratchpads", () => {
      assert.equal(SMAUG_BASELINE.accelerators.length, 1);
      const [a] = SMAUG_BASELINE.accelerators;
      assert.equal(a.kind, "smv");
      assert.equal(a.count, 1);
      assert.equal(a.clockGHz, 1);
      const p = a.params;
      assert.equal(p.pes, 8);
      assert.equal(p.maccsPerPe, 32);
      assert.equal((p.pes as number) * (p.maccsPerPe as number), 256); // 256 MACs/cycle peak
      assert.equal(p.vectorLanes, 8);
      assert.deepEqual([p.inputsSpadKiB, p.weightsSpadKiB, p.outputsSpadKiB], [32, 32, 32]);
    });

    it("DMA: 100-cycle setup, 64 B chunks, 16 outstanding, 4 KB pages, pipelined; ACP hit 20 cycles", () => {
      const { dma, acp } = SMAUG_BASELINE.hostInterface;
      assert.equal(dma.setupCycles, 100);
      assert.equal(dma.chunkBytes, 64);
      assert.equal(dma.maxOutstanding, 16);
      assert.equal(dma.pageBytes, 4096);
      assert.equal(dma.pipelined, true);
      assert.equal(acp.hitLatencyCycles, 20);
    });

    it("memory policy AllDma and a single thread (the paper's baseline)", () => {
      assert.equal(SMAUG_BASELINE.memoryPolicy, "AllDma");
      assert.equal(SMAUG_BASELINE.threads.workers, 1);
    });

    it("is the schema's default, the smaug-baseline preset and resolveSoc({}); it is frozen", () => {
      assert.deepEqual(socSchema.parse({}), SMAUG_BASELINE);
      assert.equal(PRESETS["smaug-baseline"], SMAUG_BASELINE);
      const soc = resolveSoc({});
      assert.deepEqual(soc, SMAUG_BASELINE);
      assert.throws(() => {
        (SMAUG_BASELINE.cpu as { cores: number }).cores = 2;
      }, TypeError);
      soc.cpu.cores = 2; // a resolved SoC is the caller's own copy
      assert.equal(SMAUG_BASELINE.cpu.cores, 8);
    });

    it("every field of the JSON Schema has a description (units and source)", () => {
      const missing: string[] = [];
      const walk = (s: Record<string, unknown>, path: string) => {
        const props = s.properties as Record<string, Record<string, unknown>> | undefined;
        if (props)
          for (const [k, v] of Object.entries(props)) {
            if (typeof v.description !== "string" || v.description.length < 8) missing.push(`${path}${k}`);
            walk(v, `${path}${k}.`);
          }
        const items = s.items as Record<string, unknown> | undefined;
        if (items) walk(items, `${path}[].`);
      };
      walk(socJsonSchema(), "");
      assert.deepEqual(missing, []);
    });
  });

  describe("partial descriptions override field by field", () => {
    it("one nested field changes; its siblings and every other section keep the defaults", () => {
      const soc = resolveSoc({ cpu: { cores: 4 } });
      const expected = clone(SMAUG_BASELINE);
      expected.cpu.cores = 4;
      assert.deepEqual(soc, expected);

      const llc = resolveSoc({ caches: { llc: { ways: 8 } } });
      const e2 = clone(SMAUG_BASELINE);
      e2.caches.llc.ways = 8;
      assert.deepEqual(llc, e2);

      const dma = resolveSoc({
        hostInterface: { dma: { pipelined: false } },
        dram: { rowBuffer: { policy: "closed" } },
      });
      assert.equal(dma.hostInterface.dma.pipelined, false);
      assert.equal(dma.hostInterface.dma.setupCycles, 100);
      assert.deepEqual(dma.hostInterface.acp, SMAUG_BASELINE.hostInterface.acp);
      assert.equal(dma.dram.rowBuffer.policy, "closed");
      assert.equal(dma.dram.rowBuffer.casNs, 14.11);
      assert.equal(dma.dram.channels, 4);
    });

    it("a section left empty (YAML null) keeps its defaults", () => {
      assert.deepEqual(resolveSoc({ cpu: null, threads: null }), SMAUG_BASELINE);
    });

    it("accelerators replace as a list; each entry's params merge over that kind's defaults", () => {
      const soc = resolveSoc({
        accelerators: [
          { kind: "smv", count: 2, params: { pes: 16 } },
          { kind: "systolic", clockGHz: 0.5, params: { rows: 32, dataflow: "ws" } },
        ],
      });
      assert.equal(soc.accelerators.length, 2);
      const [smv, sys] = soc.accelerators;
      assert.deepEqual(smv, {
        kind: "smv",
        count: 2,
        clockGHz: 1,
        params: { ...SMAUG_BASELINE.accelerators[0].params, pes: 16 },
      });
      assert.equal(sys.count, 1);
      assert.equal(sys.clockGHz, 0.5);
      // the systolic array's defaults are the paper's 8x8 array with 32 KB SRAMs; rows and dataflow changed
      assert.deepEqual(
        [sys.params.rows, sys.params.cols, sys.params.dataflow, sys.params.ifmapSramKiB, sys.params.filterSramKiB],
        [32, 8, "ws", 32, 32],
      );
    });

    it("`extends` picks the base preset; options.preset does the same; both disagreeing is an error", () => {
      const soc = resolveSoc({ extends: "smaug-acp", threads: { workers: 2 } });
      assert.equal(soc.memoryPolicy, "AllAcp");
      assert.equal(soc.threads.workers, 2);
      assert.equal(soc.cpu.cores, 8);
      assert.equal(resolveSoc({}, undefined, { preset: "smaug-systolic" }).accelerators[0].kind, "systolic");
      assert.deepEqual(resolveSoc({ extends: "smaug-acp" }, undefined, { preset: "smaug-acp" }), PRESETS["smaug-acp"]);
      assert.match(
        messageOf(() => resolveSoc({ extends: "smaug-acp" }, "x", { preset: "smaug-systolic" })),
        /^x: extends: 'smaug-acp' conflicts with the preset asked for \('smaug-systolic'\)$/,
      );
      assert.throws(
        () => resolveSoc({}, undefined, { preset: "nope" }),
        (e: unknown) => e instanceof InputError && /unknown SoC preset 'nope'.*smaug-baseline/.test(e.message),
      );
    });

    it("presets: each is valid and differs from the baseline only where its description says", () => {
      assert.ok(Object.keys(PRESETS).length >= 2);
      const acp = clone(SMAUG_BASELINE);
      acp.memoryPolicy = "AllAcp";
      assert.deepEqual(PRESETS["smaug-acp"], acp);
      const sys = PRESETS["smaug-systolic"].accelerators;
      assert.equal(sys.length, 1);
      assert.equal(sys[0].kind, "systolic");
      assert.equal(sys[0].clockGHz, 1);
      assert.deepEqual(
        [sys[0].params.rows, sys[0].params.cols, sys[0].params.ifmapSramKiB, sys[0].params.ofmapSramKiB],
        [8, 8, 32, 32],
      );
      const opt = PRESETS["smaug-optimized"];
      assert.deepEqual(
        [opt.memoryPolicy, opt.accelerators[0].kind, opt.accelerators[0].count, opt.threads.workers],
        ["AllAcp", "smv", 8, 8],
      );
      for (const p of Object.values(PRESETS)) {
        assert.deepEqual(socSchema.parse(clone(p)), p);
        assert.deepEqual(resolveSoc(p), p); // a complete (even frozen) SoC is a valid partial
      }
    });
  });

  describe("files", () => {
    it("loads YAML (.yaml and .yml) and JSON partial files", () => {
      const y = file(
        "a.yaml",
        "# comment\ncpu:\n  cores: 4   # fewer cores\nthreads:\n  workers: 4\nmemoryPolicy: AllAcpWithDmaForWeights\n",
      );
      const soc = loadSocFile(y);
      assert.deepEqual(
        [soc.cpu.cores, soc.cpu.clockGHz, soc.threads.workers, soc.memoryPolicy],
        [4, 2.5, 4, "AllAcpWithDmaForWeights"],
      );
      assert.deepEqual(loadSocFile(file("b.yml", "extends: smaug-acp\n")), PRESETS["smaug-acp"]);
      const j = file(
        "c.json",
        JSON.stringify({ accelerators: [{ kind: "smv", count: 3 }], dram: { bandwidthGBps: 51.2 } }, null, 2),
      );
      const fromJson = loadSocFile(j);
      assert.equal(fromJson.accelerators[0].count, 3);
      assert.equal(fromJson.dram.bandwidthGBps, 51.2);
      assert.equal(fromJson.dram.channels, 4);
      assert.deepEqual(loadSocFile(file("empty.yaml", "# nothing changed\n")), SMAUG_BASELINE);
    });

    it("the examples in examples/soc load and say what their comments say", () => {
      const acp = loadSocFile(join(root, "examples/soc/acp.yaml"));
      assert.deepEqual(acp, PRESETS["smaug-acp"]);
      const eight = loadSocFile(join(root, "examples/soc/eight-smv.yaml"));
      assert.deepEqual([eight.accelerators[0].kind, eight.accelerators[0].count, eight.threads.workers], ["smv", 8, 8]);
      const sys = loadSocFile(join(root, "examples/soc/systolic-16x16.yaml"));
      assert.deepEqual(
        [sys.accelerators[0].params.rows, sys.accelerators[0].params.cols, sys.accelerators[0].params.dataflow],
        [16, 16, "ws"],
      );
      assert.equal(sys.memoryPolicy, "AllAcpWithDmaForWeights");
    });

    it("the YAML `smaug soc` prints is itself a valid SoC file that loads back unchanged", () => {
      for (const [name, soc] of Object.entries(PRESETS)) {
        const text = socToYaml(soc, `preset ${name}`);
        assert.ok(text.startsWith(`# preset ${name}\n`));
        assert.deepEqual(loadSocFile(file(`${name}.yaml`, text)), soc);
      }
    });
  });

  describe("errors name the field and the valid range", () => {
    it("bad type", () => {
      rejects({ cpu: { cores: "eight" } }, /^soc\.yaml: cpu\.cores: must be an integer from 1 to 32 \(got "eight"\)$/);
      rejects({ hostInterface: { dma: { pipelined: "yes" } } }, /hostInterface\.dma\.pipelined: must be true or false/);
      rejects({ cpu: 8 }, /^soc\.yaml: cpu: must be a mapping of fields \(got 8\)$/);
      rejects({ accelerators: { kind: "smv" } }, /accelerators: must be a list of at least 1 entry \(got a mapping\)/);
      rejects(
        { caches: { l1d: { ways: "many" } } },
        /caches\.l1d\.ways: must be an integer > 0 or "full" \(got "many"\)/,
      );
    });

    it("out of range", () => {
      rejects({ cpu: { cores: 0 } }, /^soc\.yaml: cpu\.cores: must be an integer from 1 to 32 \(got 0\)$/);
      rejects({ cpu: { cores: 33 } }, /cpu\.cores: must be an integer from 1 to 32 \(got 33\)/);
      rejects({ cpu: { cores: 2.5 } }, /cpu\.cores: must be an integer from 1 to 32 \(got 2\.5\)/);
      rejects({ cpu: { clockGHz: 0 } }, /cpu\.clockGHz: must be a number > 0 and <= 100 \(got 0\)/);
      rejects({ dram: { channels: 65 } }, /dram\.channels: must be an integer from 1 to 64 \(got 65\)/);
      rejects({ accelerators: [] }, /accelerators: must be a list of at least 1 entry \(got an empty list\)/);
      rejects(
        { accelerators: [{ kind: "smv", count: 0 }] },
        /accelerators\[0\]\.count: must be an integer from 1 to 64/,
      );
      rejects(
        { accelerators: [{ kind: "smv", params: { pes: 0 } }] },
        /^soc\.yaml: accelerators\[0\]\.params\.pes: must be an integer from 1 to 1024 \(got 0\)$/,
      );
      rejects(
        { accelerators: [{ kind: "systolic", params: { dataflow: "rs" } }] },
        /accelerators\[0\]\.params\.dataflow: must be one of "os", "ws", "is" \(got "rs"\)/,
      );
      rejects({ memoryPolicy: "dma" }, /memoryPolicy: must be one of "AllDma", "AllAcp", "AllAcpWithDmaForWeights"/);
      rejects(
        { hostInterface: { dma: { chunkBytes: 48 } } },
        /hostInterface\.dma\.chunkBytes: must be a power of two \(got 48\)/,
      );
    });

    it("unknown fields, at any depth, with the valid ones", () => {
      rejects(
        { cache: {} },
        /^soc\.yaml: cache: unknown field \(valid fields here: cpu, caches, dram, accelerators, hostInterface, memoryPolicy, threads, energy\)$/,
      );
      rejects({ cpu: { frequencyGHz: 3 } }, /cpu\.frequencyGHz: unknown field \(valid fields here: cores, clockGHz, /);
      rejects({ caches: { l2: {} } }, /caches\.l2: unknown field \(valid fields here: l1d, llc, seed\)/);
      rejects(
        { accelerators: [{ kind: "smv", params: { macs: 9 } }] },
        /accelerators\[0\]\.params\.macs: unknown field \(valid fields here: pes, /,
      );
      rejects({ accelerators: [{ kind: "smv", clock: 2 }] }, /accelerators\[0\]\.clock: unknown field/);
    });

    it("unknown accelerator kind lists the known kinds", () => {
      rejects(
        { accelerators: [{ kind: "tpu" }] },
        /^soc\.yaml: accelerators\[0\]\.kind: unknown accelerator kind 'tpu' \(known: [^)]*smv[^)]*systolic/,
      );
      rejects(
        { accelerators: [{ count: 2 }] },
        /accelerators\[0\]\.kind: must be an accelerator kind \([^)]*smv.*\(missing\)/,
      );
    });

    it("cross-field checks: workers <= cores, at most 64 accelerator instances, one line size", () => {
      rejects(
        { cpu: { cores: 4 }, threads: { workers: 8 } },
        /^soc\.yaml: threads\.workers: must be an integer from 1 to cpu\.cores = 4 \(got 8\)$/,
      );
      rejects(
        {
          accelerators: [
            { kind: "smv", count: 40 },
            { kind: "systolic", count: 40 },
          ],
        },
        /accelerators: 80 accelerator instances in total; at most 64/,
      );
      rejects({ caches: { llc: { lineBytes: 64 } } }, /caches\.llc\.lineBytes: must equal l1d\.lineBytes \(32\)/);
      rejects({ caches: { l1d: { sizeBytes: 1000 } } }, /caches\.l1d\.sizeBytes: must be a multiple of lineBytes/);
      rejects(
        { dram: { latencyNs: 10 } },
        /dram\.latencyNs: must be at least rowBuffer\.activateNs \+ rowBuffer\.casNs = 26\.56/,
      );
      // an invalid field is reported once, not again through the checks that depend on it
      const m = messageOf(() => resolveSoc({ cpu: { cores: 0 } }));
      assert.doesNotMatch(m, /workers/);
    });

    it("several problems are reported together, cross-field ones included", () => {
      rejects(
        { cpu: { cores: 4 }, threads: { workers: 6 }, accelerators: [{ kind: "smv", params: { pes: 0 } }] },
        /^soc\.yaml: accelerators\[0\]\.params\.pes: .*; threads\.workers: must be an integer from 1 to cpu\.cores = 4 \(got 6\)$/,
      );
      rejects(
        { cpu: { cores: 0 }, dram: { channels: 0 }, bogus: 1 },
        /cpu\.cores: .*; dram\.channels: .*; bogus: unknown field/,
      );
    });

    it("a description that is not a mapping, or a bad `extends`", () => {
      rejects([1, 2], /^soc\.yaml: \(root\): must be a mapping of SoC fields \(got a list\)$/);
      rejects(
        { extends: "smaug-fast" },
        /^soc\.yaml: extends: must name a preset: smaug-baseline, .* \(got "smaug-fast"\)$/,
      );
      assert.match(
        messageOf(() => resolveSoc({ cpu: { cores: 0 } })),
        /^invalid SoC description: cpu\.cores/,
      );
    });

    it("file errors name the file and, for fields, their line", () => {
      const bad = file("bad.yaml", "cpu:\n  cores: 0\nthreads:\n  workers: 2\n  spare: 1\n");
      assert.equal(
        messageOf(() => loadSocFile(bad)),
        `${bad}: cpu.cores (line 2): must be an integer from 1 to 32 (got 0); threads.spare (line 5): unknown field (valid fields here: workers, taskOverheadCycles)`,
      );
      const kind = file("kind.yaml", "accelerators:\n  - kind: npu\n");
      assert.match(
        messageOf(() => loadSocFile(kind)),
        /kind\.yaml: accelerators\[0\]\.kind \(line 2\): unknown accelerator kind 'npu'/,
      );
      const workers = file("w.json", '{\n  "cpu": { "cores": 2 },\n  "threads": { "workers": 3 }\n}\n');
      assert.match(
        messageOf(() => loadSocFile(workers)),
        /w\.json: threads\.workers \(line 3\): must be an integer from 1 to cpu\.cores = 2 \(got 3\)$/,
      );
    });

    it("malformed YAML and JSON name the file, line and column", () => {
      const y = file("broken.yaml", "cpu:\n  cores: 4\n  clockGHz: [2.5\nthreads: {}\n");
      assert.match(
        messageOf(() => loadSocFile(y)),
        new RegExp(`^${y.replace(/[.\\]/g, "\\$&")}: line [34], column \\d+: `),
      );
      const dup = file("dup.yaml", "cpu:\n  cores: 4\n  cores: 2\n");
      assert.match(
        messageOf(() => loadSocFile(dup)),
        /dup\.yaml: line 3, column 3: Map keys must be unique/,
      );
      const j = file("broken.json", '{\n  "cpu": {\n    "cores": 4,\n  }\n}\n');
      assert.equal(
        messageOf(() => loadSocFile(j)),
        `${j}: line 4, column 3: invalid JSON: unexpected "}"`,
      );
      const cut = file("cut.json", '{ "cpu": ');
      assert.match(
        messageOf(() => loadSocFile(cut)),
        /cut\.json: line 1, column 10: invalid JSON: unexpected end of file/,
      );
      const list = file("list.yaml", "- cpu\n");
      assert.match(
        messageOf(() => loadSocFile(list)),
        /list\.yaml: \(root\): must be a mapping of SoC fields/,
      );
    });

    it("missing files, directories and other extensions", () => {
      assert.match(
        messageOf(() => loadSocFile(join(dir, "none.yaml"))),
        /none\.yaml: no such SoC file/,
      );
      const sub = join(dir, "d.yaml");
      mkdirSync(sub);
      assert.match(
        messageOf(() => loadSocFile(sub)),
        /d\.yaml: is a directory/,
      );
      assert.match(
        messageOf(() => loadSocFile(file("soc.toml", ""))),
        /soc\.toml: a SoC file must end in \.yaml, \.yml or \.json/,
      );
    });
  });

  describe("JSON Schema", () => {
    /** A validator for the JSON Schema keywords socJsonSchema uses (ajv is not a dependency). */
    function validate(schema: Record<string, unknown>, v: unknown, path = ""): string[] {
      const errs: string[] = [];
      const s = schema;
      const isObj = typeof v === "object" && v !== null && !Array.isArray(v);
      if (s.type === "integer" && !Number.isInteger(v)) errs.push(`${path}: not an integer`);
      if (s.type === "number" && typeof v !== "number") errs.push(`${path}: not a number`);
      if (s.type === "string" && typeof v !== "string") errs.push(`${path}: not a string`);
      if (s.type === "boolean" && typeof v !== "boolean") errs.push(`${path}: not a boolean`);
      if (s.type === "object" && !isObj) errs.push(`${path}: not an object`);
      if (s.type === "array" && !Array.isArray(v)) errs.push(`${path}: not an array`);
      if (Array.isArray(s.enum) && !s.enum.includes(v)) errs.push(`${path}: not in enum`);
      if ("const" in s && s.const !== v) errs.push(`${path}: not the const`);
      if (typeof v === "number") {
        if (typeof s.minimum === "number" && v < s.minimum) errs.push(`${path}: below minimum`);
        if (typeof s.maximum === "number" && v > s.maximum) errs.push(`${path}: above maximum`);
        if (typeof s.exclusiveMinimum === "number" && v <= s.exclusiveMinimum) errs.push(`${path}: not above min`);
      }
      if (Array.isArray(v)) {
        if (typeof s.minItems === "number" && v.length < s.minItems) errs.push(`${path}: too few items`);
        if (s.items)
          for (const [i, x] of v.entries())
            errs.push(...validate(s.items as Record<string, unknown>, x, `${path}[${i}]`));
      }
      if (isObj) {
        const o = v as Record<string, unknown>;
        const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
        for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${path}.${r}: required`);
        for (const [k, x] of Object.entries(o)) {
          if (k in props) errs.push(...validate(props[k], x, `${path}.${k}`));
          else if (s.additionalProperties === false) errs.push(`${path}.${k}: additional property`);
        }
      }
      if (Array.isArray(s.anyOf) && !s.anyOf.some((o) => validate(o, v, path).length === 0))
        errs.push(`${path}: anyOf`);
      for (const sub of (s.allOf as Record<string, unknown>[] | undefined) ?? []) {
        if (sub.if && validate(sub.if as Record<string, unknown>, v, path).length === 0 && sub.then)
          errs.push(...validate(sub.then as Record<string, unknown>, v, path));
      }
      return errs;
    }

    it("is JSON, documents every section with its default, and validates the baseline and every preset", () => {
      const schema = JSON.parse(JSON.stringify(socJsonSchema())) as Record<string, unknown>;
      assert.match(String(schema.$schema), /json-schema\.org/);
      const props = schema.properties as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(props).sort(), [
        "accelerators",
        "caches",
        "cpu",
        "dram",
        "energy",
        "extends",
        "hostInterface",
        "memoryPolicy",
        "threads",
      ]);
      for (const k of ["cpu", "caches", "dram", "hostInterface", "memoryPolicy", "threads"])
        assert.deepEqual(props[k].default, SMAUG_BASELINE[k as keyof Soc], k);
      const cores = (props.cpu.properties as Record<string, Record<string, unknown>>).cores;
      assert.deepEqual([cores.type, cores.minimum, cores.maximum, cores.default], ["integer", 1, 32, 8]);
      assert.deepEqual(validate(schema, SMAUG_BASELINE), []);
      for (const p of Object.values(PRESETS)) assert.deepEqual(validate(schema, p), []);
      // a partial file is valid too, and wrong ones are not
      assert.deepEqual(validate(schema, { extends: "smaug-acp", caches: { llc: { ways: 8 } } }), []);
      assert.notDeepEqual(validate(schema, { cpu: { cores: 0 } }), []);
      assert.notDeepEqual(validate(schema, { cpu: { bogus: 1 } }), []);
      assert.notDeepEqual(validate(schema, { accelerators: [{ kind: "smv", params: { pes: 0 } }] }), []);
      assert.notDeepEqual(validate(schema, { accelerators: [{ kind: "systolic", params: { dataflow: "x" } }] }), []);
      assert.deepEqual(validate(schema, { accelerators: [{ kind: "systolic", params: { rows: 16 } }] }), []);
    });
  });

  describe("views for the engine and the scheduler", () => {
    it("cacheConfigOf: cores from cpu.cores, one ACP port per accelerator instance", () => {
      const base = cacheConfigOf(SMAUG_BASELINE);
      assert.equal(base.cores, 8);
      assert.equal(base.accelPorts, 1);
      assert.deepEqual(base.l1d, SMAUG_BASELINE.caches.l1d);
      assert.deepEqual(base.llc, SMAUG_BASELINE.caches.llc);
      assert.equal(cacheConfigOf(PRESETS["smaug-optimized"]).accelPorts, 8);
      const mixed = resolveSoc({
        cpu: { cores: 16 },
        accelerators: [
          { kind: "smv", count: 2 },
          { kind: "systolic", count: 3 },
        ],
      });
      assert.deepEqual([cacheConfigOf(mixed).cores, cacheConfigOf(mixed).accelPorts], [16, 5]);
    });

    it("acceleratorInstances expands counts in order, one ACP port index each", () => {
      const soc = resolveSoc({
        accelerators: [
          { kind: "smv", count: 2 },
          { kind: "systolic", count: 1, clockGHz: 2 },
          { kind: "smv", count: 1 },
        ],
      });
      assert.deepEqual(
        acceleratorInstances(soc).map((a) => [a.index, a.name, a.kind, a.clockGHz, a.entry]),
        [
          [0, "smv0", "smv", 1, 0],
          [1, "smv1", "smv", 1, 0],
          [2, "systolic0", "systolic", 2, 1],
          [3, "smv2", "smv", 1, 2],
        ],
      );
    });
  });

  it("a kind registered from a user's model is accepted, its params validated and defaulted (own process)", () => {
    // the registry is process-wide, so this runs in a child process to leave it untouched here
    const script = `
      import { z } from "zod";
      import { registerAccelerator } from "./src/accel/registry.ts";
      import { resolveSoc, socJsonSchema } from "./src/soc/index.ts";
      registerAccelerator({
        kind: "toy", description: "toy", layout: "NHWC", alignment: 1, elementBytes: 2,
        params: z.object({ lanes: z.number().int().min(1).max(64).default(4), spadKiB: z.number().default(8) }).strict(),
        scratchpads: () => [], supports: () => false, alignment: () => 1, plan: () => { throw new Error("no"); }, invocationCost: () => { throw new Error("no"); },
      });
      const soc = resolveSoc({ accelerators: [{ kind: "toy", count: 2, params: { lanes: 16 } }] });
      let err = "";
      try { resolveSoc({ accelerators: [{ kind: "toy", params: { lanes: 99 } }] }, "t.yaml"); } catch (e) { err = e.message; }
      let unknown = "";
      try { resolveSoc({ accelerators: [{ kind: "npu" }] }); } catch (e) { unknown = e.message; }
      const entry = socJsonSchema().properties.accelerators.items;
      console.log(JSON.stringify({ acc: soc.accelerators, err, unknown, kinds: entry.properties.kind.examples }));
    `;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.acc, [{ kind: "toy", count: 2, clockGHz: 1, params: { lanes: 16, spadKiB: 8 } }]);
    assert.equal(out.err, "t.yaml: accelerators[0].params.lanes: must be an integer from 1 to 64 (got 99)");
    assert.match(out.unknown, /unknown accelerator kind 'npu' \(known: smv, systolic, toy\)/);
    assert.deepEqual(out.kinds, ["smv", "systolic", "toy"]);
  });

  describe("smaug soc", () => {
    const registered = readFileSync(join(root, "src/cli/main.ts"), "utf8").includes("registerSocCommand");

    /** Run `smaug soc ...` in this process through a fresh commander program; stdout as text. */
    async function soc(args: string[]): Promise<string> {
      const program = new Command("smaug").exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerSocCommand(program);
      let out = "";
      const log = console.log;
      const write = process.stdout.write;
      console.log = (...a: unknown[]) => {
        out += `${a.join(" ")}\n`;
      };
      process.stdout.write = ((chunk: string) => {
        out += chunk;
        return true;
      }) as typeof process.stdout.write;
      try {
        await program.parseAsync(["node", "smaug", "soc", ...args]);
      } finally {
        console.log = log;
        process.stdout.write = write;
      }
      return out;
    }

    it("prints the SMAUG baseline as commented YAML by default", async () => {
      const text = await soc([]);
      assert.match(text.split("\n")[0], /^# The SMAUG baseline SoC \(paper Table 2\)/);
      assert.match(text, /^ {2}cores: 8 # CPU cores.*Table 2/m);
      assert.deepEqual(parseYaml(text), SMAUG_BASELINE);
    });

    it("--json, --preset, --soc and --schema", async () => {
      assert.deepEqual(JSON.parse(await soc(["--json"])), SMAUG_BASELINE);
      const acp = await soc(["--preset", "smaug-acp"]);
      assert.match(acp, /^# Preset smaug-acp: /);
      assert.deepEqual(parseYaml(acp), PRESETS["smaug-acp"]);
      const f = file("cli.yaml", "threads:\n  workers: 4\n");
      const fromFile = JSON.parse(await soc(["--soc", f, "--json"]));
      assert.equal(fromFile.threads.workers, 4);
      const overPreset = JSON.parse(await soc(["--soc", f, "--preset", "smaug-optimized", "--json"]));
      assert.deepEqual([overPreset.threads.workers, overPreset.accelerators[0].count], [4, 8]);
      assert.match(await soc(["--soc", f]), new RegExp(`^# SoC resolved from ${f.replace(/[.\\]/g, "\\$&")}`));
      assert.deepEqual(JSON.parse(await soc(["--schema"])), JSON.parse(JSON.stringify(socJsonSchema())));
    });

    it("bad input: an InputError naming the file and field, or a usage error", async () => {
      const f = file("cli-bad.yaml", "cpu:\n  cores: 99\n");
      await assert.rejects(
        soc(["--soc", f]),
        (e: unknown) =>
          e instanceof InputError && e.message === `${f}: cpu.cores (line 2): must be an integer from 1 to 32 (got 99)`,
      );
      await assert.rejects(soc(["--preset", "fastest"]), CommanderError);
      await assert.rejects(soc(["--schema", "--soc", f]), CommanderError);
    });

    (registered ? it : it.skip)("the smaug binary runs `soc` (once src/cli/main.ts registers it)", () => {
      const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "soc", "--json"], {
        cwd: root,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), SMAUG_BASELINE);
      const bad = spawnSync(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "soc", "--soc", join(dir, "x.yaml")],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^smaug: .*x\.yaml: no such SoC file\n$/);
    });
  });
});
