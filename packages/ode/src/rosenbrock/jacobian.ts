/**
 * Jacobians for the Rosenbrock engine: the user's analytic `jac`, or forward finite
 * differences column by column with the scaled increment of differenceIncrement; ∂f/∂t from
 * the user's tgrad, else by a central
 * difference in t with δ = ε^(1/3)·max(1, |t|) (error ~ε^(2/3) ≈ 4e-11 relative: a forward
 * difference's ~√ε would cap Rodas4's accuracy on non-autonomous problems).
 * J is row-major n×n: J[i·n + j] = ∂fᵢ/∂yⱼ.
 */
import type { RhsContext } from "../stepper.js";

const CBRT_EPS = Math.cbrt(Number.EPSILON);
const SQRT_EPS = Math.sqrt(Number.EPSILON);

/**
 * The forward-difference increment for a component of value y: δ = √(ε·max(10⁻⁵, |y|)) of
 * Hairer–Wanner's RADAU5/RODAS codes up to |y| = 10⁶, and 10⁻³·√ε·|y| beyond, where the two
 * meet. Theirs shrinks relative to y like 1/√|y|: at |y| = 10¹² it is 1.5e-14·|y| (the quotient
 * good to ≈ 1 %: Rodas5P took 188 steps and 23 rejections where it takes 58 at |y| ≈ 1), and
 * from |y| ≈ 10¹⁷ it is below half of y's spacing, so y + δ = y and the quotient divides by
 * zero (the same problem scaled to 10¹⁷ failed at t0). Below 10⁶ nothing changes.
 */
export function differenceIncrement(y: number): number {
  const a = Math.abs(y);
  return Math.max(Math.sqrt(Number.EPSILON * Math.max(1e-5, a)), 1e-3 * SQRT_EPS * a);
}

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
    tmp[j] = yj + differenceIncrement(yj);
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
