/**
 * Typed errors of @udekit/nn. Every message says what was wrong, what was expected and how to
 * fix it. Solver outcomes (LBFGS not converging) are retcodes, not errors.
 */

/** Base class of every error thrown by @udekit/nn. */
export class NNError extends Error {
  override name = "NNError";
  constructor(message: string) {
    super(`@udekit/nn: ${message}`);
  }
}

/** A seed or a serialised RNG state that cannot be used. */
export class RngSeedError extends NNError {
  override name = "RngSeedError";
}

/** An initialiser got a shape or options it cannot honour. */
export class InitError extends NNError {
  override name = "InitError";
}

/** A layer got an input whose shape does not fit it (e.g. the wrong width for a Dense layer). */
export class InputShapeError extends NNError {
  override name = "InputShapeError";
}

/** A parameter (or state) tree does not match the model it is given to. */
export class ParamTreeError extends NNError {
  override name = "ParamTreeError";
}

/** `flatten(ps)` got a tree whose leaves are not consecutive views of one buffer. */
export class NotContiguousError extends NNError {
  override name = "NotContiguousError";
}

/** A model description is invalid (bad dimensions, unknown activation, bad container arguments). */
export class ModelDefinitionError extends NNError {
  override name = "ModelDefinitionError";
}

/** A gradient handed to an optimiser holds NaN or ±Infinity. */
export class NonFiniteGradientError extends NNError {
  override name = "NonFiniteGradientError";
  constructor(
    readonly index: number,
    readonly value: number,
    context: string,
  ) {
    super(
      `${context}: gradient entry ${index} is ${value}; an optimiser step with it would destroy the parameters. ` +
        "Expected finite gradient entries. Fix: look for log/sqrt/division of non-positive values in the loss, " +
        "lower the learning rate, or clip gradients with { clipNorm } (which does not repair NaN).",
    );
  }
}

/** Optimiser hyperparameters, buffers or a serialised state that do not fit. */
export class OptimiserError extends NNError {
  override name = "OptimiserError";
}
