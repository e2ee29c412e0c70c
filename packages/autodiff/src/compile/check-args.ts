/**
 * Argument checks of compiled calls. A compiled program is specialised to the shapes it was
 * traced with, and its kernels write into the caller's arrays: every entry point checks counts
 * and lengths first, with a message that names the expected shape.
 */
import { CompileError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Program } from "./program.js";

/**
 * Inputs must match their traced sizes exactly; output and gradient buffers may be longer (only
 * the leading entries are written). `wrt` skips the unflagged arrays (they may be null).
 * Runs at every compiled call: one pass over the arrays, building nothing.
 */
export function checkArrays(
  program: Program,
  what: string,
  arrays: readonly (Float64Array | null)[],
  wrt?: readonly boolean[],
  longer = false,
): void {
  const { inputSizes, inputShapes } = program;
  if (arrays.length !== inputSizes.length) {
    throw new CompileError(`compiled ${what}: expected ${inputSizes.length} arrays, got ${arrays.length}.`);
  }
  for (let i = 0; i < arrays.length; i++) {
    if (wrt !== undefined && !wrt[i]) continue;
    const x = arrays[i];
    const size = inputSizes[i];
    if (!(x instanceof Float64Array) || x.length < size || (!longer && x.length !== size)) {
      throw new CompileError(
        `compiled ${what}: array ${i} must be a Float64Array of ${longer ? "at least " : ""}${size} entries (shape ${formatShape(inputShapes[i])}); ` +
          "a compiled function is specialised to the shapes it was traced with: compile again for other shapes.",
      );
    }
  }
}

/** One flag per argument (pullback's wrt, specialise's fixed). */
export function checkFlags(program: Program, what: string, name: string, flags: readonly boolean[]): void {
  const count = program.inputSizes.length;
  if (flags.length !== count) {
    throw new CompileError(
      `compiled ${what}: ${name} must have one flag per input (${count}), got ${flags.length}.`,
    );
  }
}

export function checkBatch(batch: number, accumulate: boolean): void {
  if (batch !== 0 && (!Number.isInteger(batch) || batch < 1 || !accumulate)) {
    throw new CompileError(
      `compiled pullback: batch must be a positive integer and needs accumulate: true; got batch = ${batch}, accumulate = ${accumulate}.`,
    );
  }
}

export function checkCotangent(program: Program, cotangent: Float64Array): void {
  if (cotangent.length !== program.outSize) {
    throw new CompileError(
      `compiled pullback: the cotangent must have ${program.outSize} entries (output shape ${formatShape(program.outShape)}), got ${cotangent.length}.`,
    );
  }
}

export function checkWeights(weights: readonly number[], count: number): void {
  if (weights.length !== count) {
    throw new CompileError(
      `compiled pullback: weights must have one number per input (${count}), got ${weights.length}.`,
    );
  }
  for (let i = 0; i < count; i++) {
    if (!Number.isFinite(weights[i])) {
      throw new CompileError(`compiled pullback: weights[${i}] = ${weights[i]} is not a finite number.`);
    }
  }
}
