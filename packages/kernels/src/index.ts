/**
 * @udekit/kernels — the one home of udekit's hot dense loops.
 *
 * Import the functions below (they dispatch to the active backend) or `kernels()` for the
 * backend object itself. `useBackend("ts")` forces the plain TypeScript fallback (tests,
 * benchmarks, debugging).
 */
import type { KernelBackend } from "./backend.js";
import { tsBackend } from "./ts-backend.js";

export type { KernelBackend } from "./backend.js";
export { tsBackend } from "./ts-backend.js";

let active: KernelBackend = tsBackend;
const registered = new Map<string, KernelBackend>([["ts", tsBackend]]);

/** The backend in use. */
export function kernels(): KernelBackend {
  return active;
}

/** Makes a backend available to `useBackend` under its name. */
export function registerBackend(backend: KernelBackend): void {
  registered.set(backend.name, backend);
}

/** Switches every kernel call to the named backend; returns the previous one's name. */
export function useBackend(name: KernelBackend["name"]): KernelBackend["name"] {
  const next = registered.get(name);
  if (next === undefined) {
    throw new Error(
      `@udekit/kernels: backend "${name}" is not available here (available: ${[...registered.keys()].join(", ")}).`,
    );
  }
  const previous = active.name;
  active = next;
  return previous;
}

export const matvec: KernelBackend["matvec"] = (m, n, A, x, y, acc) => active.matvec(m, n, A, x, y, acc);
export const matvecT: KernelBackend["matvecT"] = (m, n, A, x, y, acc) => active.matvecT(m, n, A, x, y, acc);
export const matmul: KernelBackend["matmul"] = (m, k, n, A, B, C, acc) =>
  active.matmul(m, k, n, A, B, C, acc);
export const matmulTN: KernelBackend["matmulTN"] = (m, k, n, A, B, C, acc) =>
  active.matmulTN(m, k, n, A, B, C, acc);
export const matmulNT: KernelBackend["matmulNT"] = (m, k, n, A, B, C, acc) =>
  active.matmulNT(m, k, n, A, B, C, acc);
export const axpy: KernelBackend["axpy"] = (n, alpha, x, y) => active.axpy(n, alpha, x, y);
export const scale: KernelBackend["scale"] = (n, alpha, x) => active.scale(n, alpha, x);
export const dot: KernelBackend["dot"] = (n, x, y) => active.dot(n, x, y);
export const ger: KernelBackend["ger"] = (m, n, alpha, x, y, A) => active.ger(m, n, alpha, x, y, A);
export const mulAdd: KernelBackend["mulAdd"] = (n, a, b, c) => active.mulAdd(n, a, b, c);
export const luFactor: KernelBackend["luFactor"] = (n, A, piv) => active.luFactor(n, A, piv);
export const luSolve: KernelBackend["luSolve"] = (n, LU, piv, b) => active.luSolve(n, LU, piv, b);
