#!/usr/bin/env node
// Builds the native engine (build/Release/smaug_native.node) with cmake-js; npm runs this as the
// package's install script.
//
// The native engine is optional: the WebAssembly engine does the same work, a little slower. So
// this script never fails an install. Whatever happens it exits 0 and prints exactly one line,
// either that the addon was built or why not; the full compiler output goes to
// build/native-build.log, which is also where the loader's error message points.
//
// SMAUG_NATIVE=skip skips the build. CI tests the fallback with CXX pointing at no compiler.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const buildDir = join(root, "build");
const addon = join(buildDir, "Release", "smaug_native.node");
const logFile = join(buildDir, "native-build.log");
const cmakeDir = join(buildDir, "cmake");
// A hung compiler or cmake must not hang `npm install`; a clean build takes a few seconds.
const TIMEOUT_MS = Number(process.env.SMAUG_NATIVE_TIMEOUT_MS) || 10 * 60 * 1000;

function unavailable(reason) {
  console.log(`smaug-sim: native engine unavailable (${reason}); the WebAssembly engine will be used.`);
  process.exit(0);
}

/** Whether `cmd args` starts and exits 0 (a quick probe, output discarded). */
function works(cmd, args) {
  try {
    const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 30_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

async function main() {
  // Remove the old addon first: after a failed build the loader must find nothing, not a stale
  // binary built from other sources.
  rmSync(addon, { force: true });
  mkdirSync(buildDir, { recursive: true });

  if (process.env.SMAUG_NATIVE === "skip") {
    writeFileSync(logFile, "native build skipped: SMAUG_NATIVE=skip\n");
    unavailable("SMAUG_NATIVE=skip");
  }

  writeFileSync(logFile, "");
  // Synchronous appends: unavailable() exits at once and must not lose buffered lines.
  const note = (line) => appendFileSync(logFile, `${line}\n`);
  note(`# smaug-sim native build, ${new Date().toISOString()}, node ${process.version}`);

  let cmakeJs;
  try {
    cmakeJs = createRequire(join(root, "package.json")).resolve("cmake-js/bin/cmake-js");
  } catch {
    note("cmake-js is not installed");
    unavailable("cmake-js not installed");
  }
  // Probe the tools ourselves: cmake-js's own messages for these are long stack traces.
  if (!works("cmake", ["--version"])) {
    note("cmake not found on PATH");
    unavailable("cmake not found");
  }
  const cxx = process.env.CXX?.trim();
  // CXX may carry a launcher or flags ("ccache g++"): probe its first word with the rest.
  const [cxxCmd, ...cxxArgs] = cxx ? cxx.split(/\s+/) : [];
  if (
    cxx
      ? !works(cxxCmd, [...cxxArgs, "--version"])
      : !works("c++", ["--version"]) && !works("g++", ["--version"]) && !works("clang++", ["--version"])
  ) {
    note(cxx ? `CXX=${cxx} does not run` : "no C++ compiler (c++, g++ or clang++) on PATH");
    unavailable(cxx ? `compiler ${cxx} not usable` : "no C++ compiler");
  }

  // cmake-js works in build/cmake, not in its default build/: its clean step (run by `rebuild`,
  // and by `compile` after a failure) deletes the whole work directory, which would take
  // the log with it. CMakeLists.txt still writes the addon to
  // build/Release. A pristine configure each time: a cache left by another generator or
  // compiler makes cmake fail, and `build` then fails once instead of retrying as `compile` does.
  rmSync(cmakeDir, { force: true, recursive: true });
  const args = [cmakeJs, "build", "--out", cmakeDir, "--CDCMAKE_BUILD_TYPE=Release", "--log-level", "info"];
  // cmake-js would pick Ninja by itself when it is on PATH; naming it keeps the log explicit.
  if (works("ninja", ["--version"])) args.push("--generator", "Ninja");
  note(`$ ${process.execPath} ${args.join(" ")}`);

  const code = await new Promise((resolveExit) => {
    const fd = openSync(logFile, "a");
    // Own process group, so a timeout can stop cmake and the compilers too, not just cmake-js.
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", fd, fd], detached: true });
    closeSync(fd);
    // Detached, the build no longer gets the terminal's Ctrl-C: pass it on.
    const stop = (sig) => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      process.exit(sig === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const timer = setTimeout(() => {
      note(`timed out after ${TIMEOUT_MS} ms`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      note(String(err));
      resolveExit(-1);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolveExit(signal ? -1 : status);
    });
  });

  if (code !== 0) {
    rmSync(addon, { force: true });
    unavailable(`build failed, see build/native-build.log`);
  }
  if (!existsSync(addon)) unavailable("build produced no build/Release/smaug_native.node, see build/native-build.log");
  // Loading it here catches a binary that builds but cannot run on this Node.
  try {
    createRequire(import.meta.url)(addon);
  } catch (err) {
    note(`loading the addon failed: ${err?.stack ?? err}`);
    rmSync(addon, { force: true });
    unavailable("built addon does not load, see build/native-build.log");
  }
  console.log("smaug-sim: native engine built (build/Release/smaug_native.node).");
}

main().catch((err) => {
  try {
    appendFileSync(logFile, `\n${err?.stack ?? err}\n`);
  } catch {}
  unavailable("unexpected error in scripts/build-native.mjs");
});
