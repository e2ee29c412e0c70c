// Values of the elementwise ops and of sum/mean against their closed forms, the overflow-free forms at the
// extremes, and the documented derivative 0 at the kinks of abs and relu.
//
// The op suite's dot-product check compares a rule with differences of the op's own forward, so
// a forward that computes the wrong function consistently with its rule (a forward left empty,
// GELU's constant √(2/π) changed in both) passes it; values against closed forms do not.
// Each test runs on a module instance imported inside it (vi.resetModules + dynamic import):
// the op definitions and GELU's constants run at import, and a mutation-testing run
// (TESTING.md) switches a mutant on only when the tests start.
//
// Tolerance: each closed form is the same IEEE expression of Math's functions the definition
// names (for gelu, tanh's approximation as Hendrycks & Gimpel write it), so values agree to a
// few ulps; 4·ε relative allows a different order of the same operations.
import { describe, expect, test, vi } from "vitest";

const EPS = Number.EPSILON;
const close = (got: number, want: number) =>
  expect(Math.abs(got - want), `got ${got}, want ${want}`).toBeLessThanOrEqual(4 * EPS * Math.abs(want));

async function fresh() {
  vi.resetModules();
  return await import("../index.js");
}

const XS = [-3, -1.25, -0.5, 0, 0.25, 1, 2.5];

describe("elementwise ops against closed forms (module instance loaded in the test)", () => {
  test("unary values", async () => {
    const ad = await fresh();
    const x = ad.tensor(XS);
    const cases: [string, (t: typeof x) => typeof x, (v: number) => number][] = [
      ["neg", ad.neg, (v) => -v],
      ["identity", ad.identity, (v) => v],
      ["square", ad.square, (v) => v * v],
      ["exp", ad.exp, Math.exp],
      ["abs", ad.abs, Math.abs],
      ["tanh", ad.tanh, Math.tanh],
      ["sigmoid", ad.sigmoid, (v) => 1 / (1 + Math.exp(-v))],
      ["relu", ad.relu, (v) => Math.max(v, 0)],
      ["softplus", ad.softplus, (v) => Math.log(1 + Math.exp(v))],
      ["gelu", ad.gelu, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      ["sin", ad.sin, Math.sin],
      ["cos", ad.cos, Math.cos],
    ];
    for (const [name, op, want] of cases) {
      const y = op(x).data;
      XS.forEach((v, i) => {
        // softplus's closed form loses digits to rounding in 1 + eˣ: compare to 1e-15 there.
        if (name === "softplus") expect(Math.abs(y[i] - want(v))).toBeLessThan(1e-15 * (1 + want(v)));
        else close(y[i], want(v));
      });
    }
    const pos = ad.tensor([0.25, 1, 2.5, 7]);
    [0.25, 1, 2.5, 7].forEach((v, i) => {
      close(ad.log(pos).data[i], Math.log(v));
      close(ad.sqrt(pos).data[i], Math.sqrt(v));
    });
  });

  test("binary values", async () => {
    const ad = await fresh();
    const a = ad.tensor([1.5, -2, 0.75]);
    const b = ad.tensor([0.5, 4, -3]);
    expect(Array.from(ad.add(a, b).data)).toEqual([2, 2, -2.25]);
    expect(Array.from(ad.sub(a, b).data)).toEqual([1, -6, 3.75]);
    expect(Array.from(ad.mul(a, b).data)).toEqual([0.75, -8, -2.25]);
    expect(Array.from(ad.div(a, b).data)).toEqual([3, -0.5, -0.25]);
  });

  test("sum and mean: totals and averages, whole and along each axis", async () => {
    const ad = await fresh();
    const m = ad.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(ad.sum(m).item()).toBe(21);
    expect(ad.mean(m).item()).toBe(3.5);
    expect(Array.from(ad.sum(m, 0).data)).toEqual([5, 7, 9]);
    expect(Array.from(ad.mean(m, 0).data)).toEqual([2.5, 3.5, 4.5]);
    expect(Array.from(ad.sum(m, 1).data)).toEqual([6, 15]);
    expect(Array.from(ad.mean(m, 1).data)).toEqual([2, 5]);
    expect(ad.mean(ad.tensor([1, 2, 3, 4])).item()).toBe(2.5);
    // d mean/dx = 1/count in every entry.
    expect(Array.from(ad.grad((x: typeof m) => ad.mean(x))(m).data)).toEqual(Array(6).fill(1 / 6));
  });

  test("sigmoid and softplus at the extremes: no overflow, no NaN", async () => {
    const ad = await fresh();
    // e^720 overflows: 1/(1 + e^{-x}) would give 0 at x = −720 where σ = e^{−720} ≈ 1.1e−313
    // (subnormal), and eˣ/(1 + eˣ) would give ∞/∞ = NaN at x = 800.
    const s = ad.sigmoid(ad.tensor([-720, 800])).data;
    expect(s[0]).toBe(Math.exp(-720));
    expect(s[0]).toBeGreaterThan(0);
    expect(s[1]).toBe(1);
    const sp = ad.softplus(ad.tensor([-800, 800])).data;
    expect(sp[0]).toBe(0);
    expect(sp[1]).toBe(800);
  });

  test("the derivative at the kink is 0 for abs and relu (documented)", async () => {
    const ad = await fresh();
    const at = ad.tensor([-2, 0, 3]);
    expect(Array.from(ad.grad((x: typeof at) => ad.sum(ad.abs(x)))(at).data)).toEqual([-1, 0, 1]);
    expect(Array.from(ad.grad((x: typeof at) => ad.sum(ad.relu(x)))(at).data)).toEqual([0, 0, 1]);
  });
});
