/**
 * Typed errors of @udekit/autodiff. Each message says what was wrong, what was expected
 * and how to fix it.
 */

export class AutodiffError extends Error {
  constructor(message: string) {
    super(message);
    // Named after the class actually constructed, so subclasses need no boilerplate.
    this.name = new.target.name;
  }
}

/** Operand shapes that an op cannot combine, or data whose length does not match a shape. */
export class ShapeError extends AutodiffError {}

/** `grad`/`valueAndGrad` of a function whose output is not a scalar. */
export class NonScalarOutputError extends AutodiffError {}

/** A lookup of an op name that was never registered. */
export class UnknownOpError extends AutodiffError {}

/** `registerOps` with a different op under a name that is already registered. */
export class DuplicateOpError extends AutodiffError {}

/** A function that `compile` cannot turn into a static program, or a compiled call with wrong inputs. */
export class CompileError extends AutodiffError {}

/** Bad arguments that are not about shapes (wrong types, non-finite numbers where they cannot be accepted). */
export class ArgumentError extends AutodiffError {}

/** A check of `@udekit/autodiff/testing` (checkOpSuite) failed: the message lists each failed check. */
export class OpSuiteError extends AutodiffError {}

/**
 * Tensors of two copies of @udekit/autodiff met where they cannot work together (a tensor being
 * differentiated by one copy passed to the other's ops): the message names both copies.
 */
export class DuplicateCopyError extends AutodiffError {}
