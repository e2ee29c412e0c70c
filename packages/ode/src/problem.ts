/**
 * ODEProblem: du/dt = f(u, p, t), u(t0) = u0, on tspan = [t0, t1] (t1 < t0 integrates
 * backward). The right-hand side is either an in-place function on Float64Array (the fast
 * path; optional analytic Jacobian and vector–Jacobian product) or a tensor function built
 * from @udekit/autodiff ops, compiled once into an allocation-free tape (see tensor-rhs.ts).
 * The two are told apart by what f returns (rhs-kind.ts), and the constructor's overloads say
 * the same to the type checker: a function returning void is in place, one returning a Tensor
 * is a tensor right-hand side.
 */
import { isMatrixLike, type MatrixLike, type Tensor, tensor } from "@udekit/autodiff";
import { InvalidProblemError } from "./errors.js";
import { inferRhsKind } from "./rhs-kind.js";

/** In-place right-hand side: writes f(u, p, t) into du. Must not keep references to du or u. */
export type InPlaceRhs = (du: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;

/** Jacobian J = ∂f/∂u written row-major into J (n×n): J[i·n + j] = ∂fᵢ/∂uⱼ. */
export type JacobianFunction = (J: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;

/** Time derivative ∂f/∂t written into dT (n entries). */
export type TimeDerivativeFunction = (dT: Float64Array, u: Float64Array, p: Float64Array, t: number) => void;

/** Vector–Jacobian product: out = λᵀ·∂f/∂u (n entries). Used by the adjoint sensitivities. */
export type VjpFunction = (
  out: Float64Array,
  lambda: Float64Array,
  u: Float64Array,
  p: Float64Array,
  t: number,
) => void;

/**
 * Tensor right-hand side `(u, p, t) => Tensor` built from @udekit/autodiff ops; t is a
 * rank-0 tensor so that time dependence is traced too.
 */
export type TensorRhs = (u: Tensor, p: Tensor, t: Tensor) => Tensor;

export interface ODEProblemOptions {
  /** Analytic Jacobian (used by the Rosenbrock methods instead of finite differences). */
  jac?: JacobianFunction;
  /** Analytic ∂f/∂t (used by the Rosenbrock methods instead of a central difference in t). */
  tgrad?: TimeDerivativeFunction;
  /** Analytic vector–Jacobian product (used by the adjoint sensitivities). */
  vjp?: VjpFunction;
  /**
   * How to read `f`: "inplace" `(du, u, p, t) => void` or "tensor" `(u, p, t) => Tensor`.
   * Default: a function of 4 parameters (or fewer than 3) is in place; one of exactly 3 is
   * called once, when the problem is made, with tensors (u0, p, t0): it is a tensor right-hand
   * side if it returns a Tensor, else in place (du, u, p) (see rhs-kind.ts).
   */
  kind?: "inplace" | "tensor";
  /** A name for messages and benchmark tables. */
  name?: string;
  /**
   * Shape of p as the tensor right-hand side sees it, e.g. [n, n] for a matrix (default
   * [p.length], or [rows, columns] when p is a matrix object such as an ml-matrix Matrix).
   */
  pShape?: readonly number[];
}

/**
 * Internal (not exported from the package): an ODEProblemOptions key for what solveOde knows of
 * its forward problems.
 * - `shareArrays`: keep u0 and p as given when they are Float64Arrays instead of copying them
 *   (tensors' arrays, which no one writes while the solve and its pullback read them: two fresh
 *   copies per gradient were two first touches of large arrays, 0.5–0.7 ms each at n = 10⁵).
 * - `rhsChecked`: f writes exactly n entries (a compiled tensor program, whose output shape
 *   differentiable-rhs.ts checks against [n] when it compiles f), so an integrator skips its first-call probe of f (integrator.ts
 *   checkRhs: one extra evaluation per solve); a non-finite f(u0) then fails the solve with a
 *   retcode (NaN rows), as any other non-finite step does, instead of throwing.
 */
export const INTERNAL: unique symbol = Symbol("udekit.ode.internal-problem-options");
export interface InternalProblemOptions {
  shareArrays?: boolean;
  rhsChecked?: boolean;
}

const rhsChecked = new WeakSet<ODEProblem>();
/** Whether the problem was made with `{ [INTERNAL]: { rhsChecked: true } }`. */
export function isRhsChecked(problem: ODEProblem): boolean {
  return rhsChecked.has(problem);
}

function toFloat64(x: ArrayLike<number>, what: string, share: boolean): Float64Array {
  const a = share && x instanceof Float64Array ? x : Float64Array.from(x);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) {
      throw new InvalidProblemError(
        `@udekit/ode: ${what}[${i}] is ${a[i]}; every entry must be finite. Fix the initial data before solving.`,
      );
    }
  }
  return a;
}

export class ODEProblem {
  /** State dimension. */
  readonly n: number;
  readonly u0: Float64Array;
  readonly tspan: readonly [number, number];
  readonly p: Float64Array;
  readonly kind: "inplace" | "tensor";
  /** The in-place right-hand side (for tensor problems: undefined until compiled by the solver). */
  readonly f: InPlaceRhs | undefined;
  readonly tensorF: TensorRhs | undefined;
  readonly jac: JacobianFunction | undefined;
  readonly tgrad: TimeDerivativeFunction | undefined;
  readonly vjp: VjpFunction | undefined;
  readonly name: string;
  readonly pShape: readonly number[] | undefined;

  /** In place: `f(du, u, p, t)` writes du and returns nothing. */
  constructor(
    f: InPlaceRhs,
    u0: ArrayLike<number>,
    tspan: readonly [number, number] | readonly number[],
    p?: ArrayLike<number> | MatrixLike,
    options?: ODEProblemOptions & { kind?: "inplace" },
  );
  /** Tensor right-hand side: `f(u, p, t)` returns du/dt as a Tensor (annotate its parameters as Tensor). */
  constructor(
    f: TensorRhs,
    u0: ArrayLike<number>,
    tspan: readonly [number, number] | readonly number[],
    p?: ArrayLike<number> | MatrixLike,
    options?: ODEProblemOptions & { kind?: "tensor" },
  );
  constructor(
    f: InPlaceRhs | TensorRhs,
    u0: ArrayLike<number>,
    tspan: readonly [number, number] | readonly number[],
    p: ArrayLike<number> | MatrixLike = new Float64Array(0),
    options: ODEProblemOptions & { [INTERNAL]?: InternalProblemOptions } = {},
  ) {
    if (typeof f !== "function") {
      throw new InvalidProblemError(
        "@udekit/ode: f must be a function (du, u, p, t) => void (in place) or (u, p, t) => Tensor.",
      );
    }
    if (options.kind !== undefined && options.kind !== "inplace" && options.kind !== "tensor") {
      throw new InvalidProblemError(
        `@udekit/ode: options.kind = ${String(options.kind)}; expected "inplace" (du, u, p, t) => void or "tensor" (u, p, t) => Tensor.`,
      );
    }
    if (u0 === null || u0 === undefined || typeof u0.length !== "number" || u0.length === 0) {
      throw new InvalidProblemError(
        "@udekit/ode: u0 must be a non-empty array of numbers (Float64Array or number[]).",
      );
    }
    if (!Array.isArray(tspan) || tspan.length !== 2) {
      throw new InvalidProblemError(
        "@udekit/ode: tspan must be a pair [t0, t1] of finite numbers (t1 < t0 integrates backward).",
      );
    }
    const [t0, t1] = tspan as [number, number];
    if (typeof t0 !== "number" || typeof t1 !== "number" || !Number.isFinite(t0) || !Number.isFinite(t1)) {
      throw new InvalidProblemError(`@udekit/ode: tspan = [${t0}, ${t1}] must hold two finite numbers.`);
    }
    if (t0 === t1) {
      throw new InvalidProblemError(
        `@udekit/ode: tspan = [${t0}, ${t1}] is empty; t1 must differ from t0 (t1 < t0 integrates backward).`,
      );
    }
    if (options.jac !== undefined && typeof options.jac !== "function") {
      throw new InvalidProblemError("@udekit/ode: options.jac must be a function (J, u, p, t) => void.");
    }
    if (options.tgrad !== undefined && typeof options.tgrad !== "function") {
      throw new InvalidProblemError("@udekit/ode: options.tgrad must be a function (dT, u, p, t) => void.");
    }
    if (options.vjp !== undefined && typeof options.vjp !== "function") {
      throw new InvalidProblemError(
        "@udekit/ode: options.vjp must be a function (out, lambda, u, p, t) => void.",
      );
    }
    const internal = options[INTERNAL];
    const share = internal?.shareArrays === true;
    this.u0 = toFloat64(u0, "u0", share);
    this.n = this.u0.length;
    this.tspan = [t0, t1];
    const matrix = isMatrixLike(p);
    this.p = matrix ? tensor(p).data : share && p instanceof Float64Array ? p : Float64Array.from(p);
    this.pShape = options.pShape ?? (matrix ? [p.rows, p.columns] : undefined);
    this.jac = options.jac;
    this.tgrad = options.tgrad;
    this.vjp = options.vjp;
    this.name = options.name ?? "ODEProblem";
    if (this.pShape !== undefined && this.pShape.reduce((a, b) => a * b, 1) !== this.p.length) {
      throw new InvalidProblemError(
        `@udekit/ode: pShape [${this.pShape.join(", ")}] holds ${this.pShape.reduce((a, b) => a * b, 1)} entries but p has ${this.p.length}.`,
      );
    }
    this.kind = options.kind ?? inferRhsKind(f, this.u0, this.p, this.pShape, t0);
    this.f = this.kind === "inplace" ? (f as InPlaceRhs) : undefined;
    this.tensorF = this.kind === "tensor" ? (f as TensorRhs) : undefined;
    if (internal?.rhsChecked === true) rhsChecked.add(this);
  }

  /** A copy with other initial data, time span or parameters (same right-hand side and options). */
  remake(changes: {
    u0?: ArrayLike<number>;
    tspan?: readonly [number, number];
    p?: ArrayLike<number> | MatrixLike;
  }): ODEProblem {
    // The kind is already known: cast to one overload (the implementation takes either).
    const f = (this.f ?? this.tensorF) as InPlaceRhs;
    return new ODEProblem(f, changes.u0 ?? this.u0, changes.tspan ?? this.tspan, changes.p ?? this.p, {
      jac: this.jac,
      tgrad: this.tgrad,
      vjp: this.vjp,
      kind: this.kind as "inplace",
      name: this.name,
      // A new matrix p brings its own shape.
      pShape: changes.p !== undefined && isMatrixLike(changes.p) ? undefined : this.pShape,
    });
  }
}
