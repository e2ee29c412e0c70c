/**
 * Parsing and validation of command-line values: names (methods, solvers, optimisers, models,
 * activations) with "did you mean" suggestions, and numbers with their allowed ranges. Each
 * failure is an OptionError whose message names the option, the bad value and a fix.
 */
import type { ActivationName } from "@udekit/nn";
import { ALL_SOLVERS, type OdeSolver } from "@udekit/ode";
import { closestName } from "./did-you-mean.js";
import { OptionError } from "./errors.js";
import { ACTIVATION_NAMES, MODEL_KINDS, type ModelKind } from "./model.js";

export { closestName } from "./did-you-mean.js";

/** Gradient methods by their command-line names, in table order. */
export const METHOD_NAMES = [
  "interpolating",
  "interpolating-checkpointed",
  "quadrature",
  "discrete",
  "backsolve",
  "direct",
  "expm",
  "forward",
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const OPTIMIZER_NAMES = ["adam", "lbfgs", "adam+lbfgs"] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

function pickName<T extends string>(option: string, what: string, value: string, valid: readonly T[]): T {
  const exact = valid.find((v) => v === value) ?? valid.find((v) => v.toLowerCase() === value.toLowerCase());
  if (exact !== undefined) return exact;
  const near = closestName(value, valid);
  throw new OptionError(
    `unknown ${what} "${value}"${near ? ` (did you mean "${near}"?)` : ""}. Fix: pass ${option} with one of ${valid.join(", ")}.`,
  );
}

/** A built-in model's name (a model file's path is read by model-file.ts). */
export function parseModel(value: string): ModelKind {
  return pickName("--model", "model", value, MODEL_KINDS);
}

export function parseActivation(value: string): ActivationName {
  return pickName("--activation", "activation", value, ACTIVATION_NAMES);
}

export function parseOptimizer(value: string): OptimizerName {
  return pickName("--optimizer", "optimizer", value, OPTIMIZER_NAMES);
}

/** A gradient method name, or "all" when allowAll. */
export function parseMethod(value: string, allowAll: boolean, option = "--method"): MethodName | "all" {
  if (allowAll && value.toLowerCase() === "all") return "all";
  return pickName(option, "method", value, allowAll ? [...METHOD_NAMES, "all"] : METHOD_NAMES) as MethodName;
}

/** The solver names @udekit/ode ships (ALL_SOLVERS). */
export const SOLVER_NAMES: readonly string[] = ALL_SOLVERS.map((s) => s.name);

export function parseSolver(value: string): OdeSolver {
  const name = pickName("--solver", "solver", value, SOLVER_NAMES);
  return ALL_SOLVERS.find((s) => s.name === name) as OdeSolver;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A finite number > 0 (or ≥ 0 with allowZero), as an option value. */
export function parsePositive(option: string, value: string, example: string, allowZero = false): number {
  const x = NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(x) || x < 0 || (!allowZero && x === 0)) {
    throw new OptionError(
      `${option} must be a finite number ${allowZero ? "≥ 0" : "> 0"}, got "${value}". Fix: e.g. ${option} ${example}.`,
    );
  }
  return x;
}

/** A tolerance: a number in (0, 1). */
export function parseTolerance(option: string, value: string, example: string): number {
  const x = parsePositive(option, value, example);
  if (x >= 1) {
    throw new OptionError(
      `${option} must be below 1 (it is a relative or absolute error bound), got "${value}". Fix: e.g. ${option} ${example}.`,
    );
  }
  return x;
}

/** An integer in [min, max]. */
export function parseInteger(option: string, value: string, min: number, example: string, max = 1e9): number {
  const x = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(x) || x < min || x > max) {
    throw new OptionError(
      `${option} must be a whole number ${max < 1e9 ? `from ${min} to ${max}` : `≥ ${min}`}, got "${value}". Fix: e.g. ${option} ${example}.`,
    );
  }
  return x;
}

/** A comma-separated list of integers ≥ min. */
export function parseIntegerList(option: string, value: string, min: number, example: string): number[] {
  return value.split(",").map((s) => parseInteger(option, s.trim(), min, example));
}
