/**
 * Runs every example of README.md. The code blocks are copied here between
 * `// --- README: <heading> ---` and `// --- end ---` markers (the README's `import` lines
 * become `await import(...)`); the first test reads README.md and checks that the copies are
 * the README's blocks verbatim, so an edit to either side fails until the other follows.
 * Results are checked against references independent of the code: closed forms, and for the
 * fit a plain scaling-and-squaring Taylor exponential written here with central differences.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const here = fileURLToPath(import.meta.url);
const readme = readFileSync(join(dirname(here), "..", "README.md"), "utf8");

/** The ```ts blocks of the README, in order. */
function readmeBlocks(): string[] {
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** The marked copies in this file, de-indented, with `await import` turned back into `import`. */
function copiedBlocks(): string[] {
  const source = readFileSync(here, "utf8");
  return [...source.matchAll(/^( *)\/\/ -{3} README: .+ -{3}\n([\s\S]*?)^\1\/\/ -{3} end -{3}$/gm)].map(
    ([, indent, body]) =>
      body
        .split("\n")
        .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
        .map((line) => line.replace(/^const (\{ .+ \}) = await import\(("[^"]+")\);$/, "import $1 from $2;"))
        .join("\n"),
  );
}

/** max |a − b| over entries. */
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** exp(M) of an n×n row-major matrix: Taylor to 24 terms of M/2^k (‖M/2^k‖₁ ≤ 1/2), then k squarings. */
function expTaylor(n: number, M: number[]): number[] {
  const norm = Math.max(
    ...Array.from({ length: n }, (_, j) => M.reduce((s, v, k) => (k % n === j ? s + Math.abs(v) : s), 0)),
  );
  const k = Math.max(0, Math.ceil(Math.log2(norm)) + 1);
  const S = M.map((v) => v / 2 ** k);
  const mul = (X: number[], Y: number[]) =>
    X.map((_, ij) => {
      const i = Math.floor(ij / n);
      const j = ij % n;
      let s = 0;
      for (let l = 0; l < n; l++) s += X[i * n + l] * Y[l * n + j];
      return s;
    });
  const I: number[] = Array.from({ length: n * n }, (_, ij) => (Math.floor(ij / n) === ij % n ? 1 : 0));
  let term = I;
  let E = I;
  for (let p = 1; p <= 24; p++) {
    term = mul(term, S).map((v) => v / p);
    E = E.map((v, ij) => v + term[ij]);
  }
  for (let q = 0; q < k; q++) E = mul(E, E);
  return E;
}

describe("README examples", () => {
  test("the copies below are README.md's code blocks, verbatim", () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBe(2);
    expect(copiedBlocks()).toEqual(blocks);
  });

  test("matrix exponential, Fréchet derivative, expmv", async () => {
    // --- README: Quick start ---
    const { tensor } = await import("@udekit/autodiff");
    const { expm, expmFrechet, expmv } = await import("@udekit/linear-ode");

    // exp of a rotation generator is a rotation: [[cos 1, −sin 1], [sin 1, cos 1]]
    const A = tensor([
      [0, -1],
      [1, 0],
    ]);
    const X = expm(A);

    // exp(A) and its derivative in the direction E, together
    const E = tensor([
      [0, 1],
      [0, 0],
    ]);
    const { L } = expmFrechet(A, E);

    // exp(tA)·v at several times without forming exp(tA): rows are times
    const Y = expmv([0.5, 1, 2], A, tensor([1, 0]));
    // --- end ---
    const c = Math.cos(1);
    const s = Math.sin(1);
    // Closed forms; entries ≤ 1 of a well-conditioned 2×2 (κ ≈ 1): a few ulps, so 1e-15.
    expect(maxDiff(X.data, [c, -s, s, c])).toBeLessThanOrEqual(1e-15);
    // L(A, E) = ∫₀¹ e^{σA} E e^{(1−σ)A} dσ with e^{σA} a rotation by σ and E = e₁e₂ᵀ: the integrand
    // is (cos σ, sin σ)ᵀ(sin(1−σ), cos(1−σ)), whose integrals are these (checked against
    // scipy.linalg.expm_frechet to 1e-16). Same rounding argument: 1e-15.
    expect(L.shape).toEqual([2, 2]);
    expect(maxDiff(L.data, [s / 2, (c + s) / 2, (s - c) / 2, s / 2])).toBeLessThanOrEqual(1e-15);
    // Row k = (cos t_k, sin t_k). expmv truncates its Taylor series at unit roundoff (its default
    // tolerance) and steps from time to time: a few ulps per step, so 1e-14.
    expect(Y.shape).toEqual([3, 2]);
    expect(
      maxDiff(
        Y.data,
        [0.5, 1, 2].flatMap((t) => [Math.cos(t), Math.sin(t)]),
      ),
    ).toBeLessThanOrEqual(1e-14);
  });

  test("differentiable linear-ODE fit", async () => {
    // --- README: Fitting du/dt = A(P)·u ---
    const { diag, square, sub, sum, tensor, valueAndGrad } = await import("@udekit/autodiff");
    const { solveLinearOde } = await import("@udekit/linear-ode");

    const P = tensor([
      [0, 1, 0],
      [0.5, 0, 0.5],
      [0, 2, 0],
    ]);
    const u0 = tensor([1, 0, 0]);
    const data = tensor([
      [1, 0, 0],
      [0.6, 0.3, 0.2],
      [0.4, 0.4, 0.3],
    ]);
    // A(P) = P − diag(P·1): du_i/dt = Σ_j P_ij (u_j − u_i)
    const loss = (p: typeof P) => {
      const A = sub(p, diag(sum(p, 1)));
      const u = solveLinearOde(A, u0, [0, 1, 2]); // rows: u(0), u(1), u(2)
      return sum(square(sub(u, data)));
    };
    const [value, dP] = valueAndGrad(loss)(P);
    // --- end ---
    // The same loss from a Taylor exponential written here: u(t) = exp(A·t)·u0.
    const lossRef = (p: number[]): number => {
      const A = p.slice();
      for (let i = 0; i < 3; i++) A[i * 3 + i] -= p[i * 3] + p[i * 3 + 1] + p[i * 3 + 2];
      let total = 0;
      [0, 1, 2].forEach((t, k) => {
        const Et = expTaylor(
          3,
          A.map((v) => v * t),
        );
        for (let i = 0; i < 3; i++) {
          // u0 = e₁: u(t) is the first column of exp(A·t).
          total += (Et[i * 3] - data.data[k * 3 + i]) ** 2;
        }
      });
      return total;
    };
    const p0 = Array.from(P.data);
    const ref = lossRef(p0);
    // Both exponentials are accurate to a few ulps (‖2A‖₁ = 8, κ small); the nonzero residuals
    // u − data are ≥ 0.046 against entries ≤ 1 (row 0 is exactly zero: u(0) = u0), so the loss
    // (≈ 0.048) agrees to ~1e-14 relative; 1e-12 leaves margin.
    expect(Math.abs(value.item() - ref)).toBeLessThanOrEqual(1e-12 * ref);
    // Gradient against central differences of lossRef, h = 1e-6: truncation h²·|f'''| ≈ 1e-11 and
    // rounding ε·|f|/h ≈ 1e-11, so |error| ≤ 1e-9 + 1e-7·|∂| is safe; a wrong Fréchet derivative
    // (even L ≡ 0) is off by O(|∂|).
    const h = 1e-6;
    for (let ij = 0; ij < 9; ij++) {
      const plus = p0.slice();
      const minus = p0.slice();
      plus[ij] += h;
      minus[ij] -= h;
      const fd = (lossRef(plus) - lossRef(minus)) / (2 * h);
      expect(Math.abs(dP.data[ij] - fd)).toBeLessThanOrEqual(1e-9 + 1e-7 * Math.abs(fd));
    }
    // Off-diagonal sensitivities are not all zero (the check above is not vacuous)…
    expect(Math.max(...Array.from(dP.data, Math.abs))).toBeGreaterThan(1e-2);
    // …and the diagonal of P cancels in A(P): its gradient is exactly zero.
    expect([dP.data[0], dP.data[4], dP.data[8]]).toEqual([0, 0, 0]);
  });
});
