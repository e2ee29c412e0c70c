/** Input checks shared by the public functions; each throws a typed error with a fix-it message. */
import { NonFiniteError, NotSquareError, SizeMismatchError, TimesError } from "./errors.js";

/** n of a square [n, n] shape; throws NotSquareError otherwise. */
export function squareSize(shape: readonly number[], what: string): number {
  if (shape.length !== 2 || shape[0] !== shape[1] || shape[0] < 1) throw new NotSquareError(what, shape);
  return shape[0];
}

/** n of a Float64Array holding an n×n matrix (its length must be a positive perfect square). */
export function squareSizeOfArray(data: Float64Array, what: string): number {
  const n = Math.round(Math.sqrt(data.length));
  if (n < 1 || n * n !== data.length) throw new NotSquareError(what, [data.length]);
  return n;
}

export function checkVector(shape: readonly number[], n: number, what: string): void {
  if (shape.length !== 1 || shape[0] !== n)
    throw new SizeMismatchError(what, `a vector of shape [${n}]`, shape);
}

export function checkFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new NonFiniteError(what, i, data[i]);
  }
}

/** Checks that times is a non-empty, finite, strictly increasing array and returns a copy. */
export function checkTimes(times: ArrayLike<number>): Float64Array {
  if (times.length === 0) throw new TimesError("is empty");
  const out = Float64Array.from(times);
  for (let k = 0; k < out.length; k++) {
    if (!Number.isFinite(out[k]))
      throw new TimesError(`contains a non-finite value (${out[k]} at index ${k})`);
    if (k > 0 && !(out[k] > out[k - 1])) {
      throw new TimesError(
        `is not strictly increasing (times[${k - 1}] = ${out[k - 1]}, times[${k}] = ${out[k]})`,
      );
    }
  }
  return out;
}

/**
 * The common step h when times[1:] are evenly spaced (to within 8 ulps of the largest |time|,
 * the rounding of a typical `t0 + k·h` grid), else null. The returned h is the exact mean step.
 */
export function evenStep(times: Float64Array): number | null {
  const T = times.length;
  if (T < 2) return null;
  const h = (times[T - 1] - times[0]) / (T - 1);
  const scale = Math.max(Math.abs(times[0]), Math.abs(times[T - 1]));
  const tol = 8 * 2 ** -52 * scale;
  for (let k = 1; k < T; k++) if (Math.abs(times[k] - times[k - 1] - h) > tol) return null;
  return h;
}
