/**
 * ForwardSensitivity: integrates z = [u; S] forward, with S = ∂u/∂(u0, p) an n × (n + np)
 * matrix, dS/dt = J·S + [0 | ∂f/∂p], S(t0) = [I | 0] (Hairer–Nørsett–Wanner I §I.14, the
 * variational equations). The Jacobians are assembled from n VJPs per right-hand-side
 * evaluation (one per row), so each evaluation costs O(n·(n + np)) work: fine for a handful
 * of states and parameters, the O(n·p) wall for the seed model (which is why udekit's
 * default is the adjoint). The gradient is then Σₖ S(tₖ)ᵀ·gₖ.
 */
import { matmul, matvecT } from "@udekit/kernels";
import { ODEProblem } from "../problem.js";
import { solve } from "../solve.js";
import { type AdjointContext, addStats, type BackwardResult, commitGradients } from "./adjoint-context.js";

export function forwardSensitivity(ctx: AdjointContext): BackwardResult {
  const { rhs, p, saveat, cotangent } = ctx;
  const { n, np } = rhs;
  const q = n + np;
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
    for (let i = 0; i < n; i++) for (let j = 0; j < np; j++) dS[i * q + n + j] += Fp[i * np + j];
    dz.set(du);
    dz.set(dS, n);
  };
  const z0 = new Float64Array(n + n * q);
  z0.set(ctx.u0);
  for (let i = 0; i < n; i++) z0[n + i * q + i] = 1;
  const problem = new ODEProblem(system, z0, [ctx.t0, saveat[saveat.length - 1]], new Float64Array(0), {
    kind: "inplace",
  });
  const sol = solve(problem, ctx.solver, { ...ctx.stepping, saveat });
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
