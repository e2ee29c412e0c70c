// Two copies of @udekit/autodiff in one program: tensors are recognised across copies by their
// Symbol.for brand, work there as constants, and a tensor the other copy is differentiating is
// refused with an error naming both copies (never a silently zero gradient).
import { describe, expect, test, vi } from "vitest";
import { DuplicateCopyError } from "./errors.js";
import { grad, valueAndGrad, vjp } from "./grad.js";
import { add, mul, sum } from "./ops/index.js";
import { isTensor, OWN_BRAND, TENSOR_BRAND, Tensor, tensor } from "./tensor.js";

/** A tensor as another copy (another module instance of tensor.ts) would make it. */
function foreignTensor(
  data: number[],
  module = "file:///elsewhere/node_modules/@udekit/autodiff/dist/tensor.js",
) {
  const brand = { protocol: 1, module };
  return {
    data: Float64Array.from(data),
    shape: [data.length],
    size: data.length,
    tape: null as unknown,
    index: -1,
    get rank() {
      return 1;
    },
    [TENSOR_BRAND]: brand,
  };
}

describe("the brand", () => {
  test("a tensor of this copy carries the registry-wide symbol", () => {
    const t = tensor([1, 2]);
    expect(TENSOR_BRAND).toBe(Symbol.for("@udekit/autodiff.Tensor"));
    expect(t[TENSOR_BRAND]).toBe(OWN_BRAND);
    expect(OWN_BRAND.module).toMatch(/tensor\.ts$/);
  });

  test("isTensor: true for this copy's and another copy's tensors, false for look-alikes", () => {
    const other = foreignTensor([1, 2]);
    expect(other instanceof Tensor).toBe(false);
    expect(isTensor(other)).toBe(true);
    expect(isTensor(tensor(1))).toBe(true);
    expect(isTensor({ data: Float64Array.of(1), shape: [1], size: 1 })).toBe(false);
    expect(isTensor({ [TENSOR_BRAND]: { protocol: 2, module: "x" } })).toBe(false);
    expect(isTensor(null)).toBe(false);
    expect(isTensor(Float64Array.of(1))).toBe(false);
  });

  test("another copy's constant tensor works in ops and as an argument of grad and vjp", () => {
    const other = foreignTensor([3, 4]) as unknown as Tensor;
    expect(Array.from(add(other, tensor([1, 1])).data)).toEqual([4, 5]);
    // d/dx Σ x·c = c
    expect(grad((x: Tensor) => sum(mul(x, other)))(tensor([1, 2])).toArray()).toEqual([3, 4]);
    expect(grad((x: Tensor) => sum(mul(x, x)))(other).toArray()).toEqual([6, 8]);
    const [, pullback] = vjp((x: Tensor) => mul(x, x), tensor([1, 2]));
    expect(pullback(other)[0].toArray()).toEqual([6, 16]);
  });

  test("an incompatible layout is named in the message", () => {
    const odd = { [TENSOR_BRAND]: { protocol: 2, module: "file:///future/tensor.js" } } as unknown as Tensor;
    expect(() => grad((x: Tensor) => sum(x))(odd)).toThrow(/incompatible copy.*future\/tensor\.js, layout 2/);
  });
});

describe("a genuine second copy (a fresh module instance)", () => {
  test("its tensors are not instanceof ours but are tensors here", async () => {
    vi.resetModules();
    const other = await import("./index.js");
    expect(other.Tensor).not.toBe(Tensor);
    const t = other.tensor([1, -2]);
    expect(t instanceof Tensor).toBe(false);
    expect(isTensor(t)).toBe(true);
    expect(other.isTensor(tensor([0]))).toBe(true);
    expect(grad((x: Tensor) => sum(mul(x, x)))(t).toArray()).toEqual([2, -4]);
  });

  test("differentiating with one copy through the other's ops is a DuplicateCopyError naming both", async () => {
    vi.resetModules();
    const other = await import("./index.js");
    // `mul` and `sum` are this copy's; the tape is the other copy's.
    const f = (x: Tensor) => sum(mul(x, x));
    const call = () => other.valueAndGrad(f as never)(other.tensor([1, 2]));
    expect(call).toThrow(DuplicateCopyError);
    expect(call).toThrow(/another copy of @udekit\/autodiff \(.*tensor\.ts\).*this copy \(.*tensor\.ts\)/);
    expect(call).toThrow(/peer dependency/);
  });

  test("a function returning the other copy's tensor to grad is a DuplicateCopyError", async () => {
    vi.resetModules();
    const other = await import("./index.js");
    const f = (_x: Tensor) => other.sum(other.tensor([1, 2])) as unknown as Tensor;
    expect(() => valueAndGrad(f)(tensor([1]))).toThrow(DuplicateCopyError);
  });
});
