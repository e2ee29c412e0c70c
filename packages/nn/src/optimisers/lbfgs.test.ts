/** L-BFGS and its strong-Wolfe line search on functions with known minimisers. */
import { describe, expect, test } from "vitest";
import { NonFiniteGradientError, OptimiserError } from "../errors.js";
import {
  LBFGS,
  minimize,
  type ObjectiveGradient,
  stateFromJSON,
  stateToJSON,
  strongWolfeLineSearch,
} from "./index.js";
import type { LBFGSState } from "./lbfgs.js";

/** Rosenbrock: f = 100(y − x²)² + (1 − x)², minimum 0 at (1, 1). Gradient by hand. */
const rosenbrock: ObjectiveGradient = (p, g) => {
  const [x, y] = p;
  const r = y - x * x;
  g[0] = -400 * x * r - 2 * (1 - x);
  g[1] = 200 * r;
  return 100 * r * r + (1 - x) * (1 - x);
};

describe("LBFGS", () => {
  test("minimises Rosenbrock from (−1.2, 1) to 1e-8 in under 100 iterations", () => {
    // gtol 1e-10: near (1, 1) the Hessian's smallest eigenvalue is ≈ 0.4, so ‖x − x*‖ ≲ ‖∇f‖/0.4
    // = 2.5e-10, well inside the 1e-8 asked for; ∇f's rounding noise is ~400·1e-16 = 4e-14.
    const x0 = new Float64Array([-1.2, 1]);
    const r = minimize(rosenbrock, x0, { gtol: 1e-10 });
    expect(r.retcode).toBe("Success");
    expect(r.iterations).toBeLessThan(100);
    expect(Math.abs(r.x[0] - 1)).toBeLessThan(1e-8);
    expect(Math.abs(r.x[1] - 1)).toBeLessThan(1e-8);
    expect(r.f).toBeLessThan(1e-16);
    expect(Array.from(x0)).toEqual([-1.2, 1]); // x0 untouched
  });

  test("minimises a 50-dimensional quadratic of condition 1e3 to its known minimiser", () => {
    const n = 50;
    const a = Float64Array.from({ length: n }, (_, i) => 10 ** ((3 * i) / (n - 1)));
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    // f = ½ Σ aᵢxᵢ² − bᵢxᵢ, minimiser xᵢ = bᵢ/aᵢ
    const fg: ObjectiveGradient = (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        g[i] = a[i] * x[i] - b[i];
        f += 0.5 * a[i] * x[i] * x[i] - b[i] * x[i];
      }
      return f;
    };
    // gtol 1e-10: near the end the decrease of f (~g²/min a = 1e-20) is far below f's rounding
    // (|f| ≈ 2, ulp 4e-16), so this also exercises the approximate-Wolfe acceptance.
    const r = minimize(fg, new Float64Array(n), { gtol: 1e-10, memory: 20 });
    expect(r.retcode).toBe("Success");
    // |xᵢ − bᵢ/aᵢ| = |gᵢ|/aᵢ ≤ gtol/min a = 1e-10
    for (let i = 0; i < n; i++) expect(Math.abs(r.x[i] - b[i] / a[i])).toBeLessThanOrEqual(1e-10);
  });

  test("state JSON round trip mid-run resumes bit-identically", () => {
    const opt = LBFGS({ gtol: 1e-10, memory: 5 });
    const s = opt.init(new Float64Array([-1.2, 1]), rosenbrock);
    for (let k = 0; k < 12; k++) opt.step(s, rosenbrock);
    const restored = stateFromJSON<LBFGSState>(JSON.parse(JSON.stringify(stateToJSON(s))), "LBFGS");
    const a = opt.run(s, rosenbrock);
    const b = opt.run(restored, rosenbrock);
    expect(b.retcode).toBe("Success");
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(b.iterations).toBe(a.iterations);
    expect(b.evaluations).toBe(a.evaluations);
  });

  test("retcodes: MaxIters when the budget runs out, Failure when the gradient is wrong", () => {
    const r = minimize(rosenbrock, new Float64Array([-1.2, 1]), { maxIterations: 3 });
    expect(r.retcode).toBe("MaxIters");
    expect(r.iterations).toBe(3);
    expect(r.message).toMatch(/Fix/);
    const wrong: ObjectiveGradient = (x, g) => {
      const f = rosenbrock(x, g);
      g[0] = -g[0];
      g[1] = -g[1];
      return f;
    };
    const bad = minimize(wrong, new Float64Array([-1.2, 1]));
    expect(bad.retcode).toBe("Failure");
    expect(bad.message).toMatch(/gradcheck/);
  });

  test("a non-finite objective or gradient at x0 throws NonFiniteGradientError", () => {
    const nan: ObjectiveGradient = (_x, g) => {
      g[0] = Number.NaN;
      return 1;
    };
    expect(() => minimize(nan, new Float64Array(1))).toThrow(NonFiniteGradientError);
    expect(() => minimize(() => Number.POSITIVE_INFINITY, new Float64Array(1))).toThrow(
      NonFiniteGradientError,
    );
  });
});

describe("LBFGS with an objective that answers by a promise", () => {
  // The objective resolves on a later turn of the event loop, as a worker pool's would.
  const later = (fg: ObjectiveGradient) => (x: Float64Array, g: Float64Array) =>
    new Promise<number>((resolve) => setTimeout(() => resolve(fg(x, g)), 0));

  test("initAsync/stepAsync/runAsync take the synchronous methods' iterates, bit for bit", async () => {
    const opt = LBFGS({ gtol: 1e-10 });
    const x0 = new Float64Array([-1.2, 1]);
    const sync = opt.init(x0, rosenbrock);
    const async = await opt.initAsync(x0, later(rosenbrock));
    for (let k = 0; k < 5; k++) {
      expect(await opt.stepAsync(async, later(rosenbrock))).toBe(opt.step(sync, rosenbrock));
      expect(Array.from(async.x)).toEqual(Array.from(sync.x));
    }
    const a = opt.run(sync, rosenbrock);
    const b = await opt.runAsync(async, later(rosenbrock));
    expect(b.retcode).toBe("Success");
    expect({ ...b, state: undefined, x: Array.from(b.x) }).toEqual({
      ...a,
      state: undefined,
      x: Array.from(a.x),
    });
    expect(Math.abs(b.x[0] - 1)).toBeLessThan(1e-8);
  });

  test("a rejected evaluation rejects the step; a bad state or x0 rejects with the synchronous errors", async () => {
    const opt = LBFGS();
    const s = await opt.initAsync(new Float64Array([-1.2, 1]), later(rosenbrock));
    const failing = () => Promise.reject(new Error("worker crashed"));
    await expect(opt.stepAsync(s, failing)).rejects.toThrow("worker crashed");
    await expect(
      opt.stepAsync({ ...s, rule: "Adam" } as unknown as LBFGSState, later(rosenbrock)),
    ).rejects.toThrow(/not made by an LBFGS/);
    await expect(opt.initAsync(new Float64Array(1), async () => Number.NaN)).rejects.toThrow(
      NonFiniteGradientError,
    );
  });
});

describe("strong-Wolfe line search (N&W Alg. 3.5/3.6)", () => {
  test("the accepted step satisfies both strong Wolfe conditions on Rosenbrock from many points", () => {
    const c1 = 1e-4;
    const c2 = 0.9;
    const g0 = new Float64Array(2);
    const d = new Float64Array(2);
    const xt = new Float64Array(2);
    const gt = new Float64Array(2);
    const result = { ok: false, wolfe: false, alpha: 0, f: 0, evaluations: 0 };
    for (const start of [
      [-1.2, 1],
      [0, 0],
      [2, 2],
      [-0.5, 3],
      [1.5, -1],
    ]) {
      const x = Float64Array.from(start);
      const f0 = rosenbrock(x, g0);
      d[0] = -g0[0];
      d[1] = -g0[1];
      const dphi0 = g0[0] * d[0] + g0[1] * d[1];
      const r = strongWolfeLineSearch(
        rosenbrock,
        x,
        f0,
        g0,
        d,
        1,
        xt,
        gt,
        { c1, c2, maxEvaluations: 40, alphaMax: 1e10 },
        result,
      );
      expect(r.ok && r.wolfe).toBe(true);
      expect(r.f).toBeLessThanOrEqual(f0 + c1 * r.alpha * dphi0);
      expect(Math.abs(gt[0] * d[0] + gt[1] * d[1])).toBeLessThanOrEqual(c2 * Math.abs(dphi0));
      expect(xt[0]).toBe(x[0] + r.alpha * d[0]);
    }
  });
  test("an option LBFGS does not take throws, naming ours for another library's name", () => {
    expect(() => LBFGS({ maxiter: 50 } as never)).toThrow(OptimiserError);
    expect(() => LBFGS({ maxiter: 50 } as never)).toThrow(
      /LBFGS: unknown option "maxiter" \(did you mean maxIterations\?\)\. LBFGS takes memory, gtol, ftol, maxIterations, c1, c2, maxLineSearch/,
    );
    expect(() => LBFGS(5 as never)).toThrow(/LBFGS: options = 5; expected an options object/);
  });
});
