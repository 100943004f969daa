/**
 * The engine tests run whatever wasm module and addon were last built. After editing assembly/
 * or native/ without rebuilding they would test stale binaries; this fails instead, saying how
 * to rebuild.
 */
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testEngineNames } from "../support/engines.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const newestSource = (dir: string) =>
  Math.max(...readdirSync(join(root, dir)).map((f) => statSync(join(root, dir, f)).mtimeMs));

describe("built engine artefacts", () => {
  it("dist/engine.wasm is newer than assembly/", function () {
    if (!testEngineNames().includes("wasm")) this.skip();
    assert.ok(
      statSync(join(root, "dist/engine.wasm")).mtimeMs >= newestSource("assembly"),
      "stale: run npm run build:wasm",
    );
  });
  it("the native addon is newer than native/", function () {
    if (!testEngineNames().includes("native") || process.env.SMAUG_NATIVE_PATH) this.skip();
    const addon = join(root, "build/Release/smaug_native.node");
    assert.ok(statSync(addon).mtimeMs >= newestSource("native"), "stale: run node scripts/build-native.mjs");
  });
});
