import { describe, expect, test } from "vitest";
import { EPS, loadFixture, relErrF, seedA } from "../test/fixtures.js";
import { expmInto } from "./expm.js";
import { expmFrechetInto } from "./expm-frechet.js";
import { ExpmWorkspace } from "./workspace.js";

interface FrechetCase {
  name: string;
  n: number;
  A: number[] | null;
  E: number[];
  X: number[] | null;
  L: number[];
}
const cases = loadFixture<FrechetCase[]>("frechet.json");

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** L(A, E) as the top-right block of exp([[A, E], [0, A]]) computed by our expm (Higham 2008, eq. (3.16)). */
function blockFrechet(n: number, A: Float64Array, E: Float64Array): { X: Float64Array; L: Float64Array } {
  const N = 2 * n;
  const B = new Float64Array(N * N);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      B[i * N + j] = A[i * n + j];
      B[i * N + n + j] = E[i * n + j];
      B[(n + i) * N + n + j] = A[i * n + j];
    }
  const Y = new Float64Array(N * N);
  expmInto(N, B, Y, new ExpmWorkspace(N));
  const X = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      X[i * n + j] = Y[i * N + j];
      L[i * n + j] = Y[i * N + n + j];
    }
  return { X, L };
}

function run(n: number, A: Float64Array, E: Float64Array) {
  const X = new Float64Array(n * n);
  const L = new Float64Array(n * n);
  const info = expmFrechetInto(n, A, E, X, L, new ExpmWorkspace(n));
  return { X, L, info };
}

describe("expmFrechet", () => {
  for (const c of cases.filter((c) => c.A !== null)) {
    test(`${c.name}: vs scipy expm_frechet and the block identity`, () => {
      const A = Float64Array.from(c.A!);
      const E = Float64Array.from(c.E);
      const { X, L } = run(c.n, A, E);
      // Both are backward stable to ~u; these matrices have modest condition (κ_L ≲ 1e2), so
      // agreement to 1e-13 relative leaves two orders of margin over the observed ~1e-15.
      expect(relErrF(X, c.X!)).toBeLessThanOrEqual(1e-13);
      expect(relErrF(L, c.L)).toBeLessThanOrEqual(1e-13);
      const block = blockFrechet(c.n, A, E);
      expect(relErrF(L, block.L)).toBeLessThanOrEqual(1e-13);
      expect(relErrF(X, block.X)).toBeLessThanOrEqual(1e-13);
    });
  }

  test("seed A(P): vs scipy expm_frechet", () => {
    const c = cases.find((c) => c.name === "seed A(P)")!;
    const A = seedA();
    const { L } = run(100, A, Float64Array.from(c.E));
    // κ(exp, A(P)) ≈ 5e2 (expm-bank.json); forward error ≤ 10·κ·ε ≈ 1.1e-12 for both methods.
    expect(relErrF(L, c.L)).toBeLessThanOrEqual(10 * 506 * EPS);
  });

  test("vs central finite differences of our expm", () => {
    const r = rng(5);
    for (const [n, scaleA] of [
      [4, 0.01],
      [5, 1],
      [6, 8],
    ] as const) {
      const A = Float64Array.from({ length: n * n }, () => scaleA * r());
      const E = Float64Array.from({ length: n * n }, r);
      const { L } = run(n, A, E);
      const h = 1e-5;
      const Xp = new Float64Array(n * n);
      const Xm = new Float64Array(n * n);
      const ws = new ExpmWorkspace(n);
      expmInto(
        n,
        A.map((a, i) => a + h * E[i]),
        Xp,
        ws,
      );
      expmInto(
        n,
        A.map((a, i) => a - h * E[i]),
        Xm,
        ws,
      );
      const fd = Xp.map((x, i) => (x - Xm[i]) / (2 * h));
      // Central differences: truncation h²·‖L''‖/6 ≈ 1e-10 and rounding ε·‖X‖/h ≈ 1e-11
      // relative for these norms (≤ 8): 1e-8 leaves two orders of margin.
      expect(relErrF(L, fd)).toBeLessThanOrEqual(1e-8);
    }
  });

  test("each Padé degree (3, 5, 7, 9, 13) is exercised and agrees with the block identity", () => {
    const r = rng(9);
    const seen = new Set<number>();
    for (const s of [0.001, 0.03, 0.1, 0.25, 0.5, 3]) {
      const n = 5;
      const A = Float64Array.from({ length: n * n }, () => s * r());
      const E = Float64Array.from({ length: n * n }, r);
      const { L, info } = run(n, A, E);
      seen.add(info.m);
      // Well-conditioned small matrices: 1e-13 relative as for expm.
      expect(relErrF(L, blockFrechet(n, A, E).L)).toBeLessThanOrEqual(1e-13);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([3, 5, 7, 9, 13]);
  });
});
