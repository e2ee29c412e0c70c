/**
 * Typed errors of @udekit/linear-ode. Every message says what was wrong, what was expected
 * and how to fix it. All classes extend `LinearOdeError`, so `catch (e) { if (e instanceof
 * LinearOdeError) … }` catches every input error of this package.
 */

/** Base class of every error thrown by @udekit/linear-ode. */
export class LinearOdeError extends Error {
  override name = "LinearOdeError";
}

/** A matrix argument is not square (or not a matrix at all). */
export class NotSquareError extends LinearOdeError {
  override name = "NotSquareError";
  constructor(what: string, shape: readonly number[]) {
    super(
      `${what} must be a square n×n matrix, but its shape is [${shape.join(", ")}]. ` +
        "Pass a rank-2 tensor (or a Float64Array whose length is a perfect square) with as many rows as columns.",
    );
  }
}

/** Two arguments have sizes that do not fit together. */
export class SizeMismatchError extends LinearOdeError {
  override name = "SizeMismatchError";
  constructor(what: string, expected: string, got: readonly number[] | number) {
    const shown = typeof got === "number" ? String(got) : `[${got.join(", ")}]`;
    super(
      `${what} has size ${shown}, but ${expected} was expected. ` +
        "Check that every vector has as many entries as the matrix has rows.",
    );
  }
}

/** An input contains NaN or ±Infinity. */
export class NonFiniteError extends LinearOdeError {
  override name = "NonFiniteError";
  constructor(what: string, index: number, value: number) {
    super(
      `${what} contains a non-finite entry (${value} at flat index ${index}). ` +
        "The matrix exponential is only defined here for finite inputs: find where the NaN/Infinity was produced upstream (a division by zero, an overflowing exp) and fix it there.",
    );
  }
}

/** The array of output times is empty, not finite, or not strictly increasing. */
export class TimesError extends LinearOdeError {
  override name = "TimesError";
  constructor(detail: string) {
    super(
      `times ${detail}. Pass a non-empty array of finite, strictly increasing times (e.g. [1, 2, 3, 4]); sort them and remove duplicates first.`,
    );
  }
}

/** The Padé denominator q_m(A) was singular: only possible for inputs far outside the analysed range. */
export class SingularPadeError extends LinearOdeError {
  override name = "SingularPadeError";
  constructor() {
    super(
      "The Padé denominator of the matrix exponential is numerically singular (an LU pivot was exactly zero). " +
        "This cannot happen for finite inputs within the analysed range; check the matrix for huge or non-finite entries.",
    );
  }
}

/**
 * ‖A‖₁ is so large that scaling and squaring would need more than `MAX_SQUARINGS` squarings:
 * each squaring can double the relative rounding error of the result (Higham, "Functions of
 * Matrices", 2008, §10.3), so after 53 of them not one correct digit is guaranteed. Typically
 * A = t·B with a huge time t.
 */
export class ExpmTooLargeError extends LinearOdeError {
  override name = "ExpmTooLargeError";
  constructor(what: string, norm: number, limit: number) {
    super(
      `${what}: the exponent has ‖A‖₁ = ${norm.toExponential(3)} (after the trace shift), above ${limit.toExponential(3)}, ` +
        "where scaling and squaring would need more than 53 squarings and rounding errors could exceed the result. " +
        "This usually means a huge time span (t·A with t = 1e5 is fine for ‖A‖₁ ≈ 100, t = 1e300 is not): " +
        "shorten the time span or rescale time; the long-time limit of du/dt = A·u is the projection of u0 onto A's null space.",
    );
  }
}

/** An argument is neither a Tensor nor something a tensor is made from (a matrix object, nested arrays). */
export class ArgumentTypeError extends LinearOdeError {
  override name = "ArgumentTypeError";
  constructor(what: string, got: unknown) {
    super(
      `${what} is ${got === null ? "null" : Array.isArray(got) ? "an array that is not numbers or rows of numbers" : typeof got}. ` +
        "Pass a Tensor of @udekit/autodiff, an ml-matrix Matrix (or any object with rows, columns and get(i, j)), or nested arrays of numbers.",
    );
  }
}

/**
 * The result does not fit in double precision: an entry of exp(A) (or exp(tA)·v, or the Fréchet
 * derivative) exceeds 1.8e308 ≈ e^709.78. Reported instead of returning Infinity or the NaN that
 * Infinity·0 makes in the squaring phase.
 */
export class ExpmOverflowError extends LinearOdeError {
  override name = "ExpmOverflowError";
  constructor(what: string, index: number, value: number) {
    super(
      `${what}: the result overflows double precision (entry ${index} is ${value}; doubles end at 1.8e308 ≈ e^709.78). ` +
        "exp(t·A) grows like e^(t·λ) for the eigenvalue λ of A with the largest real part, so t·Re λ ≳ 709 cannot be represented. " +
        "Fix: shorten the time span or rescale time (or the model's rates); to compare growth, work with logarithms of norms.",
    );
  }
}

/** Throws ExpmOverflowError when one of the first `len` entries of `x` is not finite (inputs were finite). */
export function checkNoOverflow(what: string, x: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) {
    if (!Number.isFinite(x[i])) throw new ExpmOverflowError(what, i, x[i]);
  }
}
