/**
 * Writing a command's output files safely: every target is checked before any work (so a run
 * that cannot save its results is refused before it runs), and the files are then written all or
 * nothing: each goes to a temporary file beside its target first, and only when every one of them
 * is written are they renamed into place. A failure leaves no temporary file and no target
 * changed, and is reported as an InputError naming the option and the path (exit 2).
 */
import { accessSync, constants, existsSync, lstatSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../errors.js";

/** A file to write, and the option that asked for it (for the error message). */
export interface OutputFile {
  option: string;
  path: string;
  data: string | Uint8Array;
}

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code ?? (e as Error).message;
}

/**
 * Refuse a target the command could not write, before anything runs: something other than a
 * regular file in its place (a directory, a symlink, a device: renaming over it would replace it),
 * a parent that is missing, not a directory, or not writable. `parentCreated` says the parent will
 * be created first (--out's directory); then its nearest existing ancestor must be writable.
 */
export function checkOutputFile(option: string, path: string, parentCreated = false): void {
  const full = resolve(path);
  if (existsSync(full) || isDanglingLink(full)) {
    const st = lstatSync(full);
    if (st.isDirectory()) throw new InputError(`${option}: ${path} is a directory`);
    if (!st.isFile()) throw new InputError(`${option}: ${path} is not a regular file`);
  }
  checkWritableDirectory(option, dirname(full), parentCreated);
}

/** A directory files will be written into (created when `created` and missing). */
export function checkWritableDirectory(option: string, dir: string, created = false): void {
  let d = resolve(dir);
  if (!existsSync(d)) {
    if (!created) throw new InputError(`${option}: directory ${dir} does not exist`);
    while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  }
  if (!lstatSync(d).isDirectory()) throw new InputError(`${option}: ${d} is not a directory`);
  try {
    accessSync(d, constants.W_OK);
  } catch {
    throw new InputError(`${option}: directory ${d} is not writable`);
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The names of `dir`'s entries that match `pattern` (none when `dir` does not exist). */
export function entriesMatching(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => pattern.test(n));
}

/**
 * Write every file, all or nothing: temporary files first, then renames. On a failure the
 * temporary files are removed and an InputError names the file.
 */
export function writeOutputFiles(files: readonly OutputFile[]): void {
  const temps: string[] = [];
  const tempOf = (f: OutputFile) => `${f.path}.tmp-${process.pid}`;
  const cleanUp = () => {
    for (const t of temps) rmSync(t, { force: true });
  };
  for (const f of files) {
    const tmp = tempOf(f);
    temps.push(tmp);
    try {
      writeFileSync(tmp, f.data);
    } catch (e) {
      cleanUp();
      throw new InputError(`${f.option}: cannot write ${f.path}: ${why(e)}`);
    }
  }
  for (const [i, f] of files.entries()) {
    try {
      renameSync(temps[i], f.path);
    } catch (e) {
      // The files before this one are in place already; a rename in a directory the checks
      // found writable fails only if the directory changed meanwhile.
      cleanUp();
      throw new InputError(`${f.option}: cannot write ${f.path}: ${why(e)}`);
    }
  }
}
