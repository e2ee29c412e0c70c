// The seed UDE (blockwise net + connectivity model) and Lotka–Volterra: adjoint gradients
// against float64 central differences of the loss and against a second method.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  add,
  concat,
  matmul,
  matvec,
  mul,
  reshape,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
  transpose,
  valueAndGrad,
} from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { DP5, Rodas4, Tsit5, Vern7 } from "../solvers/index.js";
import {
  DirectBackprop,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const seed = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../../apps/ude/data/seed-ude.json", import.meta.url)), "utf8"),
) as {
  times: number[];
  trainingData: number[][];
  connectivity: number[][];
  nn: { layers: { weight: number[][]; bias: number[] }[] };
};

const N = 100;
const NP = N * N + 49;

/** du/dt = nn(u) + A(P)·u; p = [P (row-major); W1 (5×4); b1; W2 (4×5); b2]. */
function udeRhs(u: Tensor, p: Tensor): Tensor {
  const P = reshape(slice(p, 0, N * N), [N, N]);
  const W1 = reshape(slice(p, N * N, N * N + 20), [5, 4]);
  const b1 = slice(p, N * N + 20, N * N + 25);
  const W2 = reshape(slice(p, N * N + 25, N * N + 45), [4, 5]);
  const b2 = slice(p, N * N + 45, NP);
  const X = reshape(u, [N / 4, 4]);
  const H = tanh(add(matmul(X, transpose(W1)), b1));
  const Y = add(matmul(H, transpose(W2)), b2);
  return add(reshape(Y, [N]), sub(matvec(P, u), mul(sum(P, 1), u)));
}

const [l1, l2] = seed.nn.layers;
// Small non-zero biases so that their gradients are exercised too.
const p0 = tensor(
  Float64Array.from([
    ...seed.connectivity.flat(),
    ...l1.weight.flat(),
    ...l1.bias.map((_, i) => 0.01 * (i + 1)),
    ...l2.weight.flat(),
    ...l2.bias.map((_, i) => -0.01 * (i + 1)),
  ]),
);
const u0 = tensor(seed.trainingData.map((r) => r[0]));
const data = tensor(seed.times.map((_, k) => seed.trainingData.map((r) => r[k])));

function udeLoss(sensealg: SensitivityAlgorithm, reltol: number, abstol: number) {
  return (p: Tensor) =>
    sum(
      square(
        sub(
          solveOde(udeRhs, u0, p, {
            tspan: [1, 4],
            saveat: seed.times,
            solver: Vern7(),
            reltol,
            abstol,
            sensealg,
          }),
          data,
        ),
      ),
    );
}

describe("seed UDE: gradient with respect to all 10 049 parameters", () => {
  const [value, g] = valueAndGrad(udeLoss(InterpolatingAdjoint(), 1e-10, 1e-12))(p0);

  test("InterpolatingAdjoint vs central differences on 20 random P entries and all 49 net parameters", () => {
    let s = 12345;
    const picks = new Set<number>();
    while (picks.size < 20) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      picks.add(s % (N * N));
    }
    for (let k = N * N; k < NP; k++) picks.add(k);
    const loss = (p: Float64Array) => udeLoss(InterpolatingAdjoint(), 1e-11, 1e-13)(tensor(p)).item();
    // Per entry: |g − fd| ≤ 1e-7·|fd| + floor.
    // - Relative part: central differences with h = 1e-4 have truncation h²·|L'''|/6, measured
    //   ≤ 6e-9 relative on these entries, and the adjoint at reltol 1e-10 is accurate to ~1e-8
    //   relative (seed-linear tests): 1e-7 leaves a 10× margin.
    // - Floor: the loss L ≈ 32 is only known to rounding (and the solve at reltol 1e-11 to about
    //   that, as L is re-solved at each point), so fd carries an absolute error ~ε·|L|/h ≈ 7e-11
    //   whatever the entry: measured 7e-11 on a diagonal P_ii, whose exact gradient is 0 (it
    //   cancels in A(P)). The floor is 100× that, ≈ 7e-9; it exceeds 1e-3·|fd| only for that zero
    //   entry (the smallest other |g| is 4e-4), so every other entry is checked to ≤ 2e-5 relative.
    const h = 1e-4;
    const floor = (100 * Number.EPSILON * Math.abs(value.item())) / h;
    let checkedTightly = 0;
    for (const k of picks) {
      const x = p0.data.slice();
      x[k] += h;
      const plus = loss(x);
      x[k] -= 2 * h;
      const minus = loss(x);
      const fd = (plus - minus) / (2 * h);
      expect(
        Math.abs(g.data[k] - fd),
        `entry ${k}: adjoint ${g.data[k]}, central differences ${fd}`,
      ).toBeLessThanOrEqual(1e-7 * Math.abs(fd) + floor);
      if (floor <= 1e-3 * Math.abs(fd)) checkedTightly++;
    }
    // The floor does not swallow the check: all picks but the one zero diagonal entry are far above it.
    expect(checkedTightly).toBeGreaterThanOrEqual(picks.size - 1);
    expect(value.item()).toBeGreaterThan(0);
  });

  test.each([
    ["DirectBackprop", DirectBackprop()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["InterpolatingAdjoint (checkpointing)", InterpolatingAdjoint({ checkpointing: true })],
  ] as const)("%s agrees with InterpolatingAdjoint", (_name, alg) => {
    const [, g2] = valueAndGrad(udeLoss(alg, 1e-10, 1e-12))(p0);
    let d = 0;
    let s2 = 0;
    for (let i = 0; i < NP; i++) {
      d += (g.data[i] - g2.data[i]) ** 2;
      s2 += g.data[i] ** 2;
    }
    // Two methods, each accurate to ~1e-8 relative at this tolerance (seed-linear tests).
    expect(Math.sqrt(d / s2)).toBeLessThan(1e-6);
  });
});

describe("Lotka–Volterra: gradients for u0 and p", () => {
  // du/dt = [a·x − b·x·y, −c·y + d·x·y], p = [a, b, c, d]
  const lv = (u: Tensor, p: Tensor) => {
    const x = slice(u, 0, 1);
    const y = slice(u, 1, 2);
    const xy = mul(x, y);
    const dx = sub(mul(slice(p, 0, 1), x), mul(slice(p, 1, 2), xy));
    const dy = add(mul(slice(p, 2, 3), mul(y, -1)), mul(slice(p, 3, 4), xy));
    return concat([dx, dy]);
  };
  const p = tensor([1.5, 1, 3, 1]);
  const x0 = tensor([1, 1]);
  // saveat without t0: the u0 gradient comes entirely from the backward pass.
  const saveat = [1, 2.5, 4, 7, 10];
  const target = tensor(saveat.map((t) => [1 + 0.1 * t, 1 - 0.05 * t]));
  const loss =
    (sensealg: SensitivityAlgorithm, reltol = 1e-10) =>
    (u: Tensor, q: Tensor) =>
      sum(
        square(
          sub(
            solveOde(lv, u, q, {
              tspan: [0, 10],
              saveat,
              solver: Tsit5(),
              reltol,
              abstol: reltol * 1e-2,
              sensealg,
            }),
            target,
          ),
        ),
      );
  const [, [gu, gp]] = valueAndGrad(loss(ForwardSensitivity()), [0, 1])(x0, p);

  test("central differences confirm ForwardSensitivity", () => {
    const h = 1e-5;
    const L = (u: number[], q: number[]) => loss(ForwardSensitivity(), 1e-12)(tensor(u), tensor(q)).item();
    const both = [...x0.data, ...p.data];
    const g = [...gu.data, ...gp.data];
    for (let k = 0; k < both.length; k++) {
      const xp = both.slice();
      xp[k] += h;
      const xm = both.slice();
      xm[k] -= h;
      const fd = (L(xp.slice(0, 2), xp.slice(2)) - L(xm.slice(0, 2), xm.slice(2))) / (2 * h);
      // h² truncation (~1e-10·|L'''|) and solver error / h (~1e-12·L/1e-5 ≈ 1e-7·L).
      expect(Math.abs(g[k] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
  });

  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["InterpolatingAdjoint (checkpointing)", InterpolatingAdjoint({ checkpointing: true })],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["DirectBackprop", DirectBackprop()],
  ] as const)("%s agrees with ForwardSensitivity", (_name, alg) => {
    const [, [au, ap]] = valueAndGrad(loss(alg), [0, 1])(x0, p);
    const ref = [...gu.data, ...gp.data];
    const got = [...au.data, ...ap.data];
    // Both sides are accurate to ~1e-8 relative at reltol 1e-10 over this horizon.
    got.forEach((v, i) => {
      expect(Math.abs(v - ref[i])).toBeLessThan(1e-6 * (1 + Math.abs(ref[i])));
    });
  });

  test("InterpolatingAdjoint with DP5, whose backward pass rejects steps, agrees with ForwardSensitivity", () => {
    // A stage's parameter term enters p̄ when the stage is evaluated; a rejected attempt's terms
    // must be taken out again. Measured: 12 rejected backward steps, max difference 9.8e-10
    // relative (without the retraction: 6.4e-2).
    const info: SolveOdeInfo = {};
    const lossDP5 = (sensealg: SensitivityAlgorithm, inf: SolveOdeInfo) => (u: Tensor, q: Tensor) =>
      sum(
        square(
          sub(
            solveOde(lv, u, q, {
              tspan: [0, 10],
              saveat,
              solver: DP5(),
              reltol: 1e-10,
              abstol: 1e-12,
              sensealg,
              info: inf,
            }),
            target,
          ),
        ),
      );
    const [, [au, ap]] = valueAndGrad(lossDP5(InterpolatingAdjoint(), info), [0, 1])(x0, p);
    const [, [ru, rp]] = valueAndGrad(lossDP5(ForwardSensitivity(), {}), [0, 1])(x0, p);
    expect(info.backward?.nreject).toBeGreaterThan(0);
    const ref = [...ru.data, ...rp.data];
    [...au.data, ...ap.data].forEach((v, i) => {
      expect(Math.abs(v - ref[i])).toBeLessThan(1e-8 * (1 + Math.abs(ref[i])));
    });
  });

  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["InterpolatingAdjoint (checkpointing)", InterpolatingAdjoint({ checkpointing: true })],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    // A Rosenbrock backward pass integrates the augmented [λ; μ] system instead of stage sums.
    ["InterpolatingAdjoint with a Rodas4 backward pass", InterpolatingAdjoint({ solver: Rodas4() })],
  ] as const)("%s, solved backward in time (tspan [10, 0]), agrees with ForwardSensitivity", (_name, alg) => {
    // The same ODE integrated from t = 10 down to t = 0: the backward pass then runs forward in
    // time and its steps are bounded by the (descending) forward steps.
    const back = [9, 7.5, 6, 3, 0];
    const lossBack = (sensealg: SensitivityAlgorithm) => (u: Tensor, q: Tensor) =>
      sum(
        square(
          sub(
            solveOde(lv, u, q, {
              tspan: [10, 0],
              saveat: back,
              solver: Tsit5(),
              reltol: 1e-10,
              abstol: 1e-12,
              sensealg,
            }),
            target,
          ),
        ),
      );
    // Start near the forward run's state at t = 10, so the reversed orbit stays bounded.
    const xEnd = tensor([1.2, 0.8]);
    const [, [ru, rp]] = valueAndGrad(lossBack(ForwardSensitivity()), [0, 1])(xEnd, p);
    const [, [au, ap]] = valueAndGrad(lossBack(alg), [0, 1])(xEnd, p);
    const ref = [...ru.data, ...rp.data];
    const got = [...au.data, ...ap.data];
    // Both sides are accurate to ~1e-8 relative at reltol 1e-10 over this horizon.
    got.forEach((v, i) => {
      expect(Math.abs(v - ref[i])).toBeLessThan(1e-6 * (1 + Math.abs(ref[i])));
    });
  });

  test("an in-place right-hand side with a hand-written VJP gives the same gradients", () => {
    const inPlace = {
      f: (du: Float64Array, u: Float64Array, q: Float64Array) => {
        du[0] = q[0] * u[0] - q[1] * u[0] * u[1];
        du[1] = -q[2] * u[1] + q[3] * u[0] * u[1];
      },
      // uBar = Jᵀλ, pBar = (∂f/∂p)ᵀλ, written out by hand from f above
      vjp: (
        uBar: Float64Array,
        pBar: Float64Array | null,
        l: Float64Array,
        u: Float64Array,
        q: Float64Array,
      ) => {
        uBar[0] = l[0] * (q[0] - q[1] * u[1]) + l[1] * q[3] * u[1];
        uBar[1] = -l[0] * q[1] * u[0] + l[1] * (-q[2] + q[3] * u[0]);
        if (pBar !== null) {
          pBar[0] = l[0] * u[0];
          pBar[1] = -l[0] * u[0] * u[1];
          pBar[2] = -l[1] * u[1];
          pBar[3] = l[1] * u[0] * u[1];
        }
      },
    };
    const ref = [...gu.data, ...gp.data];
    for (const alg of [InterpolatingAdjoint(), QuadratureAdjoint(), DirectBackprop()]) {
      const [, [au, ap]] = valueAndGrad(
        (u: Tensor, q: Tensor) =>
          sum(
            square(
              sub(
                solveOde(inPlace, u, q, {
                  tspan: [0, 10],
                  saveat,
                  reltol: 1e-10,
                  abstol: 1e-12,
                  sensealg: alg,
                }),
                target,
              ),
            ),
          ),
        [0, 1],
      )(x0, p);
      [...au.data, ...ap.data].forEach((v, i) => {
        expect(Math.abs(v - ref[i])).toBeLessThan(1e-6 * (1 + Math.abs(ref[i])));
      });
    }
  });

  test("saveat including t0 adds that cotangent to the u0 gradient directly", () => {
    const withT0 = [0, ...saveat];
    const tgt = tensor(withT0.map((t) => [1 + 0.1 * t, 1 - 0.05 * t]));
    const f = (u: Tensor) =>
      sum(
        square(
          sub(solveOde(lv, u, p, { tspan: [0, 10], saveat: withT0, reltol: 1e-10, abstol: 1e-12 }), tgt),
        ),
      );
    const [, g0] = valueAndGrad(f)(x0);
    // The t0 row is u0 itself: its residual is u0 − target(0) = (0, 0) here, so the extra
    // cotangent is zero and the gradient equals the one without t0 (to solver accuracy).
    const [, gNo] = valueAndGrad((u: Tensor) => loss(InterpolatingAdjoint())(u, p))(x0);
    for (let i = 0; i < 2; i++)
      expect(Math.abs(g0.data[i] - gNo.data[i])).toBeLessThan(1e-7 * (1 + Math.abs(gNo.data[i])));
    const moved = tensor([1.2, 0.9]);
    const [, gm] = valueAndGrad(f)(moved);
    const [, gmNo] = valueAndGrad((u: Tensor) => loss(InterpolatingAdjoint())(u, p))(moved);
    // with u0 ≠ target(0), d/du0 Σ(u0 − target0)² = 2(u0 − target0) = (0.4, −0.2) is added
    expect(gm.data[0] - gmNo.data[0]).toBeCloseTo(0.4, 6);
    expect(gm.data[1] - gmNo.data[1]).toBeCloseTo(-0.2, 6);
  });
});
