/**
 * Registry checks for every op this package registers: the dot-product test
 * ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ against float64 central differences (`checkVjp`) and entrywise
 * `gradcheck` on small inputs, plus the routes of solveLinearOde against each other.
 */
import {
  checkVjp,
  compile,
  diag,
  gradcheck,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { relErrF } from "../test/fixtures.js";
import { expm } from "./expm-op.js";
import { expmv } from "./expmv-op.js";
import { solveLinearOde } from "./linear-ode.js";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
const r = rng(42);
const randMat = (n: number, scaleBy = 1) =>
  tensor(
    Float64Array.from({ length: n * n }, () => scaleBy * r()),
    [n, n],
  );
const randVec = (n: number) => tensor(Float64Array.from({ length: n }, r), [n]);

// Central differences with eps = 1e-6 on functions with ‖·‖ ≲ 10 and smooth in the inputs:
// truncation ~eps²·|f'''| ≈ 1e-11 and rounding ~ε|f|/eps ≈ 1e-9, so rtol 1e-6 (the
// gradcheck default) leaves three orders of margin.
const opts = { eps: 1e-6, rtol: 1e-6, atol: 1e-9 };

describe("dot-product test for every registered op", () => {
  test("linear-ode.expm", () => {
    const A = randMat(6, 0.8);
    for (let seed = 1; seed <= 3; seed++)
      expect(checkVjp((a) => expm(a), [A], { ...opts, seed }).ok).toBe(true);
  });
  test("linear-ode.expm (degree-13 with squaring: ‖A‖ ≈ 15)", () => {
    const A = randMat(5, 6);
    const res = checkVjp((a) => expm(a), [A], opts);
    expect(res.relError).toBeLessThanOrEqual(1e-6);
  });
  test("linear-ode.expmv, single t and an array of times", () => {
    const A = randMat(5, 1.5);
    const v = randVec(5);
    expect(checkVjp((a, x) => expmv(0.7, a, x), [A, v], opts).ok).toBe(true);
    expect(checkVjp((a, x) => expmv([0.2, 0.5, 1.5], a, x), [A, v], opts).ok).toBe(true);
  });
  test("linear-ode.solve: even and uneven times, with and without b", () => {
    const A = randMat(4, 1);
    const u0 = randVec(4);
    const b = randVec(4);
    expect(checkVjp((a, u) => solveLinearOde(a, u, [0, 0.5, 1, 1.5]), [A, u0], opts).ok).toBe(true);
    expect(checkVjp((a, u) => solveLinearOde(a, u, [0, 0.3, 1, 1.2]), [A, u0], opts).ok).toBe(true);
    expect(checkVjp((a, u, c) => solveLinearOde(a, u, [1, 2, 3], { b: c }), [A, u0, b], opts).ok).toBe(true);
    expect(checkVjp((a, u, c) => solveLinearOde(a, u, [1, 1.4, 3], { b: c }), [A, u0, b], opts).ok).toBe(
      true,
    );
  });
});

describe("entrywise gradcheck", () => {
  test("expm, expmv, solveLinearOde on 3×3", () => {
    const A = randMat(3, 1);
    const v = randVec(3);
    const b = randVec(3);
    expect(gradcheck((a) => expm(a), [A], opts).ok).toBe(true);
    expect(gradcheck((a, x) => expmv([0.5, 2], a, x), [A, v], opts).ok).toBe(true);
    expect(gradcheck((a, x, c) => solveLinearOde(a, x, [0, 1, 2], { b: c }), [A, v, b], opts).ok).toBe(true);
  });
});

describe("solveLinearOde", () => {
  test("even and uneven routes and expm agree; b gives the affine solution", () => {
    const n = 6;
    const A = randMat(n, 1);
    const u0 = randVec(n);
    const even = solveLinearOde(A, u0, [0, 1, 2]).data;
    const uneven = solveLinearOde(A, u0, [0, 1, 2.0000001]).data;
    const E2 = expm(
      tensor(
        A.data.map((x) => 2 * x),
        [n, n],
      ),
    ).data;
    const direct = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) direct[i] += E2[i * n + j] * u0.data[j];
    // Well-conditioned 6×6, ‖2A‖ ≈ 6: both routes within a few hundred ulps of each other.
    expect(relErrF(even.subarray(2 * n), direct)).toBeLessThanOrEqual(1e-13);
    expect(Array.from(even.subarray(0, n))).toEqual(Array.from(u0.data));
    // The uneven last time differs by 1e-7: |Δu| ≈ 1e-7·‖A u‖, well above rounding.
    expect(relErrF(uneven.subarray(n, 2 * n), even.subarray(n, 2 * n))).toBeLessThanOrEqual(1e-13);
    // Affine: du/dt = A u + b with A invertible ⇒ u(t) = e^{tA}(u0 + A⁻¹b) − A⁻¹b. Take b = A·w.
    const w = randVec(n);
    const bData = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bData[i] += A.data[i * n + j] * w.data[j];
    const withB = solveLinearOde(A, u0, [0, 2], { b: tensor(bData, [n]) }).data.subarray(n);
    const shifted = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) shifted[i] += E2[i * n + j] * (u0.data[j] + w.data[j]);
    for (let i = 0; i < n; i++) shifted[i] -= w.data[i];
    expect(relErrF(withB, shifted)).toBeLessThanOrEqual(1e-12);
  });

  test("A may be a tensor expression; compiled replay matches eager", () => {
    const n = 5;
    const P = randMat(n, 1);
    const u0 = randVec(n);
    const f = (p: Tensor) => sum(square(solveLinearOde(sub(p, diag(sum(p, 1))), u0, [0, 1, 2, 3])));
    const [value, g] = valueAndGrad(f)(P);
    const c = compile(f, P);
    const out = c.forward([P.data]);
    expect(out[0]).toBe(value.item());
    const [gc] = c.vjp([P.data], Float64Array.of(1));
    expect(Array.from(gc)).toEqual(Array.from(g.data));
  });
});
