/**
 * The results folder (results.json, loss.svg, fit.svg, report.html); reading parameters back
 * (`--params`) is params-file.ts, re-exported here.
 * The results.json document itself (schema, builder, JSON text) is in results-schema.ts, which has
 * no file access so the browser playground (apps/web) shares it; it is re-exported here.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputFileError } from "./errors.js";
import { type ResultsDocument, toJson } from "./results-schema.js";

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

/** Writes every file of a results folder (made ready by prepareOutDir); returns the paths written. */
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
    try {
      writeFileSync(path, typeof content === "string" ? content : `${toJson(content, 2)}\n`);
    } catch (e) {
      throw new InputFileError(
        `cannot write ${path}: ${(e as Error).message}. Fix: keep the output folder writable while the run lasts, or pass another --out.`,
      );
    }
    written.push(path);
  }
  return written;
}
