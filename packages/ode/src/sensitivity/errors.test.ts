// The differentiable solve's error classes: a user catches them by class or by name, reads the
// fields, and follows the message's advice, so each part of each message is checked here (the
// passes that throw them are tested in adjoint-failure, seed-linear, gradient-audit and
// solve-ode-errors).
import { describe, expect, test } from "vitest";
import { OdeError } from "../errors.js";
import {
  AdjointFailedError,
  AdjointInstabilityError,
  GradientMismatchError,
  SensitivityOptionError,
} from "./errors.js";

describe("names and classes", () => {
  // Made inside the test, not in the table: a table is built when the file is collected.
  test.each([
    ["AdjointInstabilityError", () => new AdjointInstabilityError("m")],
    ["SensitivityOptionError", () => new SensitivityOptionError("m")],
    ["AdjointFailedError", () => new AdjointFailedError("QuadratureAdjoint", "MaxIters", 1, "d")],
    ["GradientMismatchError", () => new GradientMismatchError("DiscreteAdjoint", 1, 2, 0.5, 0.1)],
  ] as const)("%s is an OdeError with its own name", (name, make) => {
    const error = make();
    expect(error).toBeInstanceOf(OdeError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(String(error).startsWith(`${name}: `)).toBe(true);
  });

  test("the plain errors keep the message they were given", () => {
    expect(new AdjointInstabilityError("state drifted").message).toBe("state drifted");
    expect(new SensitivityOptionError("bad option").message).toBe("bad option");
  });
});

describe("AdjointFailedError", () => {
  test("names the method, the retcode, the time reached and the detail, then what to try", () => {
    const error = new AdjointFailedError("InterpolatingAdjoint", "MaxIters", 2.5, "interval [2, 4].");
    expect(error.method).toBe("InterpolatingAdjoint");
    expect(error.retcode).toBe("MaxIters");
    expect(error.t).toBe(2.5);
    expect(error.message).toBe(
      "solveOde: the InterpolatingAdjoint gradient pass failed with retcode MaxIters at t = 2.5: interval [2, 4]. " +
        "Try: a tighter forward tolerance (reltol/abstol), a larger maxiters for the backward pass " +
        "(InterpolatingAdjoint({ maxiters })), a stiff solver (Rodas5P) if the problem is stiff, or another sensealg " +
        "(DiscreteAdjoint() for explicit solvers, ForwardSensitivity() for few parameters).",
    );
  });

  test("without a time reached the message says no time", () => {
    const error = new AdjointFailedError("DiscreteAdjoint", "Unstable", undefined, "p̄ is not finite.");
    expect(error.t).toBeUndefined();
    expect(error.message).toMatch(
      /^solveOde: the DiscreteAdjoint gradient pass failed with retcode Unstable: p̄ is not finite\. Try: /,
    );
    expect(error.message).not.toContain("at t =");
    expect(error.message).toContain("(DiscreteAdjoint({ maxiters }))");
  });
});

describe("GradientMismatchError", () => {
  test("a mismatch gives both numbers, the relative difference, the threshold and what to do", () => {
    const error = new GradientMismatchError("QuadratureAdjoint", 1.25, -0.5, 3.5, 0.1);
    expect([error.method, error.adjoint, error.directional, error.relativeError, error.threshold]).toEqual([
      "QuadratureAdjoint",
      1.25,
      -0.5,
      3.5,
      0.1,
    ]);
    expect(error.tangentFailure).toBeUndefined();
    expect(error.message).toBe(
      "solveOde: gradient audit failed for QuadratureAdjoint: gᵀv = 1.250000e+0 but the forward-mode directional derivative is -5.000000e-1 " +
        "(relative difference 3.50e+0 > 1.00e-1). The gradient is wrong for this problem and tolerance: " +
        "tighten reltol/abstol, or use another sensealg (ForwardSensitivity() for few states and parameters, DiscreteAdjoint() for the exact gradient of the computed solution).",
    );
  });

  test("a failed tangent solve says the gradient could not be checked, and why", () => {
    const error = new GradientMismatchError(
      "InterpolatingAdjoint",
      1,
      Number.NaN,
      Number.NaN,
      0.1,
      "MaxIters: t = 3",
    );
    expect(error.tangentFailure).toBe("MaxIters: t = 3");
    expect(error.message).toBe(
      "solveOde: gradient audit for InterpolatingAdjoint could not check the gradient: its forward tangent solve failed (MaxIters: t = 3). " +
        "Give the solve more room (maxiters, dtmin) or a looser tolerance, or turn verify off for this problem.",
    );
  });
});
