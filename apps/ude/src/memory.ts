/**
 * The memory a run needs, estimated from the model and the data before anything of that size is
 * allocated, so a problem the machine cannot hold is refused at once with one line saying what it
 * needs and what to do, instead of running for a minute and dying with V8's "JavaScript heap out
 * of memory" (issue #21: a 100 000-node CSV, a dense P of 10¹⁰ entries).
 *
 * P is dense, n × n, so everything that scales is a multiple of 8·n² bytes. How many copies of P
 * a command holds at its peak was measured as the growth of the peak resident memory between
 * n = 400 and n = 800 (GNU time's %M, Node 20, this app), per 8·n² bytes:
 *   predict 12.6; gradient (UDE, interpolating adjoint) 29; gradient of the linear model with its
 *   expm reference 50; train (UDE, Adam + L-BFGS, results written) 52.
 * The estimate rounds these up: 15 copies for predict, 55 for everything else.
 *
 * Two limits: the machine's physical memory (os.totalmem), and, for output that holds P or its
 * gradient as JSON text (results.json, `gradient --json`), the longest string V8 can make
 * (about 5.4e8 characters); a number takes up to 24 characters there ("-1.2345678901234567e-10,").
 */
import { constants } from "node:buffer";
import { totalmem } from "node:os";
import { OptionError } from "./errors.js";
import { type ModelRef, netParameterCount, specOf } from "./model.js";

/** What a command will do with the problem. */
export interface Job {
  command: "gradient" | "train" | "demo" | "predict";
  /** True when P (or its gradient) is written as JSON text. */
  json: boolean;
  /** The gradient method (`--method`, `--sensealg`), when known before the problem is built. */
  method?: string;
}

/** Copies of P at a command's peak (measured, rounded up; see the file header). */
export function copiesOfP(job: Job): number {
  return job.command === "predict" ? 15 : 55;
}

/** Characters per number in JSON text, at most: sign, 17 digits, point, exponent, comma. */
export const JSON_CHARS_PER_NUMBER = 24;

export interface MemoryEstimate {
  /** Parameters (n² for P, plus the net's: 49 for the UDE). */
  parameters: number;
  /** Estimated peak memory, bytes. */
  bytes: number;
  /** Characters of the JSON text holding P, when the job writes one. */
  jsonChars: number;
}

export function estimateMemory(model: ModelRef, n: number, job: Job): MemoryEstimate {
  // A model without the linear part still holds n × n buffers (the rounding up covers it).
  const parameters = n * n + netParameterCount(specOf(model));
  return {
    parameters,
    bytes: copiesOfP(job) * 8 * parameters,
    jsonChars: job.json ? JSON_CHARS_PER_NUMBER * parameters : 0,
  };
}

export function bytesText(b: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
  let k = 0;
  while (b >= 1000 && k < units.length - 1) {
    b /= 1000;
    k++;
  }
  return `${b.toPrecision(b >= 100 ? 3 : 2)} ${units[k]}`;
}

/** The largest n whose estimate fits both limits. */
export function largestFittingN(model: ModelRef, job: Job, memory: number, maxChars: number): number {
  const spec = specOf(model);
  const extra = netParameterCount(spec);
  // Solves copies · 8 · (n² + extra) ≤ memory and 24 · (n² + extra) ≤ maxChars for n.
  const byMemory = Math.sqrt(Math.max(0, memory / (copiesOfP(job) * 8) - extra));
  const byText = job.json
    ? Math.sqrt(Math.max(0, maxChars / JSON_CHARS_PER_NUMBER - extra))
    : Number.POSITIVE_INFINITY;
  let n = Math.floor(Math.min(byMemory, byText));
  if (spec.net !== undefined) n -= n % spec.net.block; // the net takes blocks of its block size
  return Math.max(0, n);
}

/**
 * Throws OptionError (exit 2) when the problem cannot fit: `memory` and `maxChars` default to
 * this machine's physical memory and V8's longest string.
 */
export function checkMemory(
  model: ModelRef,
  n: number,
  source: string,
  job: Job,
  memory = totalmem(),
  maxChars: number = constants.MAX_STRING_LENGTH,
): void {
  const e = estimateMemory(model, n, job);
  const tooMuchMemory = e.bytes > memory;
  const tooMuchText = e.jsonChars > maxChars;
  if (!tooMuchMemory && !tooMuchText) return;
  const what =
    `${source} has ${n} nodes, so the ${specOf(model).name} model has a dense ${n} × ${n} P (${e.parameters.toExponential(2).replace("e+", "e")} parameters, ` +
    `${bytesText(8 * e.parameters)} each copy)`;
  const why = tooMuchMemory
    ? `\`ude ${job.command}\` needs about ${bytesText(e.bytes)} of memory for it (${copiesOfP(job)} copies of P at its peak), but this machine has ${bytesText(memory)}`
    : `writing P as JSON (${job.command === "gradient" ? "--json" : "results.json"}) needs about ${e.jsonChars.toExponential(1)} characters of text, more than the ${maxChars.toExponential(1)} a JavaScript string can hold`;
  const nMax = largestFittingN(model, job, memory, maxChars);
  throw new OptionError(
    `${what}: ${why}. Fix: use fewer nodes (at most about ${nMax} fit here), e.g. by aggregating nodes into groups or fitting a subset` +
      `${tooMuchText && job.command === "gradient" ? ", or leave out --json" : ""}.`,
  );
}
