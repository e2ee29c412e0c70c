// The sensealg constructors are the public spelling of each method: solveOde dispatches on
// `kind` and reads the options from the same object, so each must carry its kind and every
// option it was given, and nothing else.
import { describe, expect, test } from "vitest";
import { Rodas5P } from "../solvers/index.js";
import {
  BacksolveAdjoint,
  DirectBackprop,
  DiscreteAdjoint,
  ForwardSensitivity,
  InterpolatingAdjoint,
  QuadratureAdjoint,
} from "./sensealg.js";

describe("each constructor gives its kind and passes its options through", () => {
  const solver = Rodas5P();
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint, { checkpointing: true, reltol: 1e-9, verify: 0.05 }],
    ["QuadratureAdjoint", QuadratureAdjoint, { points: 4, solver, maxiters: 7 }],
    ["BacksolveAdjoint", BacksolveAdjoint, { checkTolerance: 1e-4, abstol: 1e-12, dt: 0.1 }],
    ["ForwardSensitivity", ForwardSensitivity, { dtmin: 1e-9, dtmax: 0.5, verify: true }],
    ["DiscreteAdjoint", DiscreteAdjoint, { checkpoints: 5, verify: false }],
  ] as const)("%s", (kind, make, options) => {
    expect((make as (o?: object) => object)()).toEqual({ kind });
    expect((make as (o?: object) => object)(options)).toEqual({ kind, ...options });
  });

  test("DirectBackprop has no options", () => {
    expect(DirectBackprop()).toEqual({ kind: "DirectBackprop" });
  });
});
