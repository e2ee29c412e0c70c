/**
 * Typed errors of @udekit/ode. Every error says what was wrong, what was expected and how
 * to fix it. They are thrown only before a solve starts (bad problem, bad options, bad
 * tableau) or from accessors used wrongly; failures inside the stepping loop are retcodes
 * (see retcode.ts), never throws.
 */

/** Base class of every error thrown by @udekit/ode. */
export class OdeError extends Error {
  override name = "OdeError";
}

/** The ODEProblem is malformed: wrong lengths, non-finite values, empty time span. */
export class InvalidProblemError extends OdeError {
  override name = "InvalidProblemError";
}

/** An option has a wrong type, value or name. */
export class InvalidOptionError extends OdeError {
  override name = "InvalidOptionError";
}

/** An option name is not known; the message names the closest valid one. */
export class UnknownOptionError extends InvalidOptionError {
  override name = "UnknownOptionError";
  constructor(
    readonly option: string,
    readonly suggestion: string | undefined,
    valid: readonly string[],
  ) {
    super(
      `@udekit/ode: unknown option "${option}". ${
        suggestion === undefined ? "" : `Did you mean "${suggestion}"? `
      }Valid options: ${valid.join(", ")}.`,
    );
  }
}

/** A Butcher or Rosenbrock tableau violates a consistency condition. */
export class InvalidTableauError extends OdeError {
  override name = "InvalidTableauError";
}

/** The solution was asked for something it does not hold (e.g. dense output when solved with dense: false). */
export class SolutionAccessError extends OdeError {
  override name = "SolutionAccessError";
}
