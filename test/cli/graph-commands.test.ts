import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smaug } from "../support/cli.js";

describe("smaug models / inspect / export", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "smaug-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("models --json lists every zoo network; LeNet5's counts match the paper's layer list", () => {
    const r = smaug(["models", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.models.map((m: { name: string }) => m.name),
      ["minerva", "lenet5", "cnn10", "vgg16", "elu16", "elu24", "resnet50", "lstm", "mobilenet_v1", "transformer"],
    );
    const lenet = out.models.find((m: { name: string }) => m.name === "lenet5");
    // conv 3x3 1->32 (+bias): 320; conv 3x3 32->32: 9,248; FC 4608->128: 589,952; FC 128->10: 1,290
    assert.equal(lenet.trainableParams, 320 + 9248 + 589952 + 1290);
    // MACs: 26*26*32*9 + 24*24*32*288 + 4608*128 + 128*10
    assert.equal(lenet.macs, 26 * 26 * 32 * 9 + 24 * 24 * 32 * 288 + 4608 * 128 + 128 * 10);
    assert.deepEqual(lenet.inputs[0].shape, [1, 28, 28, 1]);
    const table = smaug(["models"]);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /resnet50 .*25\.56 M .*4\.09 G .*\[1x224x224x3\] NHWC/);
  });

  it("inspect prints one row per layer with output shape, parameters and MACs", () => {
    const r = smaug(["inspect", "lenet5", "--batch", "2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const conv0 = out.layers.find((l: { name: string }) => l.name === "conv0");
    assert.deepEqual(conv0, {
      name: "conv0",
      op: "conv",
      outputShape: [2, 26, 26, 32],
      params: 320,
      macs: 2 * 26 * 26 * 32 * 9,
    });
    const text = smaug(["inspect", "mobilenet_v1"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /depthwise_conv/);
    assert.match(text.stdout, /4,231,976 learned parameters/);
  });

  it("export writes a graph file that inspect reads back with the same layers", () => {
    const file = join(dir, "lenet5.json");
    const e = smaug(["export", "lenet5", "--out", file, "--seed", "3"]);
    assert.equal(e.code, 0, e.stderr);
    assert.deepEqual(readdirSync(dir).sort(), ["lenet5.bin", "lenet5.json"]);
    const fromFile = JSON.parse(smaug(["inspect", file, "--json"]).stdout);
    const fromZoo = JSON.parse(smaug(["inspect", "lenet5", "--json"]).stdout);
    assert.deepEqual(fromFile.layers, fromZoo.layers);
    assert.equal(fromFile.source, file);
  });

  it("bad input: one line naming the problem, exit 2", () => {
    const cases: [string[], RegExp][] = [
      [["inspect", "resnet51"], /unknown model 'resnet51'.*resnet50/],
      [["inspect", "lenet5", "--batch", "0"], /--batch/],
      [["inspect", join(dir, "missing.json")], /no such graph file/],
      [["export", "lenet5"], /--out/],
    ];
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    cases.push([["inspect", bad], /bad\.json/]);
    const cyclic = join(dir, "cyclic.json");
    writeFileSync(
      cyclic,
      JSON.stringify({
        format: "smaug-sim-graph",
        version: 1,
        name: "c",
        nodes: [
          { name: "a", op: "relu", inputs: ["b"], params: {} },
          { name: "b", op: "relu", inputs: ["a"], params: {} },
        ],
        outputs: ["b"],
        weights: {
          file: "cyclic.bin",
          bytes: 0,
          sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          tensors: [],
        },
      }),
    );
    writeFileSync(join(dir, "cyclic.bin"), "");
    cases.push([["inspect", cyclic], /cycle/]);
    for (const [args, message] of cases) {
      const r = smaug(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.ok(!/\n\s+at /.test(r.stderr), `stack trace for ${args.join(" ")}: ${r.stderr}`);
    }
  });
});
