/**
 * Jacobians of the adjoint systems for stiff (Rosenbrock) backward passes, assembled from
 * VJPs of the right-hand side: row i of [∂f/∂u | ∂f/∂p] is the VJP with cotangent eᵢ. For
 * dλ/dt = −(∂f/∂u)ᵀλ the Jacobian is −(∂f/∂u)ᵀ; for the augmented [λ; μ] system it is
 * [[−(∂f/∂u)ᵀ, 0], [−(∂f/∂p)ᵀ, 0]]. Cost: n VJPs per Jacobian, whatever the size of p.
 */
import type { JacobianFunction } from "../problem.js";
import type { DenseForward } from "./adjoint-context.js";
import type { DifferentiableRhs } from "./differentiable-rhs.js";

export function adjointJacobian(
  rhs: DifferentiableRhs,
  p: Float64Array,
  forward: () => DenseForward,
  withParameters: boolean,
): JacobianFunction {
  const { n, np } = rhs;
  const m = withParameters ? n + np : n;
  const u = new Float64Array(n);
  const e = new Float64Array(n);
  const row = new Float64Array(n);
  const prow = new Float64Array(np);
  return (J, _y, _q, t) => {
    forward().at(t, u);
    J.fill(0, 0, m * m);
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      if (withParameters) rhs.vjpUP(row, prow, e, u, p, t);
      else rhs.vjpU(row, e, u, p, t);
      e[j] = 0;
      // row = ∂f_j/∂u: column j of −(∂f/∂u)ᵀ; prow = ∂f_j/∂p: column j of −(∂f/∂p)ᵀ.
      for (let i = 0; i < n; i++) J[i * m + j] = -row[i];
      if (withParameters) for (let k = 0; k < np; k++) J[(n + k) * m + j] = -prow[k];
    }
  };
}
