// The backward pass allocates nothing per step: its buffers are made once per pullback, so
// the bytes a pullback allocates do not grow with the number of backward steps. Measured
// with v8.GCProfiler (heap growth plus what each collection freed) around the pullback
// only, at two tolerances whose step counts differ several-fold.
import { GCProfiler, getHeapStatistics } from "node:v8";
import { matvec, mul, square, sub, sum, type Tensor, tensor, vjp } from "@udekit/autodiff";
import { describe, expect, test } from "vitest";
import { Tsit5 } from "../solvers/index.js";
import { InterpolatingAdjoint, QuadratureAdjoint, type SensitivityAlgorithm } from "./sensealg.js";
import { type SolveOdeInfo, solveOde } from "./solve-ode.js";

function allocatedBytes(fn: () => void): number {
  const used = () => getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers;
  const profiler = new GCProfiler();
  profiler.start();
  const before = used();
  fn();
  const after = used();
  let freed = 0;
  for (const gc of profiler.stop().statistics) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
  }
  return after - before + freed;
}

const n = 40;
let s = 7;
const rand = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32;
};
const P = tensor(Float64Array.from({ length: n * n }, rand), [n, n]);
const u0 = tensor(Float64Array.from({ length: n }, rand));
const linear = (u: Tensor, p: Tensor) => sub(matvec(p, u), mul(sum(p, 1), u));

function pullbackCost(sensealg: SensitivityAlgorithm, reltol: number): { bytes: number; steps: number } {
  const info: SolveOdeInfo = {};
  const run = () => {
    const [, pullback] = vjp(
      (p: Tensor) =>
        sum(
          square(
            solveOde(linear, u0, p, {
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
      P,
    );
    return pullback;
  };
  // warm up (JIT, compiled-tape cache)
  for (let k = 0; k < 3; k++) run()(tensor(1));
  const pullback = run();
  const bytes = allocatedBytes(() => pullback(tensor(1)));
  return { bytes, steps: (info.backward?.naccept ?? 0) + (info.backward?.nreject ?? 0) };
}

describe("backward pass allocation", () => {
  test.each([
    ["InterpolatingAdjoint", InterpolatingAdjoint()],
    ["QuadratureAdjoint", QuadratureAdjoint()],
  ] as const)("%s: bytes per pullback do not grow with the step count", (_name, alg) => {
    const loose = pullbackCost(alg, 1e-5);
    const tight = pullbackCost(alg, 1e-10);
    expect(tight.steps).toBeGreaterThan(3 * loose.steps);
    // What this must catch is a buffer made per step: any copy of the state (40 doubles =
    // 320 bytes plus a header) or a typed-array view (≥ 100 bytes). V8 may still box a few
    // doubles passed through calls it does not inline (16 bytes each, young-generation
    // garbage; measured ~100 bytes per step here), so the bound is 200 bytes per extra step.
    const perExtraStep = (tight.bytes - loose.bytes) / (tight.steps - loose.steps);
    expect(perExtraStep).toBeLessThan(200);
  });
});
