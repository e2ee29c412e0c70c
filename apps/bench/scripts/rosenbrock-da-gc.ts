/**
 * Times DiscreteAdjoint after Rodas5P on a linear model (n = 30, gradient with respect to all
 * 900 entries of P): median of 15 gradients, and of 15 more each after a full garbage
 * collection (the numbers quoted in the Rosenbrock discrete adjoint's changeset). From apps/bench:
 *   node --expose-gc --conditions=@udekit/source --import tsx scripts/rosenbrock-da-gc.ts
 */
import { square, sum, type Tensor, tensor, valueAndGrad } from "@udekit/autodiff";
import { DiscreteAdjoint, Rodas5P, solveOde } from "@udekit/ode";
import { linearRhs } from "../src/seed.js";

const n = 30;
let s = 7;
const rand = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 2 ** 32;
};
const P = tensor(Float64Array.from({ length: n * n }, rand), [n, n]);
const u0 = tensor(Float64Array.from({ length: n }, rand));
const g = valueAndGrad((p: Tensor) =>
  sum(
    square(
      solveOde(linearRhs, u0, p, {
        tspan: [0, 3],
        saveat: [1, 2, 3],
        solver: Rodas5P(),
        reltol: 1e-6,
        abstol: 1e-8,
        sensealg: DiscreteAdjoint(),
      }),
    ),
  ),
);
const gc = (globalThis as unknown as { gc: () => void }).gc;
for (let i = 0; i < 10; i++) g(P);
const plain: number[] = [],
  afterGc: number[] = [];
for (let r = 0; r < 15; r++) {
  let t0 = performance.now();
  g(P);
  plain.push(performance.now() - t0);
  gc();
  t0 = performance.now();
  g(P);
  afterGc.push(performance.now() - t0);
}
const med = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1];
console.log(`Rodas5P DA n=${n}: plain ${med(plain).toFixed(2)} ms, after gc() ${med(afterGc).toFixed(2)} ms`);
