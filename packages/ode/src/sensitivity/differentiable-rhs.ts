/**
 * The right-hand side as the sensitivity methods see it: f and its vector–Jacobian products
 * with respect to u and p, all on Float64Arrays and allocation-free per call.
 *
 * From a tensor function (u, p, t) => Tensor the VJPs come from one compiled tape, with
 * pullbacks specialised to u only, p only (accumulating, for quadrature) and both; from an
 * in-place f they come from the user's `vjp`.
 */

import type { Shape } from "@udekit/autodiff";
import {
  compile,
  formatShape,
  type Pullback,
  type SpecialisedFunction,
  scalar,
  type Tensor,
  tensor,
} from "@udekit/autodiff";
import { allocF64, axpy } from "@udekit/kernels";
import { checkRhsOutputShape } from "../tensor-rhs.js";

/** A tensor right-hand side; t is a rank-0 tensor, so time dependence is traced too. */
export type TensorOdeRhs = (u: Tensor, p: Tensor, t: Tensor) => Tensor;

/**
 * The VJP of an in-place right-hand side: uBar = (∂f/∂u)ᵀ·λ and, when pBar is not null,
 * pBar = (∂f/∂p)ᵀ·λ, both overwritten.
 */
export type InPlaceRhsVjp = (
  uBar: Float64Array,
  pBar: Float64Array | null,
  lambda: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
) => void;

export interface InPlaceOdeRhs {
  f: (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  vjp: InPlaceRhsVjp;
}

export interface RhsCounts {
  /** Right-hand-side evaluations. */
  f: number;
  /** Vector–Jacobian products (each includes its own forward pass). */
  vjp: number;
}

export interface DifferentiableRhs {
  readonly n: number;
  readonly np: number;
  readonly counts: RhsCounts;
  /**
   * Declares the parameter values of the calls that follow: work that depends on p alone
   * is done here once (e.g. the row sums in A(P) = P − diag(P·1)). Call it at the start of
   * every solve or backward pass.
   */
  prepare(p: Float64Array): void;
  f(du: Float64Array, u: Float64Array, p: Float64Array, t: number): void;
  /**
   * f as a plain function for an ODEProblem, made once per right-hand side. A closure made per
   * solve would lose its optimised code at every full garbage collection once the solve that
   * made it is over, and the next solve would start in the interpreter again.
   */
  readonly inPlace: (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;
  /** uBar = (∂f/∂u)ᵀ·λ. */
  vjpU(uBar: Float64Array, lambda: Float64Array, u: Float64Array, p: Float64Array, t: number): void;
  /** uBar = (∂f/∂u)ᵀ·λ and pBar = (∂f/∂p)ᵀ·λ. */
  vjpUP(
    uBar: Float64Array,
    pBar: Float64Array,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void;
  /**
   * pBar += (∂f/∂p)ᵀ·λ — possibly deferred: rank-1 parts (e.g. P̄ += λ·uᵀ of A(P)·u) are
   * stacked and added many at a time by one matrix product. Pass the same pBar until
   * `flushP(pBar)`, and call it before reading pBar.
   */
  vjpPAccumulate(pBar: Float64Array, lambda: Float64Array, u: Float64Array, p: Float64Array, t: number): void;
  /**
   * uBar = (∂f/∂u)ᵀ·λ and pBar += w·(∂f/∂p)ᵀ·λ in one pass (possibly deferred, as with
   * vjpPAccumulate): a Runge–Kutta stage's state VJP together with its quadrature term.
   */
  vjpUAndPAccumulate(
    uBar: Float64Array,
    pBar: Float64Array,
    w: number,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void;
  /** Adds what vjpPAccumulate and vjpUAndPAccumulate deferred into pBar. */
  flushP(pBar: Float64Array): void;
  /**
   * An independent copy (k = 0 or 1, made once and kept) that can be prepared with other
   * parameter values while this one stays prepared: the gradient audit evaluates f at p ± εδp
   * on every call of its tangent without re-preparing (an O(np) pass each time).
   */
  spare(k: 0 | 1): DifferentiableRhs;
}

/** Calls of vjpPAccumulate stacked per matrix product (see PullbackOptions.batch). */
const P_BATCH = 64;

class CompiledRhs implements DifferentiableRhs {
  readonly counts: RhsCounts = { f: 0, vjp: 0 };
  readonly inPlace = (du: Float64Array, u: Float64Array, p: Float64Array, t: number): void =>
    this.f(du, u, p, t);
  private readonly program: SpecialisedFunction;
  private readonly pullU: Pullback;
  private readonly pullP: Pullback;
  private readonly pullUP: Pullback;
  private readonly pullUPAcc: Pullback;
  /** Weights of vjpUAndPAccumulate's pass: 1 for u, w for p, none for t. */
  private readonly weights = [1, 1, 0];
  private readonly time = new Float64Array(1);
  private readonly args: Float64Array[];
  /** p copied into the kernels' memory at prepare (the wasm kernels then use it in place). */
  private readonly pKernel: Float64Array;
  private pSource: Float64Array | undefined;
  private readonly grads: (Float64Array | null)[] = [null, null, null];
  private readonly spares: CompiledRhs[] = [];

  constructor(
    readonly n: number,
    readonly np: number,
    private readonly fn: TensorOdeRhs,
    private readonly u0: Float64Array,
    private readonly p0: Float64Array,
    readonly pShape: Shape,
    private readonly t0: number,
  ) {
    const f = fn;
    const p = p0;
    const compiled = compile(f, tensor(u0.slice(), [n]), tensor(p.slice(), pShape), scalar(t0));
    // What makes solveOde's forward problem "rhsChecked" (problem.ts): the integrator skips its probe.
    checkRhsOutputShape(compiled.outputShape, n, "solveOde");
    // p is fixed for a whole solve or backward pass; u and t change at every call.
    this.program = compiled.specialise([false, true, false]);
    this.pullU = this.program.pullback([true, false, false]);
    this.pullP = this.program.pullback([false, true, false], { accumulate: true, batch: P_BATCH });
    this.pullUP = this.program.pullback([true, true, false]);
    this.pullUPAcc = this.program.pullback([true, true, false], { accumulate: true, batch: P_BATCH });
    this.pKernel = allocF64(np);
    this.args = [u0, this.pKernel, this.time];
  }

  spare(k: 0 | 1): DifferentiableRhs {
    this.spares[k] ??= new CompiledRhs(this.n, this.np, this.fn, this.u0, this.p0, this.pShape, this.t0);
    return this.spares[k];
  }

  prepare(p: Float64Array): void {
    this.pSource = p;
    this.pKernel.set(p);
    this.args[1] = this.pKernel;
    this.program.prepare(this.args);
  }

  private bind(u: Float64Array, p: Float64Array, t: number): Float64Array[] {
    this.args[0] = u;
    this.args[1] = p === this.pSource ? this.pKernel : p;
    this.time[0] = t;
    return this.args;
  }

  f(du: Float64Array, u: Float64Array, p: Float64Array, t: number): void {
    this.counts.f++;
    this.program.forward(this.bind(u, p, t), du);
  }

  vjpU(uBar: Float64Array, lambda: Float64Array, u: Float64Array, p: Float64Array, t: number): void {
    this.pull(this.pullU, uBar, null, lambda, u, p, t);
  }

  vjpUP(
    uBar: Float64Array,
    pBar: Float64Array,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    this.pull(this.pullUP, uBar, pBar, lambda, u, p, t);
  }

  vjpPAccumulate(
    pBar: Float64Array,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    this.pull(this.pullP, null, pBar, lambda, u, p, t);
  }

  vjpUAndPAccumulate(
    uBar: Float64Array,
    pBar: Float64Array,
    w: number,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    // The pass accumulates (for p), so u's cotangent starts from zero.
    uBar.fill(0, 0, this.n);
    this.weights[1] = w;
    this.pull(this.pullUPAcc, uBar, pBar, lambda, u, p, t, this.weights);
  }

  flushP(pBar: Float64Array): void {
    this.grads[0] = null;
    this.grads[1] = pBar;
    this.pullP.flush(this.grads);
    this.pullUPAcc.flush(this.grads);
  }

  private pull(
    pullback: Pullback,
    uBar: Float64Array | null,
    pBar: Float64Array | null,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
    weights?: readonly number[],
  ): void {
    this.counts.vjp++;
    this.grads[0] = uBar;
    this.grads[1] = pBar;
    pullback(this.bind(u, p, t), lambda, this.grads, weights);
  }
}

class UserRhs implements DifferentiableRhs {
  readonly counts: RhsCounts = { f: 0, vjp: 0 };
  readonly inPlace = (du: Float64Array, u: Float64Array, p: Float64Array, t: number): void =>
    this.f(du, u, p, t);
  private readonly uTmp: Float64Array;
  private readonly pTmp: Float64Array;

  constructor(
    readonly n: number,
    readonly np: number,
    private readonly user: InPlaceOdeRhs,
  ) {
    this.uTmp = new Float64Array(n);
    this.pTmp = new Float64Array(np);
  }

  prepare(_p: Float64Array): void {}

  /** The user's function keeps no state between calls: this object serves any p. */
  spare(_k: 0 | 1): DifferentiableRhs {
    return this;
  }

  f(du: Float64Array, u: Float64Array, p: Float64Array, t: number): void {
    this.counts.f++;
    this.user.f(du, u, p, t);
  }

  vjpU(uBar: Float64Array, lambda: Float64Array, u: Float64Array, p: Float64Array, t: number): void {
    this.counts.vjp++;
    this.user.vjp(uBar, null, lambda, u, p, t);
  }

  vjpUP(
    uBar: Float64Array,
    pBar: Float64Array,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    this.counts.vjp++;
    this.user.vjp(uBar, pBar, lambda, u, p, t);
  }

  vjpPAccumulate(
    pBar: Float64Array,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    this.vjpUAndPAccumulate(this.uTmp, pBar, 1, lambda, u, p, t);
  }

  vjpUAndPAccumulate(
    uBar: Float64Array,
    pBar: Float64Array,
    w: number,
    lambda: Float64Array,
    u: Float64Array,
    p: Float64Array,
    t: number,
  ): void {
    this.counts.vjp++;
    this.user.vjp(uBar, this.pTmp, lambda, u, p, t);
    axpy(this.np, w, this.pTmp, pBar);
  }

  flushP(_pBar: Float64Array): void {}
}

/**
 * Compiled right-hand sides, cached per function and shapes: a training loop calls solveOde
 * with the same f every iteration and should not retrace it each time.
 */
const cache = new WeakMap<TensorOdeRhs, Map<string, CompiledRhs>>();

export function differentiableRhs(
  f: TensorOdeRhs | InPlaceOdeRhs,
  u0: Float64Array,
  p: Float64Array,
  pShape: Shape,
  t0: number,
): DifferentiableRhs {
  const n = u0.length;
  const np = p.length;
  if (typeof f !== "function") return new UserRhs(n, np, f);
  let byShape = cache.get(f);
  if (byShape === undefined) {
    byShape = new Map();
    cache.set(f, byShape);
  }
  // The same shapes as the last call (a training loop): no key string to build.
  const last = byShape.get(LAST);
  if (last !== undefined && last.n === n && sameShape(last.pShape, pShape)) return last;
  const key = `${n}|${pShape.join(",")}`;
  let rhs = byShape.get(key);
  if (rhs === undefined) {
    try {
      rhs = new CompiledRhs(n, np, f, u0, p, pShape, t0);
    } catch (err) {
      // The error comes from inside the user's f (e.g. an op's ShapeError): say which call it was,
      // keeping the error's class and stack.
      if (err instanceof Error && !err.message.startsWith("solveOde: ")) {
        err.message = `solveOde: calling f(u, p, t) with u of shape [${n}], p of shape ${formatShape(pShape)} and t = ${t0} failed: ${err.message}`;
      }
      throw err;
    }
    byShape.set(key, rhs);
  }
  byShape.set(LAST, rhs);
  return rhs;
}

/** The cache entry of the last lookup (a key no shape string can equal). */
const LAST = "last";

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
