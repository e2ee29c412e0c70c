// In-place vs tensor right-hand sides: the types (ODEProblem's overloads, keyed on the return
// type) and the run time (rhs-kind.ts: a 3-parameter f is a tensor function exactly when it
// returns a Tensor) agree. The @ts-expect-error lines are checked by `pnpm typecheck`.
import { mul, neg, slice, sum, type Tensor } from "@udekit/autodiff";
import { Matrix } from "ml-matrix";
import { describe, expect, test } from "vitest";
import { InvalidProblemError } from "./errors.js";
import { ODEProblem } from "./problem.js";
import { solve } from "./solve.js";
import { Tsit5 } from "./solvers/tsit5.js";

const opts = { reltol: 1e-10, abstol: 1e-12 };
// u' = −p·u from u(0) = 1: u(1) = e^(−p). 1e-8 is ~100× the tolerance.
const TOL = 1e-8;
const endOf = (problem: ODEProblem) => {
  const sol = solve(problem, Tsit5(), opts);
  return sol.u[sol.u.length - 1];
};

describe("a function of three parameters", () => {
  test("(du, u, p) => void with no annotations is in place, for the types and at run time", () => {
    const problem = new ODEProblem(
      (du, u, p) => {
        du[0] = -p[0] * u[0];
      },
      [1],
      [0, 1],
      [2],
    );
    expect(problem.kind).toBe("inplace");
    expect(Math.abs(endOf(problem) - Math.exp(-2))).toBeLessThan(TOL);
  });

  test("an expression-bodied in-place function (returns the number it wrote) is in place", () => {
    const problem = new ODEProblem((du, u, p) => (du[0] = -p[0] * u[0]), [1], [0, 1], [2]);
    expect(problem.kind).toBe("inplace");
    expect(Math.abs(endOf(problem) - Math.exp(-2))).toBeLessThan(TOL);
  });

  test("an in-place function that throws on tensor arguments (typed-array methods) is in place", () => {
    const problem = new ODEProblem(
      (du: Float64Array, u: Float64Array, p: Float64Array) => {
        du.set(u.subarray(0, 1));
        du[0] *= -p[0];
      },
      [1],
      [0, 1],
      [2],
    );
    expect(problem.kind).toBe("inplace");
    expect(Math.abs(endOf(problem) - Math.exp(-2))).toBeLessThan(TOL);
  });

  test("(u, p, t) => Tensor is a tensor right-hand side", () => {
    const problem = new ODEProblem((u: Tensor, p: Tensor, _t: Tensor) => neg(mul(p, u)), [1], [0, 1], [2]);
    expect(problem.kind).toBe("tensor");
    expect(Math.abs(endOf(problem) - Math.exp(-2))).toBeLessThan(TOL);
  });

  test("a tensor function with a bug stays a tensor function, and solving reports the bug", () => {
    // slice past the end of u: a ShapeError when it is called
    const problem = new ODEProblem((u: Tensor, _p: Tensor, _t: Tensor) => slice(u, 0, 5), [1], [0, 1]);
    expect(problem.kind).toBe("tensor");
    expect(() => solve(problem, Tsit5())).toThrow(InvalidProblemError);
    expect(() => solve(problem, Tsit5())).toThrow(/could not be compiled/);
  });

  test("it is called once when the problem is made; with kind given, or 4 parameters, it is not", () => {
    let calls = 0;
    const three = (du: Float64Array, u: Float64Array) => {
      calls++;
      du[0] = -u[0];
    };
    const threeParams = (du: Float64Array, u: Float64Array, _p: Float64Array) => three(du, u);
    new ODEProblem(threeParams, [1], [0, 1]);
    expect(calls).toBe(1);
    new ODEProblem(threeParams, [1], [0, 1], [], { kind: "inplace" });
    new ODEProblem(
      (du: Float64Array, u: Float64Array, _p: Float64Array, _t: number) => three(du, u),
      [1],
      [0, 1],
    );
    expect(calls).toBe(1);
  });

  test("remake keeps the kind without calling f again", () => {
    let calls = 0;
    const problem = new ODEProblem(
      (du: Float64Array, u: Float64Array, p: Float64Array) => {
        calls++;
        du[0] = -p[0] * u[0];
      },
      [1],
      [0, 1],
      [2],
    );
    const again = problem.remake({ p: [3] });
    expect(again.kind).toBe("inplace");
    expect(calls).toBe(1);
  });
});

describe("the types", () => {
  test("mistakes the overloads reject", () => {
    // Never solved: these lines exist for the type checker (an unused directive fails typecheck).
    const forgotReturn = (u: Tensor, p: Tensor, _t: Tensor) => {
      neg(mul(p, u));
    };
    const returnsNumber = (u: Tensor, _p: Tensor, _t: Tensor) => sum(u).item();
    const inPlace = (du: Float64Array, u: Float64Array) => du.set(u);
    const make = () => [
      // @ts-expect-error a tensor function that forgets to return (void with Tensor parameters)
      new ODEProblem(forgotReturn, [1], [0, 1]),
      // @ts-expect-error Tensor parameters returning a number: neither kind
      new ODEProblem(returnsNumber, [1], [0, 1]),
      // @ts-expect-error an in-place function declared as kind "tensor"
      new ODEProblem(inPlace, [1], [0, 1], [], { kind: "tensor" }),
    ];
    expect(typeof make).toBe("function");
  });
});

describe("p as a matrix", () => {
  test("an ml-matrix Matrix p is read row-major with pShape [rows, columns]", () => {
    const P = new Matrix([
      [0, 1],
      [-1, 0],
    ]);
    const problem = new ODEProblem(
      (du: Float64Array, u: Float64Array, p: Float64Array, _t: number) => {
        du[0] = p[0] * u[0] + p[1] * u[1];
        du[1] = p[2] * u[0] + p[3] * u[1];
      },
      [1, 0],
      [0, 1],
      P,
    );
    expect(Array.from(problem.p)).toEqual([0, 1, -1, 0]);
    expect(problem.pShape).toEqual([2, 2]);
    // u' = [[0, 1], [−1, 0]]·u from (1, 0): (cos t, −sin t)
    const sol = solve(problem, Tsit5(), opts);
    expect(Math.abs(sol.u[sol.u.length - 2] - Math.cos(1))).toBeLessThan(TOL);
    expect(Math.abs(sol.u[sol.u.length - 1] + Math.sin(1))).toBeLessThan(TOL);
  });
});
