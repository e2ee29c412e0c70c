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
];

/**
 * The method `solve(problem)` and `solveOde(...)` use when given none: AutoTsit5(Rosenbrock23()),
 * DifferentialEquations.jl's recommendation at default tolerances (Tsit5 while non-stiff,
 * Rosenbrock23 where stiff). One value, made on first use.
 */
export function defaultSolver(): OdeSolver {
  defaultValue ??= AutoTsit5(rosenbrock23);
  return defaultValue;
}
let defaultValue: OdeSolver | undefined;
