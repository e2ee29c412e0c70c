/**
 * Every op this package registers ("linear-ode.expm", "linear-ode.expmv", "linear-ode.solve")
 * through @udekit/autodiff/testing's op suite: the dot-product test against float64 central
 * differences, fan-out (f(x) + 0.5·f(x); u0 and b bound to one tensor), each VJP adding into
 * pre-filled gradients, and compiled = eager at a moved point.
 *
 * Tolerances: the suite's defaults. The dot-product check takes central differences with
 * eps = 1e-6 of functions with ‖·‖ ≲ 10 that are smooth in A, v, u0 and b: truncation
 * ~eps²·|f'''| ≈ 1e-11, rounding ~ε·|f|/eps ≈ 1e-9, against rtol 1e-6. The other checks
 * compare two analytic results (rounding only, rtol 1e-12) or compiled and eager runs of the
 * same kernels (bit for bit).
 */
import { type Tensor, tensor } from "@udekit/autodiff";
import { checkOpSuite } from "@udekit/autodiff/testing";
import { describe, expect, test } from "vitest";
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
const r = rng(7);
const randMat = (n: number, scaleBy = 1) =>
  tensor(
    Float64Array.from({ length: n * n }, () => scaleBy * r()),
    [n, n],
  );
const randVec = (n: number) => tensor(Float64Array.from({ length: n }, r), [n]);

type Case = [string, (...xs: Tensor[]) => Tensor, Tensor[], string];

const CASES: Case[] = [
  ["expm, 4×4, ‖A‖ ≈ 1", (a) => expm(a), [randMat(4, 0.8)], "linear-ode.expm"],
  // Degree-13 Padé with squaring (s ≥ 1).
  ["expm, 5×5, ‖A‖ ≈ 15", (a) => expm(a), [randMat(5, 6)], "linear-ode.expm"],
  ["expmv, one time", (a, v) => expmv(0.7, a, v), [randMat(5, 1.5), randVec(5)], "linear-ode.expmv"],
  [
    "expmv, three times",
    (a, v) => expmv([0.2, 0.5, 1.5], a, v),
    [randMat(5, 1.5), randVec(5)],
    "linear-ode.expmv",
  ],
  [
    "solveLinearOde, even times",
    (a, u) => solveLinearOde(a, u, [0, 0.5, 1, 1.5]),
    [randMat(4), randVec(4)],
    "linear-ode.solve",
  ],
  [
    "solveLinearOde, uneven times",
    (a, u) => solveLinearOde(a, u, [0, 0.3, 1, 1.2]),
    [randMat(4), randVec(4)],
    "linear-ode.solve",
  ],
  [
    "solveLinearOde with b, even times (u0 and b also bound to one tensor)",
    (a, u, c) => solveLinearOde(a, u, [1, 2, 3], { b: c }),
    [randMat(4), randVec(4), randVec(4)],
    "linear-ode.solve",
  ],
  [
    "solveLinearOde with b, uneven times",
    (a, u, c) => solveLinearOde(a, u, [1, 1.4, 3], { b: c }),
    [randMat(4), randVec(4), randVec(4)],
    "linear-ode.solve",
  ],
];

describe("op suite on every op of @udekit/linear-ode", () => {
  test("the cases cover every op the package registers", () => {
    expect([...new Set(CASES.map((c) => c[3]))].sort()).toEqual([
      "linear-ode.expm",
      "linear-ode.expmv",
      "linear-ode.solve",
    ]);
  });

  test.each(CASES)("%s", (label, f, inputs, op) => {
    const report = checkOpSuite(f, inputs, { label });
    expect(report.failures).toEqual([]);
    expect(report.ops).toContain(op);
  });
});
