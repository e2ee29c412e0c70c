/**
 * The ESDIRK engine (tableau.ts): each implicit stage zᵢ = h·f(t + cᵢh, Tᵢ + γzᵢ), with
 * Tᵢ = y + Σⱼ<ᵢ aᵢⱼzⱼ, is solved by simplified Newton iterations
 *   (I − hγJ)Δz = h·f(t + cᵢh, Tᵢ + γz) − z,   z ← z + Δz,
 * with J = ∂f/∂y at the step start (the problem's jac, else forward differences; computed once
 * per step and kept after a rejection, as (t, y) is the same) and one LU of W = I − hγJ per
 * attempt, shared by every stage and by the error estimate. The method is stiffly accurate:
 * y₁ = T_s + γz_s, and z_s/h stands for f(t₁, y₁) (FSAL) — not a fresh evaluation, which would
 * multiply the Newton iteration's residual by the stiff part of J (Hosea & Shampine 1996, §4).
 * Error estimate: W⁻¹·Σ bErrᵢzᵢ, Shampine's filtered estimate, which stays bounded on stiff
 * components where the raw combination grows like hJ (Hosea & Shampine 1996, §3; as
 * OrdinaryDiffEq's `smooth_est`). Dense output: polynomial weights on z₁ … z_s (σ = 1).
 *
 * Newton convergence (Hairer–Wanner II §IV.8, eqs. (8.10)–(8.13)): with the contraction
 * θₖ = ‖Δzₖ‖/‖Δzₖ₋₁‖ and ηₖ = θₖ/(1 − θₖ) the iteration stops when ηₖ‖Δzₖ‖ ≤ κ = 0.01 in the
 * error norm (the norm in which the step's error must be ≤ 1); the first iteration uses
 * η = max(η_old, ε)^0.8 from the previous stage. It has failed when θₖ ≥ 1 (divergence), when
 * θₖ^(kmax−k)/(1 − θₖ)·‖Δzₖ‖ > κ (it would not converge within kmax = 10 iterations), or after
 * kmax iterations: attempt() then returns false and the integrator retries with a smaller step.
 * A non-finite iterate (f returned NaN or ∞) is handed to the integrator as a non-finite y₁,
 * which it reports as Unstable. Allocation-free after creation.
 */
import { axpy, luFactor, luSolve } from "@udekit/kernels";
import type { PolynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { StageDenseOutput } from "../interpolation/stage-dense-output.js";
import { finiteDifferenceJacobian } from "../rosenbrock/jacobian.js";
import { dummyRhsContext, keepShapeOnce } from "../shape-anchor.js";
import type { RhsContext, SdirkSolver, Stepper } from "../stepper.js";
import { releaseWorkspace, workspace, workspaceI32 } from "../workspace.js";
import type { SdirkTableau } from "./tableau.js";

export interface SdirkSpec {
  name: string;
  tableau: SdirkTableau;
  interpolant: PolynomialInterpolant;
  order: number;
  embeddedOrder: number;
  description: string;
}

/** The Newton test's bound on the remaining iteration error, in the error norm (OrdinaryDiffEq's κ = 1/100). */
const KAPPA = 0.01;
/** Newton iterations per stage before the attempt fails (OrdinaryDiffEq's max_iter). */
const MAX_NEWTON = 10;
// Outcomes of a stage's Newton iteration, and why an attempt failed.
const CONVERGED = 0;
const NON_FINITE = 1;
const DIVERGED = 2;
const TOO_SLOW = 3;
const NOT_CONVERGED = 4;
const SINGULAR = 5;

export function sdirk(spec: SdirkSpec): SdirkSolver {
  const { tableau, interpolant } = spec;
  return {
    family: "sdirk",
    name: spec.name,
    order: spec.order,
    embeddedOrder: spec.embeddedOrder,
    errorOrder: Math.min(spec.order, spec.embeddedOrder),
    adaptive: true,
    stages: tableau.stages,
    fsal: true,
    stiff: true,
    interpolant: { name: interpolant.name, order: interpolant.order },
    description: spec.description,
    tableau,
    dense: interpolant,
    createStepper: (ctx) => new SdirkStepper(ctx, tableau, interpolant),
  };
}

const DEFAULT_ABSTOL = 1e-6;
const DEFAULT_RELTOL = 1e-3;

class SdirkStepper implements Stepper {
  readonly f0: Float64Array;
  readonly denseVectors: number;
  private readonly n: number;
  private readonly J: Float64Array;
  private readonly W: Float64Array;
  private readonly piv: Int32Array;
  /** Stage increments zᵢ = h·f(Yᵢ), as views into one buffer. */
  private readonly Z: Float64Array[];
  private readonly Zbuf: Float64Array;
  private readonly denseStages: Float64Array;
  private readonly dense: StageDenseOutput;
  /** Tᵢ, then the stage value Yᵢ = Tᵢ + γz, f(Yᵢ), the Newton correction, the norm's scale. */
  private readonly T: Float64Array;
  private readonly Y: Float64Array;
  private readonly fY: Float64Array;
  private readonly dz: Float64Array;
  private readonly scale: Float64Array;
  /** f(t, y) exactly, for difference quotients (f0 is z_s/h of the previous step). */
  private readonly fExact: Float64Array;
  private jacValid = false;
  /** The step size of the last attempt (accept() turns z_s into f0 = z_s/h). */
  private h = 0;
  /** η of the last converged stage (the first iteration's estimate of the contraction). */
  private etaOld = 1;
  /** Why the last attempt failed (formatted only when asked: failureReason). */
  private failure = CONVERGED;
  private failureTheta = 0;

  constructor(
    private readonly ctx: RhsContext,
    private readonly tab: SdirkTableau,
    interp: PolynomialInterpolant,
  ) {
    const n = ctx.n;
    const s = tab.stages;
    this.n = n;
    let stored: Float64Array;
    [this.J, this.W, this.Zbuf, stored, this.f0, this.T, this.Y, this.fY, this.dz, this.scale, this.fExact] =
      workspace(this, [n * n, n * n, s * n, interp.stages * n, n, n, n, n, n, n, n]);
    this.piv = workspaceI32(this, n);
    this.Z = Array.from({ length: s }, (_, i) => this.Zbuf.subarray(i * n, (i + 1) * n));
    this.denseVectors = interp.stages;
    this.denseStages = this.Zbuf.subarray(0, this.denseVectors * n);
    this.dense = new StageDenseOutput(interp, n, stored);
    // The Newton iterations are counted in stats; the field is made here, once per solve.
    ctx.stats.nnonliniter ??= 0;
    // As in the other engines: a dummy stepper kept for good, so that attempt() keeps its
    // optimised code across full garbage collections (shape-anchor.ts).
    keepShapeOnce(SdirkStepper, () => {
      const dummy = new SdirkStepper(dummyRhsContext(), tab, interp);
      releaseWorkspace(dummy);
      return dummy;
    });
  }

  start(t: number, y: Float64Array): void {
    this.ctx.f(this.f0, y, this.ctx.p, t);
    this.ctx.stats.nf++;
    this.jacValid = false;
    this.etaOld = 1;
  }

  failureReason(): string {
    const theta = this.failureTheta.toPrecision(3);
    switch (this.failure) {
      case SINGULAR:
        return "the W-matrix is singular";
      case DIVERGED:
        return `the Newton iteration diverged (contraction ${theta} ≥ 1)`;
      case TOO_SLOW:
        return `the Newton iteration converged too slowly (contraction ${theta})`;
      default:
        return `the Newton iteration did not converge in ${MAX_NEWTON} iterations`;
    }
  }

  private updateJacobian(t: number, y: Float64Array): void {
    const { ctx } = this;
    if (ctx.jac !== undefined) ctx.jac(this.J, y, ctx.p, t);
    else {
      // f0 may be the previous step's z_s/h, off f(t, y) by the Newton residual; a difference
      // quotient would divide that by δ ≈ 1e-8.
      ctx.f(this.fExact, y, ctx.p, t);
      ctx.stats.nf++;
      finiteDifferenceJacobian(ctx, t, y, this.fExact, this.J, this.Y, this.fY);
    }
    ctx.stats.njac++;
    this.jacValid = true;
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean {
    const { n, tab, ctx, Z, W, J, piv, T } = this;
    const s = tab.stages;
    this.h = h;
    if (!this.jacValid) this.updateJacobian(t, y);
    const hg = h * tab.gamma;
    for (let k = 0; k < n * n; k++) W[k] = -hg * J[k];
    for (let i = 0; i < n; i++) W[i * n + i] += 1;
    ctx.stats.nlu++;
    if (luFactor(n, W, piv) !== 0) {
      this.failure = SINGULAR;
      return false;
    }
    const abstol = ctx.abstol;
    const reltol = ctx.reltol ?? DEFAULT_RELTOL;
    for (let i = 0; i < n; i++) {
      this.scale[i] = (abstol === undefined ? DEFAULT_ABSTOL : abstol[i]) + reltol * Math.abs(y[i]);
    }
    const z0 = Z[0];
    for (let i = 0; i < n; i++) z0[i] = h * this.f0[i];
    for (let i = 1; i < s; i++) {
      T.set(y);
      const zi = Z[i];
      zi.fill(0);
      for (let j = 0; j < i; j++) {
        const aij = tab.a[i * s + j];
        if (aij !== 0) axpy(n, aij, Z[j], T);
        const pij = tab.predict[i * s + j];
        if (pij !== 0) axpy(n, pij, Z[j], zi);
      }
      const outcome = this.newton(t + tab.c[i] * h, h, zi);
      if (outcome === NON_FINITE) {
        yNew.fill(Number.NaN);
        return true;
      }
      if (outcome !== CONVERGED) return false;
    }
    // Stiffly accurate: y₁ is the last stage value (T and Y still hold it).
    yNew.set(this.Y);
    err.fill(0);
    for (let j = 0; j < s; j++) if (tab.bErr[j] !== 0) axpy(n, tab.bErr[j], Z[j], err);
    luSolve(n, W, piv, err);
    return true;
  }

  /**
   * Solves z = h·f(tc, T + γz) for z (in place, from its predicted value); leaves Y = T + γz.
   */
  private newton(tc: number, h: number, z: Float64Array): number {
    const { n, ctx, tab, T, Y, fY, dz, W, piv, scale } = this;
    const stats = ctx.stats;
    let eta = Math.max(this.etaOld, Number.EPSILON) ** 0.8;
    let prevNorm = 0;
    for (let k = 0; k < MAX_NEWTON; k++) {
      for (let i = 0; i < n; i++) Y[i] = T[i] + tab.gamma * z[i];
      ctx.f(fY, Y, ctx.p, tc);
      stats.nf++;
      (stats.nnonliniter as number)++;
      for (let i = 0; i < n; i++) dz[i] = h * fY[i] - z[i];
      luSolve(n, W, piv, dz);
      let acc = 0;
      for (let i = 0; i < n; i++) {
        const r = dz[i] / scale[i];
        acc += r * r;
        z[i] += dz[i];
      }
      const norm = Math.sqrt(acc / n);
      if (!Number.isFinite(norm)) return NON_FINITE;
      if (k > 0) {
        const theta = norm / prevNorm;
        if (theta >= 1) return this.fail(DIVERGED, theta);
        eta = theta / (1 - theta);
        if ((theta ** (MAX_NEWTON - 1 - k) / (1 - theta)) * norm > KAPPA) return this.fail(TOO_SLOW, theta);
      }
      if (eta * norm <= KAPPA || norm === 0) {
        for (let i = 0; i < n; i++) Y[i] = T[i] + tab.gamma * z[i];
        this.etaOld = eta;
        return CONVERGED;
      }
      prevNorm = norm;
    }
    return this.fail(NOT_CONVERGED, Number.NaN);
  }

  private fail(failure: number, theta: number): number {
    this.failure = failure;
    this.failureTheta = theta;
    // The next attempt (a smaller step) starts from a cautious contraction estimate.
    this.etaOld = 1;
    return failure;
  }

  accept(_tNew: number, _yNew: Float64Array): void {
    // FSAL: f(t₁, y₁) ≈ z_s/h (see the header for why not a fresh evaluation).
    const zs = this.Z[this.tab.stages - 1];
    for (let i = 0; i < this.n; i++) this.f0[i] = zs[i] / this.h;
    this.jacValid = false;
  }

  saveDense(dst: Float64Array, offset: number): void {
    dst.set(this.denseStages, offset);
  }

  interpolate(theta: number, _t0: number, _h: number, y0: Float64Array, out: Float64Array): void {
    this.dense.combine(this.Z, theta, y0, out);
  }

  interpolateStored(
    theta: number,
    _t0: number,
    _h: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void {
    this.dense.combineStored(theta, y0, store, offset, out);
  }
}
