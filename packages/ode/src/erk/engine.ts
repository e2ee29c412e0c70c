/**
 * The generic explicit Runge–Kutta engine: one implementation drives every explicit method
 * from its validated Butcher tableau (tableau/butcher-tableau.ts) and its polynomial dense
 * output (interpolation/). FSAL is exploited (the last stage of an accepted step becomes
 * the first stage of the next); for non-FSAL methods the end stage f(t₁, y₁) is evaluated
 * on acceptance, where it serves both as the next first stage and for the dense output.
 * Extra dense-output stages (Verner's) are computed only when a dense value inside that
 * step is requested. No allocation after the stepper is created. Every weighted sum of stages
 * (y + h·Σ aᵢⱼ·kⱼ, the error estimate, the dense output) is one matrix–vector product with the
 * stacked stages, Kᵀ·(h·a), a single kernel call instead of one axpy per stage; it adds the
 * stages in the same order as the axpys did.
 * References: Hairer–Nørsett–Wanner I §II.1 (eq. 1.8), §II.4 (embedded pairs), §II.6 (dense output).
 */
import { matvecT } from "@udekit/kernels";
import { InvalidTableauError } from "../errors.js";
import { interpolationWeights, type PolynomialInterpolant } from "../interpolation/polynomial-interpolant.js";
import { dummyRhsContext, keepShapeOnce } from "../shape-anchor.js";
import type { ErkSolver, RhsContext, Stepper } from "../stepper.js";
import type { ButcherTableau } from "../tableau/butcher-tableau.js";
import { releaseWorkspace, vectorViews, workspace } from "../workspace.js";

export interface ErkSpec {
  name: string;
  tableau: ButcherTableau;
  interpolant: PolynomialInterpolant;
  order: number;
  /** Order of the embedded method (0 for fixed-step methods without one). */
  embeddedOrder: number;
  stiff?: false;
  description: string;
}

/** An explicit Runge–Kutta method from its tableau, interpolant and orders. */
export function erk(spec: ErkSpec): ErkSolver {
  const { tableau, interpolant } = spec;
  if (interpolant.stages > tableau.totalStages) {
    throw new InvalidTableauError(
      `@udekit/ode: ${spec.name}'s interpolant combines ${interpolant.stages} stages but the tableau has ${tableau.totalStages}.`,
    );
  }
  return {
    family: "erk",
    name: spec.name,
    order: spec.order,
    embeddedOrder: spec.embeddedOrder,
    errorOrder: tableau.bErr === undefined ? spec.order : Math.min(spec.order, spec.embeddedOrder),
    adaptive: tableau.bErr !== undefined,
    stages: tableau.stages,
    fsal: tableau.fsal,
    stiff: false,
    interpolant: { name: interpolant.name, order: interpolant.order },
    description: spec.description,
    tableau,
    dense: interpolant,
    createStepper: (ctx) => new ErkStepper(ctx, tableau, interpolant),
  };
}

class ErkStepper implements Stepper {
  readonly f0: Float64Array;
  readonly denseVectors: number;
  private readonly n: number;
  private readonly s: number;
  private readonly total: number;
  /** Stage vectors kᵢ (all stages incl. end and extras), as views into one buffer. */
  private readonly K: Float64Array[];
  private readonly Kbuf: Float64Array;
  private readonly denseStages: Float64Array;
  /** Scratch stage buffer for dense output from stored steps with extra stages (views made at first use). */
  private Kstored: Float64Array[] | null = null;
  private readonly KstoredBuf: Float64Array;
  private storedKey = Number.NaN;
  private storedKeyStore: Float64Array | undefined;
  private readonly tmp: Float64Array;
  private readonly w: Float64Array;
  /** Step-scaled weights h·aᵢⱼ (or h·bⱼ, h·wⱼ(θ)) of the sum in progress. */
  private readonly hw: Float64Array;
  /** True when K[end] holds f at the new step start and must move to K[0] before the next attempt. */
  private pendingFirst = false;
  /** True when the lazily computed extra stages of the live step are valid. */
  private extrasValid = false;
  private readonly hasExtras: boolean;

  constructor(
    private readonly ctx: RhsContext,
    private readonly tab: ButcherTableau,
    private readonly interp: PolynomialInterpolant,
  ) {
    const n = ctx.n;
    this.n = n;
    this.s = tab.stages;
    this.total = tab.totalStages;
    // Not zeroed: each stage is written before a stage sum reads it.
    [this.Kbuf, this.KstoredBuf, this.tmp, this.hw] = workspace(
      this,
      [this.total * n, this.total * n, n, this.total],
      { zeroed: false },
    );
    this.K = vectorViews(this.Kbuf, this.total, n);
    this.f0 = this.K[0];
    this.w = new Float64Array(this.total);
    this.denseVectors = tab.endStage + 1;
    // The stages a dense solution stores per step, as one view made here (saveDense runs every step).
    this.denseStages = this.Kbuf.subarray(0, this.denseVectors * n);
    this.hasExtras = interp.stages > tab.endStage + 1;
    // The first stepper made builds a dummy one (n = 1, no reference to this problem) that lives
    // for good, so the class keeps its hidden class and sumStages its optimised code across
    // full garbage collections (shape-anchor.ts). Not at import: workspaces live in the kernels'
    // arena, which is set up at first use.
    keepShapeOnce(ErkStepper, () => {
      const dummy = new ErkStepper(dummyRhsContext(), tab, interp);
      releaseWorkspace(dummy);
      return dummy;
    });
  }

  start(t: number, y: Float64Array): void {
    this.ctx.f(this.K[0], y, this.ctx.p, t);
    this.ctx.stats.nf++;
    this.pendingFirst = false;
    this.extrasValid = false;
  }

  /** out (= y already, or zero when !accumulate) += Σⱼ<count h·coef[offset + j]·K[j], K stacked in buf. */
  private sumStages(
    buf: Float64Array,
    count: number,
    coef: ArrayLike<number>,
    offset: number,
    h: number,
    out: Float64Array,
    accumulate: boolean,
  ): void {
    const hw = this.hw;
    for (let j = 0; j < count; j++) hw[j] = h * coef[offset + j];
    matvecT(count, this.n, buf, hw, out, accumulate);
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean {
    const { s, total, K, Kbuf, tmp, ctx } = this;
    const { a, c, b, bErr, fsal } = this.tab;
    if (this.pendingFirst) {
      K[0].set(K[this.tab.endStage]);
      this.pendingFirst = false;
    }
    for (let i = 1; i < s; i++) {
      const target = fsal && i === s - 1 ? yNew : tmp;
      target.set(y);
      this.sumStages(Kbuf, i, a, i * total, h, target, true);
      ctx.f(K[i], target, ctx.p, t + c[i] * h);
    }
    ctx.stats.nf += s - 1;
    if (!fsal) {
      yNew.set(y);
      this.sumStages(Kbuf, s, b, 0, h, yNew, true);
    }
    if (bErr !== undefined) this.sumStages(Kbuf, s, bErr, 0, h, err, false);
    this.extrasValid = false;
    return true;
  }

  accept(tNew: number, yNew: Float64Array): void {
    if (!this.tab.fsal) {
      this.ctx.f(this.K[this.tab.endStage], yNew, this.ctx.p, tNew);
      this.ctx.stats.nf++;
    }
    this.pendingFirst = true;
  }

  saveDense(dst: Float64Array, offset: number): void {
    dst.set(this.denseStages, offset);
  }

  /** Evaluates the extra dense-output stages into K (stages endStage+1 …) for the step (t0, y0, h). */
  private computeExtras(K: Float64Array[], buf: Float64Array, t0: number, h: number, y0: Float64Array): void {
    const { total, tmp, ctx } = this;
    const { a, c } = this.tab;
    for (let i = this.tab.endStage + 1; i < this.interp.stages; i++) {
      tmp.set(y0);
      this.sumStages(buf, i, a, i * total, h, tmp, true);
      ctx.f(K[i], tmp, ctx.p, t0 + c[i] * h);
      ctx.stats.nf++;
    }
  }

  private combine(buf: Float64Array, theta: number, h: number, y0: Float64Array, out: Float64Array): void {
    interpolationWeights(this.interp, theta, this.w);
    if (out !== y0) out.set(y0);
    this.sumStages(buf, this.interp.stages, this.w, 0, h, out, true);
  }

  interpolate(theta: number, t0: number, h: number, y0: Float64Array, out: Float64Array): void {
    // After accept(), K[end] holds f(t₁, y₁) and K[0] still holds this step's first stage.
    if (this.hasExtras && !this.extrasValid) {
      this.computeExtras(this.K, this.Kbuf, t0, h, y0);
      this.extrasValid = true;
    }
    this.combine(this.Kbuf, theta, h, y0, out);
  }

  interpolateStored(
    theta: number,
    t0: number,
    h: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void {
    // Copy the stored step's stages into scratch once per step (not per query), so that
    // repeated queries inside one step cost one weighted sum and allocate nothing.
    if (this.storedKey !== offset || this.storedKeyStore !== store) {
      const len = this.denseVectors * this.n;
      for (let i = 0; i < len; i++) this.KstoredBuf[i] = store[offset + i];
      if (this.hasExtras) {
        this.Kstored ??= vectorViews(this.KstoredBuf, this.total, this.n);
        this.computeExtras(this.Kstored, this.KstoredBuf, t0, h, y0);
      }
      this.storedKey = offset;
      this.storedKeyStore = store;
    }
    this.combine(this.KstoredBuf, theta, h, y0, out);
  }
}
