#!/usr/bin/env node
// Formats the native engine's C++ (native/*.cpp, native/*.hpp) with the clang-format binary that
// the npm package clang-format ships (no system install needed), using native/.clang-format.
//
//   node scripts/clang-format.mjs --check   exit 1 and list the files that need formatting
//   node scripts/clang-format.mjs --write   format them in place
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nativeDir = join(root, "native");
const mode = process.argv[2];
if (mode !== "--check" && mode !== "--write") {
  console.error("usage: node scripts/clang-format.mjs --check|--write");
  process.exit(2);
}

let launcher;
try {
  // The package's index.js finds the binary for this platform and passes arguments through.
  launcher = createRequire(join(root, "package.json")).resolve("clang-format");
} catch {
  console.error("clang-format is not installed: run npm install (it is a devDependency)");
  process.exit(2);
}

const files = readdirSync(nativeDir)
  .filter((f) => /\.(cpp|hpp)$/.test(f))
  .sort()
  .map((f) => join(nativeDir, f));
if (files.length === 0) process.exit(0);

const args = mode === "--check" ? ["--dry-run", "-Werror"] : ["-i"];
// --style=file picks up native/.clang-format, the nearest one above each file.
const r = spawnSync(process.execPath, [launcher, "--style=file", ...args, ...files], {
  cwd: root,
  encoding: "utf8",
});
if (r.error) {
  console.error(`clang-format could not run: ${r.error.message}`);
  process.exit(2);
}
if (r.status !== 0) {
  if (mode === "--check") {
    const bad = [...new Set([...r.stderr.matchAll(/^(.+?):\d+:\d+: (?:error|warning)/gm)].map((m) => m[1]))];
    process.stderr.write(r.stderr.split("\n").slice(0, 40).join("\n"));
    console.error(
      `\nclang-format: ${bad.length || "some"} file(s) need formatting: ${bad.map((f) => relative(root, f)).join(", ")}`,
    );
    console.error("run: node scripts/clang-format.mjs --write");
  } else {
    process.stderr.write(r.stderr);
  }
  process.exit(1);
}
if (mode === "--check") console.log(`clang-format: ${files.length} file(s) formatted correctly`);
