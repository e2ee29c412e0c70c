// A second copy of @udekit/autodiff (two versions installed side by side): solveOde recognises
// its tensors by their Symbol.for brand instead of `instanceof`, and refuses (naming both
// copies) to be differentiated by the other copy's tape, which it cannot record on.
import { DuplicateCopyError, mul, neg, TENSOR_BRAND, type Tensor, tensor } from "@udekit/autodiff";
import { describe, expect, test, vi } from "vitest";
import { solveOde, Tsit5 } from "../src/index.js";

// u' = −p·u: u(t) = u0·e^(−p·t).
const decay = (u: Tensor, p: Tensor, _t: Tensor) => neg(mul(p, u));
const options = { tspan: [0, 1] as const, saveat: [0.5, 1], solver: Tsit5(), reltol: 1e-10, abstol: 1e-12 };

/** An object shaped and branded like another copy's Tensor, but not an instance of ours. */
function fromOtherCopy(data: number[]): Tensor {
  return {
    data: Float64Array.from(data),
    shape: [data.length],
    size: data.length,
    tape: null,
    index: -1,
    [TENSOR_BRAND]: {
      protocol: 1,
      module: "file:///app/node_modules/.pnpm/@udekit+autodiff@0.0.9/dist/tensor.js",
    },
  } as unknown as Tensor;
}

describe("tensors of another copy of @udekit/autodiff", () => {
  test("a branded tensor that is not instanceof Tensor is accepted as u0 and p", () => {
    const u0 = fromOtherCopy([2]);
    const p = fromOtherCopy([0.5]);
    expect(u0 instanceof (tensor(0).constructor as typeof Object)).toBe(false);
    const out = solveOde(decay, u0, p, options);
    const same = solveOde(decay, tensor([2]), tensor([0.5]), options);
    expect(Array.from(out.data)).toEqual(Array.from(same.data));
    // Analytic 2·e^(−t/2); 1e-9 is ~100× the solver tolerance.
    expect(Math.abs(out.data[1] - 2 * Math.exp(-0.5))).toBeLessThan(1e-9);
  });

  test("a genuine second module instance's tensors work too", async () => {
    vi.resetModules();
    const other = await import("@udekit/autodiff");
    const u0 = other.tensor([2]);
    expect(u0 instanceof tensor(0).constructor).toBe(false);
    const out = solveOde(decay, u0, other.tensor([0.5]), options);
    expect(Math.abs(out.data[1] - 2 * Math.exp(-0.5))).toBeLessThan(1e-9);
  });

  test("a gradient taken by the other copy through this copy's solveOde is a DuplicateCopyError", async () => {
    vi.resetModules();
    const other = await import("@udekit/autodiff");
    const loss = (p: Tensor) => other.sum(solveOde(decay, other.tensor([2]), p, options) as never);
    const call = () => other.grad(loss as never)(other.tensor([0.5]));
    expect(call).toThrow(DuplicateCopyError);
    expect(call).toThrow(/another copy of @udekit\/autodiff/);
  });
});
