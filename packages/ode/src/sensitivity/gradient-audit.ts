/**
 * The gradient audit (sensealg option `verify`): an independent check of a computed gradient
 * (ū0, p̄) of L = Σₖ gₖᵀu(tₖ) along one random direction v = (δu0, δp). Forward mode gives the
 * directional derivative dL/dε = Σₖ gₖᵀs(tₖ), where the tangent s = ∂u/∂(u0, p)·v solves
 *   s′ = (∂f/∂u)s + (∂f/∂p)δp,   s(t0) = δu0,
 * integrated together with u by the forward solver at the forward tolerances (one solve of a
 * 2n system: about two to three forward solves). The product (∂f/∂u)s + (∂f/∂p)δp is the
 * directional derivative of f along (s, δp), taken as two central differences, in u (width
 * scaled to the state's size) and in p (width scaled to the parameters' size, on two prepared
 * copies of f at p ± εδp) — error ~ε^(2/3) relative, far below any tolerance the audit can
 * resolve; it shares no code with the adjoints, the VJPs or the tape. After a Rosenbrock solve
 * the tangent is integrated differently (below).
 *
 * The audit compares gᵀv = ū0·δu0 + p̄·δp with it and throws GradientMismatchError when
 * |gᵀv − d| > threshold·max(|gᵀv|, |d|). Default threshold: 10·√reltol clamped to
 * [1e-3, 0.1] — both sides carry errors of the order of the tolerance times the problem's
 * conditioning, which on stiff problems can be 10²–10³·reltol; a wrong gradient (a sign, a
 * missing term, a NaN) is off by O(1). v is drawn from a fixed-seed generator, so the audit
 * is reproducible.
 */
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { type OdeSolver, unknownFamily } from "../stepper.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";
import { GradientMismatchError } from "./errors.js";
import { tangentSolve } from "./forward-sensitivity.js";

export interface GradientAudit {
  /** gᵀv from the sensitivity method. */
  adjoint: number;
  /** Σₖ gₖᵀs(tₖ) from the forward tangent solve. */
  directional: number;
  /** |adjoint − directional| / max(|adjoint|, |directional|). */
  relativeError: number;
  threshold: number;
  /** Right-hand-side evaluations the audit spent. */
  rhsEvals: number;
  /**
   * Why the gradient could not be checked (the tangent solve's retcode and message), when the
   * audit was run with uncheckedThrows: false; otherwise that throws GradientMismatchError.
   */
  unchecked?: string;
}

export interface AuditInput {
  rhs: DifferentiableRhs;
  p: Float64Array;
  u0: Float64Array;
  tspan: readonly [number, number];
  saveat: Float64Array;
  cotangent: Float64Array;
  u0Bar: Float64Array;
  pBar: Float64Array;
  solver: OdeSolver;
  stepping: {
    reltol?: number;
    abstol?: number;
    dt?: number;
    adaptive?: boolean;
    dtmin?: number;
    dtmax?: number;
    maxiters?: number;
  };
  method: string;
  threshold?: number;
  /** Throw GradientMismatchError when the tangent solve fails (default true); else report it in `unchecked`. */
  uncheckedThrows?: boolean;
}

const CBRT_EPS = Math.cbrt(Number.EPSILON);

/** xorshift32 in [-1, 1): a fixed, portable stream for the direction. */
function directionStream(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x / 0x100000000) * 2 - 1;
  };
}

function maxAbs(x: Float64Array, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

export function defaultAuditThreshold(reltol: number): number {
  return Math.min(0.1, Math.max(1e-3, 10 * Math.sqrt(reltol)));
}

export function auditGradient(input: AuditInput): GradientAudit {
  const { rhs, p, u0, saveat, cotangent } = input;
  const { n, np } = rhs;
  const next = directionStream(0x5eed);
  const du0 = Float64Array.from({ length: n }, next);
  const dp = Float64Array.from({ length: np }, next);
  const uPlus = new Float64Array(n);
  const uMinus = new Float64Array(n);
  const fPlus = new Float64Array(n);
  const fMinus = new Float64Array(n);
  const pScale = Math.max(1, maxAbs(p));
  const dpNorm = maxAbs(dp);
  // The parameter part (∂f/∂p)·δp by a central difference of fixed width, each side on its own
  // prepared copy of the right-hand side: p ± εδp is declared once, not at every call (for the
  // seed model's 10⁴ parameters that re-preparing made the audit cost 53 forward solves).
  const epsP = dpNorm === 0 ? 0 : (CBRT_EPS * pScale) / dpNorm;
  const plus = rhs.spare(0);
  const minus = rhs.spare(1);
  const pPlus = new Float64Array(np);
  const pMinus = new Float64Array(np);
  for (let j = 0; j < np; j++) {
    pPlus[j] = p[j] + epsP * dp[j];
    pMinus[j] = p[j] - epsP * dp[j];
  }
  if (epsP > 0) {
    plus.prepare(pPlus);
    minus.prepare(pMinus);
  }
  // The sweep before may have left rhs prepared for other values (a checkpoint's re-solve).
  rhs.prepare(p);
  const f0 = rhs.counts.f;
  const plusF0 = plus.counts.f;
  const minusF0 = minus.counts.f;
  // z = [u; s]: f(u) and the directional derivative of f along (s, δp).
  const tangent = (dz: Float64Array, z: Float64Array, _q: Float64Array, t: number): void => {
    const u = z.subarray(0, n);
    const dzU = dz.subarray(0, n);
    rhs.f(dzU, u, p, t);
    dz.fill(0, n, 2 * n);
    const sNorm = maxAbs(z, n, 2 * n);
    if (sNorm > 0) {
      // (∂f/∂u)·s: a central difference in u, its width scaled to the state's size.
      const epsU = (CBRT_EPS * Math.max(maxAbs(u), 1e-5)) / sNorm;
      for (let i = 0; i < n; i++) {
        uPlus[i] = z[i] + epsU * z[n + i];
        uMinus[i] = z[i] - epsU * z[n + i];
      }
      rhs.f(fPlus, uPlus, p, t);
      rhs.f(fMinus, uMinus, p, t);
      for (let i = 0; i < n; i++) dz[n + i] = (fPlus[i] - fMinus[i]) / (2 * epsU);
    }
    if (epsP > 0) {
      plus.f(fPlus, u, pPlus, t);
      minus.f(fMinus, u, pMinus, t);
      for (let i = 0; i < n; i++) dz[n + i] += (fPlus[i] - fMinus[i]) / (2 * epsP);
    }
  };
  const z0 = new Float64Array(2 * n);
  z0.set(u0);
  z0.set(du0, n);
  const last = saveat[saveat.length - 1];
  // A Rosenbrock method needs the system's exact Jacobian: the engine's finite differences of
  // the finite-difference tangent above carry ~1e-3 relative noise into its W-matrix, enough
  // to make the tangent wrong on stiff problems (the bank's Oregonator, Van der Pol). There
  // the tangent is J·s + (∂f/∂p)·δp from VJP rows with the structured Jacobian of
  // ForwardSensitivity, one column: still independent of the adjoint passes. An SDIRK method
  // takes it too: its W-matrix sets how fast the Newton iterations converge (and filters the
  // error estimate), and finite differences of the noisy tangent would slow or stop them.
  const sol = exactTangentJacobian(input.solver)
    ? tangentSolve(
        {
          rhs,
          p,
          u0,
          t0: input.tspan[0],
          tEnd: last,
          saveat,
          solver: input.solver,
          stepping: input.stepping,
        },
        du0,
        dp,
        1,
      )
    : solve(
        new ODEProblem(tangent, z0, [input.tspan[0], last], new Float64Array(0), { kind: "inplace" }),
        input.solver,
        { ...input.stepping, saveat },
      );
  let directional = Number.NaN;
  if (sol.retcode === "Success") {
    directional = 0;
    for (let k = 0; k < saveat.length; k++) {
      for (let i = 0; i < n; i++) directional += cotangent[k * n + i] * sol.u[k * 2 * n + n + i];
    }
  }
  let adjoint = 0;
  for (let i = 0; i < n; i++) adjoint += input.u0Bar[i] * du0[i];
  for (let j = 0; j < np; j++) adjoint += input.pBar[j] * dp[j];
  const scale = Math.max(Math.abs(adjoint), Math.abs(directional));
  const relativeError = scale === 0 ? 0 : Math.abs(adjoint - directional) / scale;
  const threshold = input.threshold ?? defaultAuditThreshold(input.stepping.reltol ?? 1e-3);
  const audit = {
    adjoint,
    directional,
    relativeError,
    threshold,
    rhsEvals:
      rhs.counts.f -
      f0 +
      (plus === rhs ? 0 : plus.counts.f - plusF0) +
      (minus === rhs ? 0 : minus.counts.f - minusF0),
  };
  if (sol.retcode !== "Success" && input.uncheckedThrows === false) {
    return { ...audit, unchecked: `${sol.retcode}: ${sol.message}` };
  }
  if (!(relativeError <= threshold)) {
    throw new GradientMismatchError(
      input.method,
      adjoint,
      directional,
      relativeError,
      threshold,
      sol.retcode === "Success" ? undefined : `${sol.retcode}: ${sol.message}`,
    );
  }
  return audit;
}

/**
 * Whether the audit's tangent solve takes the structured Jacobian (see auditGradient). A
 * composite keeps the finite-difference tangent: its stiff member has not needed it so far.
 */
function exactTangentJacobian(solver: OdeSolver): boolean {
  switch (solver.family) {
    case "rosenbrock":
    case "sdirk":
      return true;
    case "erk":
    case "composite":
      return false;
    default:
      return unknownFamily(solver, "the gradient audit");
  }
}
