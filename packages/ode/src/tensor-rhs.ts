/**
 * Turns a problem's right-hand side into the in-place form the engines call. In-place
 * problems pass through. A tensor right-hand side (u, p, t) => Tensor is traced once by
 * `compile` from @udekit/autodiff (t is a rank-0 tensor, so time dependence is traced too) into
 * an allocation-free program; f is its forward pass, and the Jacobian for the Rosenbrock
 * methods is assembled from n vector–Jacobian products of the same tape: row i of J is
 * eᵢᵀ·∂f/∂u (unless the user gave `jac`). The compiled program is cached per problem.
 */
import { compile, type Pullback, type Shape, scalar, type Tensor, tensor } from "@udekit/autodiff";
import { InvalidProblemError } from "./errors.js";
import type { InPlaceRhs, JacobianFunction, ODEProblem } from "./problem.js";

export interface ResolvedRhs {
  f: InPlaceRhs;
  /** Jacobian from the tensor tape (tensor problems only). */
  jac: JacobianFunction | undefined;
}

const cache = new WeakMap<ODEProblem, ResolvedRhs>();

/**
 * A traced tensor right-hand side must return a vector of u's length: its compiled forward writes
 * only as many entries as it returns, so a shorter one would leave the rest of du unwritten.
 */
export function checkRhsOutputShape(out: Shape, n: number, who: string): void {
  if (out.length !== 1 || out[0] !== n) {
    throw new InvalidProblemError(
      `${who}: the tensor right-hand side returns shape [${out.join(", ")}] but u0 has ${n} entries; f(u, p, t) must return a vector of shape [${n}].`,
    );
  }
}

export function resolveRhs(problem: ODEProblem): ResolvedRhs {
  if (problem.f !== undefined) return { f: problem.f, jac: undefined };
  const hit = cache.get(problem);
  if (hit !== undefined) return hit;
  const resolved = compileTensorRhs(problem);
  cache.set(problem, resolved);
  return resolved;
}

function compileTensorRhs(problem: ODEProblem): ResolvedRhs {
  const n = problem.n;
  const f = problem.tensorF as (u: Tensor, p: Tensor, t: Tensor) => Tensor;
  const pShape = problem.pShape ?? [problem.p.length];
  // An empty parameter vector is passed as one unused zero so that the traced program has an input.
  const pData = problem.p.length === 0 ? new Float64Array(1) : problem.p;
  const pTensorShape = problem.p.length === 0 ? [1] : pShape;
  let compiled: ReturnType<typeof compile>;
  try {
    compiled = compile(
      f,
      tensor(problem.u0.slice(), [n]),
      tensor(pData.slice(), pTensorShape),
      scalar(problem.tspan[0]),
    );
  } catch (e) {
    throw new InvalidProblemError(
      `@udekit/ode: the tensor right-hand side could not be compiled: ${(e as Error).message} It must be (u, p, t) => Tensor built from @udekit/autodiff ops, with u of shape [${n}] and p of shape [${pTensorShape.join(", ")}]. ` +
        'A function of three parameters is read as a tensor function: if f is an in-place function (du, u, p) => void, declare the fourth parameter t or pass { kind: "inplace" }.',
    );
  }
  checkRhsOutputShape(compiled.outputShape, n, "@udekit/ode");
  const time = new Float64Array(1);
  const args: Float64Array[] = [problem.u0, pData, time];
  const forward = compiled.forward;
  const fInPlace: InPlaceRhs = (du, u, p, t) => {
    args[0] = u;
    args[1] = p.length === 0 ? pData : p;
    time[0] = t;
    forward(args, du);
  };
  const pullU: Pullback = compiled.pullback([true, false, false]);
  const e = new Float64Array(n);
  const row = new Float64Array(n);
  const grads: (Float64Array | null)[] = [row, null, null];
  const jac: JacobianFunction = (J, u, p, t) => {
    args[0] = u;
    args[1] = p.length === 0 ? pData : p;
    time[0] = t;
    for (let i = 0; i < n; i++) {
      e[i] = 1;
      pullU(args, e, grads);
      e[i] = 0;
      for (let j = 0; j < n; j++) J[i * n + j] = row[j];
    }
  };
  return { f: fInPlace, jac };
}
