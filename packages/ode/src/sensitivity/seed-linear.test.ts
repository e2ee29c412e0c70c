// Every sensitivity method on the seed linear model du/dt = A(P)·u, A(P) = P − diag(P·1),
// against the exact gradient from the matrix exponential and its Fréchet derivative
// (test/fixtures/seed-linear-gradient.json, written by scripts/gen-adjoint-reference.py
// with scipy: independent of udekit's solvers).
//
// Tolerance (issue 5): ‖g − g_ref‖/‖g_ref‖ ≤ 1e-6 at reltol = 1e-10, abstol = 1e-12. The
// gradient's own error is a modest multiple of the tolerances (forward and backward
// global errors, each ~ a few × reltol relative), so 1e-6 leaves orders of magnitude of
// margin for a correct method while any wrong sign, missing jump or term is O(1).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { matvec, mul, reshape, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Rodas5P, Tsit5, Vern7 } from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { AdjointInstabilityError } from "./errors.js";
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

interface Case {
  n: number;
  loss: number;
  gradP: number[][];
}
const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../../test/fixtures/seed-linear-gradient.json", import.meta.url)),
    "utf8",
  ),
) as { times: number[]; cases: Case[] };
const seed = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../../apps/ude/data/seed-ude.json", import.meta.url)), "utf8"),
) as { trainingData: number[][]; connectivity: number[][] };

/** A(P)·u = P·u − (P·1)∘u, without forming A. */
const linearRhs = (u: Tensor, P: Tensor) => sub(matvec(P, u), mul(sum(P, 1), u));

function setup(n: number) {
  const P = tensor(seed.connectivity.slice(0, n).map((r) => r.slice(0, n)));
  const data = tensor(fixture.times.map((_, k) => seed.trainingData.slice(0, n).map((r) => r[k])));
  const u0 = tensor(seed.trainingData.slice(0, n).map((r) => r[0]));
  return { P, data, u0 };
}

function relativeError(g: Float64Array, ref: number[][]): number {
  const flat = ref.flat();
  let d = 0;
  let s = 0;
  for (let i = 0; i < flat.length; i++) {
    d += (g[i] - flat[i]) ** 2;
    s += flat[i] ** 2;
  }
  return Math.sqrt(d / s);
}

function gradient(
  n: number,
  sensealg: SensitivityAlgorithm,
  info?: SolveOdeInfo,
  { solver = Vern7() as OdeSolver, reltol = 1e-10, abstol = 1e-12 } = {},
) {
  const { P, data, u0 } = setup(n);
  const loss = (p: Tensor) => {
    const states = solveOde(linearRhs, u0, p, {
      tspan: [1, 4],
      saveat: fixture.times,
      solver,
      reltol,
      abstol,
      sensealg,
      info,
    });
    return sum(square(sub(states, data)));
  };
  const [value, g] = valueAndGrad(loss)(P);
  return { value: value.item(), g: g.data, shape: g.shape };
}

const METHODS: [string, SensitivityAlgorithm, number[]][] = [
  ["InterpolatingAdjoint", InterpolatingAdjoint(), [10, 100]],
  ["InterpolatingAdjoint (checkpointing)", InterpolatingAdjoint({ checkpointing: true }), [10, 100]],
  ["QuadratureAdjoint", QuadratureAdjoint(), [10, 100]],
  ["DirectBackprop", DirectBackprop(), [10, 100]],
  ["DiscreteAdjoint", DiscreteAdjoint(), [10, 100]],
  ["DiscreteAdjoint (checkpoints: 4)", DiscreteAdjoint({ checkpoints: 4 }), [10]],
  // O(n·p): at n = 100 it is the wall this project exists to avoid.
  ["ForwardSensitivity", ForwardSensitivity(), [10]],
];

describe("seed linear model: gradient with respect to P vs expm + Fréchet derivative", () => {
  for (const [name, alg, sizes] of METHODS) {
    for (const n of sizes) {
      test(`${name}, n = ${n}`, () => {
        const ref = fixture.cases.find((c) => c.n === n) as Case;
        const info: SolveOdeInfo = {};
        const { value, g, shape } = gradient(n, alg, info);
        expect(shape).toEqual([n, n]);
        // The loss comes from the forward solve (error ~1e-10 relative at this tolerance).
        expect(Math.abs(value - ref.loss) / ref.loss).toBeLessThan(1e-8);
        expect(relativeError(g, ref.gradP)).toBeLessThan(1e-6);
        expect(info.retcode).toBe("Success");
        if (name !== "DirectBackprop") expect(info.backward?.retcode).toBe("Success");
        // The gradient on P's diagonal cancels exactly in the model; numerically it is
        // the difference of two equal sums, so it is tiny relative to the other entries.
        let diag = 0;
        for (let i = 0; i < n; i++) diag = Math.max(diag, Math.abs(g[i * n + i]));
        const scale = Math.max(...Array.from(g, Math.abs));
        expect(diag / scale).toBeLessThan(1e-9);
      });
    }
  }

  // At everyday tolerances too, the adjoint gradient's error follows the tolerance: λ's error
  // control alone would let backward steps run across the forward solution's initial transient
  // (forward steps 0.004, backward ones 0.06), and the parameter integral ∫ λᵀ ∂f/∂p(u) dt then
  // stalls near 5e-4 whatever the tolerance (measured); the backward steps' bound by the forward
  // steps prevents that. Bound: 10 × reltol (the forward and backward global errors are each a
  // few × reltol; measured 7.5e-7 and 1.4e-8).
  for (const [name, alg] of [
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
  ] as const) {
    test(`${name} with Tsit5 at reltol 1e-6 and 1e-8 (n = 100): error ≤ 10 × reltol`, () => {
      const ref = fixture.cases.find((c) => c.n === 100) as Case;
      for (const reltol of [1e-6, 1e-8]) {
        const { g } = gradient(100, alg, undefined, { solver: Tsit5(), reltol, abstol: reltol / 100 });
        expect(relativeError(g, ref.gradP)).toBeLessThan(10 * reltol);
      }
    });
  }

  // DiscreteAdjoint is the exact gradient of the computed solution, so its distance to the
  // exact gradient is the forward solve's error in the sensitivities: it must shrink as the
  // tolerance tightens (measured with Tsit5: 6.0e-5, 9.7e-7, 1.6e-8 at reltol 1e-6, 1e-8, 1e-10;
  // each bound is 3× the measured value, and a DiscreteAdjoint that is right for the discrete
  // map but lost a term would not converge). With Rodas5P (exact Jacobians) it is far tighter.
  test("DiscreteAdjoint converges to the exact gradient as the tolerance tightens (n = 100)", () => {
    const ref = fixture.cases.find((c) => c.n === 100) as Case;
    const errors = [1e-6, 1e-8, 1e-10].map((reltol) =>
      relativeError(
        gradient(100, DiscreteAdjoint(), undefined, { solver: Tsit5(), reltol, abstol: reltol / 100 }).g,
        ref.gradP,
      ),
    );
    expect(errors[0]).toBeLessThan(2e-4);
    expect(errors[1]).toBeLessThan(3e-6);
    expect(errors[2]).toBeLessThan(5e-8);
    expect(errors[1]).toBeLessThan(errors[0] / 10);
    expect(errors[2]).toBeLessThan(errors[1] / 10);
    const stiff = gradient(100, DiscreteAdjoint(), undefined, {
      solver: Rodas5P(),
      reltol: 1e-6,
      abstol: 1e-8,
    });
    expect(relativeError(stiff.g, ref.gradP)).toBeLessThan(1e-9);
  });

  test("BacksolveAdjoint reports its failure on the seed model (n = 100) instead of a wrong gradient", () => {
    expect(() => gradient(100, BacksolveAdjoint())).toThrow(AdjointInstabilityError);
    expect(() => gradient(100, BacksolveAdjoint())).toThrow(/InterpolatingAdjoint\(\)/);
  });

  test("BacksolveAdjoint passes its own check and is accurate on the milder n = 10 block", () => {
    // The 10×10 block's eigenvalues reach only −6 (fixture), so reverse-time amplification
    // over 3 time units (≤ e^18) still leaves the reconstruction within its check.
    const ref = fixture.cases.find((c) => c.n === 10) as Case;
    expect(relativeError(gradient(10, BacksolveAdjoint()).g, ref.gradP)).toBeLessThan(1e-6);
  });

  test("the solve's states match the matrix exponential", () => {
    const { P, u0 } = setup(10);
    const states = solveOde(linearRhs, u0, P, {
      tspan: [1, 4],
      saveat: fixture.times,
      solver: Vern7(),
      reltol: 1e-12,
      abstol: 1e-14,
    });
    const ref = fixture.cases[0] as Case & { states: number[][] };
    const flat = ref.states.flat();
    for (let i = 0; i < flat.length; i++) expect(Math.abs(states.data[i] - flat[i])).toBeLessThan(1e-10);
    expect(reshape(states, [40]).shape).toEqual([40]);
  });
});
