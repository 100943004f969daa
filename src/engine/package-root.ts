import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "smaug-sim";
let root: string | undefined;

/**
 * The package root: the nearest ancestor directory whose package.json names this package. Engine
 * modules run from src/engine/ under tsx and from dist/engine/ once compiled; build artefacts
 * (build/Release/*.node, dist/engine.wasm) are found relative to this root.
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    const pj = join(dir, "package.json");
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, "utf8")).name === PACKAGE_NAME) {
          root = dir;
          return dir;
        }
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of ${PACKAGE_NAME} found above ${start}`);
    dir = parent;
  }
}
