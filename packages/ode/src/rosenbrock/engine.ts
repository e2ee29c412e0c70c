/**
 * The Rosenbrock engine shared by Rosenbrock23 and Rodas4: one implementation of the
 * transformed linearly implicit step (tableau.ts) with one LU factorisation of
 * W = I/(hγ) − J per attempt (luFactor/luSolve from @udekit/kernels), the Jacobian
 * computed once per step and reused after a rejection (same (t, y); only W changes with h),
 * FSAL when the last stage is evaluated at (t₁, y₁), and the method's own dense output on
 * the stages uᵢ (polynomial weights, σ = 1). Allocation-free after creation.
 * Reference: Hairer–Wanner II, §IV.7 (RODAS implementation, eqs. (7.17)–(7.19)).
 */
import { axpy, luFactor, luSolve } from "@udekit/kernels";
import type { PolynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { StageDenseOutput } from "../interpolation/stage-dense-output.js";
import { dummyRhsContext, keepShapeOnce } from "../shape-anchor.js";
import type { RhsContext, RosenbrockSolver, Stepper } from "../stepper.js";
import { releaseWorkspace, vectorViews, workspace, workspaceI32 } from "../workspace.js";
import { finiteDifferenceJacobian, timeDerivative } from "./jacobian.js";
import type { RosenbrockTableau } from "./tableau.js";

export interface RosenbrockSpec {
  name: string;
  tableau: RosenbrockTableau;
  interpolant: PolynomialInterpolant;
  order: number;
  embeddedOrder: number;
  description: string;
}

export function rosenbrock(spec: RosenbrockSpec): RosenbrockSolver {
  return {
    family: "rosenbrock",
    name: spec.name,
    order: spec.order,
    embeddedOrder: spec.embeddedOrder,
    errorOrder: Math.min(spec.order, spec.embeddedOrder),
    adaptive: true,
    stages: spec.tableau.stages,
    fsal: spec.tableau.fsal,
    stiff: true,
    interpolant: { name: spec.interpolant.name, order: spec.interpolant.order },
    description: spec.description,
    tableau: spec.tableau,
    dense: spec.interpolant,
    createStepper: (ctx) => new RosenbrockStepper(ctx, spec.tableau, spec.interpolant),
  };
}

class RosenbrockStepper implements Stepper {
  readonly f0: Float64Array;
  readonly denseVectors: number;
  private readonly n: number;
  private readonly J: Float64Array;
  private readonly W: Float64Array;
  private readonly piv: Int32Array;
  private readonly T: Float64Array;
  private readonly Ubuf: Float64Array;
  private readonly denseStages: Float64Array;
  private readonly U: Float64Array[];
  private readonly dense: StageDenseOutput;
  private readonly tmp: Float64Array;
  private readonly col: Float64Array;
  private readonly fEnd: Float64Array;
  private jacValid = false;

  constructor(
    private readonly ctx: RhsContext,
    private readonly tab: RosenbrockTableau,
    interp: PolynomialInterpolant,
  ) {
    const n = ctx.n;
    const s = tab.stages;
    this.n = n;
    let stored: Float64Array;
    [this.J, this.W, this.T, this.f0, this.Ubuf, stored, this.tmp, this.col, this.fEnd] = workspace(this, [
      n * n,
      n * n,
      n,
      n,
      s * n,
      interp.stages * n,
      n,
      n,
      n,
    ]);
    this.piv = workspaceI32(this, n);
    this.U = vectorViews(this.Ubuf, s, n);
    this.denseVectors = interp.stages;
    // The stages a dense solution stores per step, as one view made here (saveDense runs every step).
    this.denseStages = this.Ubuf.subarray(0, this.denseVectors * n);
    this.dense = new StageDenseOutput(interp, n, stored);
    // As in the explicit engine: a dummy stepper (n = 1, nothing of this problem) kept for good,
    // so attempt() keeps its optimised code across full garbage collections (shape-anchor.ts).
    keepShapeOnce(RosenbrockStepper, () => {
      const dummy = new RosenbrockStepper(dummyRhsContext(), tab, interp);
      releaseWorkspace(dummy);
      return dummy;
    });
  }

  start(t: number, y: Float64Array): void {
    this.ctx.f(this.f0, y, this.ctx.p, t);
    this.ctx.stats.nf++;
    this.jacValid = false;
  }

  private updateJacobian(t: number, y: Float64Array): void {
    const { ctx } = this;
    if (ctx.jac !== undefined) ctx.jac(this.J, y, ctx.p, t);
    else finiteDifferenceJacobian(ctx, t, y, this.f0, this.J, this.tmp, this.col);
    timeDerivative(ctx, t, y, this.T, this.col);
    ctx.stats.njac++;
    this.jacValid = true;
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean {
    const { n, tab, ctx, U, W, J, piv, tmp } = this;
    const s = tab.stages;
    if (!this.jacValid) this.updateJacobian(t, y);
    const diag = 1 / (h * tab.gamma);
    for (let k = 0; k < n * n; k++) W[k] = -J[k];
    for (let i = 0; i < n; i++) W[i * n + i] += diag;
    ctx.stats.nlu++;
    if (luFactor(n, W, piv) !== 0) return false;
    for (let i = 0; i < s; i++) {
      const ui = U[i];
      if (i === 0) ui.set(this.f0);
      else {
        tmp.set(y);
        for (let j = 0; j < i; j++) {
          const aij = tab.a[i * s + j];
          if (aij !== 0) axpy(n, aij, U[j], tmp);
        }
        const target = tab.fsal && i === s - 1 ? this.fEnd : ui;
        ctx.f(target, tmp, ctx.p, t + tab.c[i] * h);
        ctx.stats.nf++;
        if (target !== ui) ui.set(target);
        for (let j = 0; j < i; j++) {
          const cij = tab.C[i * s + j];
          if (cij !== 0) axpy(n, cij / h, U[j], ui);
        }
      }
      if (tab.d[i] !== 0) axpy(n, tab.d[i] * h, this.T, ui);
      luSolve(n, W, piv, ui);
    }
    yNew.set(y);
    err.fill(0);
    for (let j = 0; j < s; j++) {
      if (tab.m[j] !== 0) axpy(n, tab.m[j], U[j], yNew);
      if (tab.mErr[j] !== 0) axpy(n, tab.mErr[j], U[j], err);
    }
    return true;
  }

  accept(tNew: number, yNew: Float64Array): void {
    if (this.tab.fsal) this.f0.set(this.fEnd);
    else {
      this.ctx.f(this.f0, yNew, this.ctx.p, tNew);
      this.ctx.stats.nf++;
    }
    this.jacValid = false;
  }

  saveDense(dst: Float64Array, offset: number): void {
    dst.set(this.denseStages, offset);
  }

  interpolate(theta: number, _t0: number, _h: number, y0: Float64Array, out: Float64Array): void {
    this.dense.combine(this.U, theta, y0, out);
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
