/**
 * ForwardSensitivity: integrates z = [u; S] forward, with S = ∂u/∂(u0, p) an n × (n + np)
 * matrix, dS/dt = J·S + [0 | ∂f/∂p], S(t0) = [I | 0] (Hairer–Nørsett–Wanner I §I.14, the
 * variational equations). The Jacobians are assembled from n VJPs per right-hand-side
 * evaluation (one per row), so each evaluation costs O(n·(n + np)) work: fine for a handful
 * of states and parameters, the O(n·p) wall for the seed model (which is why udekit's
 * default is the adjoint). The gradient is then Σₖ S(tₖ)ᵀ·gₖ.
 *
 * With a Rosenbrock method the system of m = n·(1 + q) states needs a Jacobian each step. The
 * engine's finite differences would cost m evaluations of the system, i.e. m·n VJPs (HIRES,
 * n = 8, np = 12: 168 × 8 = 1344 VJPs per step — why it took seconds). Its structure gives it
 * for n VJPs plus one more J per state: ∂[f; J·S + F̃]/∂[u; S] = [[J, 0], [∂(J·S + F̃)/∂u, J ⊗ I]],
 * the last column block exact, the ∂/∂u block (a second derivative of f) by forward
 * differences of J·S + F̃ in each uⱼ (n more Jacobians: n² VJPs).
 */
import { matmul, matvecT } from "@udekit/kernels";
import type { SolveOptions } from "../options.js";
import { type JacobianFunction, ODEProblem } from "../problem.js";
import { differenceIncrement } from "../rosenbrock/jacobian.js";
import type { ODESolution } from "../solution.js";
import { solve } from "../solve.js";
import { type OdeSolver, usesJacobian } from "../stepper.js";
import { type AdjointContext, addStats, type BackwardResult, commitGradients } from "./adjoint-context.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";

export function forwardSensitivity(ctx: AdjointContext): BackwardResult {
  const { rhs, saveat, cotangent } = ctx;
  const { n, np } = rhs;
  const q = n + np;
  const S0 = new Float64Array(n * q);
  for (let i = 0; i < n; i++) S0[i * q + i] = 1;
  const sol = tangentSolve({ ...ctx, tEnd: saveat[saveat.length - 1] }, S0, undefined, q);
  addStats(ctx.stats, sol.stats);
  if (sol.retcode !== "Success") {
    return {
      retcode: sol.retcode,
      message: `ForwardSensitivity: ${sol.message}`,
      t: sol.t.length > 0 ? sol.t[sol.t.length - 1] : ctx.t0,
    };
  }
  const g = new Float64Array(q);
  for (let k = 0; k < saveat.length; k++) {
    const Sk = sol.u.subarray(k * (n + n * q) + n, (k + 1) * (n + n * q));
    matvecT(n, q, Sk, cotangent.subarray(k * n, (k + 1) * n), g, true);
  }
  return commitGradients(ctx, g.subarray(0, n), g.subarray(n), "ForwardSensitivity");
}

/** What a tangent solve needs: the right-hand side, the point and the stepping. */
export interface TangentInput {
  readonly rhs: DifferentiableRhs;
  readonly p: Float64Array;
  readonly u0: Float64Array;
  readonly t0: number;
  readonly tEnd: number;
  readonly saveat: Float64Array;
  readonly solver: OdeSolver;
  readonly stepping: SolveOptions;
}

/**
 * Integrates z = [u; S] with S an n × q matrix of tangents: dS/dt = J·S + (∂f/∂p)·B,
 * S(t0) = S0. B (np × q) undefined means [0 | I]: the last np columns are the parameters'
 * unit directions (ForwardSensitivity's S = ∂u/∂(u0, p)); the gradient audit passes one
 * column, a direction (δu0, δp). Returns the solution at saveat (rows [u; S row-major]).
 */
export function tangentSolve(
  input: TangentInput,
  S0: Float64Array,
  B: Float64Array | undefined,
  q: number,
): ODESolution {
  const { rhs, p } = input;
  const { n, np } = rhs;
  const J = new Float64Array(n * n);
  const Fp = new Float64Array(n * np);
  const jRows = Array.from({ length: n }, (_, i) => J.subarray(i * n, (i + 1) * n));
  const fpRows = Array.from({ length: n }, (_, i) => Fp.subarray(i * np, (i + 1) * np));
  const e = new Float64Array(n);
  const u = new Float64Array(n);
  const du = new Float64Array(n);
  const S = new Float64Array(n * q);
  const dS = new Float64Array(n * q);
  const system = (dz: Float64Array, z: Float64Array, _q: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) u[i] = z[i];
    for (let i = 0; i < n * q; i++) S[i] = z[n + i];
    rhs.f(du, u, p, t);
    for (let i = 0; i < n; i++) {
      e[i] = 1;
      rhs.vjpUP(jRows[i], fpRows[i], e, u, p, t);
      e[i] = 0;
    }
    matmul(n, n, q, J, S, dS, false);
    addForcing(dS, Fp, B, n, np, q);
    dz.set(du);
    dz.set(dS, n);
  };
  const z0 = new Float64Array(n + n * q);
  z0.set(input.u0);
  z0.set(S0, n);
  const problem = new ODEProblem(system, z0, [input.t0, input.tEnd], new Float64Array(0), {
    kind: "inplace",
    jac: usesJacobian(input.solver) ? sensitivityJacobian(rhs, p, B, q) : undefined,
  });
  return solve(problem, input.solver, { ...input.stepping, saveat: input.saveat });
}

/** G += (∂f/∂p)·B, with B = [0 | I] when undefined. */
function addForcing(
  G: Float64Array,
  Fp: Float64Array,
  B: Float64Array | undefined,
  n: number,
  np: number,
  q: number,
): void {
  if (B === undefined) {
    for (let i = 0; i < n; i++) for (let j = 0; j < np; j++) G[i * q + n + j] += Fp[i * np + j];
  } else if (np > 0) {
    matmul(n, np, q, Fp, B, G, true);
  }
}

/** The exact-structure Jacobian of the [u; S] system (see the file header). */
function sensitivityJacobian(
  rhs: DifferentiableRhs,
  p: Float64Array,
  B: Float64Array | undefined,
  q: number,
): JacobianFunction {
  const { n, np } = rhs;
  const m = n + n * q;
  const e = new Float64Array(n);
  const J = new Float64Array(n * n);
  const Fp = new Float64Array(n * np);
  const jRows = Array.from({ length: n }, (_, i) => J.subarray(i * n, (i + 1) * n));
  const fpRows = Array.from({ length: n }, (_, i) => Fp.subarray(i * np, (i + 1) * np));
  const u = new Float64Array(n);
  const S = new Float64Array(n * q);
  const G0 = new Float64Array(n * q);
  const G1 = new Float64Array(n * q);
  /** G = J(u)·S + [0 | Fp(u)] at u (J and Fp left in place). */
  const sensitivityRhs = (G: Float64Array, at: Float64Array, t: number): void => {
    for (let i = 0; i < n; i++) {
      e[i] = 1;
      rhs.vjpUP(jRows[i], fpRows[i], e, at, p, t);
      e[i] = 0;
    }
    matmul(n, n, q, J, S, G, false);
    addForcing(G, Fp, B, n, np, q);
  };
  return (Jz, z, _q, t) => {
    for (let i = 0; i < n; i++) u[i] = z[i];
    for (let i = 0; i < n * q; i++) S[i] = z[n + i];
    Jz.fill(0, 0, m * m);
    // Column block u: ∂(J·S + F̃)/∂uⱼ by forward differences (the engine's increments).
    sensitivityRhs(G0, u, t);
    for (let j = 0; j < n; j++) {
      const uj = u[j];
      u[j] = uj + differenceIncrement(uj);
      const actual = u[j] - uj;
      sensitivityRhs(G1, u, t);
      u[j] = uj;
      for (let r = 0; r < n * q; r++) Jz[(n + r) * m + j] = (G1[r] - G0[r]) / actual;
    }
    // J at u itself (the loop left J at the last perturbed point).
    sensitivityRhs(G1, u, t);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const Jik = J[i * n + k];
        Jz[i * m + k] = Jik;
        if (Jik === 0) continue;
        // Row (i, c) of the S block depends on S[k, c] through J[i, k], for every column c.
        for (let c = 0; c < q; c++) Jz[(n + i * q + c) * m + n + k * q + c] = Jik;
      }
    }
  };
}
