/**
 * Jacobians for the Rosenbrock engine: the user's analytic `jac`, or forward finite
 * differences column by column with the scaled increment δⱼ = √(ε·max(10⁻⁵, |yⱼ|)) of
 * Hairer–Wanner's RADAU5/RODAS codes; ∂f/∂t from the user's tgrad, else by a central
 * difference in t with δ = ε^(1/3)·max(1, |t|) (error ~ε^(2/3) ≈ 4e-11 relative: a forward
 * difference's ~√ε would cap Rodas4's accuracy on non-autonomous problems).
 * J is row-major n×n: J[i·n + j] = ∂fᵢ/∂yⱼ.
 */
import type { RhsContext } from "../stepper.js";

const CBRT_EPS = Math.cbrt(Number.EPSILON);

/** Writes J = ∂f/∂y at (t, y); f0 = f(t, y); tmp and col are scratch (length n). */
export function finiteDifferenceJacobian(
  ctx: RhsContext,
  t: number,
  y: Float64Array,
  f0: Float64Array,
  J: Float64Array,
  tmp: Float64Array,
  col: Float64Array,
): void {
  const n = ctx.n;
  tmp.set(y);
  for (let j = 0; j < n; j++) {
    const yj = y[j];
    const delta = Math.sqrt(Number.EPSILON * Math.max(1e-5, Math.abs(yj)));
    tmp[j] = yj + delta;
    const actualDelta = tmp[j] - yj;
    ctx.f(col, tmp, ctx.p, t);
    for (let i = 0; i < n; i++) J[i * n + j] = (col[i] - f0[i]) / actualDelta;
    tmp[j] = yj;
  }
  ctx.stats.nf += n;
}

/** Writes T = ∂f/∂t at (t, y) (tgrad, else a central difference); tmp is scratch (length n). */
export function timeDerivative(
  ctx: RhsContext,
  t: number,
  y: Float64Array,
  T: Float64Array,
  tmp: Float64Array,
): void {
  if (ctx.tgrad !== undefined) {
    ctx.tgrad(T, y, ctx.p, t);
    return;
  }
  const dt = CBRT_EPS * Math.max(1, Math.abs(t));
  const tPlus = t + dt;
  const tMinus = t - dt;
  ctx.f(T, y, ctx.p, tPlus);
  ctx.f(tmp, y, ctx.p, tMinus);
  const width = tPlus - tMinus;
  for (let i = 0; i < ctx.n; i++) T[i] = (T[i] - tmp[i]) / width;
  ctx.stats.nf += 2;
}
