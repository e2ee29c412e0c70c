/**
 * The public shape of a compiled tape (what `compile` returns): forward, vjp, specialised
 * pullbacks and `specialise`, plus `dispose`. The passes that build it live beside this file;
 * compile.ts puts them together.
 */
import type { Shape } from "../shape.js";

export interface CompiledFunction {
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  /** f at `inputs` (flat row-major data, one array per input). Returns `out` if given, else an internal buffer overwritten by the next call. */
  forward(inputs: readonly Float64Array[], out?: Float64Array): Float64Array;
  /**
   * Runs f at `inputs`, then returns the cotangent of every input given the output's
   * cotangent. `grads` (one array per input; longer arrays are fine, only the leading entries
   * are written) is overwritten and returned; without it,
   * internal buffers are returned, overwritten by the next call.
   */
  vjp(inputs: readonly Float64Array[], cotangent: Float64Array, grads?: Float64Array[]): Float64Array[];
  /**
   * A specialised VJP that computes only the cotangents of the inputs flagged in `wrt`
   * (ops that lead only to other inputs are skipped), writing them into `grads[i]` for the
   * flagged i (other entries are ignored and may be null). With `accumulate: true` it adds
   * to `grads` instead of overwriting (e.g. to sum a quadrature rule's terms in place).
   * See PullbackOptions for `batch`.
   */
  pullback(wrt: readonly boolean[], options?: PullbackOptions): Pullback;
  /**
   * The same program with the inputs flagged in `fixed` held constant between calls to
   * `prepare(inputs)`: work that depends only on them (e.g. row sums of a parameter matrix
   * inside an ODE right-hand side) is done once per prepare instead of once per call. The
   * caller promises to call prepare again whenever a fixed input's values change, and after
   * calling the parent's own forward/vjp/pullback with other values (buffers are shared).
   */
  specialise(fixed: readonly boolean[]): SpecialisedFunction;
  /**
   * Hands the program's buffers (in the kernels' arena) back now. Afterwards every call of this
   * function, of its specialisations and of its pullbacks throws a CompileError, and arrays it
   * returned (forward's and vjp's internal buffers) must not be read. A second call is a no-op.
   * Without dispose the buffers go back once the function and everything made from it have been
   * garbage-collected (see CONTRIBUTING.md, "Memory").
   */
  dispose(): void;
}

export interface SpecialisedFunction {
  /** Computes everything that depends only on the fixed inputs (and constants). */
  prepare(inputs: readonly Float64Array[]): void;
  forward(inputs: readonly Float64Array[], out?: Float64Array): Float64Array;
  pullback(wrt: readonly boolean[], options?: PullbackOptions): Pullback;
}

export interface PullbackOptions {
  /** Add to `grads` instead of overwriting them. */
  accumulate?: boolean;
  /**
   * With `accumulate`: rank-1 contributions to the flagged arguments (ops that declare
   * `outerVjp`, e.g. Ā += ḡ·xᵀ of matvec) are stacked, `batch` calls at a time, and added with
   * one matrix product — when the stack is full, or when `flush(grads)` is called. Until then
   * `grads` lacks them: call `flush` before reading `grads`, and pass the same arrays to every
   * call in between. The sum is the same up to rounding (it is added in another order).
   */
  batch?: number;
}

/**
 * See CompiledFunction.pullback. Runs the part of the forward pass its VJPs read (ops
 * declare it with `vjpReads`), then the backward pass.
 */
export interface Pullback {
  /**
   * `weights` (optional, one per input) multiplies each argument's cotangent: grads[i] gets
   * weights[i]·(∂f/∂xᵢ)ᵀ·cotangent. One call then serves two scalings of the same cotangent, e.g.
   * a Runge–Kutta stage's state VJP (weight 1) and its parameter VJP times the quadrature
   * weight h·bᵢ, with a single pass through the program.
   */
  (
    inputs: readonly Float64Array[],
    cotangent: Float64Array,
    grads: readonly (Float64Array | null)[],
    weights?: readonly number[],
  ): void;
  /** Adds the stacked rank-1 contributions (see PullbackOptions.batch) into `grads`; a no-op without batch. */
  flush(grads: readonly (Float64Array | null)[]): void;
}
