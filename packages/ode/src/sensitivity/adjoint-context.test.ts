// commitGradients (adjoint-context.ts), the one place every backward pass hands ū0 and p̄
// over: a non-finite λ(t0) or p̄ is a failed pass whose message says which of the two it was,
// and the accumulators stay untouched. Mutation testing (TESTING.md) found the message's
// "λ(t0)"/"p̄" choice unchecked (no test made λ(t0) non-finite).
import { describe, expect, test } from "vitest";
import { type AdjointContext, commitGradients } from "./adjoint-context.js";

/** The fields commitGradients reads; the rest of the context does not take part. */
function accumulators(): AdjointContext {
  return {
    rhs: { n: 2 },
    t0: 0.25,
    u0Bar: Float64Array.of(1, 2),
    pBar: Float64Array.of(3),
  } as unknown as AdjointContext;
}

describe("commitGradients", () => {
  test("adds finite λ(t0) to ū0 and p̄ to the parameter accumulator", () => {
    const ctx = accumulators();
    expect(commitGradients(ctx, Float64Array.of(0.5, -1), Float64Array.of(4), "M")).toEqual({
      retcode: "Success",
      message: "",
    });
    expect([...ctx.u0Bar, ...ctx.pBar]).toEqual([1.5, 1, 7]);
  });

  test.each([
    ["λ(t0)", [Number.NaN, 0], [1]],
    ["λ(t0)", [0, Number.POSITIVE_INFINITY], [Number.NaN]],
    ["p̄", [0, 0], [Number.NEGATIVE_INFINITY]],
  ])("a non-finite %s is an Unstable pass that says so and commits nothing", (which, lambda, pAcc) => {
    const ctx = accumulators();
    expect(commitGradients(ctx, Float64Array.from(lambda), Float64Array.from(pAcc), "SomeAdjoint")).toEqual({
      retcode: "Unstable",
      message: `SomeAdjoint: the backward pass produced a non-finite ${which}`,
      t: 0.25,
    });
    expect([...ctx.u0Bar, ...ctx.pBar]).toEqual([1, 2, 3]);
  });
});
