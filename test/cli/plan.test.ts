import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

function smaug(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    encoding: "utf8",
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
