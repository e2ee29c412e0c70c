/**
 * The results folder (results.json, loss.svg, fit.svg, report.html) and reading parameters back
 * (`--params`): from a results.json, a bare parameter object, or the seed fixture's layout.
 * The results.json document itself (schema, builder, JSON text) is in results-schema.ts, which has
 * no file access so the browser playground (apps/web) shares it; it is re-exported here.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ActivationName } from "@udekit/nn";
import { readUserFile } from "./data.js";
import { InputFileError } from "./errors.js";
import {
  ACTIVATION_NAMES,
  BLOCK,
  HIDDEN,
  type LayerValues,
  type ModelKind,
  type ModelParams,
  makeParams,
} from "./model.js";
import { type ResultsDocument, toJson } from "./results-schema.js";

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

function isMatrix(x: unknown, rows: number, cols: number): x is number[][] {
  return (
    Array.isArray(x) &&
    x.length === rows &&
    x.every(
      (r) =>
        Array.isArray(r) && r.length === cols && r.every((v) => typeof v === "number" && Number.isFinite(v)),
    )
  );
}

function isVector(x: unknown, len: number): x is number[] {
  return Array.isArray(x) && x.length === len && x.every((v) => typeof v === "number" && Number.isFinite(v));
}

/**
 * Parameters from a file: results.json (its `parameters`), a bare `{ model, activation, P, nn }`,
 * or the seed fixture's `{ connectivity, nn }`. Checked shape by shape.
 */
export function loadParamsFile(file: string, fallbackActivation: ActivationName): ModelParams {
  const fix = "pass the results.json that `ude train` wrote (or the seed fixture).";
  const text = readUserFile(file, "parameter file", fix);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InputFileError(`parameter file "${file}" is not valid JSON. Fix: ${fix}`);
  }
  const src = (
    typeof doc.parameters === "object" && doc.parameters !== null ? doc.parameters : doc
  ) as Record<string, unknown>;
  const P = src.P ?? src.connectivity;
  const n = Array.isArray(P) ? P.length : 0;
  if (!isMatrix(P, n, n) || n === 0) {
    throw new InputFileError(
      `parameter file "${file}" has no square matrix of finite numbers under "parameters.P" (or "connectivity"). Fix: ${fix}`,
    );
  }
  const nn = src.nn as { layers?: unknown } | undefined;
  const model: ModelKind = src.model === "linear" || src.model === "ude" ? src.model : nn ? "ude" : "linear";
  const activation =
    typeof src.activation === "string" && (ACTIVATION_NAMES as readonly string[]).includes(src.activation)
      ? (src.activation as ActivationName)
      : fallbackActivation;
  let layers: LayerValues[] = [];
  if (model === "ude") {
    const ls = nn?.layers as { weight?: unknown; bias?: unknown }[] | undefined;
    const ok =
      Array.isArray(ls) &&
      ls.length === 2 &&
      isMatrix(ls[0].weight, HIDDEN, BLOCK) &&
      isVector(ls[0].bias, HIDDEN) &&
      isMatrix(ls[1].weight, BLOCK, HIDDEN) &&
      isVector(ls[1].bias, BLOCK);
    if (!ok) {
      throw new InputFileError(
        `parameter file "${file}" has no valid net under "nn.layers" (expected 2 layers: weight 5×4 and bias 5, then weight 4×5 and bias 4). Fix: ${fix}`,
      );
    }
    if (n % BLOCK !== 0) {
      throw new InputFileError(
        `parameter file "${file}" has a ${n}×${n} P for the UDE model, but n must be a multiple of ${BLOCK}. Fix: ${fix}`,
      );
    }
    layers = ls as LayerValues[];
  }
  return makeParams(model, P, layers, activation);
}
