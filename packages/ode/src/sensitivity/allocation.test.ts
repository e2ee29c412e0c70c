// The backward pass makes no buffers per step: every typed array it uses is created once per
// pullback. Counted directly: Float64Array construction, subarray() and slice() are wrapped
// with counters while a pullback runs, at two tolerances whose step counts differ several-
// fold; the counts must be equal. (V8 may still box a double passed to a call it does not
// inline — 16-byte young-generation objects — which no JavaScript code can prevent; arrays,
// views and copies are what this catches.)
import { concat, matvec, mul, slice, square, sub, sum, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { afterEach, describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import {
  DiscreteAdjoint,
  InterpolatingAdjoint,
  QuadratureAdjoint,
  type SensitivityAlgorithm,
} from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

const Original = globalThis.Float64Array;
const originalSubarray = Original.prototype.subarray;
const originalSlice = Original.prototype.slice;
let created = 0;

function countTypedArrays<T>(fn: () => T): [T, number] {
  created = 0;
  const made = new WeakSet<object>();
  class Counting extends Original {
    constructor(...args: ConstructorParameters<typeof Float64Array>) {
      created++;
      // biome-ignore lint/suspicious/noExplicitAny: forwarding every constructor overload
      super(...(args as unknown as [any]));
      made.add(this);
    }
    // `x instanceof Float64Array` must stay true for arrays made before the swap.
    static override [Symbol.hasInstance](x: unknown): boolean {
      return x instanceof Original;
    }
  }
  globalThis.Float64Array = Counting as typeof Float64Array;
  // Views and copies of arrays made before the swap come from their own constructor (not
  // Counting), so count them here; those of Counting arrays are counted by the constructor.
  Original.prototype.subarray = function (this: Float64Array, ...a: [number?, number?]) {
    if (!made.has(this)) created++;
    return originalSubarray.apply(this, a);
  };
  Original.prototype.slice = function (this: Float64Array, ...a: [number?, number?]) {
    if (!made.has(this)) created++;
    return originalSlice.apply(this, a);
  };
  try {
    return [fn(), created];
  } finally {
    restore();
  }
}

function restore(): void {
  globalThis.Float64Array = Original;
  Original.prototype.subarray = originalSubarray;
  Original.prototype.slice = originalSlice;
}
afterEach(restore);

const n = 40;
let s = 7;
const rand = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32;
};
const P = tensor(Float64Array.from({ length: n * n }, rand), [n, n]);
const u0 = tensor(Float64Array.from({ length: n }, rand));
const linear = (u: Tensor, p: Tensor) => sub(matvec(p, u), mul(sum(p, 1), u));
/**
 * gradbench's ode right-hand side at m = 500 states: every input of the product is a view of an
 * argument (slices of 499 entries) in the compiled program, rebound as the stage buffers change.
 * (Tsit5 stores 7·500 = 3 500 entries per step: under the 4 096 from which the discrete adjoint's
 * per-step copies are memcpys that make one small view each, on purpose — kernels' copy-range.ts.)
 */
const m = 500;
const chain = (y: Tensor, x: Tensor) => concat([slice(x, 0, 1), mul(slice(x, 1, m), slice(y, 0, m - 1))]);
const chainU0 = tensor(Float64Array.from({ length: m }, rand));
const chainX = tensor(Float64Array.from({ length: m }, rand));

type Model = "linear" | "chain";

function pullbackArrays(
  sensealg: SensitivityAlgorithm,
  reltol: number,
  model: Model = "linear",
): { arrays: number; steps: number } {
  const info: SolveOdeInfo = {};
  const [f, start, param] = model === "linear" ? [linear, u0, P] : [chain, chainU0, chainX];
  const [, pullback] = vjp(
    (p: Tensor) =>
      sum(
        square(
          solveOde(f, start, p, {
            tspan: [0, 3],
            saveat: [1, 2, 3],
            solver: Tsit5(),
            reltol,
            abstol: reltol * 1e-2,
            sensealg,
            info,
          }),
        ),
      ),
    param,
  );
  const cotangent = tensor(1);
  const [, arrays] = countTypedArrays(() => pullback(cotangent));
  return { arrays, steps: (info.backward?.naccept ?? 0) + (info.backward?.nreject ?? 0) };
}

describe("backward pass allocation", () => {
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
    ["DiscreteAdjoint({ checkpoints: 4 })", DiscreteAdjoint({ checkpoints: 4 })],
    ["DiscreteAdjoint({ storeBytes: 0 })", DiscreteAdjoint({ storeBytes: 0 })],
  ] as const)("%s: the typed arrays a pullback makes do not depend on its step count", (_name, alg) => {
    const loose = pullbackArrays(alg, 1e-5);
    const tight = pullbackArrays(alg, 1e-10);
    expect(tight.steps).toBeGreaterThan(3 * loose.steps);
    // A buffer made per step would add one array per extra step (hundreds here); the kernels
    // create a few cached views of their scratch lazily, once each, hence the small allowance.
    expect(Math.abs(tight.arrays - loose.arrays)).toBeLessThan(8);
  });

  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["DiscreteAdjoint", DiscreteAdjoint()],
  ] as const)("%s through a right-hand side of argument views: no array per step", (_name, alg) => {
    const loose = pullbackArrays(alg, 1e-4, "chain");
    const tight = pullbackArrays(alg, 1e-9, "chain");
    expect(tight.steps).toBeGreaterThan(3 * loose.steps);
    expect(Math.abs(tight.arrays - loose.arrays)).toBeLessThan(8);
  });

  test("the counter sees arrays made per step (the test can fail)", () => {
    const [, arrays] = countTypedArrays(() => {
      for (let i = 0; i < 5; i++) new Float64Array(3).subarray(1);
    });
    expect(arrays).toBe(10);
  });
});
