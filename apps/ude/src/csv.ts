/**
 * The CSV format of observations, without file access (the CLI's data.ts and the browser
 * playground, apps/web, share it): parsing with one-line errors that say what is wrong and how to
 * fix it, the times, and the checks that observations fit a model.
 *
 * CSV layout: one row per node, one column per observation time; the first column is the
 * initial condition. Values are separated by commas (or semicolons, tabs, spaces). An optional
 * header row holds no numbers at all; if every header field reads `t=<number>` those numbers are
 * the times. Otherwise the times come from --times, or default to 1, 2, …, columns.
 * Blank lines and lines starting with # are ignored.
 *
 * Missing values: an empty cell, `NA` or `NaN` (any case) means "not observed" and reads as NaN;
 * the loss leaves it out (fit.ts). The initial condition (column 1) cannot be missing
 * (checkObservations). Infinite values (`inf`, `-Infinity`, 1e999) stay errors: they are not
 * "not observed" but a broken measurement or an overflow.
 */
import { InputFileError, OptionError } from "./errors.js";
import { type ModelRef, type Observations, specOf } from "./model.js";
import { checkModelFits } from "./model-spec.js";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITE = /^[+-]?(inf|infinity)$/i;
/** Cells that mean "not observed" (besides an empty cell). */
const MISSING = /^(na|nan)$/i;
const TIME_HEADER = /^t\s*=\s*(.+)$/;

function splitFields(line: string): string[] {
  const trimmed = line.trim();
  if (/[,;\t]/.test(trimmed)) return trimmed.split(/\s*[,;\t]\s*/);
  return trimmed.split(/\s+/);
}

function parseNumberField(field: string, where: string, file: string): number {
  const s = field.replace(/^"(.*)"$/, "$1").trim();
  if (s === "" || MISSING.test(s)) return Number.NaN;
  if (INFINITE.test(s)) {
    throw new InputFileError(
      `${file} ${where} is "${s}", which is not a finite number. Fix: replace it with a measured value, or leave the cell empty (or NA) if it was not observed.`,
    );
  }
  if (!NUMBER.test(s)) {
    throw new InputFileError(
      `${file} ${where} is "${s}", which is not a number. Fix: use plain decimal numbers such as 0.25 or 1e-3.`,
    );
  }
  const x = Number(s);
  if (!Number.isFinite(x)) {
    throw new InputFileError(
      `${file} ${where} is "${s}", which overflows to infinity. Fix: rescale the data to finite double-precision values.`,
    );
  }
  return x;
}

/** A parsed CSV: numeric rows and, when the header said so, the times. */
export interface CsvTable {
  rows: number[][];
  headerTimes?: number[];
}

/** Parses CSV text (`file` names it in messages); missing cells read as NaN. */
export function parseCsv(text: string, file: string): CsvTable {
  const lines = text
    .split(/\r?\n/)
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== "" && !line.trim().startsWith("#"));
  if (lines.length === 0) {
    throw new InputFileError(
      `${file} contains no data. Fix: write one row per node and one column per observation time, e.g. "0.3,0.7,0.9,0.8".`,
    );
  }
  let headerTimes: number[] | undefined;
  const first = splitFields(lines[0].line).map((f) => f.replace(/^"(.*)"$/, "$1").trim());
  const numeric = first.map((f) => NUMBER.test(f) || INFINITE.test(f) || MISSING.test(f));
  const isText = first.map((f, j) => f !== "" && !numeric[j]);
  let header: string[] | undefined;
  if (isText.some((x) => x) && !numeric.some((x) => x)) {
    header = first;
    lines.shift();
    const times = first.map((f) => TIME_HEADER.exec(f)?.[1]);
    if (times.every((t) => t !== undefined && NUMBER.test(t.trim()))) {
      headerTimes = times.map((t) => Number((t as string).trim()));
    }
  } else if (isText.some((x) => x)) {
    const bad = first[isText.indexOf(true)];
    throw new InputFileError(
      `${file} line ${lines[0].number} mixes numbers and text ("${bad}"): it is neither a header nor a data row. ` +
        "Fix: make the first line either all column names (a header) or all numbers.",
    );
  }
  if (lines.length === 0) {
    throw new InputFileError(
      `${file} has a header but no data rows. Fix: add one row per node below the header.`,
    );
  }
  const width = header?.length ?? first.length;
  const widthFrom =
    header !== undefined ? `the header (line ${lines[0].number - 1})` : `line ${lines[0].number}`;
  const rows = lines.map(({ line, number }) => {
    const fields = splitFields(line);
    if (fields.length !== width) {
      throw new InputFileError(
        `${file} line ${number} has ${fields.length} values but ${widthFrom} has ${width} (ragged rows). ` +
          "Fix: give every node (row) exactly one value per observation time (column).",
      );
    }
    return fields.map((f, j) => parseNumberField(f, `line ${number}, column ${j + 1}`, file));
  });
  return { rows, ...(headerTimes ? { headerTimes } : {}) };
}

/** Parses the --times option: comma-separated, finite, strictly increasing. */
export function parseTimes(text: string): number[] {
  const fields = text.split(",").map((s) => s.trim());
  const times = fields.map((s) => (NUMBER.test(s) ? Number(s) : Number.NaN));
  const bad = fields.find((_s, i) => !Number.isFinite(times[i]));
  if (bad !== undefined) {
    throw new OptionError(
      `--times "${text}" contains "${bad}", which is not a finite number. Fix: pass comma-separated times, e.g. --times 1,2,3,4.`,
    );
  }
  for (let k = 1; k < times.length; k++) {
    if (!(times[k] > times[k - 1])) {
      throw new OptionError(
        `--times must increase strictly, but ${times[k - 1]} is followed by ${times[k]}. Fix: list the observation times in increasing order.`,
      );
    }
  }
  return times;
}

/** Checks that observations fit the model; returns them. */
export function checkObservations(obs: Observations, model: ModelRef, source: string): Observations {
  const n = obs.values.length;
  const m = obs.times.length;
  if (m < 2) {
    throw new InputFileError(
      `${source} has ${m} time column${m === 1 ? "" : "s"}; at least 2 are needed (the first is the initial condition, the rest are fitted). ` +
        "Fix: add observations at later times as further columns.",
    );
  }
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(obs.values[i][0])) {
      throw new InputFileError(
        `${source} row ${i + 1} (node ${i + 1}) has no initial value: column 1 is the initial condition u(t₀) the ODE starts from, so it cannot be missing (empty, NA or NaN). ` +
          "Fix: give the node's value at the first time, or remove the node's row.",
      );
    }
  }
  if (countMissing(obs) === n * (m - 1)) {
    throw new InputFileError(
      `${source} has no observed value after the initial condition (every later cell is empty, NA or NaN), so there is nothing to fit. ` +
        "Fix: give at least one measured value in the columns after the first.",
    );
  }
  // The net's block divides n; a mask is n × n (model-spec.ts).
  checkModelFits(specOf(model), n, source);
  return obs;
}

/** Number of missing (NaN) values: "not observed", left out of the loss. */
export function countMissing(obs: Observations): number {
  let missing = 0;
  for (const row of obs.values) for (const x of row) if (Number.isNaN(x)) missing++;
  return missing;
}

/**
 * `412 of 1000 observations missing (left out of the loss).`, or undefined when none is: the
 * observations counted are those after the initial condition, the ones the loss fits.
 */
export function missingLine(obs: Observations, source: string): string | undefined {
  const missing = countMissing(obs);
  if (missing === 0) return undefined;
  const fitted = obs.values.length * (obs.times.length - 1);
  return `${source}: ${missing} of ${fitted} observations missing (empty, NA or NaN: left out of the loss).`;
}

/** The observations of a parsed CSV: times from its `t=` header, or 1, 2, …, columns. */
export function csvObservations(table: CsvTable): Observations {
  const m = table.rows[0].length;
  return { times: table.headerTimes ?? Array.from({ length: m }, (_, k) => k + 1), values: table.rows };
}

/** Observations with the times of a --times value (one per column); `source` names them in messages. */
export function withTimes(obs: Observations, times: string, source: string): Observations {
  const t = parseTimes(times);
  const m = obs.values[0].length;
  if (t.length !== m) {
    throw new OptionError(
      `--times gives ${t.length} time${t.length === 1 ? "" : "s"} but ${source} has ${m} columns. Fix: pass one time per column, e.g. --times ${Array.from({ length: m }, (_, k) => k + 1).join(",")}.`,
    );
  }
  return { ...obs, times: t };
}

/** CSV text of states (one row per node, one column per time) with a `t=<time>` header. */
export function formatCsv(times: readonly number[], values: readonly (readonly number[])[]): string {
  const header = times.map((t) => `t=${t}`).join(",");
  return `${header}\n${values.map((row) => row.map((x) => String(x)).join(",")).join("\n")}\n`;
}

/**
 * Refuses data whose magnitudes overflow double precision in the loss, before any solve (issue
 * #21: values of 1e300 ended in "the solve failed (Integrated to the end of the time span.)",
 * and values of 1e100 in a "converged" run that had not moved).
 *
 * With s the largest |value| and N the number of values, each residual is at most about 2s (the
 * predictions start at the data's scale), so the loss Σ (prediction − data)² is at most 4·N·s²:
 * finite while s ≤ sqrt(MAX / (4N)). Training also squares the loss's gradient, which is of the
 * loss's size (Adam's second moments, L-BFGS's curvature pairs): finite while (4·N·s²)² ≤ MAX,
 * i.e. s ≤ MAX^(1/4) / (2·sqrt(N)) — about 1e75 for hundreds of values.
 */
export function checkMagnitudes(obs: Observations, source: string, training: boolean): void {
  let s = 0;
  // Missing values (NaN) are not fitted, so they neither overflow nor count.
  for (const row of obs.values) for (const x of row) if (!Number.isNaN(x)) s = Math.max(s, Math.abs(x));
  const count = obs.values.length * obs.times.length - countMissing(obs);
  const lossLimit = Math.sqrt(Number.MAX_VALUE / (4 * count));
  const trainLimit = Math.sqrt(Math.sqrt(Number.MAX_VALUE)) / (2 * Math.sqrt(count));
  const limit = training ? trainLimit : lossLimit;
  if (s <= limit) return;
  const e = (x: number) => x.toExponential(1).replace("e+", "e");
  const what =
    s > lossLimit
      ? `the loss Σ (prediction − data)² over its ${count} values overflows double precision above about ${e(lossLimit)}`
      : `training squares the loss's gradient (Adam, L-BFGS), which overflows double precision for values above about ${e(trainLimit)} (${count} values)`;
  throw new InputFileError(
    `${source} has values up to ${e(s)} in magnitude: ${what}. ` +
      `Fix: rescale the data so its values are near 1 (e.g. divide every value by 1e${Math.floor(Math.log10(s))}), and scale the predictions back.`,
  );
}
