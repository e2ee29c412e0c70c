import { describe, expect, test } from "vitest";
import { InvalidOptionError, InvalidProblemError, UnknownOptionError } from "./errors.js";
import { ODEProblem } from "./problem.js";
import { solve } from "./solve.js";
import { Tsit5 } from "./solvers/tsit5.js";

const decay = (du: Float64Array, u: Float64Array) => {
  du[0] = -u[0];
  du[1] = -2 * u[1];
};

describe("bad problem definitions throw typed errors before solving", () => {
  test("u0 shorter than f's output", () => {
    const p = new ODEProblem(decay, [1], [0, 1]);
    expect(() => solve(p, Tsit5())).toThrow(InvalidProblemError);
    expect(() => solve(p, Tsit5())).toThrow(/wrote du\[1\], beyond the 1 entries/);
  });
  test("u0 longer than f's output", () => {
    const p = new ODEProblem(decay, [1, 1, 1], [0, 1], [], { kind: "inplace" });
    expect(() => solve(p, Tsit5())).toThrow(/du\[2\] unset/);
  });
  test("non-finite u0 and tspan, empty span", () => {
    expect(() => new ODEProblem(decay, [1, Number.NaN], [0, 1])).toThrow(/u0\[1\] is NaN/);
    expect(() => new ODEProblem(decay, [1, 1], [0, Number.POSITIVE_INFINITY])).toThrow(InvalidProblemError);
    expect(() => new ODEProblem(decay, [1, 1], [2, 2])).toThrow(/empty/);
    expect(() => new ODEProblem(decay, [], [0, 1])).toThrow(/non-empty/);
  });
  test("unknown option names the closest valid one", () => {
    const p = new ODEProblem(decay, [1, 1], [0, 1]);
    // @ts-expect-error deliberately misspelled option (the types reject it too)
    expect(() => solve(p, Tsit5(), { relTol: 1e-6 })).toThrow(UnknownOptionError);
    // @ts-expect-error deliberately misspelled option (the types reject it too)
    expect(() => solve(p, Tsit5(), { reltoll: 1e-6 })).toThrow(/Did you mean "reltol"/);
    // @ts-expect-error deliberately misspelled option (the types reject it too)
    expect(() => solve(p, Tsit5(), { controller: { betta1: 0.1 } })).toThrow(/Did you mean "beta1"/);
  });
  test("negative tolerances, wrong abstol length, saveat outside the span, fixed step without dt", () => {
    const p = new ODEProblem(decay, [1, 1], [0, 1]);
    expect(() => solve(p, Tsit5(), { reltol: -1 })).toThrow(InvalidOptionError);
    expect(() => solve(p, Tsit5(), { abstol: [1e-6] })).toThrow(/abstol has 1 entries/);
    expect(() => solve(p, Tsit5(), { saveat: [0.5, 2] })).toThrow(/outside tspan/);
    expect(() => solve(p, Tsit5(), { adaptive: false })).toThrow(/needs a step/);
  });
});
