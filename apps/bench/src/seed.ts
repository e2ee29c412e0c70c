/**
 * The seed problem (DESIGN.md "apps/ude"), as the benchmarks use it: data from
 * apps/ude/data/seed-ude.json, the linear model du/dt = A(P)·u with A(P) = P − diag(P·1), the UDE
 * du/dt = nn(u) + A(P)·u (nn = Dense(4→5, tanh) → Dense(5→4) on the 25 blocks of 4 entries of u),
 * the loss Σₖ ‖u(tₖ) − dataₖ‖² over t = 1, 2, 3, 4 (u(1) = the data's first column), and the
 * seed family at other sizes n: the leading n×n block of the seed P and the first n data rows for
 * n ≤ 100; for n > 100, P and the data drawn uniform in [0, 1) (the distribution of the seed's own
 * entries) by the seeded xoshiro256** generator of @udekit/nn (`rng(GENERATED_SEED)`, P first
 * row-major, then the data row by row).
 */
import { readFileSync } from "node:fs";
import {
  add,
  matmul,
  matvec,
  mul,
  reshape,
  slice,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  transpose,
} from "@udekit/autodiff";
import { rng } from "@udekit/nn";

export interface SeedData {
  times: number[];
  /** n rows (nodes) × 4 columns (observation times); column 0 is the initial condition. */
  trainingData: number[][];
  connectivity: number[][];
  nn: { layers: { weight: number[][]; bias: number[] }[] };
}

export const SEED: SeedData = JSON.parse(
  readFileSync(new URL("../../ude/data/seed-ude.json", import.meta.url), "utf8"),
) as SeedData;

export const TIMES = SEED.times;
export const TSPAN: [number, number] = [TIMES[0], TIMES[TIMES.length - 1]];
export const SEED_N = SEED.connectivity.length;
/** Seed of the generator for the seed family at n > 100. */
export const GENERATED_SEED = 20240917;

/** A member of the seed family: P (n×n, row-major), u0, data (one row per observation time). */
export interface LinearProblem {
  n: number;
  P: Float64Array;
  u0: Float64Array;
  data: Float64Array;
  source: "seed" | "generated";
}

export function linearProblem(n: number): LinearProblem {
  const m = TIMES.length;
  const P = new Float64Array(n * n);
  const data = new Float64Array(m * n);
  if (n <= SEED_N) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) P[i * n + j] = SEED.connectivity[i][j];
    for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) data[k * n + i] = SEED.trainingData[i][k];
  } else {
    const g = rng(GENERATED_SEED);
    g.fillUniform(P);
    const rows = g.fillUniform(new Float64Array(n * m));
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) data[k * n + i] = rows[i * m + k];
  }
  return { n, P, u0: data.slice(0, n), data, source: n <= SEED_N ? "seed" : "generated" };
}

/** Uniform [0, 1) values from the seeded generator (for kernel operands). */
export function uniformArray(len: number, seed: number): Float64Array {
  return rng(seed).fillUniform(new Float64Array(len));
}

/** A(P)·u = P·u − (P·1)∘u, without forming A. */
export const linearRhs = (u: Tensor, P: Tensor): Tensor => sub(matvec(P, u), mul(sum(P, 1), u));

export const UDE_N = SEED_N;
export const NET_PARAMS = 20 + 5 + 20 + 4;
export const UDE_PARAMS = UDE_N * UDE_N + NET_PARAMS;

/** du/dt = nn(u) + A(P)·u; p = [P (row-major); W1 (5×4); b1; W2 (4×5); b2] (10 049 entries). */
export function udeRhs(u: Tensor, p: Tensor): Tensor {
  return udeRhsWith(tanh, u, p);
}

/** The seed UDE with apps/ude's default identity activation (for checking its reference). */
export function udeRhsIdentity(u: Tensor, p: Tensor): Tensor {
  return udeRhsWith((x) => x, u, p);
}

function udeRhsWith(activation: (x: Tensor) => Tensor, u: Tensor, p: Tensor): Tensor {
  const nn2 = UDE_N * UDE_N;
  const P = reshape(slice(p, 0, nn2), [UDE_N, UDE_N]);
  const W1 = reshape(slice(p, nn2, nn2 + 20), [5, 4]);
  const b1 = slice(p, nn2 + 20, nn2 + 25);
  const W2 = reshape(slice(p, nn2 + 25, nn2 + 45), [4, 5]);
  const b2 = slice(p, nn2 + 45, UDE_PARAMS);
  return add(udeNet(activation, u, W1, b1, W2, b2), sub(matvec(P, u), mul(sum(P, 1), u)));
}

/** The UDE's net on the blocks of 4 entries of u: Dense(4→5, activation) → Dense(5→4), flattened. */
export function udeNet(
  activation: (x: Tensor) => Tensor,
  u: Tensor,
  W1: Tensor,
  b1: Tensor,
  W2: Tensor,
  b2: Tensor,
): Tensor {
  const X = reshape(u, [u.size / 4, 4]);
  const H = activation(add(matmul(X, transpose(W1)), b1));
  return reshape(add(matmul(H, transpose(W2)), b2), [u.size]);
}

/** The seed UDE's parameters at the fixture's values: [P; W1; b1; W2; b2]. */
export function udeParams(): Float64Array {
  const [l1, l2] = SEED.nn.layers;
  return Float64Array.from([
    ...SEED.connectivity.flat(),
    ...l1.weight.flat(),
    ...l1.bias,
    ...l2.weight.flat(),
    ...l2.bias,
  ]);
}

/** Σ (states − data)² as a tensor. */
export const sumSquares = (states: Tensor, data: Tensor): Tensor => sum(square(sub(states, data)));

/** ‖a − b‖ / ‖b‖. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(d / s);
}

export interface LinearReference {
  n: number;
  loss: number;
  gradP: Float64Array;
}

/** The exact seed linear gradient (expm + Fréchet derivative, scipy) from @udekit/ode's fixture. */
export function linearReference(n: number): LinearReference {
  const fixture = JSON.parse(
    readFileSync(
      new URL("../../../packages/ode/test/fixtures/seed-linear-gradient.json", import.meta.url),
      "utf8",
    ),
  ) as { cases: { n: number; loss: number; gradP: number[][] }[] };
  const c = fixture.cases.find((x) => x.n === n);
  if (c === undefined) throw new Error(`seed-linear-gradient.json has no case n = ${n}`);
  return { n, loss: c.loss, gradP: Float64Array.from(c.gradP.flat()) };
}
