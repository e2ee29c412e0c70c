/**
 * The results folder (--out of train and demo), made ready before any work, so a run never
 * computes for minutes and then finds it cannot save: the folder is created (or found) and a
 * test file is written into it and removed again.
 *
 * An existing folder that already holds a run's results is never overwritten: the run writes to
 * the first free numbered sibling instead (`ude-results-2`, `ude-results-3`, …) and says so.
 *
 * Node 20's recursive mkdirSync spins forever on some paths under /proc, so the first missing
 * folder of the path is made with a plain (non-recursive) mkdir, which fails at once there; only
 * then are the rest made recursively, inside a folder that is known to be real.
 */
import { existsSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { userPath } from "./data.js";
import { InputFileError } from "./errors.js";

/**
 * The files a run writes; a folder holding any of them holds an earlier run's results. (The
 * diagnostic plots' names are repeated from diagnostic-plots.ts, whose import would load vega.)
 */
export const RESULT_FILES = [
  "results.json",
  "loss.svg",
  "fit.svg",
  "report.html",
  "parity.svg",
  "residuals.svg",
  "nodes.svg",
  "net-term.svg",
] as const;

export interface OutDir {
  /** Absolute path of the folder to write into. */
  path: string;
  /** The folder the user asked for, when an earlier run's results made us pick another one. */
  instead?: string;
}

/** The fix for a folder given with `option` (--out of train and demo, --plots of predict). */
const fixFor = (option: string) =>
  `pass ${option} with a folder in a writable place (it is created if missing), e.g. ${option} ude-results.`;

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "the file system is read-only";
    case "ENOSPC":
      return "the disk is full";
    case "ENOENT":
      // The parent exists (we checked), yet mkdir says it does not: a virtual file system such
      // as /proc, where no folders can be made.
      return "this file system does not allow new folders here";
    default:
      return err.message ?? String(e);
  }
}

function holdsResults(dir: string): boolean {
  const names = new Set(readdirSync(dir));
  return RESULT_FILES.some((f) => names.has(f));
}

/** Creates `full` (absent) without ever running a recursive mkdir on an unchecked path. */
function createFolder(full: string, out: string, option: string): void {
  let ancestor = dirname(full);
  let firstMissing = full;
  while (!existsSync(ancestor)) {
    firstMissing = ancestor;
    ancestor = dirname(ancestor);
  }
  if (!statSync(ancestor).isDirectory()) {
    throw new InputFileError(
      `cannot create the output folder "${out}": ${ancestor} is a file, not a folder. Fix: ${fixFor(option)}`,
    );
  }
  try {
    mkdirSync(firstMissing);
    if (firstMissing !== full) mkdirSync(full, { recursive: true });
  } catch (e) {
    throw new InputFileError(
      `cannot create the output folder "${out}": ${reason(e)}. Fix: ${fixFor(option)}`,
    );
  }
}

/** Writes and removes a test file, or throws saying why the folder cannot take the results. */
function probeWrite(full: string, out: string, option: string): void {
  const probe = join(full, `.ude-write-test-${process.pid}`);
  try {
    writeFileSync(probe, "");
    unlinkSync(probe);
  } catch (e) {
    throw new InputFileError(
      `cannot write into the output folder "${out}": ${reason(e)}. Fix: ${fixFor(option)}`,
    );
  }
}

/**
 * Makes the results folder ready (created, writable, holding no earlier results) before any
 * work; throws InputFileError (exit 2) with a fix when it cannot be.
 */
export function prepareOutDir(out: string, option = "--out"): OutDir {
  const full = userPath(out);
  let path = full;
  if (existsSync(full)) {
    if (!statSync(full).isDirectory()) {
      throw new InputFileError(
        `${option} "${out}" is a file, not a folder. Fix: pass ${option} with a folder name (it is created if missing), e.g. ${option} ude-results.`,
      );
    }
    if (holdsResults(full)) {
      let k = 2;
      while (existsSync(`${full}-${k}`)) k++;
      path = `${full}-${k}`;
    }
  }
  if (!existsSync(path)) createFolder(path, out, option);
  probeWrite(path, out, option);
  return path === full ? { path } : { path, instead: full };
}

/** The note printed when an earlier run's results made prepareOutDir pick a numbered folder. */
export function outDirNote(dir: OutDir): string | undefined {
  return dir.instead === undefined
    ? undefined
    : `note: ${dir.instead} already holds an earlier run's results, which are kept; this run writes to ${dir.path}.`;
}
