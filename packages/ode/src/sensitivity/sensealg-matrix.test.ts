// Every sensealg after every kind of solver, on the save-point layouts that take separate code
// paths: points inside steps, the last point before the end of tspan (the forward solve runs on
// past it), time running backward, a point at t0, a repeated point. Each gradient (with respect to
// u0 and p) is compared with central differences of the loss solved at reltol 1e-12. A randomized
// sweep of this kind found the stiff adjoints' stops outside their span (stiff.test.ts); this
// test found ForwardSensitivity failing after a Rosenbrock solve backward in time, where the
// state grows like e^(200·t): its Jacobian's difference quotients divided by zero once |u|
// passed 1e17 (rosenbrock/jacobian.ts, differenceIncrement).
//
// Bounds, from the errors measured (2026-12-06): at reltol 1e-10 every method is within 3.3e-9
// (explicit solvers) and 8.5e-9 (Rodas5P, AutoTsit5(Rodas5P())) of the differences, which carry
// ~1e-12/1e-5 = 1e-7 of noise at most: 1e-6. Rosenbrock23 (order 2, at 1e-8): 2.8e-6 forward in
// time, 4.2e-4 backward (its error on the growing solution): 2e-3. A wrong term is off by O(1).
import {
  add,
  matvec,
  mul,
  sin,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { AutoTsit5, Rodas5P, Rosenbrock23, Tsit5, Vern7, Vern9 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import {
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { solveOde } from "./solve-ode.js";

const P = tensor([0.4, -0.9, 0.7, 0.2], [2, 2]);
const c = tensor([0.3, -0.4]);
const u0 = [0.25, -0.6];
/** u' = tanh(P·u) − k·(u − c) + 0.3·sin(2t)·c: time-dependent; stiff for k = 200. */
const rhs = (k: number) => (u: Tensor, p: Tensor, t: Tensor) =>
  add(sub(tanh(matvec(p, u)), mul(k, sub(u, c))), mul(sin(mul(2, t)), mul(0.3, c)));

const layouts: [string, readonly [number, number], number[]][] = [
  ["points inside steps, the last before the end", [0, 1.6], [0.37, 0.9, 1.25]],
  ["backward in time, a point at t0", [1.6, 0], [1.6, 0.8, 0.3]],
  ["a repeated point, the last at the end", [0, 1.2], [0.5, 0.5, 1.2]],
];

const weights = (m: number) => tensor(Array.from({ length: m }, (_, i) => [1 + i, 0.5 - 0.2 * i]));

function lossOf(
  k: number,
  tspan: readonly [number, number],
  saveat: number[],
  solver: OdeSolver,
  sensealg: SensitivityAlgorithm | undefined,
  tol: number,
) {
  const w = weights(saveat.length);
  return (u: Tensor, p: Tensor) =>
    sum(
      mul(w, square(solveOde(rhs(k), u, p, { tspan, saveat, solver, reltol: tol, abstol: tol, sensealg }))),
    );
}

function centralDifferences(k: number, tspan: readonly [number, number], saveat: number[]): number[] {
  const x0 = [...u0, ...P.data];
  const solver = k > 1 ? Rodas5P() : Vern9();
  const L = (x: number[]) =>
    lossOf(
      k,
      tspan,
      saveat,
      solver,
      undefined,
      1e-12,
    )(tensor(x.slice(0, 2)), tensor(x.slice(2), [2, 2])).item();
  const h = 1e-5;
  return x0.map((_, i) => {
    const a = x0.slice();
    const b = x0.slice();
    a[i] += h;
    b[i] -= h;
    return (L(a) - L(b)) / (2 * h);
  });
}

const explicit: [string, () => OdeSolver][] = [
  ["Tsit5", () => Tsit5()],
  ["Vern7", () => Vern7()],
];
const stiff: [string, () => OdeSolver][] = [
  ["Rodas5P", () => Rodas5P()],
  ["Rosenbrock23", () => Rosenbrock23()],
  ["AutoTsit5(Rodas5P())", () => AutoTsit5(Rodas5P())],
];
const algs: [string, () => SensitivityAlgorithm][] = [
  ["DiscreteAdjoint", () => DiscreteAdjoint()],
  ["DiscreteAdjoint({ checkpoints: 2 })", () => DiscreteAdjoint({ checkpoints: 2 })],
  ["InterpolatingAdjoint", () => InterpolatingAdjoint()],
  ["InterpolatingAdjoint({ checkpointing: true })", () => InterpolatingAdjoint({ checkpointing: true })],
  ["QuadratureAdjoint", () => QuadratureAdjoint()],
  ["ForwardSensitivity", () => ForwardSensitivity()],
  ["DirectBackprop", () => DirectBackprop()],
];

for (const [k, solvers] of [
  [0.5, explicit],
  [200, stiff],
] as const) {
  describe(`k = ${k}`, () => {
    for (const [layout, tspan, saveat] of layouts) {
      describe(layout, () => {
        const want = centralDifferences(k, tspan, saveat);
        const norm = Math.hypot(...want);
        for (const [sn, solver] of solvers) {
          for (const [an, alg] of algs) {
            if (an === "DirectBackprop" && k > 1) continue; // explicit methods only
            test(`${sn}, ${an}`, () => {
              const tol = sn === "Rosenbrock23" ? 1e-8 : 1e-10;
              const gradient = () =>
                valueAndGrad(lossOf(k, tspan, saveat, solver(), alg(), tol), [0, 1])(tensor(u0), P)[1];
              const [gu, gp] = gradient();
              const got = [...gu.data, ...gp.data];
              const rel = Math.hypot(...got.map((g, i) => g - want[i])) / norm;
              expect(rel).toBeLessThan(sn === "Rosenbrock23" ? 2e-3 : 1e-6);
            });
          }
        }
      });
    }
  });
}
