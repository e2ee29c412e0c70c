/**
 * Typed errors of @udekit/autodiff. Each message says what was wrong, what was expected
 * and how to fix it.
 */

export class AutodiffError extends Error {
  override name = "AutodiffError";
}

/** Operand shapes that an op cannot combine, or data whose length does not match a shape. */
export class ShapeError extends AutodiffError {
  override name = "ShapeError";
}

/** `grad`/`valueAndGrad` of a function whose output is not a scalar. */
export class NonScalarOutputError extends AutodiffError {
  override name = "NonScalarOutputError";
}

/** A lookup of an op name that was never registered. */
export class UnknownOpError extends AutodiffError {
  override name = "UnknownOpError";
}

/** `registerOps` with a different op under a name that is already registered. */
export class DuplicateOpError extends AutodiffError {
  override name = "DuplicateOpError";
}

/** A function that `compile` cannot turn into a static program, or a compiled call with wrong inputs. */
export class CompileError extends AutodiffError {
  override name = "CompileError";
}

/** Bad arguments that are not about shapes (wrong types, non-finite numbers where they cannot be accepted). */
export class ArgumentError extends AutodiffError {
  override name = "ArgumentError";
}

/** A check of `@udekit/autodiff/testing` (checkOpSuite) failed: the message lists each failed check. */
export class OpSuiteError extends AutodiffError {
  override name = "OpSuiteError";
}

/**
 * Tensors of two copies of @udekit/autodiff met where they cannot work together (a tensor being
 * differentiated by one copy passed to the other's ops): the message names both copies.
 */
export class DuplicateCopyError extends AutodiffError {
  override name = "DuplicateCopyError";
}
