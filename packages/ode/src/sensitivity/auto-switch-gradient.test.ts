// Gradients through automatic composites (AutoTsit5(…), the default solver): after a solve that
// switched, the continuous adjoints integrate λ with the composite itself (it detects the
// adjoint system's own stiffness; p̄ by Gauss–Legendre quadrature, exact Jacobian); after a
// solve that never left its explicit member, the backward pass is that member's, bit for bit.
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { STIFF_GRADIENT_BANK, stiffGradientError } from "../conformance/stiff-gradient-bank.js";
import { AutoTsit5, defaultSolver, Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { SensitivityOptionError } from "./errors.js";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const bankCase = (name: string) => {
  const c = STIFF_GRADIENT_BANK.find((p) => p.name === name);
  if (c === undefined) throw new Error(`no bank case ${name}`);
  return c;
};

describe("stiff problems: the composite switches and the gradient matches the reference", () => {
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["ForwardSensitivity", ForwardSensitivity()],
  ] as const)("Van der Pol μ = 1000 through a relaxation jump, AutoTsit5(Rodas5P()), %s", (_n, alg) => {
    // vdp-1jump: [0, 1000], one jump at t ≈ 807; reference from forward sensitivities through
    // scipy's Radau at rtol 1e-12, cross-checked by central differences (stiff-gradient-bank.ts).
    // Measured relative errors at reltol 1e-8: IA 4.6e-5, FS 2.7e-4 (Rodas5P alone: 4.6e-4 and
    // 2.7e-4). 1e-3 is ~4× the worst; an adjoint that read the wrong member's dense output or
    // Jacobian across a switch is off by O(1) (a gradient through this jump is that sensitive:
    // Rosenbrock23 alone at 1e-6 is off by 17×).
    const c = bankCase("vdp-1jump");
    const r = stiffGradientError(c, AutoTsit5(Rodas5P()), alg, 1e-8, 1e-8 * c.abstolScale);
    expect(r.retcode).toBe("Success");
    expect(r.relativeError).toBeLessThan(1e-3);
  });

  test("the forward solve switched both ways; the backward pass ran stiff steps", () => {
    const c = bankCase("vdp-1jump");
    const info: SolveOdeInfo = {};
    const f = (u: Tensor, p: Tensor) =>
      sum(
        square(
          solveOde(c.rhs, u, p, {
            tspan: c.tspan,
            saveat: c.saveat,
            solver: AutoTsit5(Rodas5P()),
            reltol: 1e-6,
            abstol: 1e-6 * c.abstolScale,
            info,
          }),
        ),
      );
    valueAndGrad(f, [0, 1])(tensor([...c.u0]), tensor([...c.p]));
    const switches = info.forward?.switches ?? [];
    expect(switches.some((s) => s.to === "Rodas5P")).toBe(true);
    expect(switches.some((s) => s.to === "Tsit5" && Math.abs(s.t - 807) < 5)).toBe(true);
    expect(info.backward?.retcode).toBe("Success");
    expect(info.backward?.nlu).toBeGreaterThan(0);
  });

  test("Robertson with the default solver (no solver given), InterpolatingAdjoint", () => {
    // robertson-fast at 1e-6: measured relative error 4.5e-8 (Rodas5P alone: 2.5e-8); 1e-6 is
    // the order of the bank's other fast cases' bounds at this tolerance.
    const c = bankCase("robertson-fast");
    const r = stiffGradientError(c, defaultSolver(), InterpolatingAdjoint(), 1e-6, 1e-6 * c.abstolScale);
    expect(r.solver).toBe("AutoTsit5(Rodas5P())");
    expect(r.retcode).toBe("Success");
    expect(r.relativeError).toBeLessThan(1e-6);
  });

  test("DiscreteAdjoint after a switch is refused with a typed error that names the switches", () => {
    const c = bankCase("robertson-fast");
    expect(() =>
      stiffGradientError(c, AutoTsit5(Rodas5P()), DiscreteAdjoint(), 1e-6, 1e-6 * c.abstolScale),
    ).toThrow(SensitivityOptionError);
    expect(() =>
      stiffGradientError(c, AutoTsit5(Rodas5P()), DiscreteAdjoint(), 1e-6, 1e-6 * c.abstolScale),
    ).toThrow(/switched methods \(Tsit5 → Rodas5P at t = [\d.e-]+\)\. Use InterpolatingAdjoint\(\)/);
  });
});

test("solveOde: a solver factory passed uncalled gets a typed error that says to call it", () => {
  const c = bankCase("robertson-fast");
  const call = () =>
    solveOde(c.rhs, tensor([...c.u0]), tensor([...c.p]), {
      tspan: c.tspan,
      saveat: c.saveat,
      solver: Tsit5 as never,
    });
  expect(call).toThrow(SensitivityOptionError);
  expect(call).toThrow("got the factory Tsit5 itself. Call it: solver: Tsit5().");
});

describe("non-stiff problems: never switches, the gradient is Tsit5's bit for bit", () => {
  // Lotka–Volterra as a tensor right-hand side, p = [a, b, c, d].
  const lv = (u: Tensor, p: Tensor) => {
    const x = slice(u, 0, 1);
    const y = slice(u, 1, 2);
    const xy = mul(x, y);
    return concat([
      sub(mul(slice(p, 0, 1), x), mul(slice(p, 1, 2), xy)),
      sub(mul(slice(p, 3, 4), xy), mul(slice(p, 2, 3), y)),
    ]);
  };
  function gradient(solver: OdeSolver | undefined, sensealg: SensitivityAlgorithm, info: SolveOdeInfo) {
    const f = (u: Tensor, p: Tensor) =>
      sum(
        square(
          solveOde(lv, u, p, {
            tspan: [0, 5],
            saveat: [1, 2, 3, 4, 5],
            solver,
            sensealg,
            reltol: 1e-8,
            abstol: 1e-8,
            info,
          }),
        ),
      );
    const [L, [gu, gp]] = valueAndGrad(f, [0, 1])(tensor([1, 1]), tensor([1.5, 1, 3, 1]));
    return [L.item(), ...gu.data, ...gp.data];
  }
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["DiscreteAdjoint with checkpoints", DiscreteAdjoint({ checkpoints: 8 })],
    ["BacksolveAdjoint", BacksolveAdjoint()],
    ["ForwardSensitivity", ForwardSensitivity()],
    ["DirectBackprop", DirectBackprop()],
  ] as const)("%s", (_n, alg) => {
    const auto: SolveOdeInfo = {};
    const plain: SolveOdeInfo = {};
    const byDefault = gradient(undefined, alg, auto);
    expect(byDefault).toEqual(gradient(Tsit5(), alg, plain));
    if (alg.kind !== "DirectBackprop") {
      expect(auto.forward?.switches).toEqual([]);
      expect(auto.forward?.methodSteps?.Rodas5P).toBe(0);
      expect(auto.backward?.naccept).toBe(plain.backward?.naccept);
    }
  });
});
