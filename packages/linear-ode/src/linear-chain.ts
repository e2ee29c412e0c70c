/**
 * The linear chain z_k = exp(h_k·M)·z_{k−1}, h_k = t_k − t_{k−1} (t_{−1} = t₀, z_{−1} = z₀), and
 * its exact reverse mode, shared by `expmv` (several times) and `solveLinearOde`.
 *
 * Forward: with evenly spaced t₁…t_{T−1} ("even" route) one E = exp(hM) is formed and
 * z_k = E·z_{k−1} (one product per time); otherwise ("expmv" route) each step is an `expmv`
 * with one shared set of norm estimates (Al-Mohy & Higham 2011, §5).
 *
 * Reverse (discrete adjoint, exact up to rounding): with λ_{T−1} = z̄_{T−1},
 *   M̄ += h_k·L(h_k·Mᵀ, λ_k·z_{k−1}ᵀ),   λ_{k−1} = exp(h_k·Mᵀ)·λ_k + z̄_{k−1},   z̄₀ = λ_{−1},
 * where L is the Fréchet derivative (the adjoint of E ↦ L(X, E) is L(Xᵀ, ·)). Steps with the
 * same h share one Fréchet evaluation on G_h = Σ_k λ_k z_{k−1}ᵀ (rank-1 updates by the kernels'
 * `ger`): the even route costs one `expmFrechet` whatever the number of times; an uneven grid
 * costs one per step. No n²×n²
 * object is formed. exp(hMᵀ)·λ is Eᵀλ on the even route and `expmv` with Mᵀ otherwise.
 */
import { ger, matvec, matvecT } from "@udekit/kernels";
import { transposeInto } from "./dense.js";
import { expmInto } from "./expm.js";
import { expmFrechetInto } from "./expm-frechet.js";
import { expmvStep, prepareExpmv } from "./expmv.js";
import type { ExpmWorkspace } from "./workspace.js";

/** Buffers of one chain (N = state size, T = number of times); views into one scratch array. */
export interface ChainBuffers {
  /** exp(hM) on the even route. */
  E: Float64Array;
  Mt: Float64Array;
  G: Float64Array;
  Lb: Float64Array;
  lam: Float64Array;
  tmp: Float64Array;
  prev: Float64Array;
}

export function chainScratchLength(N: number): number {
  return 4 * N * N + 3 * N;
}

export function chainBuffers(scratch: Float64Array, N: number): ChainBuffers {
  const NN = N * N;
  return {
    E: scratch.subarray(0, NN),
    Mt: scratch.subarray(NN, 2 * NN),
    G: scratch.subarray(2 * NN, 3 * NN),
    Lb: scratch.subarray(3 * NN, 4 * NN),
    lam: scratch.subarray(4 * NN, 4 * NN + N),
    tmp: scratch.subarray(4 * NN + N, 4 * NN + 2 * N),
    prev: scratch.subarray(4 * NN + 2 * N, 4 * NN + 3 * N),
  };
}

const TOL = 2 ** -53;

/**
 * Row k of traj (T×N) = exp((times[k] − t0)·M)·z0. `even` is the common step of times[1:] (or
 * null for the expmv route); on the even route times[0] must equal t0.
 */
export function chainForward(
  N: number,
  M: Float64Array,
  z0: Float64Array,
  t0: number,
  times: Float64Array,
  even: number | null,
  traj: Float64Array,
  buf: ChainBuffers,
  ws: ExpmWorkspace,
): void {
  const T = times.length;
  if (even !== null) {
    const NN = N * N;
    for (let i = 0; i < NN; i++) buf.Lb[i] = even * M[i];
    expmInto(N, buf.Lb, buf.E, ws);
    const { prev, tmp } = buf;
    for (let i = 0; i < N; i++) traj[i] = prev[i] = z0[i];
    for (let k = 1; k < T; k++) {
      matvec(N, N, buf.E, prev, tmp, false);
      for (let i = 0; i < N; i++) traj[k * N + i] = prev[i] = tmp[i];
    }
    return;
  }
  const prep = prepareExpmv(N, M, ws);
  const f = buf.tmp;
  for (let i = 0; i < N; i++) f[i] = z0[i];
  let prev = t0;
  for (let k = 0; k < T; k++) {
    const h = times[k] - prev;
    if (h !== 0) expmvStep(N, h, M, f, prep, TOL, ws);
    for (let i = 0; i < N; i++) traj[k * N + i] = f[i];
    prev = times[k];
  }
}

/**
 * Accumulates M̄ (N×N, may be null) and z̄0 (N, may be null) from the cotangent trajGrad of traj.
 * Requires the forward's traj and, on the even route, buf.E.
 */
export function chainAdjoint(
  N: number,
  M: Float64Array,
  z0: Float64Array,
  t0: number,
  times: Float64Array,
  even: number | null,
  traj: Float64Array,
  trajGrad: Float64Array,
  Mbar: Float64Array | null,
  z0bar: Float64Array | null,
  buf: ChainBuffers,
  ws: ExpmWorkspace,
): void {
  const T = times.length;
  const NN = N * N;
  const { E, Mt, G, Lb, lam, tmp } = buf;
  transposeInto(N, M, Mt);
  const prep = even === null ? prepareExpmv(N, Mt, ws) : null;
  const stepH = (k: number) => times[k] - (k === 0 ? t0 : times[k - 1]);
  /** buf.prev = z_{k−1} (copied: the kernels take whole arrays, and views would allocate). */
  const prevState = (k: number) => {
    const p = buf.prev;
    if (k === 0) for (let i = 0; i < N; i++) p[i] = z0[i];
    else for (let i = 0; i < N; i++) p[i] = traj[(k - 1) * N + i];
    return p;
  };
  /** M̄ += h·L(h·Mᵀ, G). */
  const frechetInto = (h: number) => {
    if (Mbar === null) return;
    for (let i = 0; i < NN; i++) Lb[i] = h * Mt[i];
    expmFrechetInto(N, Lb, G, G, Lb, ws);
    for (let i = 0; i < NN; i++) Mbar[i] += h * Lb[i];
  };
  for (let i = 0; i < N; i++) lam[i] = trajGrad[(T - 1) * N + i];
  if (even !== null) {
    // One Fréchet evaluation for all steps of size h (steps k ≥ 1; step 0 has h = 0).
    G.fill(0);
    for (let k = T - 1; k >= 1; k--) {
      if (Mbar !== null) ger(N, N, 1, lam, prevState(k), G);
      matvecT(N, N, E, lam, tmp, false);
      for (let i = 0; i < N; i++) lam[i] = tmp[i] + trajGrad[(k - 1) * N + i];
    }
    frechetInto(even);
  } else {
    for (let k = T - 1; k >= 0; k--) {
      const h = stepH(k);
      if (h !== 0) {
        if (Mbar !== null) {
          G.fill(0);
          ger(N, N, 1, lam, prevState(k), G);
          // Uneven grids pay one Fréchet evaluation per step (the even route shares one).
          frechetInto(h);
        }
        expmvStep(N, h, Mt, lam, prep!, TOL, ws);
      }
      if (k > 0) for (let i = 0; i < N; i++) lam[i] += trajGrad[(k - 1) * N + i];
    }
  }
  if (z0bar !== null) for (let i = 0; i < N; i++) z0bar[i] += lam[i];
}
