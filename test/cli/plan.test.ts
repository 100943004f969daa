import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { smaug } from "../support/cli.js";

describe("smaug plan", () => {
  it("--json: every LeNet5 MAC is planned on SMV; the flatten is CPU work", () => {
    const r = smaug(["plan", "lenet5", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    // 26*26*32*9 + 24*24*32*288 + 4608*128 + 128*10 (the paper's LeNet5 layer list)
    assert.equal(out.plan.totals.macs, 26 * 26 * 32 * 9 + 24 * 24 * 32 * 288 + 4608 * 128 + 128 * 10);
    assert.deepEqual(
      out.plan.steps.filter((s: { device: string }) => s.device === "cpu").map((s: { node: string }) => s.node),
      ["flatten"],
    );
  });

  it("reads the accelerator from a SoC file, and prints a table", () => {
    const r = smaug(["plan", "lenet5", "--soc", "examples/soc/eight-smv.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /on smv x8 at 1 GHz/);
    assert.match(r.stdout, /conv1 .* conv .* smv .* DimNH/);
  });

  it("--accelerator loads a user's model, which a SoC file can then name", () => {
    const soc = join(tmpdir(), `smaug-mac-${process.pid}.yaml`);
    writeFileSync(soc, "accelerators:\n  - kind: mac-array\n    params: { lanes: 128 }\n");
    try {
      const r = smaug([
        "--accelerator",
        "examples/accelerators/mac-array.ts",
        "plan",
        "lenet5",
        "--soc",
        soc,
        "--json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.plan.accelerator, "mac-array");
      assert.equal(out.plan.params.lanes, 128);
      const without = smaug(["plan", "lenet5", "--soc", soc]);
      assert.equal(without.code, 2);
      assert.match(without.stderr, /unknown accelerator kind 'mac-array'/);
    } finally {
      rmSync(soc, { force: true });
    }
  });

  it("a forced engine that cannot load is an error, not a silent fallback (systolic plans run on the engine)", () => {
    const r = smaug(["--engine", "native", "plan", "lenet5", "--preset", "smaug-systolic"], {
      SMAUG_NATIVE_PATH: "/nonexistent/addon.node",
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /engine "native" \(from --engine\) cannot load/);
    const ok = smaug(["--engine", "js", "plan", "lenet5", "--preset", "smaug-systolic", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).engine, "js");
  });

  it("bad input exits 2 with one line", () => {
    for (const args of [
      ["plan", "lenet5", "--preset", "nope"],
      ["plan", "lenet5", "--soc", "missing.yaml"],
      ["plan", "lenet5", "--batch", "0"],
    ]) {
      const r = smaug(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
  });
});
