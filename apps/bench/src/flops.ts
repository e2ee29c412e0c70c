/**
 * Counting floating-point operations: run a computation once with a counting wrapper around the
 * active @udekit/kernels backend, so every dense kernel call it makes is tallied with its exact
 * flop count (matvec/matvecT/ger 2mn, matmul 2mkn, axpy/dot/mulAdd 2n, scale/mul n, luFactor ⅔n³,
 * luSolve 2n²; allFinite none). Work done outside the kernels (elementwise ops, reductions such as P·1 when they
 * are plain loops, the solver's own vector updates) is not counted, so achieved GFLOP/s derived
 * from these counts are lower bounds of the arithmetic actually performed; the dense n×n work
 * that dominates udekit's algorithms all goes through the kernels.
 */
import { type KernelBackend, kernels, registerBackend, useBackend } from "@udekit/kernels";

export interface FlopCount<T> {
  result: T;
  flops: number;
  /** Flops by kernel name. */
  byKernel: Record<string, number>;
}

export function countFlops<T>(fn: () => T): FlopCount<T> {
  const base = kernels();
  const byKernel: Record<string, number> = {};
  const add = (k: string, f: number) => {
    byKernel[k] = (byKernel[k] ?? 0) + f;
  };
  const counting: KernelBackend = {
    name: base.name,
    matvec: (m, n, A, x, y, acc) => {
      add("matvec", 2 * m * n);
      return base.matvec(m, n, A, x, y, acc);
    },
    matvecT: (m, n, A, x, y, acc) => {
      add("matvecT", 2 * m * n);
      return base.matvecT(m, n, A, x, y, acc);
    },
    matmul: (m, k, n, A, B, C, acc) => {
      add("matmul", 2 * m * k * n);
      return base.matmul(m, k, n, A, B, C, acc);
    },
    matmulTN: (m, k, n, A, B, C, acc) => {
      add("matmul", 2 * m * k * n);
      return base.matmulTN(m, k, n, A, B, C, acc);
    },
    matmulNT: (m, k, n, A, B, C, acc) => {
      add("matmul", 2 * m * k * n);
      return base.matmulNT(m, k, n, A, B, C, acc);
    },
    axpy: (n, alpha, x, y) => {
      add("axpy", 2 * n);
      return base.axpy(n, alpha, x, y);
    },
    scale: (n, alpha, x) => {
      add("scale", n);
      return base.scale(n, alpha, x);
    },
    dot: (n, x, y) => {
      add("dot", 2 * n);
      return base.dot(n, x, y);
    },
    ger: (m, n, alpha, x, y, A) => {
      add("ger", 2 * m * n);
      return base.ger(m, n, alpha, x, y, A);
    },
    mul: (n, a, b, out) => {
      add("mul", n);
      return base.mul(n, a, b, out);
    },
    mulAdd: (n, a, b, c) => {
      add("mulAdd", 2 * n);
      return base.mulAdd(n, a, b, c);
    },
    // A check, not arithmetic: no flops.
    allFinite: (n, x) => base.allFinite(n, x),
    luFactor: (n, A, piv) => {
      add("lu", (2 / 3) * n ** 3);
      return base.luFactor(n, A, piv);
    },
    luSolve: (n, LU, piv, b) => {
      add("lu", 2 * n * n);
      return base.luSolve(n, LU, piv, b);
    },
  };
  registerBackend(counting);
  useBackend(counting.name);
  try {
    const result = fn();
    const flops = Object.values(byKernel).reduce((a, b) => a + b, 0);
    return { result, flops, byKernel };
  } finally {
    registerBackend(base);
    useBackend(base.name);
  }
}
