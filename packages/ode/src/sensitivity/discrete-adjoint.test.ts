// DiscreteAdjoint: the exact gradient of the computed solution. References:
// - DirectBackprop, which differentiates the same steps on the generic tape (a second
//   implementation of the same derivative), on the same step sequence;
// - central differences of the discrete solution with the steps frozen (fixed-step solves);
// - checkpointed walks must reproduce the stored walk bit for bit (same stages recomputed).
import {
  concat,
  mul,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
} from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import {
  AutoTsit5,
  BS3,
  DP5,
  Euler,
  Heun,
  Midpoint,
  RK4,
  Rodas4,
  Rodas5P,
  Rosenbrock23,
  Tsit5,
  Vern7,
  Vern9,
} from "../solvers/index.js";
import type { OdeSolver } from "../stepper.js";
import { DirectBackprop, DiscreteAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

/** Lotka–Volterra with p = (α, β, γ, δ) and an explicit time dependence (a forcing on x). */
const lv = (u: Tensor, p: Tensor, t: Tensor) => {
  const x = slice(u, 0, 1);
  const y = slice(u, 1, 2);
  const [a, b, c, d] = [0, 1, 2, 3].map((i) => slice(p, i, i + 1));
  const forcing = mul(0.1, mul(t, x));
  return concat([sub(sub(mul(a, x), mul(mul(b, x), y)), forcing), sub(mul(mul(d, x), y), mul(c, y))]);
};
const u0 = [1, 1];
const p0 = [1.5, 1, 3, 1];

interface Run {
  solver: OdeSolver;
  saveat: number[];
  sensealg: SensitivityAlgorithm;
  extra?: { dt?: number; adaptive?: boolean; reltol?: number; abstol?: number };
  info?: SolveOdeInfo;
}

function lossAndGrad({ solver, saveat, sensealg, extra = {}, info }: Run, u = u0, p = p0): number[] {
  const [v, [gu, gp]] = valueAndGrad(
    (uu: Tensor, pp: Tensor) =>
      sum(
        square(
          solveOde(lv, uu, pp, {
            tspan: [0, 8],
            saveat,
            solver,
            reltol: 1e-5,
            abstol: 1e-7,
            sensealg,
            info,
            ...extra,
          }),
        ),
      ),
    [0, 1],
  )(tensor(u), tensor(p));
  return [v.item(), ...gu.data, ...gp.data];
}

function maxRelDiff(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(Math.abs(b[i]), 1e-3 * scale)));
}

const adaptive: [string, OdeSolver][] = [
  ["Tsit5", Tsit5()],
  ["DP5", DP5()],
  ["BS3", BS3()],
  ["Vern7", Vern7()],
  ["Vern9", Vern9()],
];
const fixed: [string, OdeSolver, number][] = [
  ["RK4, dt = 0.05", RK4(), 0.05],
  ["Euler, dt = 0.01", Euler(), 0.01],
  ["Heun, dt = 0.02", Heun(), 0.02],
  ["Midpoint, dt = 0.02", Midpoint(), 0.02],
  ["Tsit5, fixed dt = 0.1", Tsit5(), 0.1],
];

describe("DiscreteAdjoint equals DirectBackprop on the same steps", () => {
  // Both walk the forward solve's step sequence and serve save points inside a step through its
  // dense output (Vern7/Vern9: with the interpolant's extra stages; DP5, BS3: FSAL; RK4, Euler…:
  // the end stage f(t₁, y₁) of a method without FSAL). Both are exact chain rules of the same
  // arithmetic; they differ only in the order of rounding (sums of ~10³ terms), hence 1e-12.
  test.each(adaptive)("%s (adaptive)", (_name, solver) => {
    for (const saveat of [[8], [1.3, 2.9, 5.55, 8], [0.7, 6.1]]) {
      const da = lossAndGrad({ solver, saveat, sensealg: DiscreteAdjoint() });
      const db = lossAndGrad({ solver, saveat, sensealg: DirectBackprop() });
      expect(maxRelDiff(da, db)).toBeLessThan(1e-12);
    }
  });
  test.each(fixed)("%s", (_name, solver, dt) => {
    const saveat = [2, 4, 8];
    const extra = { dt, adaptive: false };
    const da = lossAndGrad({ solver, saveat, sensealg: DiscreteAdjoint(), extra });
    const db = lossAndGrad({ solver, saveat, sensealg: DirectBackprop(), extra });
    expect(maxRelDiff(da, db)).toBeLessThan(1e-12);
  });
  // Save points inside fixed steps (2.013, 5.5) enter through the interpolant of a method
  // without its own (Hermite, through the end stage f(t₁, y₁)). The rounding difference grows
  // with the step count: measured 1e-14 at 200 Euler steps, 4.1e-12 at 800, 2.8e-12 at 3 200
  // (RK4 at 160 steps: 9e-14); a wrong weight, time or stage would be off by ≥ 1e-4.
  test.each(fixed)("%s, save points inside steps", (_name, solver, dt) => {
    const saveat = [2, 2.013, 4, 5.5, 8];
    const extra = { dt, adaptive: false };
    const da = lossAndGrad({ solver, saveat, sensealg: DiscreteAdjoint(), extra });
    const db = lossAndGrad({ solver, saveat, sensealg: DirectBackprop(), extra });
    expect(maxRelDiff(da, db)).toBeLessThan(2e-11);
  });
});

describe("DiscreteAdjoint with save points that end before the time span does", () => {
  // Steps after t = 4 carry no cotangent: the walk skips their VJPs (nothing was added into
  // their stage cotangents) and must still hand the right ȳ, K̄ across them.
  test.each(fixed)("%s", (_name, solver, dt) => {
    const extra = { dt, adaptive: false };
    for (const saveat of [[2, 4], [0, 4], [0]]) {
      const da = lossAndGrad({ solver, saveat, sensealg: DiscreteAdjoint(), extra });
      const db = lossAndGrad({ solver, saveat, sensealg: DirectBackprop(), extra });
      expect(maxRelDiff(da, db)).toBeLessThan(1e-12);
    }
  });
});

describe("DiscreteAdjoint matches central differences of the discrete solution", () => {
  // Fixed steps freeze the step sequence, so the loss is a smooth function of (u0, p). Its
  // fourth-order central differences (h = 1e-4: truncation ~h⁴·L⁽⁵⁾/30 ≈ 1e-17, rounding
  // ~1.5·ε·|L|/h ≈ 1e-10 for |L| ≈ 30) check the exact discrete gradient to 1e-8 relative
  // (absolute below 1, where |g| < 1). The save points fall inside steps
  // (dt = 0.3), so the cotangents enter through each interpolant's weights (Vern9: through
  // its lazily computed extra stages; RK4: through the end stage f(t₁, y₁)).
  // Rosenbrock methods too: their discrete adjoint also differentiates J(y) and ∂f/∂t (the
  // time-dependent forcing), the J term by a central difference of two VJPs (~1e-10 relative).
  // Their loss carries more rounding noise (LU solves with pivoting in every step): measured,
  // fourth-order differences at h = 1e-5 … 1e-3 scatter by up to 1e-7 on ∂L/∂y0 (ERK methods:
  // 1e-10), and are best at h = 3e-4, where they agree with the adjoint to 2e-8 (Rodas4) and
  // 3e-9 (Rodas5P). So the reference step is 3e-4 and the bound 5e-8 for them; a wrong term
  // in the step's adjoint (a J̄ or T̄ left out) is off by 1e-3 or more.
  test.each([
    ["Tsit5", Tsit5(), 1e-4, 1e-8],
    ["Vern9", Vern9(), 1e-4, 1e-8],
    ["RK4", RK4(), 1e-4, 1e-8],
    ["DP5", DP5(), 1e-4, 1e-8],
    ["Rodas4", Rodas4(), 3e-4, 5e-8],
    ["Rodas5P", Rodas5P(), 3e-4, 5e-8],
    ["Rosenbrock23", Rosenbrock23(), 3e-4, 5e-8],
  ] as const)("%s with save points inside steps", (_name, solver, h, bound) => {
    const run: Run = {
      solver,
      saveat: [0.7, 2.3, 5, 6.1, 7.95],
      sensealg: DiscreteAdjoint(),
      extra: { dt: 0.3, adaptive: false },
    };
    const g = lossAndGrad(run);
    const x = [...u0, ...p0];
    for (let i = 0; i < x.length; i++) {
      const at = (delta: number) => {
        const y = x.slice();
        y[i] += delta;
        return lossAndGrad(run, y.slice(0, 2), y.slice(2))[0];
      };
      const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
      expect(Math.abs(g[1 + i] - fd)).toBeLessThan(bound * Math.max(1, Math.abs(fd)));
    }
  });
});

describe("DiscreteAdjoint({ checkpoints })", () => {
  test.each([2, 3, 7, 1000])("checkpoints: %s reproduces the stored walk bit for bit", (checkpoints) => {
    const saveat = [0.7, 2.3, 5, 6.1, 8];
    const info: SolveOdeInfo = {};
    const stored = lossAndGrad({ solver: Tsit5(), saveat, sensealg: DiscreteAdjoint() });
    const ckpt = lossAndGrad({ solver: Tsit5(), saveat, sensealg: DiscreteAdjoint({ checkpoints }), info });
    expect(ckpt).toEqual(stored);
    // The recomputation costs one extra evaluation per stage of every step (fewer with many checkpoints).
    expect(info.backward?.nf).toBeGreaterThan(0);
  });
});

describe("DiscreteAdjoint({ checkpoints }) with a Rosenbrock method", () => {
  test("reproduces the stored walk bit for bit", () => {
    const saveat = [0.7, 2.3, 5, 8];
    const stored = lossAndGrad({ solver: Rodas5P(), saveat, sensealg: DiscreteAdjoint() });
    const ckpt = lossAndGrad({ solver: Rodas5P(), saveat, sensealg: DiscreteAdjoint({ checkpoints: 3 }) });
    expect(ckpt).toEqual(stored);
  });
});

describe("DiscreteAdjoint({ storeBytes }): a store over budget becomes checkpoints mid-solve", () => {
  // 2 states: a step of Tsit5 stores 2 + 7·2 numbers (128 bytes), ~60 steps here. 0 switches at
  // the first step; 100 bytes allows 3 checkpoints (the stride doubles many times); 2 000 bytes
  // switches after ~15 steps with room for 62; Infinity never switches.
  const saveat = [0.7, 2.3, 5, 6.1, 8];
  const stored = lossAndGrad({
    solver: Tsit5(),
    saveat,
    sensealg: DiscreteAdjoint({ storeBytes: Infinity }),
  });
  test.each([0, 100, 2000])("storeBytes: %s reproduces the stored walk bit for bit (Tsit5)", (storeBytes) => {
    const info: SolveOdeInfo = {};
    const g = lossAndGrad({ solver: Tsit5(), saveat, sensealg: DiscreteAdjoint({ storeBytes }), info });
    expect(g).toEqual(stored);
    // The walk recomputed the steps from checkpoints.
    expect(info.backward?.nf).toBeGreaterThan(0);
  });
  test("the default budget stores this solve's steps (nothing recomputed)", () => {
    const info: SolveOdeInfo = {};
    expect(lossAndGrad({ solver: Tsit5(), saveat, sensealg: DiscreteAdjoint(), info })).toEqual(stored);
    expect(info.backward?.nf).toBe(0);
  });
  test("a fixed-step RK4 solve (its store sized once) and a Rosenbrock method", () => {
    const extra = { dt: 0.1, adaptive: false };
    const rk4 = (sensealg: SensitivityAlgorithm) => lossAndGrad({ solver: RK4(), saveat, sensealg, extra });
    expect(rk4(DiscreteAdjoint({ storeBytes: 300 }))).toEqual(rk4(DiscreteAdjoint()));
    const rodas = (sensealg: SensitivityAlgorithm) => lossAndGrad({ solver: Rodas5P(), saveat, sensealg });
    expect(rodas(DiscreteAdjoint({ storeBytes: 500 }))).toEqual(
      rodas(DiscreteAdjoint({ storeBytes: Infinity })),
    );
  });
  test.each([0, Infinity])(
    "storeBytes: %s: a pullback called twice gives the same gradient",
    (storeBytes) => {
      const [, pullback] = vjp(
        (uu: Tensor, pp: Tensor) =>
          sum(
            square(
              solveOde(lv, uu, pp, {
                tspan: [0, 8],
                saveat,
                solver: Tsit5(),
                sensealg: DiscreteAdjoint({ storeBytes }),
              }),
            ),
          ),
        tensor(u0),
        tensor(p0),
      );
      const first = pullback(tensor(1)).map((g) => Array.from(g.data));
      const second = pullback(tensor(1)).map((g) => Array.from(g.data));
      expect(second).toEqual(first);
    },
  );
});

describe("DiscreteAdjoint rejects what it cannot do", () => {
  test.each([-1, Number.NaN, "1e6"])("storeBytes: %s", (storeBytes) => {
    const sensealg = DiscreteAdjoint({ storeBytes: storeBytes as number });
    expect(() => lossAndGrad({ solver: Tsit5(), saveat: [8], sensealg })).toThrow(
      /storeBytes.*number of bytes ≥ 0/,
    );
  });
  test("storeBytes with an automatic composite (which stores its tagged dense output)", () => {
    const sensealg = DiscreteAdjoint({ storeBytes: 1e6 });
    expect(() => lossAndGrad({ solver: AutoTsit5(Rodas5P()), saveat: [8], sensealg })).toThrow(
      /storeBytes.*AutoTsit5.*single method/,
    );
  });
  test("checkpoints and storeBytes together", () => {
    const sensealg = DiscreteAdjoint({ checkpoints: 4, storeBytes: 1e6 });
    expect(() => lossAndGrad({ solver: Tsit5(), saveat: [8], sensealg })).toThrow(
      /checkpoints or storeBytes, not both/,
    );
  });
  test.each([1, 2.5, -3])("checkpoints: %s", (checkpoints) => {
    expect(() =>
      lossAndGrad({ solver: Tsit5(), saveat: [8], sensealg: DiscreteAdjoint({ checkpoints }) }),
    ).toThrow(/checkpoints.*whole number ≥ 2/);
  });
});
