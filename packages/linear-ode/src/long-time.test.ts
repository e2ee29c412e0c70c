// Long time spans: `ude gradient --method expm --times 1,2,3,1e5` once hung for minutes (expmv's
// Taylor route needs ~|h|·‖A‖/θ₅₅·55 products: ~3·10⁷ for h = 1e5 on the seed's A), and 1e300
// never finished. Steps that long now form exp(hA) (work growing with log₂(|h|·‖A‖)), and an
// exponent that would need more than 53 squarings throws ExpmTooLargeError.
import { mul, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { seedA } from "../test/fixtures.js";
import { expmvTimesInto } from "./expmv.js";
import { ExpmTooLargeError, expm, expmFrechet, expmv, LinearOdeError, solveLinearOde } from "./index.js";
import { ExpmWorkspace } from "./workspace.js";

// c·L for the path graph's Laplacian L = [[−1, 1, 0], [1, −2, 1], [0, 1, −1]]: symmetric, with
// eigenvalues c·(0, −1, −3) and orthonormal eigenvectors (1, 1, 1)/√3, (1, 0, −1)/√2,
// (1, −2, 1)/√6, so exp(tA) = Σ e^{tλ_k} v_k v_kᵀ in closed form.
const C = 100;
const LAMBDA = [0, -C, -3 * C];
const V = [
  [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)],
  [1 / Math.sqrt(2), 0, -1 / Math.sqrt(2)],
  [1 / Math.sqrt(6), -2 / Math.sqrt(6), 1 / Math.sqrt(6)],
];
const A3 = Float64Array.from([-1, 1, 0, 1, -2, 1, 0, 1, -1].map((x) => C * x));
const U0 = Float64Array.of(0.3, -1.2, 2.5);

/** exp(tA)·u in closed form. */
function expAt(t: number, u: ArrayLike<number>): number[] {
  const out = [0, 0, 0];
  for (let k = 0; k < 3; k++) {
    const c = Math.exp(t * LAMBDA[k]) * (V[k][0] * u[0] + V[k][1] * u[1] + V[k][2] * u[2]);
    for (let i = 0; i < 3; i++) out[i] += c * V[k][i];
  }
  return out;
}

/**
 * L(tA, E) for symmetric A by the Daleckii–Krein formula: V (F ∘ (Vᵀ E V)) Vᵀ with
 * F_kl = (e^{μk} − e^{μl})/(μk − μl) (e^{μk} when μk = μl), μ = t·λ (Higham 2008, Thm 3.11).
 */
function frechetClosed(t: number, E: number[][]): number[][] {
  const mu = LAMBDA.map((l) => t * l);
  const inner = [0, 1, 2].map((k) =>
    [0, 1, 2].map((l) => {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += V[k][i] * E[i][j] * V[l][j];
      const f = mu[k] === mu[l] ? Math.exp(mu[k]) : (Math.exp(mu[k]) - Math.exp(mu[l])) / (mu[k] - mu[l]);
      return f * s;
    }),
  );
  return [0, 1, 2].map((i) =>
    [0, 1, 2].map((j) => {
      let s = 0;
      for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) s += V[k][i] * inner[k][l] * V[l][j];
      return s;
    }),
  );
}

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    d += (x[i] - y[i]) ** 2;
    s += y[i] ** 2;
  }
  return Math.sqrt(d / s);
}

// Scaling and squaring with s squarings can amplify rounding by 2^s (Higham 2008, §10.3): the
// tolerance for results through a long step is 2^s·u, s = ⌈log₂(‖hA‖₁/θ₁₃)⌉ (no trace shift
// here: |μ| > 500). For ‖hA‖₁ = 1e5·400: s = 24, 1.9e-9 (measured: 7.8e-11).
const afterSquarings = (s: number) => 2 ** (s - 53);
const LONG_STEP_RTOL = afterSquarings(24);
// The Fréchet derivative's squaring phase L ← R·L + L·R also feeds each level's error in R
// (≤ 2^k·u) into L, so its first-order bound is s·2^s·u: 4.5e-8 for s = 24 (measured 2.0e-9).
const FRECHET_LONG_STEP_RTOL = 24 * afterSquarings(24);

describe("long time spans are bounded work", () => {
  test("expmv over t = 1, 2, 3, 1e5 on c·L: the closed form, the long step costs one formed exponential", () => {
    const times = [1, 2, 3, 1e5];
    const out = new Float64Array(times.length * 3);
    const products = expmvTimesInto(3, times, A3, U0, out, new ExpmWorkspace(3));
    const shortSteps = expmvTimesInto(3, [1, 2, 3], A3, U0, new Float64Array(9), new ExpmWorkspace(3));
    // The step to 1e5 costs one formed exponential: n·(9 + s) + 1 products with s = 24 squarings
    // (100); the Taylor route would need ≈ |h|·‖A‖/θ₅₅·55 ≈ 2·10⁸.
    expect(products - shortSteps).toBeLessThanOrEqual(3 * (9 + 24) + 1);
    for (let k = 0; k < times.length; k++) {
      const want = expAt(times[k], U0);
      // The short steps are the paper's Taylor route (backward error u, κ ≈ 1 here): 1e-13.
      const tol = times[k] > 3 ? LONG_STEP_RTOL : 1e-13;
      expect(relErr(out.subarray(3 * k, 3 * k + 3), want)).toBeLessThan(tol);
    }
  });

  test("the seed's 100×100 A(P) at t = 1e5: bounded products, and the solution conserves Σπᵢuᵢ", () => {
    const A = seedA();
    const n = 100;
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const out = new Float64Array(2 * n);
    const products = expmvTimesInto(n, [1e5 - 1, 1e5], A, v, out, new ExpmWorkspace(n));
    // Two formed exponentials at n·(9 + 22) + 1 products each; Taylor alone: ≈ 3·10⁷.
    expect(products).toBeLessThanOrEqual(2 * (n * (9 + 22) + 1));
    // By then u is at its limit 1·(πᵀv) (A·1 = 0, πᵀA = 0): all entries equal, and one more unit
    // of time changes nothing. Tolerance: 2^s·u with s = ⌈log₂(1e5·111.4/θ₁₃)⌉ = 22 (measured 1.4e-15).
    const first = out.subarray(0, n);
    const last = out.subarray(n);
    const mean = last.reduce((a, b) => a + b, 0) / n;
    expect(relErr(last, new Float64Array(n).fill(mean))).toBeLessThan(afterSquarings(22));
    expect(relErr(first, last)).toBeLessThan(afterSquarings(22));
  });

  test("solveLinearOde's states and gradient at times 0, 1, 2, 1e5 match the closed forms", () => {
    const times = [0, 1, 2, 1e5];
    const W = [
      [1, 0, 0],
      [0.5, -1, 2],
      [-0.3, 0.7, 1.1],
      [2, 1, -1],
    ];
    const w = tensor(W.flat(), [4, 3]);
    const loss = (A: Tensor, u: Tensor) => sum(mul(solveLinearOde(A, u, times), w));
    const [value, [gA, gu]] = valueAndGrad(loss, [0, 1])(tensor(A3, [3, 3]), tensor(U0));
    let want = 0;
    for (let k = 0; k < times.length; k++) {
      const u = expAt(times[k], U0);
      for (let i = 0; i < 3; i++) want += W[k][i] * u[i];
    }
    expect(Math.abs(value.item() - want) / Math.abs(want)).toBeLessThan(LONG_STEP_RTOL);
    // dL/dA = Σ_k t_k·L(t_k·Aᵀ, w_k·u0ᵀ) (A symmetric); dL/du0 = Σ_k exp(t_k·A)ᵀ w_k.
    const gAwant = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    const guwant = [0, 0, 0];
    for (let k = 0; k < times.length; k++) {
      const E = [0, 1, 2].map((i) => [0, 1, 2].map((j) => W[k][i] * U0[j]));
      const L = frechetClosed(times[k], E);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) gAwant[i * 3 + j] += times[k] * L[i][j];
      const e = expAt(times[k], W[k]);
      for (let i = 0; i < 3; i++) guwant[i] += e[i];
    }
    expect(relErr(gA.data, gAwant)).toBeLessThan(FRECHET_LONG_STEP_RTOL);
    // ū0 goes through exp(hAᵀ) only (no Fréchet derivative).
    expect(relErr(gu.data, guwant)).toBeLessThan(LONG_STEP_RTOL);
  });
});

describe("an exponent past 53 squarings is refused", () => {
  const huge = tensor(
    A3.map((x) => 1e300 * x),
    [3, 3],
  );
  // The message names the function that refused (expm for every route but expmFrechet's own).
  test.each([
    ["expm", () => expm(huge)],
    ["expmFrechet", () => expmFrechet(huge, tensor(A3, [3, 3]))],
    ["expmv at t = 1e300", () => expmv(1e300, tensor(A3, [3, 3]), tensor(U0))],
    [
      "solveLinearOde at times 1, 2, 3, 1e300",
      () => solveLinearOde(tensor(A3, [3, 3]), tensor(U0), [1, 2, 3, 1e300]),
    ],
    [
      "solveLinearOde at evenly spaced times 0, 1e300",
      () => solveLinearOde(tensor(A3, [3, 3]), tensor(U0), [0, 1e300]),
    ],
  ])("%s throws ExpmTooLargeError with the fix", (what, run) => {
    expect(run).toThrow(ExpmTooLargeError);
    expect(run).toThrow(LinearOdeError);
    expect(run).toThrow(what === "expmFrechet" ? /^expmFrechet: / : /^expm: /);
    expect(run).toThrow(
      /‖A‖₁ = \d\.\d+e\+30\d.*more than 53 squarings.*shorten the time span or rescale time/,
    );
  });

  test("the largest allowed exponent still gives a finite result", () => {
    // θ₁₃·2⁵³ ≈ 3.83e16 is the limit; ‖c·L·t‖₁ = 400·t.
    const X = expm(
      tensor(
        A3.map((x) => 9e13 * x),
        [3, 3],
      ),
    );
    expect(X.data.every(Number.isFinite)).toBe(true);
  });
});
