/**
 * First-order rules against their published update formulas written out by hand (closed forms,
 * not the recursions of the implementation), schedules, clipping, NaN handling and state
 * round trips.
 */
import { describe, expect, test } from "vitest";
import { NonFiniteGradientError, OptimiserError } from "../errors.js";
import {
  Adam,
  AdamW,
  cosineDecay,
  Descent,
  exponentialDecay,
  Momentum,
  Nesterov,
  type Optimiser,
  RMSProp,
  stateFromJSON,
  stateToJSON,
  stepDecay,
} from "./index.js";

// Tolerance for "same formula, different association of the same float64 operations": the
// results of a handful of operations differ by at most a few ulps, i.e. ~1e-15 relative.
const ulps = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel = 4e-15) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(ulps(got[i], want[i])).toBeLessThanOrEqual(rel);
}

const x0 = [0.5, -1.0, 2.0];
const grads = [
  [0.3, -2.0, 1e-3],
  [-0.1, -1.5, 4.0],
  [0.25, 0.5, -3.0],
];

describe("Adam", () => {
  test("its first three updates equal Kingma & Ba's formulas evaluated by hand", () => {
    const eta = 0.1;
    const b1 = 0.9;
    const b2 = 0.999;
    const eps = 1e-8;
    const opt = Adam({ eta });
    const x = Float64Array.from(x0);
    const state = opt.init(x);
    const want = [...x0];
    for (let t = 1; t <= 3; t++) {
      opt.update(state, x, Float64Array.from(grads[t - 1]));
      for (let i = 0; i < 3; i++) {
        // Closed forms: m_t = (1−β₁)·Σ_k β₁^{t−k} g_k, v_t = (1−β₂)·Σ_k β₂^{t−k} g_k²
        let m = 0;
        let v = 0;
        for (let k = 1; k <= t; k++) {
          m += (1 - b1) * b1 ** (t - k) * grads[k - 1][i];
          v += (1 - b2) * b2 ** (t - k) * grads[k - 1][i] ** 2;
        }
        const mHat = m / (1 - b1 ** t);
        const vHat = v / (1 - b2 ** t);
        want[i] -= (eta * mHat) / (Math.sqrt(vHat) + eps);
      }
      // The sums above and the recursion agree to a few ulps per step, accumulated over 3 steps.
      expectClose(x, want, 1e-14);
    }
  });

  test("its first step is ±η per entry, whatever the gradient's size (m̂₁ = g, v̂₁ = g²)", () => {
    const eta = 0.1;
    const eps = 1e-8;
    const opt = Adam({ eta, epsilon: eps });
    const x = Float64Array.from(x0);
    opt.update(opt.init(x), x, Float64Array.from(grads[0]));
    // x₁ = x₀ − η·g/(|g| + ε): a few operations, so a few ulps.
    expectClose(
      x,
      x0.map((v, i) => v - (eta * grads[0][i]) / (Math.abs(grads[0][i]) + eps)),
    );
    for (let i = 0; i < 3; i++) {
      // |x₁ − x₀| = η·|g|/(|g| + ε), which differs from η by η·ε/(|g| + ε) ≤ 1e-6 for |g| ≥ 1e-3,
      // plus the rounding of x₀ − step (≤ ε_mach·|x₀| ≈ 4.4e-16); entries move against the gradient.
      const step = x[i] - x0[i];
      expect(Math.abs(Math.abs(step) - eta)).toBeLessThanOrEqual((eta * eps) / Math.abs(grads[0][i]) + 1e-15);
      expect(Math.sign(step)).toBe(-Math.sign(grads[0][i]));
    }
  });
});

describe("the other first-order rules follow their formulas", () => {
  test("Descent: x ← x − η·g", () => {
    const x = Float64Array.from(x0);
    const opt = Descent(0.2);
    const s = opt.init(x);
    opt.update(s, x, Float64Array.from(grads[0]));
    expectClose(
      x,
      x0.map((v, i) => v - 0.2 * grads[0][i]),
    );
  });

  test("Momentum: x₂ = x₀ − η·g₁ − (ρη·g₁ + η·g₂)", () => {
    const x = Float64Array.from(x0);
    const opt = Momentum({ eta: 0.1, rho: 0.8 });
    const s = opt.init(x);
    opt.update(s, x, Float64Array.from(grads[0]));
    opt.update(s, x, Float64Array.from(grads[1]));
    expectClose(
      x,
      x0.map((v, i) => v - 0.1 * grads[0][i] - (0.8 * 0.1 * grads[0][i] + 0.1 * grads[1][i])),
    );
  });

  test("Nesterov: x₁ = x₀ − (1 + ρ)·η·g₁; x₂ = x₁ + ρ²v₁ − (1 + ρ)·η·g₂ with v₁ = −η·g₁", () => {
    const x = Float64Array.from(x0);
    const opt = Nesterov({ eta: 0.1, rho: 0.8 });
    const s = opt.init(x);
    opt.update(s, x, Float64Array.from(grads[0]));
    const x1 = x0.map((v, i) => v - 1.8 * 0.1 * grads[0][i]);
    expectClose(x, x1);
    opt.update(s, x, Float64Array.from(grads[1]));
    expectClose(
      x,
      x1.map((v, i) => v + 0.64 * (-0.1 * grads[0][i]) - 1.8 * 0.1 * grads[1][i]),
    );
  });

  test("RMSProp: a₁ = (1 − ρ)·g², x₁ = x₀ − η·g/(√a₁ + ε)", () => {
    const x = Float64Array.from(x0);
    const opt = RMSProp({ eta: 0.01, rho: 0.9, epsilon: 1e-8 });
    const s = opt.init(x);
    opt.update(s, x, Float64Array.from(grads[0]));
    expectClose(
      x,
      x0.map((v, i) => v - (0.01 * grads[0][i]) / (Math.sqrt(0.1 * grads[0][i] ** 2) + 1e-8)),
    );
  });

  test("AdamW: the first step is Adam's plus the decoupled decay η·λ·x₀", () => {
    const x = Float64Array.from(x0);
    const adam = Float64Array.from(x0);
    const opt = AdamW({ eta: 0.1, lambda: 0.5 });
    opt.update(opt.init(x), x, Float64Array.from(grads[0]));
    const a = Adam({ eta: 0.1 });
    a.update(a.init(adam), adam, Float64Array.from(grads[0]));
    expectClose(
      x,
      Array.from(adam, (v, i) => v - 0.1 * 0.5 * x0[i]),
    );
  });

  const rules: [string, () => Optimiser, number][] = [
    ["Descent", () => Descent(0.1), 300],
    ["Momentum", () => Momentum({ eta: 0.05 }), 300],
    ["Nesterov", () => Nesterov({ eta: 0.05 }), 300],
    ["Adam", () => Adam({ eta: 0.05 }), 2000],
    ["AdamW", () => AdamW({ eta: 0.05, lambda: 1e-3 }), 2000],
    ["RMSProp", () => RMSProp({ eta: 0.01 }), 2000],
  ];
  for (const [name, make, steps] of rules) {
    test(`${name} minimises the quadratic ½Σ aᵢxᵢ² (aᵢ ∈ [1, 5])`, () => {
      const a = [1, 2, 3, 4, 5];
      const x = new Float64Array([1, -1, 0.5, 2, -0.3]);
      const g = new Float64Array(5);
      const opt = make();
      const s = opt.init(x);
      for (let k = 0; k < steps; k++) {
        for (let i = 0; i < 5; i++) g[i] = a[i] * x[i];
        opt.update(s, x, g);
      }
      // Starting norm ~2.5; every rule here reduces it by >2 orders of magnitude (RMSProp and the
      // Adam family oscillate at the scale of η near the minimum).
      expect(Math.max(...x.map(Math.abs))).toBeLessThan(0.02);
      expect(s.t).toBe(steps);
    });
  }
});

describe("schedules and clipping", () => {
  test("stepDecay, exponentialDecay and cosineDecay values", () => {
    const step = stepDecay({ eta: 1, stepSize: 2, gamma: 0.5 });
    expect([1, 2, 3, 4, 5].map(step)).toEqual([1, 1, 0.5, 0.5, 0.25]);
    const ex = exponentialDecay({ eta: 2, gamma: 0.5 });
    expect([1, 2, 3].map(ex)).toEqual([2, 1, 0.5]);
    const cos = cosineDecay({ eta: 1, etaMin: 0.1, period: 4 });
    expect(cos(1)).toBe(1);
    expect(cos(3)).toBeCloseTo(0.55, 15); // half-way: (1 + 0.1)/2
    expect(cos(5)).toBeCloseTo(0.1, 15);
    expect(cos(50)).toBeCloseTo(0.1, 15);
  });

  test("a schedule drives the step size of an update", () => {
    const x = new Float64Array([0]);
    const opt = Descent({ eta: stepDecay({ eta: 1, stepSize: 1, gamma: 0.5 }) });
    const s = opt.init(x);
    for (let k = 0; k < 3; k++) opt.update(s, x, new Float64Array([1]));
    expect(x[0]).toBe(-(1 + 0.5 + 0.25));
  });

  test("clipNorm rescales to the given norm and leaves the caller's gradient alone", () => {
    const x = new Float64Array([0, 0]);
    const g = new Float64Array([3, 4]);
    const opt = Descent({ eta: 1, clipNorm: 1 });
    opt.update(opt.init(x), x, g);
    expectClose(x, [-0.6, -0.8]);
    expect(Array.from(g)).toEqual([3, 4]);
    const small = new Float64Array([0, 0]);
    opt.update(opt.init(small), small, new Float64Array([0.3, 0.4]));
    expectClose(small, [-0.3, -0.4]);
  });
});

describe("bad input", () => {
  test("NaN or Infinity in a gradient throws NonFiniteGradientError and changes nothing", () => {
    for (const opt of [Descent(), Momentum(), Nesterov(), Adam(), AdamW(), RMSProp()]) {
      const x = Float64Array.from(x0);
      const s = opt.init(x);
      const before = JSON.stringify(stateToJSON(s));
      expect(() => opt.update(s, x, new Float64Array([1, Number.NaN, 0]))).toThrow(NonFiniteGradientError);
      expect(() => opt.update(s, x, new Float64Array([Number.POSITIVE_INFINITY, 0, 0]))).toThrow(/entry 0/);
      expect(Array.from(x)).toEqual(x0);
      expect(JSON.stringify(stateToJSON(s))).toBe(before);
    }
  });

  test("wrong lengths, foreign states and bad hyperparameters throw OptimiserError with a fix", () => {
    const opt = Adam();
    const x = new Float64Array(3);
    expect(() => opt.update(opt.init(x), x, new Float64Array(2))).toThrow(OptimiserError);
    expect(() => opt.update(opt.init(new Float64Array(4)), x, new Float64Array(3))).toThrow(/init\(params\)/);
    expect(() => opt.update(Descent().init(x), x, new Float64Array(3))).toThrow(/belongs to rule "Descent"/);
    expect(() => Adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => Momentum({ eta: -1 })).toThrow(OptimiserError);
    expect(() => stepDecay({ eta: 1, stepSize: 0 })).toThrow(/stepSize/);
    expect(() => stateFromJSON({ nope: 1 } as never)).toThrow(/not a saved optimiser state/);
  });

  test("an option a rule does not take throws, naming ours for another library's name", () => {
    // Adam({ lr }) would otherwise train silently with the default η = 0.001.
    expect(() => Adam({ lr: 0.01 } as never)).toThrow(OptimiserError);
    expect(() => Adam({ lr: 0.01 } as never)).toThrow(
      /Adam: unknown option "lr" \(did you mean eta\?\)\. Adam takes eta, beta1, beta2, epsilon, clipNorm/,
    );
    expect(() => AdamW({ weight_decay: 0.1 } as never)).toThrow(/"weight_decay" \(did you mean lambda\?\)/);
    expect(() => Momentum({ momentum: 0.9 } as never)).toThrow(/"momentum" \(did you mean rho\?\)/);
    expect(() => Nesterov({ momentum: 0.9 } as never)).toThrow(/Nesterov: unknown option "momentum"/);
    expect(() => RMSProp({ eps: 1e-6 } as never)).toThrow(/"eps" \(did you mean epsilon\?\)/);
    // A name with no alias gets the list only; an alias for an option this rule lacks gets no hint.
    expect(() => Descent({ etta: 0.1 } as never)).toThrow(
      /Descent: unknown option "etta"\. Descent takes eta, clipNorm\./,
    );
    expect(() => Descent({ weight_decay: 0.1 } as never)).toThrow(
      /unknown option "weight_decay"\. Descent takes/,
    );
    expect(() => Adam("fast" as never)).toThrow(
      /options = "fast"; expected a learning rate \(a number\) or an options object/,
    );
    // Every option each rule documents is still accepted, and a number is the learning rate.
    expect(Adam({ eta: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, clipNorm: 1 }).hyperparameters.eta).toBe(
      0.01,
    );
    expect(AdamW({ lambda: 0.1 }).hyperparameters.lambda).toBe(0.1);
    expect(RMSProp({ rho: 0.8, epsilon: 1e-6 }).hyperparameters.rho).toBe(0.8);
    expect(Momentum(0.05).hyperparameters.eta).toBe(0.05);
  });
});

describe("state serialisation", () => {
  for (const make of [
    () => Descent(0.05),
    () => Momentum(),
    () => Nesterov(),
    () => Adam(),
    () => AdamW(),
    () => RMSProp(),
  ]) {
    test(`${make().name}: save → JSON text → restore resumes bit-identically`, () => {
      const opt = make();
      const gradient = (x: Float64Array, g: Float64Array) => {
        for (let i = 0; i < x.length; i++) g[i] = Math.sin(3 * x[i]) + (i + 1) * x[i];
      };
      const x = Float64Array.from(x0);
      const g = new Float64Array(3);
      const s = opt.init(x);
      for (let k = 0; k < 5; k++) {
        gradient(x, g);
        opt.update(s, x, g);
      }
      const text = JSON.stringify({ params: Array.from(x), opt: stateToJSON(s) });
      const saved = JSON.parse(text);
      const x2 = Float64Array.from(saved.params as number[]);
      const s2 = stateFromJSON(saved.opt, opt.name);
      const g2 = new Float64Array(3);
      for (let k = 0; k < 5; k++) {
        gradient(x, g);
        opt.update(s, x, g);
        gradient(x2, g2);
        opt.update(s2, x2, g2);
      }
      expect(Array.from(x2)).toEqual(Array.from(x));
      expect(s2.t).toBe(10);
      expect(() => stateFromJSON(saved.opt, "SomethingElse")).toThrow(/belongs to rule/);
    });
  }
});
