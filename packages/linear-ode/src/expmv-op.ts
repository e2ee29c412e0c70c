/**
 * Public `expmv(t, A, v)` = exp(tA)·v for one time or an increasing array of times, and the
 * autodiff op "linear-ode.expmv" with VJPs for A and v (see linear-chain.ts):
 * v̄ = exp(tAᵀ)·ȳ (an expmv with Aᵀ) and Ā = t·L(tAᵀ, ȳ·vᵀ) = ∫₀ᵗ exp(sAᵀ)ȳ·vᵀexp((t−s)Aᵀ) ds,
 * by one Fréchet evaluation per step (Al-Mohy & Higham 2009, Algorithm 6.4) — n×n objects only.
 *
 * Reference: A. H. Al-Mohy, N. J. Higham, "Computing the action of the matrix exponential,
 * with an application to exponential integrators", SIAM J. Sci. Comput. 33(2), 2011.
 */
import { defineOp, type Tensor } from "@udekit/autodiff";
import { TimesError } from "./errors.js";
import { type ExpmvOptions, expmvInto, expmvTimesInto } from "./expmv.js";
import { chainAdjoint, chainBuffers, chainForward, chainScratchLength } from "./linear-chain.js";
import { asTensor, type MatrixInput, type VectorInput } from "./matrix-input.js";
import { checkFinite, checkTimes, checkVector, squareSize, squareSizeOfArray } from "./validate.js";
import { workspaceFor } from "./workspace.js";

interface ExpmvAttrs {
  /** Output times (one or more, strictly increasing). */
  times: Float64Array;
  /** True when the caller passed a single number (output [n] instead of [1, n]). */
  scalarTime: boolean;
}

export const expmvOp = defineOp<ExpmvAttrs>({
  name: "linear-ode.expmv",
  shape: ([sA, sv], attrs) => {
    const n = squareSize(sA, "expmv: A");
    checkVector(sv, n, "expmv: v");
    return attrs.scalarTime ? [n] : [attrs.times.length, n];
  },
  workspace: ([sA]) => chainScratchLength(sA[0]),
  forward(ctx) {
    const [A, v] = ctx.inputs;
    checkFinite(A, "expmv: A");
    checkFinite(v, "expmv: v");
    const n = ctx.inputShapes[0][0];
    chainForward(n, A, v, 0, ctx.attrs.times, null, ctx.out, chainBuffers(ctx.scratch, n), workspaceFor(n));
  },
  vjp(ctx, yBar, [Abar, vBar]) {
    const [A, v] = ctx.inputs;
    const n = ctx.inputShapes[0][0];
    const buf = chainBuffers(ctx.scratch, n);
    chainAdjoint(n, A, v, 0, ctx.attrs.times, null, ctx.out, yBar, Abar, vBar, buf, workspaceFor(n));
  },
});

/**
 * exp(tA)·v without forming exp(tA) (truncated Taylor, Al-Mohy & Higham 2011). `t` is one
 * time (output [n]) or a strictly increasing array (output [times, n], row k = exp(t_k A)·v,
 * computed by stepping from one time to the next). Tensors are differentiable w.r.t. A and v;
 * Float64Arrays (A of length n²) give a Float64Array.
 *
 * Cost: about ‖tA‖₁ matrix–vector products (plus norm estimates once per call when
 * ‖tA‖₁ ≳ 63). Beats forming exp(tA) when that count is well below n (large sparse-ish A or
 * moderate ‖tA‖); for many vectors with the same tA, form `expm(tA)` once instead.
 */
export function expmv(
  t: number | ArrayLike<number>,
  A: MatrixInput,
  v: VectorInput,
  options?: ExpmvOptions,
): Tensor;
export function expmv(
  t: number | ArrayLike<number>,
  A: Float64Array,
  v: Float64Array,
  options?: ExpmvOptions,
): Float64Array;
export function expmv(
  t: number | ArrayLike<number>,
  A: MatrixInput | Float64Array,
  v: VectorInput | Float64Array,
  options: ExpmvOptions = {},
): Tensor | Float64Array {
  const scalarTime = typeof t === "number";
  if (!scalarTime && !Array.isArray(t) && !ArrayBuffer.isView(t)) {
    // Typically expmv(A, v): the time comes first, as in expmv(t, A, v).
    const got =
      t === null ? "null" : typeof t === "object" ? `a ${t.constructor?.name ?? "object"}` : typeof t;
    throw new TimesError(
      `(expmv's first argument, t) is ${got}, not a time; expmv takes (t, A, v), time first, e.g. expmv(1, A, v)`,
    );
  }
  if (scalarTime && !Number.isFinite(t)) throw new TimesError(`t = ${t} is not finite`);
  const times = scalarTime ? Float64Array.of(t) : checkTimes(t);
  if (A instanceof Float64Array) {
    const n = squareSizeOfArray(A, "expmv: A");
    if (!(v instanceof Float64Array)) throw new TypeError("expmv: pass v as a Float64Array when A is one.");
    checkVector([v.length], n, "expmv: v");
    checkFinite(A, "expmv: A");
    checkFinite(v, "expmv: v");
    const ws = workspaceFor(n);
    if (scalarTime) {
      const out = new Float64Array(n);
      expmvInto(n, t as number, A, v, out, ws, options);
      return out;
    }
    const out = new Float64Array(times.length * n);
    expmvTimesInto(n, times, A, v, out, ws, 0, options);
    return out;
  }
  if (v instanceof Float64Array) throw new TypeError("expmv: pass v as a Tensor when A is one.");
  return expmvOp([asTensor(A, "expmv: A"), asTensor(v, "expmv: v")], { times, scalarTime });
}
