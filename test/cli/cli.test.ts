import assert from "node:assert/strict";
import { smaug } from "../support/cli.js";

describe("smaug CLI", () => {
  it("engines: every engine loads here and agrees with js", () => {
    const r = smaug(["engines", "--json", "--cases", "5"]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const expected = process.env.SMAUG_TEST_ENGINES?.split(",") ?? ["native", "wasm", "js"];
    for (const name of expected)
      assert.equal(out.engines.find((e: { name: string }) => e.name === name)?.available, true, name);
    for (const c of out.selfCheck.results) assert.equal(c.ok, true, c.mismatch);
    // automatic selection prefers native; with a deliberately narrowed list it may legitimately differ
    if (!process.env.SMAUG_TEST_ENGINES) assert.equal(out.selected, "native");
  });

  it("cache: reports the engine forced by SMAUG_ENGINE and the traffic of a sequential copy", () => {
    const r = smaug(["cache", "--workload", "sequential", "--mib", "1", "--json"], { SMAUG_ENGINE: "js" });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.engine, "js");
    // 1 MiB read + 1 MiB written in 32 B lines: 2 x 32768 line accesses, and every line of both
    // buffers is cold, so 65536 DRAM line reads (write-allocate fetches the destination too).
    assert.equal(out.stats.total.l1Accesses, 65536);
    assert.equal(out.stats.dramReadLines, 65536);
  });

  it("--engine wins over SMAUG_ENGINE", () => {
    const r = smaug(["--engine", "wasm", "cache", "--mib", "1"], { SMAUG_ENGINE: "js" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^engine: wasm \(--engine\)/m);
  });

  it("bad input exits 2 with a message naming the problem", () => {
    const a = smaug(["--engine", "gpu", "engines"]);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /gpu/);
    const b = smaug(["cache", "--mib", "zero"]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--mib/);
    const c = smaug(["cache"], { SMAUG_ENGINE: "quantum" });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /SMAUG_ENGINE: unknown engine "quantum"/);
    const d = smaug(["frobnicate"]);
    assert.equal(d.code, 2);
  });
});
