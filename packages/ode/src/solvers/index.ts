/** Every shipped solver, in the order of the README table. The conformance test runs over this list. */
import type { OdeSolver } from "../stepper.js";
import { AutoTsit5 } from "./auto-switch.js";
import { bs3 } from "./bs3.js";
import { dp5 } from "./dp5.js";
import { euler } from "./euler.js";
import { heun } from "./heun.js";
import { midpoint } from "./midpoint.js";
import { rk4 } from "./rk4.js";
import { rodas4 } from "./rodas4.js";
import { rodas5p } from "./rodas5p.js";
import { rosenbrock23 } from "./rosenbrock23.js";
import { trbdf2 } from "./trbdf2.js";
import { tsit5 } from "./tsit5.js";
import { vern7 } from "./vern7.js";
import { vern9 } from "./vern9.js";

export { AutoTsit5, AutoVern7, autoSwitch } from "./auto-switch.js";
export { BS3 } from "./bs3.js";
export { DP5 } from "./dp5.js";
export { Euler } from "./euler.js";
export { Heun } from "./heun.js";
export { Midpoint } from "./midpoint.js";
export { RK4 } from "./rk4.js";
export { Rodas4 } from "./rodas4.js";
export { Rodas5P } from "./rodas5p.js";
export { Rosenbrock23 } from "./rosenbrock23.js";
export { TRBDF2 } from "./trbdf2.js";
export { Tsit5 } from "./tsit5.js";
export { Vern7 } from "./vern7.js";
export { Vern9 } from "./vern9.js";

export const ALL_SOLVERS: readonly OdeSolver[] = [
  euler,
  midpoint,
  heun,
  rk4,
  bs3,
  dp5,
  tsit5,
  vern7,
  vern9,
  rosenbrock23,
  rodas4,
  rodas5p,
  trbdf2,
];

/**
 * The method `solve(problem)` and `solveOde(...)` use when given none: AutoTsit5(Rodas5P()) —
 * Tsit5 while the problem is non-stiff, Rodas5P where it is stiff. Chosen over
 * DifferentialEquations.jl's AutoTsit5(Rosenbrock23()) by measurement on the stiff gradient
 * bank's problems (scripts/measure-auto-switch.ts; README "Which solver?"): at reltol 1e-3 and
 * 1e-6 it took fewer steps on all 16 cases, 1.5–17× less time on 14 (Robertson at 1e-3: a tie),
 * and was more accurate on 14 (Van der Pol at 1e-6: within 2× of Rosenbrock23's error). One
 * value, made on first use.
 */
export function defaultSolver(): OdeSolver {
  defaultValue ??= AutoTsit5(rodas5p);
  return defaultValue;
}
let defaultValue: OdeSolver | undefined;
