/**
 * Issue 7, point 5: the seed linear model u(t) = exp(A(P)(t − 1))·u0, A(P) = P − diag(P·1),
 * loss = Σ_k ‖u(t_k) − d_k‖² over t = 1…4 (the t = 1 term is zero), against the scipy
 * reference of scripts/gen-fixtures.py (expm + expm_frechet, derived independently there).
 */
import { diag, square, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { solveLinearOde } from "../src/index.js";
import { loadFixture, loadSeed, relErrF } from "./fixtures.js";

interface SeedLinear {
  times: number[];
  loss: number;
  gradP: number[];
}
const ref = loadFixture<SeedLinear>("seed-linear.json");
const seed = loadSeed();
const n = seed.connectivity.length;
const u0 = tensor(seed.trainingData.map((row) => row[0]));
// Observations as [times, n] rows.
const data = tensor(
  Float64Array.from(
    { length: seed.times.length * n },
    (_, idx) => seed.trainingData[idx % n][Math.floor(idx / n)],
  ),
  [seed.times.length, n],
);

const loss = (P: Tensor) => sum(square(sub(solveLinearOde(sub(P, diag(sum(P, 1))), u0, seed.times), data)));

describe("seed linear model", () => {
  const P = tensor(seed.connectivity);
  const [value, g] = valueAndGrad(loss)(P);

  test("loss and ∂loss/∂P agree with the scipy expm_frechet reference to ≤ 1e-10 relative", () => {
    // Both sides are backward stable with κ(exp, 3·A(P)) ≈ 1.5e3 (expm-bank.json): expected
    // agreement ≈ κ·ε ≈ 3e-13; the bound is 1e-10.
    expect(Math.abs(value.item() - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-10);
    expect(relErrF(g.data, ref.gradP)).toBeLessThanOrEqual(1e-10);
  });

  test("the gradient on P's diagonal is exactly zero", () => {
    for (let i = 0; i < n; i++) expect(g.data[i * n + i]).toBe(0);
  });

  test("central differences on a few entries of P", () => {
    const entries = [
      [0, 1],
      [3, 7],
      [50, 49],
      [99, 0],
      [10, 10],
    ] as const;
    for (const [i, j] of entries) {
      const eps = 1e-5;
      const at = (delta: number) => {
        const d = Float64Array.from(P.data);
        d[i * n + j] += delta;
        return loss(tensor(d, [n, n])).item();
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      // Smooth loss of size L: truncation ~eps²·|f'''| and rounding ~ε·L/eps; with L ≈ 1e2
      // both are below 1e-8 here, so 1e-6·|fd| + 1e-6 leaves margin (the diagonal entry is
      // analytically 0 and its difference is pure rounding).
      expect(Math.abs(fd - g.data[i * n + j])).toBeLessThanOrEqual(1e-6 * Math.abs(fd) + 1e-6);
    }
  });
});
