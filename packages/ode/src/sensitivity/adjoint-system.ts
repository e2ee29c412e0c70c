/**
 * The adjoint system dλ/dt = −(∂f/∂u)(u(t), p, t)ᵀ λ, written once for every continuous
 * adjoint that reads u(t) from the forward solution: its right-hand side, and for stiff
 * (Rosenbrock) backward solvers its exact Jacobian and time derivative.
 *
 * - Jacobian: −(∂f/∂u)ᵀ, row i of ∂f/∂u being the VJP with cotangent eᵢ (n VJPs, whatever
 *   the size of p; no finite differences in λ).
 * - Time derivative: the system is non-autonomous through u(t). A Rosenbrock method needs
 *   ∂/∂t of its right-hand side at fixed λ, d/dt[−J(u(t), t)ᵀλ]; a central difference in t
 *   of the whole system (the engine's fallback) takes δ ≈ 6e-6·|t|, which on Van der Pol
 *   μ = 10³ at t ≈ 800 is 5e-3: wider than the relaxation jump (≈ 1e-3), so it straddles many
 *   forward steps and the gradient came out with the wrong sign. Here it is the directional
 *   derivative of the VJP along the solution's own tangent (u′, 1) = (f(u(t), p, t), 1), by a
 *   central difference whose width is scaled to how fast u moves (ε·‖u′‖ ≈ ε^(1/3)·‖u‖),
 *   so it resolves the fastest transient the forward solve resolved.
 */
import type { JacobianFunction, TimeDerivativeFunction } from "../problem.js";
import type { DenseForward } from "./adjoint-context.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";

const CBRT_EPS = Math.cbrt(Number.EPSILON);

export class AdjointSystem {
  /** The forward piece u(t) is read from (replaced by the driver as pieces change). */
  forward: DenseForward;
  /** u(t) at the last evaluation. */
  readonly u: Float64Array;
  /** −λ at the last evaluation (the VJP's cotangent). */
  readonly negLambda: Float64Array;
  private readonly e: Float64Array;
  private readonly row: Float64Array;
  private readonly du: Float64Array;
  private readonly uPlus: Float64Array;
  private readonly uMinus: Float64Array;
  private readonly bPlus: Float64Array;

  constructor(
    readonly rhs: DifferentiableRhs,
    readonly p: Float64Array,
    forward: DenseForward,
    /** Where −λ is written (pass a buffer in the kernels' memory to spare the VJP a copy). */
    negLambda: Float64Array = new Float64Array(rhs.n),
  ) {
    const n = rhs.n;
    this.forward = forward;
    this.u = new Float64Array(n);
    this.negLambda = negLambda;
    this.e = new Float64Array(n);
    this.row = new Float64Array(n);
    this.du = new Float64Array(n);
    this.uPlus = new Float64Array(n);
    this.uMinus = new Float64Array(n);
    this.bPlus = new Float64Array(n);
  }

  /** Reads u(t) into `u` (default this.u) and sets negLambda = −λ. */
  load(t: number, lambda: Float64Array, u: Float64Array = this.u): Float64Array {
    this.forward.at(t, u);
    const negLambda = this.negLambda;
    for (let i = 0; i < negLambda.length; i++) negLambda[i] = -lambda[i];
    return u;
  }

  /** dλ/dt = −(∂f/∂u)ᵀλ. */
  readonly f = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void => {
    this.load(t, l);
    this.rhs.vjpU(dl, this.negLambda, this.u, this.p, t);
  };

  /** J = −(∂f/∂u)ᵀ at u(t). */
  readonly jac: JacobianFunction = (J, _l, _q, t) => {
    const { rhs, p, u, e, row } = this;
    const n = rhs.n;
    this.forward.at(t, u);
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      rhs.vjpU(row, e, u, p, t);
      e[j] = 0;
      // row = ∂f_j/∂u: column j of −(∂f/∂u)ᵀ.
      for (let i = 0; i < n; i++) J[i * n + j] = -row[i];
    }
  };

  /** T = d/dt[−J(u(t), t)ᵀλ] at fixed λ, along (u′, 1) with u′ = f(u(t), p, t). */
  readonly tgrad: TimeDerivativeFunction = (T, l, _q, t) => {
    const { rhs, p, u, du, uPlus, uMinus, bPlus } = this;
    const n = rhs.n;
    this.load(t, l);
    rhs.f(du, u, p, t);
    let uNorm = 0;
    let vNorm = 0;
    for (let i = 0; i < n; i++) {
      uNorm = Math.max(uNorm, Math.abs(u[i]));
      vNorm = Math.max(vNorm, Math.abs(du[i]));
    }
    // ε in time units: ε·|u′| ≈ ε^(1/3)·max(|u|, 1e-5), never wider than the t-difference alone would be.
    const tScale = Math.max(1, Math.abs(t));
    const eps = CBRT_EPS * (vNorm > 0 ? Math.min(tScale, Math.max(uNorm, 1e-5) / vNorm) : tScale);
    for (let i = 0; i < n; i++) {
      uPlus[i] = u[i] + eps * du[i];
      uMinus[i] = u[i] - eps * du[i];
    }
    rhs.vjpU(bPlus, this.negLambda, uPlus, p, t + eps);
    rhs.vjpU(T, this.negLambda, uMinus, p, t - eps);
    const width = 2 * eps;
    for (let i = 0; i < n; i++) T[i] = (bPlus[i] - T[i]) / width;
  };
}
