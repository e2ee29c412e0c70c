/**
 * Return codes of a solve, named as in SciMLBase (DifferentialEquations.jl). A failed solve
 * returns its retcode with a message and the partial solution computed so far; the stepping
 * loop never throws.
 */

export type ReturnCode =
  /** Integrated to the end of the time span. */
  | "Success"
  /** Not finished yet (the integrator is still stepping). */
  | "Default"
  /** The step budget `maxiters` was used up. */
  | "MaxIters"
  /** The step size fell below `dtmin` while the error test kept failing. */
  | "DtLessThanMin"
  /** The state or the error estimate became non-finite (NaN or ±Infinity). */
  | "Unstable"
  /** Any other failure, e.g. a W-matrix that stayed singular, or a Newton iteration that kept failing, while the step shrank. */
  | "Failure";

/** True for the retcode of a completed solve. */
export function successfulRetcode(code: ReturnCode): boolean {
  return code === "Success";
}

/** The message that accompanies a failure retcode: what happened and how to fix it. */
export function retcodeMessage(code: ReturnCode, t: number, detail = ""): string {
  const at = `at t = ${t}`;
  switch (code) {
    case "Success":
      return "Integrated to the end of the time span.";
    case "Default":
      return "The integration has not finished yet.";
    case "MaxIters":
      return `Stopped ${at}: the step budget maxiters${detail} was used up. Raise maxiters, loosen reltol/abstol, or use a stiff solver (Rodas4, Rosenbrock23) if the problem is stiff.`;
    case "DtLessThanMin":
      return `Stopped ${at}: the step size fell below dtmin${detail} while the error test kept failing. The problem may be stiff (try Rodas4) or singular near this time; lower dtmin or loosen the tolerances.`;
    case "Unstable":
      return `Stopped ${at}: the state became non-finite (NaN or Infinity)${detail}. Check the right-hand side for a singularity or blow-up near this time, or lower dt for a fixed-step method.`;
    case "Failure":
      return `Stopped ${at}: ${detail || "the solver failed"}.`;
  }
}
