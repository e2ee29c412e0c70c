/**
 * Times gradbench's ode eval on its own, outside `pnpm bench`: the DiscreteAdjoint gradient and
 * the solveOde forward for one (n, s), median of `reps` calls after 3 warm-up calls each (the
 * numbers quoted in the buffer-pool changeset). From apps/bench:
 *   node --conditions=@udekit/source --import tsx scripts/gradbench-da.ts <n> <s> [reps]
 */
import { concat, mul, reshape, slice, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { DiscreteAdjoint, RK4, solveOde } from "@udekit/ode";

const n = Number(process.argv[2] ?? 1e5);
const s = Number(process.argv[3] ?? 1);
const reps = Number(process.argv[4] ?? 20);
const rhs = (y: Tensor, x: Tensor) => concat([slice(x, 0, 1), mul(slice(x, 1, n), slice(y, 0, n - 1))]);
const x = tensor(Float64Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000));
const y0 = tensor(new Float64Array(n));
const options = { tspan: [0, 2] as const, saveat: [2], solver: RK4(), dt: 2 / s, adaptive: false };
const gradient = valueAndGrad((xx: Tensor) =>
  slice(reshape(solveOde(rhs, y0, xx, { ...options, sensealg: DiscreteAdjoint() }), [n]), n - 1, n),
);
const forward = () => solveOde(rhs, y0, x, options);
for (let i = 0; i < 3; i++) {
  gradient(x);
  forward();
}
const tg: number[] = [];
const tf: number[] = [];
for (let i = 0; i < reps; i++) {
  let t0 = performance.now();
  gradient(x);
  tg.push(performance.now() - t0);
  t0 = performance.now();
  forward();
  tf.push(performance.now() - t0);
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(
  `n ${n}, s ${s}: DiscreteAdjoint gradient median ${median(tg).toFixed(2)} ms, solveOde forward ${median(tf).toFixed(2)} ms (${reps} calls)`,
);
