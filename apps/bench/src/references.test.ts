// The seed UDE reference (references/seed-ude-reference.json, scipy) describes the problem the
// benchmarks solve: same data, parameter layout, net and activation. udekit's tightest gradient
// must agree with it for both activations; a layout or activation mismatch would be off by O(1).
import { InterpolatingAdjoint, Vern7 } from "@udekit/ode";
import { describe, expect, test } from "vitest";
import { odeGradient } from "./gradients.js";
import { seedUde, udeReference } from "./references.js";
import { relativeError, UDE_PARAMS, udeRhs, udeRhsIdentity } from "./seed.js";

// Solver tolerances for udekit's side: Vern7 at reltol 1e-12 / abstol 1e-14, as tight as its
// step control goes on this problem in double precision.
const TIGHT = { solver: Vern7(), reltol: 1e-12, abstol: 1e-14 };
// Agreement required: 1e-12 relative in norm, for loss and gradient. Measured: loss 0 and 1.3e-14,
// gradient 1.3e-14 (tanh) and 2.1e-14 (identity); both sides are converged far below their
// solver tolerances in norm (the fixture agrees with complex-step derivatives to ≤ 3.6e-11 per
// checked entry, recorded in the file). 1e-12 leaves ~50× room for rounding differences across
// machines; a wrong layout or activation gives O(1) differences.
const GRADIENT_RTOL = 1e-12;
const LOSS_RTOL = 1e-12;

describe("the independent seed UDE reference", () => {
  test.each([
    ["tanh", udeRhs],
    ["identity", udeRhsIdentity],
  ] as const)("%s: udekit's InterpolatingAdjoint at 1e-12 agrees with the scipy fixture", (activation, f) => {
    const ref = udeReference(activation);
    expect(ref.grad.length).toBe(UDE_PARAMS);
    expect(ref.complexStepAgreement).toBeLessThan(1e-10);
    const got = odeGradient({ ...seedUde(), f }, TIGHT, InterpolatingAdjoint());
    expect(got.failure).toBeUndefined();
    expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(LOSS_RTOL);
    const err = relativeError(got.grad, ref.grad);
    expect(err, `relative gradient error ${err.toExponential(2)}`).toBeLessThan(GRADIENT_RTOL);
  });

  test("the two activations' references differ (the file is not one case twice)", () => {
    expect(relativeError(udeReference("identity").grad, udeReference("tanh").grad)).toBeGreaterThan(1e-3);
  });
});
