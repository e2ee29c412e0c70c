// Gradients through automatic composites (AutoTsit5(…), the default solver): after a solve that
// switched, the continuous adjoints integrate λ with the composite itself (it detects the
// adjoint system's own stiffness; p̄ by Gauss–Legendre quadrature, exact Jacobian) and
// DiscreteAdjoint walks each segment with its member's own discrete adjoint; after a solve that
// never left its explicit member, the backward pass is that member's, bit for bit.
import {
  add,
  concat,
  cos,
  mul,
  neg,
  sigmoid,
  slice,
  square,
  stack,
  sub,
  sum,
  type Tensor,
  tensor,
  unstack,
  valueAndGrad,
} from "@udekit/autodiff";
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
            // At 1e-6 this gradient is ~29 % off (the default audit of a stiff solve's first
            // gradient throws there); this test is about the switches, not the accuracy.
            sensealg: DiscreteAdjoint({ verify: false }),
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

  test("DiscreteAdjoint through Robertson's switch, adaptive, against the reference", () => {
    // Measured relative error 7.3e-8 at 1e-6 (InterpolatingAdjoint 2.4e-8); the backward walk
    // takes exactly the forward steps.
    const c = bankCase("robertson-fast");
    const r = stiffGradientError(c, AutoTsit5(Rodas5P()), DiscreteAdjoint(), 1e-6, 1e-6 * c.abstolScale);
    expect(r.retcode).toBe("Success");
    expect(r.relativeError).toBeLessThan(1e-6);
    expect(r.backwardSteps).toBe(r.forwardSteps);
  });

  test("DiscreteAdjoint with checkpoints after a switch is refused with a typed error that names the switches", () => {
    const c = bankCase("robertson-fast");
    const run = () =>
      stiffGradientError(
        c,
        AutoTsit5(Rodas5P()),
        DiscreteAdjoint({ checkpoints: 8 }),
        1e-6,
        1e-6 * c.abstolScale,
      );
    expect(run).toThrow(SensitivityOptionError);
    expect(run).toThrow(/switched methods \(Tsit5 → Rodas5P at t = [\d.e-]+\)\. Drop checkpoints/);
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

test("DiscreteAdjoint is the exact gradient of a computed solution that switched twice (fixed steps)", () => {
  // x relaxes fast onto cos t while k(t) ≈ k₀ = 3000 (stiff: h·k = 3.3 > 0.9 × 3.5068), slowly once
  // k ≈ 10 (t > 0.2); y integrates x. With dt = 1.1e-3 fixed, Tsit5 → Rodas5P at t ≈ 0.012 and back
  // at t ≈ 0.175, and the loss is a smooth function of (u0, p): its central differences are the
  // reference. Fourth-order differences (steps 1e-4, and 0.1 for k₀): truncation O(h⁴), rounding
  // ~1e-16·L/h; measured agreement 1.3e-8 (∂L/∂x₀ ≈ 7e-4), 1.6e-12, 1.4e-9, 1.2e-11 relative.
  const f = (u: Tensor, p: Tensor, t: Tensor) => {
    const [x, y] = unstack(u);
    const [k0, c] = unstack(p);
    const k = add(mul(k0, sigmoid(mul(sub(0.2, t), 100))), 10);
    return stack([mul(neg(k), sub(x, cos(t))), sub(x, mul(c, y))]);
  };
  const loss = (info?: SolveOdeInfo) => (u: Tensor, p: Tensor) =>
    sum(
      square(
        solveOde(f, u, p, {
          tspan: [0, 0.6],
          saveat: [0.1, 0.3, 0.5, 0.6],
          solver: AutoTsit5(Rodas5P()),
          dt: 1.1e-3,
          adaptive: false,
          sensealg: DiscreteAdjoint(),
          info,
        }),
      ),
    );
  const info: SolveOdeInfo = {};
  const [, [gu, gp]] = valueAndGrad(loss(info), [0, 1])(tensor([2, 0]), tensor([3000, 0.5]));
  expect(info.forward?.switches?.map((s) => s.to)).toEqual(["Rodas5P", "Tsit5"]);
  const L = (x: number[], q: number[]) => loss()(tensor(x), tensor(q)).item();
  const d4 = (g: (h: number) => number, h: number) =>
    (8 * (g(h) - g(-h)) - (g(2 * h) - g(-2 * h))) / (12 * h);
  const fd = [
    d4((h) => L([2 + h, 0], [3000, 0.5]), 1e-4),
    d4((h) => L([2, h], [3000, 0.5]), 1e-4),
    d4((h) => L([2, 0], [3000 + h, 0.5]), 1e-1),
    d4((h) => L([2, 0], [3000, 0.5 + h]), 1e-4),
  ];
  const g = [...gu.data, ...gp.data];
  // 1e-6: ~75× the worst measured; a segment walked with the wrong member, a lost cotangent at a
  // segment boundary or a save point given to the wrong segment is off by O(1).
  for (let i = 0; i < 4; i++) expect(Math.abs(g[i] - fd[i])).toBeLessThan(1e-6 * Math.abs(fd[i]));
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
