// The gradient audit solveOde runs by default (solve-ode.ts, defaultAuditKey): after a solve that
// took stiff steps and with `verify` unset, the first gradient of each (right-hand side, solver,
// sensealg, tolerances) is checked against a forward tangent; a configuration that passed is
// not audited again; a tangent solve that cannot finish is reported, not thrown.
import { concat, mul, slice, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas5P, Tsit5 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { GradientMismatchError } from "./errors.js";
import { DiscreteAdjoint, InterpolatingAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** Van der Pol in Liénard form, μ = p (stiff for μ = 100 on [0, 1.5]). */
const vdp = (u: Tensor, p: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  return concat([y, mul(p, sub(mul(sub(1, square(x)), y), x))]);
};

function gradientOf(
  f: typeof vdp,
  options: {
    solver: OdeSolver;
    sensealg?: SensitivityAlgorithm;
    reltol?: number;
    abstol?: number;
    maxiters?: number;
  },
  mu = 100,
): SolveOdeInfo {
  const info: SolveOdeInfo = {};
  const loss = (u: Tensor, p: Tensor) =>
    sum(square(solveOde(f, u, p, { tspan: [0, 1.5], saveat: [0.5, 1, 1.5], ...options, info })));
  valueAndGrad(loss, [0, 1])(tensor([2, 0]), tensor([mu]));
  return info;
}

// Each test makes its own right-hand side: what passed is remembered per function.
const fresh = (): typeof vdp => (u, p) => vdp(u, p);

describe("after a stiff solve", () => {
  test("a wrong first gradient throws GradientMismatchError (Rodas5P at the default 1e-3: ~11 % off)", () => {
    const f = fresh();
    expect(() => gradientOf(f, { solver: Rodas5P() })).toThrow(GradientMismatchError);
    // Not remembered: the same call throws again.
    expect(() => gradientOf(f, { solver: Rodas5P() })).toThrow(GradientMismatchError);
    // verify: false switches the audit off: the same gradient then comes back.
    const off = gradientOf(f, { solver: Rodas5P(), sensealg: DiscreteAdjoint({ verify: false }) });
    expect(off.retcode).toBe("Success");
    expect(off.audit).toBeUndefined();
  });

  test("a right first gradient passes; the configuration is then not audited again, another one is", () => {
    const f = fresh();
    const tight = { solver: Rodas5P(), reltol: 1e-8, abstol: 1e-8 };
    const first = gradientOf(f, tight);
    expect(first.audit?.relativeError).toBeLessThanOrEqual(first.audit?.threshold ?? 0);
    expect(first.audit?.unchecked).toBeUndefined();
    expect(gradientOf(f, tight).audit).toBeUndefined();
    // Another sensealg or tolerance is another configuration.
    expect(gradientOf(f, { ...tight, sensealg: InterpolatingAdjoint() }).audit).toBeDefined();
    expect(gradientOf(f, { ...tight, reltol: 1e-9 }).audit).toBeDefined();
    // Another right-hand side is audited on its own.
    expect(gradientOf(fresh(), tight).audit).toBeDefined();
  });

  test("a tangent solve that cannot finish is reported in info.audit.unchecked, not thrown, and not remembered", () => {
    const f = fresh();
    const tight = { solver: Rodas5P(), reltol: 1e-8, abstol: 1e-8 };
    const plain = gradientOf(f, { ...tight, sensealg: DiscreteAdjoint({ verify: false }) });
    const steps = (plain.forward?.naccept ?? 0) + (plain.forward?.nreject ?? 0);
    // Enough steps for the forward solve, too few for the tangent's (it controls the
    // tangent's error too and takes more steps).
    const limited = { ...tight, maxiters: steps + 1 };
    const info = gradientOf(f, limited);
    expect(info.retcode).toBe("Success");
    expect(info.audit?.unchecked).toMatch(/^MaxIters/);
    expect(Number.isNaN(info.audit?.directional)).toBe(true);
    expect(gradientOf(f, limited).audit?.unchecked).toMatch(/^MaxIters/);
    // Asked for explicitly, the same failure throws.
    expect(() => gradientOf(f, { ...limited, sensealg: DiscreteAdjoint({ verify: true }) })).toThrow(
      /could not check the gradient: its forward tangent solve failed \(MaxIters/,
    );
  });
});

describe("no default audit", () => {
  test("after an explicit solve, nor after the automatic default that never switched", () => {
    // μ = 1: not stiff; the default composite stays on Tsit5.
    expect(gradientOf(fresh(), { solver: Tsit5() }, 1).audit).toBeUndefined();
    const auto: SolveOdeInfo = {};
    const loss = (u: Tensor, p: Tensor) =>
      sum(square(solveOde(fresh(), u, p, { tspan: [0, 1.5], saveat: [1.5], info: auto })));
    valueAndGrad(loss, [0, 1])(tensor([2, 0]), tensor([1]));
    expect(auto.forward?.switches).toEqual([]);
    expect(auto.audit).toBeUndefined();
  });
});
