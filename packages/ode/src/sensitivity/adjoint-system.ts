/**
 * The adjoint system dλ/dt = −(∂f/∂u)(u(t), p, t)ᵀ λ, written once for every continuous
 * adjoint that reads u(t) from the forward solution: its right-hand side, and for stiff
 * (Rosenbrock) backward solvers its exact Jacobian and time derivative.
 *
 * - Jacobian: −(∂f/∂u)ᵀ, row i of ∂f/∂u being the VJP with cotangent eᵢ (n VJPs, whatever
 *   the size of p; no finite differences in λ).
 * - Time derivative: the system is non-autonomous through u(t), and a Rosenbrock method's
 *   order rests on T = ∂g/∂t of exactly the function it evaluates, g(t) = −J(u(t), t)ᵀλ with
 *   u(t) the forward dense output. The engine's fallback, a central difference in t of width
 *   ε^(1/3)·|t|, is 5e-3 at t ≈ 800: on Van der Pol μ = 10³ that straddles the whole relaxation
 *   jump (forward steps of 1e-6…1e-4), T came out wrong and the gradient with the wrong sign.
 *   Differentiating along the model's tangent f(u(t)) instead is right for the ODE but not for
 *   the interpolant the stages read: on Robertson it made Rodas4's error estimate take 30× the
 *   steps. So T is a one-sided second-order difference of g itself, in the direction the
 *   backward step goes, over a width that stays inside the forward step being entered
 *   (≤ a quarter of it): the derivative of the very polynomial piece the stages evaluate.
 *
 * Local time (useStep, the stiff backward passes): t is then measured from a forward step
 * boundary (origin) and u is read as stored step i at θ = 1 + t/h from that t, so a stage time
 * t + cᵢh is rounded relative to the step, not to the absolute time (ulp(807) = 1.1e-13 would
 * move u by 1e-7 inside Van der Pol's relaxation jump, |u'| ≈ 1e6). The right-hand side's own
 * time argument is origin + t.
 */
import type { JacobianFunction, TimeDerivativeFunction } from "../problem.js";
import { keepShape } from "../shape-anchor.js";
import type { DenseForward } from "./adjoint-context.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";

const CBRT_EPS = Math.cbrt(Number.EPSILON);

export class AdjointSystem {
  /** The forward piece u(t) is read from (replaced by the driver as pieces change). */
  forward: DenseForward;
  /** Length of the forward step a backward step from t enters (see backward-driver.ts). */
  pieceLength: (t: number) => number = () => Number.POSITIVE_INFINITY;
  /** u(t) at the last evaluation. */
  readonly u: Float64Array;
  /** −λ at the last evaluation (the VJP's cotangent). */
  readonly negLambda: Float64Array;
  private readonly e: Float64Array;
  private readonly row: Float64Array;
  private readonly g1: Float64Array;
  private readonly g2: Float64Array;
  /** Local time (useStep): the stored step u is read from, its length and the absolute time of t = 0. */
  private local = false;
  private step = 0;
  private stepLength = 1;
  private origin = 0;

  constructor(
    readonly rhs: DifferentiableRhs,
    readonly p: Float64Array,
    forward: DenseForward,
    /** Direction of the backward integration (±1): T is taken on that side of t. */
    private readonly direction: number,
    /** Where −λ is written (pass a buffer in the kernels' memory to spare the VJP a copy). */
    negLambda: Float64Array = new Float64Array(rhs.n),
  ) {
    const n = rhs.n;
    this.forward = forward;
    this.u = new Float64Array(n);
    this.negLambda = negLambda;
    this.e = new Float64Array(n);
    this.row = new Float64Array(n);
    this.g1 = new Float64Array(n);
    this.g2 = new Float64Array(n);
  }

  /** Switches to another forward piece (the driver's setForward). */
  use(forward: DenseForward, pieceLength: (t: number) => number): void {
    this.forward = forward;
    this.pieceLength = pieceLength;
    this.local = false;
  }

  /**
   * Switches to local time in stored step i of `forward` (which has atStep), of length h
   * (signed, forward direction), with t = 0 at the absolute time origin, the step's end
   * (the driver's setStep).
   */
  useStep(forward: DenseForward, i: number, h: number, origin: number): void {
    this.forward = forward;
    this.local = true;
    this.step = i;
    this.stepLength = h;
    this.origin = origin;
  }

  /** u at time t (local or absolute) into out. */
  uAt(t: number, out: Float64Array): Float64Array {
    if (!this.local) return this.forward.at(t, out);
    return (this.forward as Required<DenseForward>).atStep(this.step, 1 + t / this.stepLength, out);
  }

  /** The absolute time of t (the right-hand side's time argument). */
  timeAt(t: number): number {
    return this.local ? this.origin + t : t;
  }

  /** Reads u(t) into `u` (default this.u) and sets negLambda = −λ. */
  load(t: number, lambda: Float64Array, u: Float64Array = this.u): Float64Array {
    this.uAt(t, u);
    const negLambda = this.negLambda;
    for (let i = 0; i < negLambda.length; i++) negLambda[i] = -lambda[i];
    return u;
  }

  // f, jac and tgrad are handed to a backward solve as plain functions, made per system (per
  // gradient); each only forwards to a method, whose optimised code then survives full garbage
  // collections (a per-gradient closure's would not; see ../shape-anchor.ts).

  /** dλ/dt = −(∂f/∂u)ᵀλ. */
  readonly f = (dl: Float64Array, l: Float64Array, _q: Float64Array, t: number): void =>
    this.evaluate(dl, l, t);

  /** J = −(∂f/∂u)ᵀ at u(t). */
  readonly jac: JacobianFunction = (J, _l, _q, t) => this.jacobian(J, t);

  /**
   * T = ∂/∂t[−J(u(t), t)ᵀλ] at fixed λ: (−3g(t) + 4g(t + d) − g(t + 2d))/(2d) with
   * d = direction·δ, δ = min(ε^(1/3)·max(1, |t|), piece/4).
   */
  readonly tgrad: TimeDerivativeFunction = (T, l, _q, t) => this.timeDerivative(T, l, t);

  private evaluate(dl: Float64Array, l: Float64Array, t: number): void {
    this.load(t, l);
    this.rhs.vjpU(dl, this.negLambda, this.u, this.p, this.timeAt(t));
  }

  private jacobian(J: Float64Array, t: number): void {
    const { rhs, p, u, e, row } = this;
    const n = rhs.n;
    this.uAt(t, u);
    const ta = this.timeAt(t);
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      rhs.vjpU(row, e, u, p, ta);
      e[j] = 0;
      // row = ∂f_j/∂u: column j of −(∂f/∂u)ᵀ.
      for (let i = 0; i < n; i++) J[i * n + j] = -row[i];
    }
  }

  private timeDerivative(T: Float64Array, l: Float64Array, t: number): void {
    const { rhs, p, u, g1, g2, negLambda } = this;
    const n = rhs.n;
    const piece = this.local ? Math.abs(this.stepLength) : this.pieceLength(t);
    // The width keeps the absolute time's scale in local time too.
    const delta = Math.min(
      CBRT_EPS * Math.max(1, Math.abs(this.timeAt(t))),
      Number.isFinite(piece) ? piece / 4 : Infinity,
    );
    const t1 = t + this.direction * delta;
    const t2 = t + 2 * this.direction * delta;
    this.load(t, l);
    rhs.vjpU(T, negLambda, u, p, this.timeAt(t));
    this.uAt(t1, u);
    rhs.vjpU(g1, negLambda, u, p, this.timeAt(t1));
    this.uAt(t2, u);
    rhs.vjpU(g2, negLambda, u, p, this.timeAt(t2));
    const width = 2 * (t1 - t);
    for (let i = 0; i < n; i++) T[i] = (-3 * T[i] + 4 * g1[i] - g2[i]) / width;
  }
}

// One instance kept for good, so the class keeps its hidden class across full collections.
keepShape(
  new AdjointSystem(
    { n: 0 } as DifferentiableRhs,
    new Float64Array(0),
    { at: () => {} } as unknown as DenseForward,
    1,
  ),
);
