/**
 * DiscreteAdjoint for Rosenbrock methods: the exact gradient of the computed solution (step
 * sizes held fixed), walking the forward steps backward. A step from (t, y) with size h, in
 * the transformed form of rosenbrock/engine.ts (Hairer–Wanner II §IV.7, eqs. 7.17–7.19):
 *   W = I/(hγ) − J,  J = ∂f/∂u(t, y),  T = ∂f/∂t(t, y),
 *   Yᵢ = y + Σⱼ<ᵢ aᵢⱼUⱼ,  Fᵢ = f(t + cᵢh, Yᵢ) (F₀ = f(t, y)),
 *   W·Uᵢ = Fᵢ + Σⱼ<ᵢ (Cᵢⱼ/h)Uⱼ + dᵢ·h·T,   y₁ = y + Σ mⱼUⱼ,
 * and dense output y(θ) = y + Σ wⱼ(θ)Uⱼ. Reverse, given ȳ₁ (and Ūⱼ += wⱼ(θ)·g from save
 * points inside the step): Ūⱼ += mⱼȳ₁, ȳ += ȳ₁; for i = s−1 … 0:
 *   R̄ᵢ = W⁻ᵀŪᵢ;  Ūⱼ += (Cᵢⱼ/h)R̄ᵢ;  T̄ += dᵢh·R̄ᵢ;  J̄ += R̄ᵢUᵢᵀ;
 *   Ȳᵢ = (∂f/∂u)(Yᵢ)ᵀR̄ᵢ, p̄ += (∂f/∂p)(Yᵢ)ᵀR̄ᵢ;  ȳ += Ȳᵢ;  Ūⱼ += aᵢⱼȲᵢ.
 * Then the matrices' own dependence on (y, p): Σᵢ ∇[R̄ᵢᵀJ(y)Uᵢ] is the derivative of the VJP
 * J(y)ᵀR̄ᵢ along Uᵢ (a second-order term, taken as a central difference of two VJPs at
 * y ± εUᵢ, ε = ε_mach^(1/3)·max(‖y‖, 1e-5)/‖Uᵢ‖: relative error ~1e-10), and ∇[T̄ᵀT(t, y)],
 * with T the forward's central difference in t of width δ, is exactly the difference of two
 * VJPs at t ± δ. The step's J, W and stages are recomputed from y (the forward Jacobian is
 * the exact one, from VJPs), so the walk stores one state per step: per step it costs a
 * Jacobian (n VJPs), two LU factorisations and s evaluations, then about 3s + 2 VJPs.
 *
 * References: Sandu, Daescu, Carmichael, "Direct and adjoint sensitivity analysis of chemical
 * kinetic systems with KPP: Part I — theory and software tools", Atmos. Environ. 37 (2003),
 * §4 (discrete Rosenbrock adjoints); Hairer & Wanner II §IV.7.
 */
import { allocF64, freeArray, luFactor, luSolve } from "@udekit/kernels";
import { interpolationWeights } from "../interpolation/polynomial-interpolant.js";
import type { RosenbrockSolver } from "../stepper.js";
import { type AdjointContext, type BackwardResult, commitGradients } from "./adjoint-context.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";
import { type ForwardSteps, SavePoints } from "./discrete-adjoint.js";

const METHOD = "DiscreteAdjoint";
const CBRT_EPS = Math.cbrt(Number.EPSILON);

/** J = ∂f/∂u at (t, u), row i from the VJP with cotangent eᵢ (e: zeros, used as scratch). */
export function vjpJacobian(
  rhs: DifferentiableRhs,
  J: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
  e: Float64Array,
  row: Float64Array,
): void {
  const n = rhs.n;
  for (let i = 0; i < n; i++) {
    e[i] = 1;
    rhs.vjpU(row, e, u, p, t);
    e[i] = 0;
    for (let j = 0; j < n; j++) J[i * n + j] = row[j];
  }
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export function rosenbrockDiscreteAdjoint(
  ctx: AdjointContext,
  solver: RosenbrockSolver,
  steps: ForwardSteps,
): BackwardResult {
  const { rhs, p, saveat, cotangent, t0 } = ctx;
  const { n } = rhs;
  const tab = solver.tableau;
  const interp = solver.dense;
  const s = tab.stages;
  const { ts, hs } = steps;
  const N = ts.length - 1;

  const points = new SavePoints(saveat, cotangent, t0, ts);
  const { stepOf } = points;

  const pAcc = allocF64(rhs.np);
  const work = allocF64(3 * n * n + (3 * s + 13) * n + Math.max(s, interp.stages));
  const piv = new Int32Array(n);
  const pivT = new Int32Array(n);
  // The stored stages are not needed (they are recomputed with J and W); load() still writes them.
  const stored = new Float64Array(steps.width * n);
  try {
    let o = 0;
    const take = (len: number): Float64Array => {
      const v = work.subarray(o, o + len);
      o += len;
      return v;
    };
    const J = take(n * n);
    const W = take(n * n);
    const Wt = take(n * n);
    const U = Array.from({ length: s }, () => take(n));
    const Ubar = Array.from({ length: s }, () => take(n));
    const Y = Array.from({ length: s }, () => take(n));
    const y = take(n);
    const yNext = take(n);
    const T = take(n);
    const Tbar = take(n);
    const R = take(n);
    const Ybar = take(n);
    const yBar = take(n);
    const yBarNext = take(n);
    const e = take(n);
    const row = take(n);
    const plus = take(n);
    const minus = take(n);
    const w = take(Math.max(s, interp.stages));
    const { a, C, c, d, m } = tab;

    const walk: RosenbrockWalk = {
      rhs,
      p,
      pAcc,
      tab,
      J,
      W,
      Wt,
      piv,
      pivT,
      U,
      Y,
      y,
      T,
      e,
      row,
      plus,
      minus,
      Ybar,
      yBar,
    };

    yBarNext.fill(0);
    points.addAtBoundary(N, yBarNext);
    for (let i = N - 1; i >= 0; i--) {
      const tA = ts[i];
      const h = hs[i];
      steps.load(i, y, yNext, stored);
      // The backward pass takes exactly the forward steps, one each (backward/forward ratio 1).
      ctx.stats.naccept++;
      // Each step rebuilds J (n VJPs) and factors W and Wᵀ: counted like a stiff solver's work.
      ctx.stats.njac++;
      ctx.stats.nlu += 2;
      if (!recomputeStep(walk, tA, h)) {
        return {
          retcode: "Failure",
          message: `${METHOD}: the W-matrix of the step at t = ${tA} is singular`,
          t: tA,
        };
      }
      for (let j = 0; j < s; j++) Ubar[j].fill(0);
      Tbar.fill(0);
      yBar.set(yBarNext);
      // y₁ = y + Σ mⱼUⱼ.
      for (let j = 0; j < s; j++) for (let q = 0; q < n; q++) Ubar[j][q] += m[j] * yBarNext[q];
      // Save points inside the step: y(θ) = y + Σ wⱼ(θ)Uⱼ.
      const hInterp = ts[i + 1] - tA;
      for (let k = 0; k < saveat.length; k++) {
        if (stepOf[k] !== i) continue;
        interpolationWeights(interp, (saveat[k] - tA) / hInterp, w);
        for (let q = 0; q < n; q++) yBar[q] += cotangent[k * n + q];
        for (let j = 0; j < interp.stages; j++) {
          if (w[j] !== 0) for (let q = 0; q < n; q++) Ubar[j][q] += w[j] * cotangent[k * n + q];
        }
      }
      for (let st = s - 1; st >= 0; st--) {
        R.set(Ubar[st]);
        luSolve(n, Wt, pivT, R);
        let nonzero = false;
        for (let q = 0; q < n; q++) {
          if (R[q] !== 0) {
            nonzero = true;
            break;
          }
        }
        if (!nonzero) continue;
        for (let j = 0; j < st; j++) {
          const cij = C[st * s + j] / h;
          if (cij !== 0) for (let q = 0; q < n; q++) Ubar[j][q] += cij * R[q];
        }
        if (d[st] !== 0) for (let q = 0; q < n; q++) Tbar[q] += d[st] * h * R[q];
        // Fᵢ = f(t + cᵢh, Yᵢ): one VJP for the state and parameter cotangents together.
        rhs.vjpUAndPAccumulate(Ybar, pAcc, 1, R, Y[st], p, tA + c[st] * h);
        for (let q = 0; q < n; q++) yBar[q] += Ybar[q];
        for (let j = 0; j < st; j++) {
          const aij = a[st * s + j];
          if (aij !== 0) for (let q = 0; q < n; q++) Ubar[j][q] += aij * Ybar[q];
        }
        // J̄ += R̄ᵢUᵢᵀ: through J(y) (W = I/(hγ) − J, so W̄ = −J̄ and the sign is +).
        const uNorm = maxAbs(U[st]);
        if (uNorm > 0) {
          const eps = (CBRT_EPS * Math.max(maxAbs(y), 1e-5)) / uNorm;
          secondOrder(walk, R, U[st], tA, eps);
        }
      }
      // T̄ through T(t, y) = (f(t + δ, y) − f(t − δ, y))/(2δ): exactly two VJPs.
      let tNonzero = false;
      for (let q = 0; q < n; q++) if (Tbar[q] !== 0) tNonzero = true;
      if (tNonzero) {
        const dt = CBRT_EPS * Math.max(1, Math.abs(tA));
        const width = tA + dt - (tA - dt);
        const wgt = 1 / width;
        rhs.vjpUAndPAccumulate(Ybar, pAcc, wgt, Tbar, y, p, tA + dt);
        for (let q = 0; q < n; q++) yBar[q] += wgt * Ybar[q];
        rhs.vjpUAndPAccumulate(Ybar, pAcc, -wgt, Tbar, y, p, tA - dt);
        for (let q = 0; q < n; q++) yBar[q] -= wgt * Ybar[q];
      }
      yBarNext.set(yBar);
      points.addAtBoundary(i, yBarNext);
    }
    rhs.flushP(pAcc);
    return commitGradients(ctx, yBarNext, pAcc, METHOD);
  } finally {
    rhs.flushP(pAcc);
    freeArray(pAcc);
    freeArray(work);
  }
}

/**
 * The arrays one Rosenbrock walk works on. Its step operations are module functions over this
 * plain object, not closures made per gradient: a closure's optimised code is dropped at a full
 * garbage collection once the gradient that made it is over, and the next gradient would
 * recompile it (shape-anchor.ts; the explicit walk does the same).
 */
interface RosenbrockWalk {
  rhs: DifferentiableRhs;
  p: Float64Array;
  pAcc: Float64Array;
  tab: RosenbrockSolver["tableau"];
  J: Float64Array;
  W: Float64Array;
  Wt: Float64Array;
  piv: Int32Array;
  pivT: Int32Array;
  U: Float64Array[];
  Y: Float64Array[];
  y: Float64Array;
  T: Float64Array;
  e: Float64Array;
  row: Float64Array;
  plus: Float64Array;
  minus: Float64Array;
  Ybar: Float64Array;
  yBar: Float64Array;
}

/** The forward step from (t, y) with h: J, T, W (factored), stages Uᵢ and their inputs Yᵢ. */
function recomputeStep(w: RosenbrockWalk, t: number, h: number): boolean {
  const { rhs, p, J, W, Wt, piv, pivT, U, Y, y, T, row } = w;
  const { a, C, c, d, gamma, stages: s } = w.tab;
  const n = rhs.n;
  vjpJacobian(rhs, J, y, p, t, w.e, row);
  // T as the engine computes it without a user tgrad: central difference in t.
  const dt = CBRT_EPS * Math.max(1, Math.abs(t));
  rhs.f(T, y, p, t + dt);
  rhs.f(row, y, p, t - dt);
  const width = t + dt - (t - dt);
  for (let i = 0; i < n; i++) T[i] = (T[i] - row[i]) / width;
  const diag = 1 / (h * gamma);
  for (let k = 0; k < n * n; k++) W[k] = -J[k];
  for (let i = 0; i < n; i++) W[i * n + i] += diag;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Wt[j * n + i] = W[i * n + j];
  if (luFactor(n, W, piv) !== 0 || luFactor(n, Wt, pivT) !== 0) return false;
  for (let i = 0; i < s; i++) {
    const Yi = Y[i];
    Yi.set(y);
    for (let j = 0; j < i; j++) {
      const aij = a[i * s + j];
      if (aij !== 0) for (let q = 0; q < n; q++) Yi[q] += aij * U[j][q];
    }
    const Ui = U[i];
    rhs.f(Ui, Yi, p, t + c[i] * h);
    for (let j = 0; j < i; j++) {
      const cij = C[i * s + j] / h;
      if (cij !== 0) for (let q = 0; q < n; q++) Ui[q] += cij * U[j][q];
    }
    if (d[i] !== 0) for (let q = 0; q < n; q++) Ui[q] += d[i] * h * T[q];
    luSolve(n, W, piv, Ui);
  }
  return true;
}

/** ȳ += ∇ᵤ[r̄ᵀ·g(u)] and p̄ += ∇ₚ[…] for g(u) = J(u)v: (J(u + εv)ᵀr̄ − J(u − εv)ᵀr̄)/(2ε). */
function secondOrder(w: RosenbrockWalk, rBar: Float64Array, v: Float64Array, t: number, eps: number): void {
  const { rhs, p, pAcc, y, plus, minus, Ybar, yBar } = w;
  const n = rhs.n;
  for (let q = 0; q < n; q++) {
    plus[q] = y[q] + eps * v[q];
    minus[q] = y[q] - eps * v[q];
  }
  const wgt = 1 / (2 * eps);
  rhs.vjpUAndPAccumulate(Ybar, pAcc, wgt, rBar, plus, p, t);
  for (let q = 0; q < n; q++) yBar[q] += wgt * Ybar[q];
  rhs.vjpUAndPAccumulate(Ybar, pAcc, -wgt, rBar, minus, p, t);
  for (let q = 0; q < n; q++) yBar[q] -= wgt * Ybar[q];
}
