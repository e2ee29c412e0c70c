/**
 * The results folder (results.json, loss.svg, fit.svg, report.html); reading parameters back
 * (`--params`) is params-file.ts, re-exported here.
 * The results.json document itself (schema, builder, JSON text) is in results-schema.ts, which has
 * no file access so the browser playground (apps/web) shares it; it is re-exported here.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readUserFile } from "./data.js";
import { InputFileError } from "./errors.js";
import { type ResultsDocument, toJson } from "./results-schema.js";
import { trainResumeFrom } from "./resume.js";
import { type SavedObjective, savedObjective } from "./resume-objective.js";
import type { TrainResume } from "./training.js";

export { loadParamsFile } from "./params-file.js";

export {
  RESULTS_FORMAT,
  type ResultsDocument,
  type RunRecord,
  resultsDocument,
  type SavedParameters,
  savedParameters,
  toJson,
} from "./results-schema.js";

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Versions of Node, the app and the udekit packages it runs. */
export function versions(): Record<string, string> {
  const out: Record<string, string> = { node: process.versions.node };
  const read = (path: string) => (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
  out.ude = read(join(APP_DIR, "package.json"));
  for (const name of ["autodiff", "ode", "nn", "linear-ode", "kernels"]) {
    try {
      out[`@udekit/${name}`] = read(join(APP_DIR, "node_modules", "@udekit", name, "package.json"));
    } catch {
      out[`@udekit/${name}`] = "unknown";
    }
  }
  return out;
}

/** Writes every file of a results folder (made ready by prepareOutDir), each atomically; returns the paths written. */
export function writeResults(
  dir: string,
  files: {
    "results.json"?: ResultsDocument;
    "loss.svg"?: string;
    "fit.svg"?: string;
    "report.html"?: string;
  },
): string[] {
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (content === undefined) continue;
    const path = join(dir, name);
    // Atomically: a second Ctrl-C during the write leaves the previous file or the new one.
    writeAtomic(path, typeof content === "string" ? content : `${toJson(content, 2)}\n`);
    written.push(path);
  }
  return written;
}

/**
 * Writes `text` to `path` atomically: into a temporary file in the same folder, then renamed over
 * `path` (a rename within one file system is atomic), so a reader, or a run killed mid-write,
 * never sees half a file.
 */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new InputFileError(
      `cannot write ${path}: ${(e as Error).message}. Fix: keep the output folder writable while the run lasts, or pass another --out.`,
    );
  }
}

/** The run saved in a results.json or checkpoint.json, for --resume, and the objective it minimised. */
export function readResume(file: string): { resume: TrainResume; objective: SavedObjective } {
  const fix = "pass the results.json or checkpoint.json of a `ude train` run.";
  const text = readUserFile(file, "--resume file", fix);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(
      `--resume file "${file}" is not valid JSON (${(e as Error).message}). Fix: ${fix}`,
    );
  }
  return { resume: trainResumeFrom(doc, file), objective: savedObjective(doc) };
}
