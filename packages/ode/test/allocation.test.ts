/**
 * The stepping loop allocates no buffers per step. Method: after a warm-up (so the JIT has
 * compiled the loop) and a forced collection, run K steps and read the heapUsed growth, with a
 * gc performance observer confirming that no collection ran in between (else measure again);
 * the minimum of three such measurements.
 * V8 boxes doubles passed to non-inlined calls (HeapNumbers, ~16 B each), so bytes per step are
 * not zero (and scatter by a few hundred bytes with JIT activity), but they do not depend on
 * the problem size; a per-step buffer would. The test measures at two dimensions n₁ < n₂ and
 * bounds the growth of bytes/step by one n-vector's growth, 8·(n₂ − n₁) bytes — generous
 * against the scatter, and any per-step vector (or matrix) allocation reaches it. Both sizes are ≥ 64 so that the kernels take the same (wasm)
 * code path at both (below 64 they run their TypeScript loops, with different boxing).
 */
import { PerformanceObserver } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, test } from "vitest";
import { init } from "../src/integrator.js";
import { ODEProblem } from "../src/problem.js";
import { Rodas4, Tsit5, Vern7 } from "../src/solvers/index.js";
import type { OdeSolver } from "../src/stepper.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Bytes per step: the minimum of three GC-free measurements (one-off JIT or arena bookkeeping allocations do not repeat). */
async function measure(run: (k: number) => void, k: number): Promise<number> {
  run(1000); // warm-up: let the JIT optimise the loop and the callbacks
  let best = Number.POSITIVE_INFINITY;
  let valid = 0;
  for (let attempt = 0; attempt < 8 && valid < 3; attempt++) {
    let gcs = 0;
    const obs = new PerformanceObserver((list) => {
      gcs += list.getEntries().length;
    });
    gc();
    await new Promise((r) => setTimeout(r, 10));
    obs.observe({ entryTypes: ["gc"] });
    const h0 = process.memoryUsage().heapUsed;
    run(k);
    const h1 = process.memoryUsage().heapUsed;
    await new Promise((r) => setTimeout(r, 30));
    obs.disconnect();
    if (gcs === 0) {
      valid++;
      best = Math.min(best, (h1 - h0) / k);
    }
  }
  if (valid === 0) throw new Error("a garbage collection ran during every measurement");
  return best;
}

/** n/2 forced oscillators: a non-stiff system of dimension n with an analytic Jacobian. */
function oscillators(n: number): ODEProblem {
  const u0 = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 + i / n : 0));
  return new ODEProblem(
    (du: Float64Array, u: Float64Array, _p: Float64Array, t: number) => {
      const s = 0.1 * Math.sin(t);
      for (let i = 0; i < n; i += 2) {
        du[i] = u[i + 1];
        du[i + 1] = -u[i] + s;
      }
    },
    u0,
    [0, 1e9],
    [],
    {
      jac: (J) => {
        J.fill(0);
        for (let i = 0; i < n; i += 2) {
          J[i * n + i + 1] = 1;
          J[(i + 1) * n + i] = -1;
        }
      },
      tgrad: (dT, _u, _p, t) => {
        // One double per call: in a not-yet-optimised callback every fresh double is a boxed HeapNumber.
        const c = 0.1 * Math.cos(t);
        for (let i = 0; i < n; i += 2) {
          dT[i] = 0;
          dT[i + 1] = c;
        }
      },
    },
  );
}

async function bytesPerStep(solver: OdeSolver, n: number, steps: number): Promise<number> {
  const integ = init(oscillators(n), solver, { reltol: 1e-8, abstol: 1e-8, dense: false, maxiters: 1e9 });
  const out = new Float64Array(n);
  const perStep = await measure((k) => {
    for (let i = 0; i < k; i++) {
      integ.step();
      integ.interpolate(0.5 * (integ.tPrev + integ.t), out);
    }
  }, steps);
  integ.dispose();
  return perStep;
}

describe("no buffer allocation per step (step + dense output inside the step)", () => {
  test.each([
    ["Tsit5", Tsit5(), 200, 1000, 1000],
    ["Vern7 (lazy extra stages for the dense output)", Vern7(), 200, 1000, 500],
    ["Rodas4 (Jacobian, W = I/(hγ) − J, LU, 6 solves)", Rodas4(), 64, 256, 400],
  ] as [string, OdeSolver, number, number, number][])("%s", async (_name, solver, n1, n2, steps) => {
    const small = await bytesPerStep(solver, n1, steps);
    const large = await bytesPerStep(solver, n2, steps);
    expect(large - small).toBeLessThan(8 * (n2 - n1));
  });
});
