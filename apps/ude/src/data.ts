/**
 * Input data: the seed problem's deterministic fixture (../data/seed-ude.json, written by
 * scripts/gen_seed_ude.py) and the user's CSV files, read and validated with messages that say
 * what is wrong and how to fix it. The CSV format itself (parsing, times, checks) is in csv.ts,
 * which has no file access so the browser playground (apps/web) shares it; it is re-exported here.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkObservations, csvObservations, parseCsv, withTimes } from "./csv.js";
import { InputFileError } from "./errors.js";
import type { LayerValues, ModelRef, Observations } from "./model.js";

export {
  type CsvTable,
  checkMagnitudes,
  checkObservations,
  countMissing,
  csvObservations,
  formatCsv,
  missingLine,
  parseCsv,
  parseTimes,
  withTimes,
} from "./csv.js";

export interface SeedData {
  description: string;
  times: number[];
  /** n rows (nodes) × m columns (observation times); column 0 is the initial condition. */
  trainingData: number[][];
  /** n × n connectivity matrix P, rows of the model du_i/dt = Σ_j P_ij (u_j − u_i). */
  connectivity: number[][];
  nn: { layers: LayerValues[] };
}

export const SEED_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "seed-ude.json");

export function loadSeed(): SeedData {
  return JSON.parse(readFileSync(SEED_PATH, "utf8")) as SeedData;
}

/** The seed data as observations (100 nodes at t = 1, 2, 3, 4). */
export function seedObservations(): Observations {
  const seed = loadSeed();
  return { times: seed.times, values: seed.trainingData };
}

/**
 * Where relative paths on the command line start: the directory the user ran the command in.
 * `pnpm ude …` runs the app's script inside apps/ude but records the caller's directory in
 * INIT_CWD.
 */
export function userPath(path: string): string {
  const underPnpm =
    process.env.INIT_CWD !== undefined &&
    (process.env.npm_lifecycle_event === "ude" || process.env.npm_lifecycle_event === "demo");
  return resolve(underPnpm ? (process.env.INIT_CWD as string) : process.cwd(), path);
}

/** Reads a text file the user named, or throws InputFileError saying why not. */
export function readUserFile(path: string, what: string, fix: string): string {
  const full = userPath(path);
  if (!existsSync(full)) {
    throw new InputFileError(
      `${what} "${path}" does not exist${full === path ? "" : ` (looked at ${full})`}. Fix: ${fix}`,
    );
  }
  if (statSync(full).isDirectory()) {
    throw new InputFileError(`${what} "${path}" is a directory, not a file. Fix: ${fix}`);
  }
  try {
    return readFileSync(full, "utf8");
  } catch (e) {
    throw new InputFileError(`cannot read ${what} "${path}": ${(e as Error).message}. Fix: ${fix}`);
  }
}

/**
 * The observations to fit: the CSV file when given (times from --times, the header, or
 * 1..columns), otherwise the seed data (times from --times or 1, 2, 3, 4).
 */
export function loadObservations(
  file: string | undefined,
  times: string | undefined,
  model: ModelRef,
): Observations {
  let obs: Observations;
  let source: string;
  if (file === undefined) {
    obs = seedObservations();
    source = "the built-in seed data";
  } else {
    const text = readUserFile(
      file,
      "data file",
      "check the path, or omit --data to use the built-in seed data.",
    );
    obs = csvObservations(parseCsv(text, file));
    source = file;
  }
  if (times !== undefined) obs = withTimes(obs, times, source);
  return checkObservations(obs, model, source);
}

/**
 * Per-observation weights (`--weights`): a CSV of the data's shape (n rows × m columns, the same
 * layout and header rules), each weight ≥ 0 multiplying its squared residual; an empty, NA or
 * NaN cell is weight 0. Column 1 (the initial condition) is read but has no effect: its residual
 * is 0.
 */
export function loadWeights(file: string, obs: Observations, source: string): number[][] {
  const fix = `give one weight ≥ 0 per value of ${source}, in the same rows and columns.`;
  const { rows } = parseCsv(readUserFile(file, "weights file", `check the path. ${fix}`), file);
  const n = obs.values.length;
  const m = obs.times.length;
  if (rows.length !== n || rows[0].length !== m) {
    throw new InputFileError(
      `weights file "${file}" has ${rows.length} rows × ${rows[0].length} columns but ${source} has ${n} × ${m}. Fix: ${fix}`,
    );
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      if (rows[i][k] < 0) {
        throw new InputFileError(
          `weights file "${file}" row ${i + 1}, column ${k + 1} is ${rows[i][k]}, but a weight multiplies a squared residual and must be ≥ 0. Fix: ${fix}`,
        );
      }
    }
  }
  return rows;
}
