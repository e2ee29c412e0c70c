// solveOde's bad-input errors, each with its type and fix-it text.
import { mul, ShapeError, slice, sqrt, sub, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { InvalidProblemError } from "../errors.js";
import { Rodas4 } from "../solvers/index.js";
import { SensitivityOptionError } from "./errors.js";
import {
  DirectBackprop,
  DiscreteAdjoint,
  InterpolatingAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, type SolveOdeOptions, solveOde } from "./solve-ode.js";

const decay = (u: Tensor, p: Tensor) => mul(p, u);
const u0 = tensor([1, 2]);
const p = tensor([-0.5]);
const base: SolveOdeOptions = { tspan: [0, 1], saveat: [0.5, 1] };

describe("solveOde rejects bad input before solving", () => {
  test.each([
    ["an unknown option", { ...base, reltoll: 1e-6 }, /unknown option "reltoll" \(did you mean "reltol"\?\)/],
    [
      "an empty tspan",
      { ...base, tspan: [1, 1] },
      /tspan must be \[t0, t1\] with two different finite numbers/,
    ],
    ["a non-finite tspan", { ...base, tspan: [0, Number.NaN] }, /tspan must be/],
    [
      "a save point outside tspan",
      { ...base, saveat: [0.5, 2] },
      /saveat\[1\] = 2 is not inside tspan \[0, 1\]/,
    ],
    ["unordered save points", { ...base, saveat: [0.8, 0.5] }, /saveat must be ordered from t0 to t1/],
    ["no save points", { ...base, saveat: [] }, /saveat must be a non-empty array/],
    ["a zero save step", { ...base, saveat: 0 }, /saveat = 0 as a step must be a finite number > 0/],
    ["a negative save step", { ...base, saveat: -0.5 }, /saveat = -0.5 as a step must be/],
    ["a NaN save step", { ...base, saveat: Number.NaN }, /saveat = NaN as a step must be/],
    [
      "an unknown sensealg",
      { ...base, sensealg: { kind: "Magic" } as unknown as SensitivityAlgorithm },
      /sensealg must be one of/,
    ],
    [
      "DirectBackprop with a Rosenbrock solver",
      { ...base, solver: Rodas4(), sensealg: DirectBackprop() },
      /explicit Runge–Kutta/,
    ],
  ] as const)("%s", (_what, options, message) => {
    expect(() => solveOde(decay, u0, p, options as SolveOdeOptions)).toThrow(SensitivityOptionError);
    expect(() => solveOde(decay, u0, p, options as SolveOdeOptions)).toThrow(message);
  });

  test("u0 and p must be tensors", () => {
    // @ts-expect-error deliberately wrong
    expect(() => solveOde(decay, [1, 2], p, base)).toThrow(
      /u0 must be a Tensor \(got object\); wrap numbers and arrays with tensor/,
    );
    // @ts-expect-error deliberately wrong
    expect(() => solveOde(decay, u0, undefined, base)).toThrow(/p must be a Tensor \(got undefined\)/);
  });

  test("u0 must be a vector", () => {
    expect(() => solveOde(decay, tensor([[1, 2]]), p, base)).toThrow(ShapeError);
    expect(() => solveOde(decay, tensor([[1, 2]]), p, base)).toThrow(/Reshape it to \[2\]/);
  });

  test("an error inside f says which call of f it came from, keeping its class", () => {
    // p of 3 entries against u of 2: mul inside f throws; the message names the shapes f got.
    const call = () => solveOde((u: Tensor, q: Tensor) => mul(q, u), u0, tensor([1, 2, 3]), base);
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(
      /^solveOde: calling f\(u, p, t\) with u of shape \[2\], p of shape \[3\] and t = 0 failed: mul: shapes \[3\] and \[2\]/,
    );
  });

  test("f must return a vector of u0's length, with or without a gradient", () => {
    // One entry short: the compiled forward would write only 2 of du's 3 entries. The
    // integrator does not probe a compiled f, so the shape check at compile time is the guard.
    const short = (u: Tensor, q: Tensor) => mul(q, slice(u, 0, 2));
    const u3 = tensor([1, 2, 3]);
    const message =
      /^solveOde: the tensor right-hand side returns shape \[2\] but u0 has 3 entries; f\(u, p, t\) must return a vector of shape \[3\]/;
    expect(() => solveOde(short, u3, p, base)).toThrow(InvalidProblemError);
    expect(() => solveOde(short, u3, p, base)).toThrow(message);
    expect(() => valueAndGrad((q: Tensor) => sum(solveOde(short, u3, q, base)))(p)).toThrow(message);
    // A scalar is not a vector of length 1 either.
    expect(() => solveOde((u: Tensor, q: Tensor) => sum(mul(q, u)), tensor([1]), p, base)).toThrow(
      /returns shape \[\] but u0 has 1 entries/,
    );
  });

  test("f must be a tensor function or { f, vjp }", () => {
    // @ts-expect-error deliberately wrong
    expect(() => solveOde({ f: () => {} }, u0, p, base)).toThrow(/\{ f: \(du, u, p, t\) => void, vjp:/);
  });
});

describe("failures are retcodes, not exceptions", () => {
  test("a tensor f that is not finite at u0 fails the solve with a retcode and NaN rows", () => {
    const info: SolveOdeInfo = {};
    // √(u − ½) at u0 = [1, 0, 2]: NaN in the second entry.
    const f = (u: Tensor) => sqrt(sub(u, 0.5));
    const out = solveOde(f, tensor([1, 0, 2]), tensor([0]), { tspan: [0, 1], saveat: [0.5, 1], info });
    expect(info.retcode).not.toBe("Success");
    expect(Array.from(out.data).every(Number.isNaN)).toBe(true);
  });

  test("a forward solve that runs out of steps returns NaN rows and says why", () => {
    const info: SolveOdeInfo = {};
    const out = solveOde(decay, u0, p, { tspan: [0, 1], saveat: [0.5, 1], maxiters: 2, reltol: 1e-12, info });
    expect(info.retcode).toBe("MaxIters");
    expect(info.message).toMatch(/maxiters/);
    expect(Number.isNaN(out.data[out.size - 1])).toBe(true);
  });

  // DirectBackprop once built its NaN rows with scale(u0, NaN), which throws ArgumentError
  // ("scale: alpha must be a number, got NaN"): `ude gradient --method direct --times 1,2,3,1e300`.
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["DirectBackprop", DirectBackprop()],
  ] as const)(
    "%s: a failed forward solve gives NaN rows, a NaN loss and NaN gradients",
    (_name, sensealg) => {
      const info: SolveOdeInfo = {};
      const loss = (x0: Tensor, q: Tensor) =>
        sum(
          solveOde(decay, x0, q, {
            tspan: [0, 1],
            saveat: [0.5, 1],
            maxiters: 2,
            reltol: 1e-12,
            sensealg,
            info,
          }),
        );
      const [value, [gu0, gp]] = valueAndGrad(loss, [0, 1])(u0, p);
      expect(info.retcode).toBe("MaxIters");
      expect(info.message).toMatch(/maxiters/);
      expect(Number.isNaN(value.data[0])).toBe(true);
      expect([...gu0.data, ...gp.data].every(Number.isNaN)).toBe(true);
    },
  );
});
