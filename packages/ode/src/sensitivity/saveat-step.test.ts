// solveOde's saveat as a step (a number), as solve() takes it: the rows are t0, t0 + step, …, t1,
// and values and gradients are those of the same times passed as an array.
import { mul, square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { InvalidOptionError } from "../errors.js";
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { Rodas5P, Tsit5 } from "../solvers/index.js";
import {
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { solveOde } from "./solve-ode.js";

// u' = p∘u: u(t) = u0·e^{p t}, so L(p) = Σₖ Σᵢ (u0ᵢ e^{pᵢ tₖ})² and ∂L/∂pᵢ = Σₖ 2 tₖ (u0ᵢ e^{pᵢ tₖ})².
const decay = (u: Tensor, p: Tensor) => mul(p, u);
const u0 = tensor([1, 2]);
const p = tensor([-0.5, 0.3]);

describe("solveOde with saveat as a step", () => {
  test("rows at t0, t0 + step, …, t1 (the last one on t1 exactly), backward in time too", () => {
    const forward = solveOde(decay, u0, p, { tspan: [0, 1], saveat: 0.25, reltol: 1e-10, abstol: 1e-12 });
    expect(forward.shape).toEqual([5, 2]);
    const backward = solveOde(decay, u0, p, { tspan: [1, 0], saveat: 0.4, reltol: 1e-10, abstol: 1e-12 });
    // 1, 0.6, 0.2, then 0 (the span's end) — a step that does not divide the span still ends at t1.
    expect(backward.shape).toEqual([4, 2]);
    const times = [1, 0.6, 0.2, 0];
    times.forEach((t, k) => {
      for (let i = 0; i < 2; i++) {
        const exact = u0.data[i] * Math.exp(p.data[i] * (t - 1));
        // reltol 1e-10 on |u| ≤ 2: a few 1e-10 globally.
        expect(Math.abs(backward.data[k * 2 + i] - exact)).toBeLessThan(1e-8);
      }
    });
  });

  const algs: [string, SensitivityAlgorithm][] = [
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["ForwardSensitivity", ForwardSensitivity()],
    ["DirectBackprop", DirectBackprop()],
  ];
  test.each(algs)("%s: the gradient equals the array form's and the exact one", (_name, sensealg) => {
    // DirectBackprop replays explicit steps only (it refuses Rosenbrock methods, solve-ode-errors.test.ts).
    const solvers = sensealg.kind === "DirectBackprop" ? [Tsit5()] : [Tsit5(), Rodas5P()];
    for (const solver of solvers) {
      const loss = (saveat: number | number[]) => (q: Tensor) =>
        sum(
          square(
            solveOde(decay, u0, q, { tspan: [0, 1], saveat, solver, sensealg, reltol: 1e-10, abstol: 1e-12 }),
          ),
        );
      const [vStep, gStep] = valueAndGrad(loss(0.25))(p);
      const [vArray, gArray] = valueAndGrad(loss([0, 0.25, 0.5, 0.75, 1]))(p);
      expect(vStep.item()).toBe(vArray.item());
      expect(Array.from(gStep.data)).toEqual(Array.from(gArray.data));
      const times = [0, 0.25, 0.5, 0.75, 1];
      for (let i = 0; i < 2; i++) {
        let exact = 0;
        for (const t of times) exact += 2 * t * (u0.data[i] * Math.exp(p.data[i] * t)) ** 2;
        // Tolerance 1e-10 on a gradient of size ~1–10: relative 1e-7 leaves room for every method.
        expect(Math.abs(gStep.data[i] - exact)).toBeLessThan(1e-7 * Math.abs(exact));
      }
    }
  });

  test("a step that would make more save points than an array may hold is refused at once", () => {
    // 1e-12 over [0, 1]: 10¹² times (8 TB) — refused before any is built, in solveOde and solve.
    const call = () => solveOde(decay, u0, p, { tspan: [0, 1], saveat: 1e-12 });
    expect(call).toThrow(InvalidOptionError);
    expect(call).toThrow(/saveat = 1e-12 over tspan \[0, 1\] asks for 1000000000001 save points/);
    const problem = new ODEProblem((du: Float64Array, u: Float64Array) => du.set(u), [1], [0, 1]);
    expect(() => solve(problem, Tsit5(), { saveat: 1e-12 })).toThrow(/asks for 1000000000001 save points/);
  });
});
