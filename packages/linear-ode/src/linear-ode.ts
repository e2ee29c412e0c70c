/**
 * `solveLinearOde(A, u0, times, { b })`: the states u(t_k) of du/dt = A·u (+ b), u(t₀) = u0 with
 * t₀ = times[0], as a [times, n] tensor, differentiable w.r.t. A, u0 and b through the autodiff
 * tape (op "linear-ode.solve"), so A may be any tensor expression, e.g. A(P) = P − diag(P·1).
 *
 * Closed form u(t) = exp(A(t − t₀))·u0. Evenly spaced times form one E = exp(A·Δ) and step
 * u_{k+1} = E·u_k; uneven times step with `expmv`. A constant forcing b is folded into the
 * (n+1)×(n+1) matrix [[A, b], [0, 0]] acting on [u; 1] (exp(t[[A, b], [0, 0]]) =
 * [[e^{tA}, t·φ₁(tA)b], [0, 1]], the standard augmentation; Al-Mohy & Higham 2011, §2); its gradient is the last column
 * of the augmented matrix's cotangent. Reverse mode: linear-chain.ts (one Fréchet derivative,
 * Al-Mohy & Higham 2009, for evenly spaced times).
 */
import { defineOp, type Tensor } from "@udekit/autodiff";
import { chainAdjoint, chainBuffers, chainForward, chainScratchLength } from "./linear-chain.js";
import { asTensor, type MatrixInput, type VectorInput } from "./matrix-input.js";
import { checkFinite, checkTimes, checkVector, evenStep, squareSize } from "./validate.js";
import { workspaceFor } from "./workspace.js";

interface SolveAttrs {
  times: Float64Array;
  /** Common step of evenly spaced times, or null (expmv route). */
  even: number | null;
}

/** Options of `solveLinearOde`. */
export interface SolveLinearOdeOptions {
  /** Constant forcing: du/dt = A·u + b (shape [n]). */
  b?: VectorInput;
}

/**
 * Scratch: chain buffers for N = n (+1 with b), the augmented matrix M, z0, the augmented
 * trajectory and its cotangent, and the augmented cotangents M̄, z̄0.
 */
function layout(n: number, hasB: boolean, T: number) {
  const N = hasB ? n + 1 : n;
  const chain = chainScratchLength(N);
  const traj = chain + N * N + N;
  const Mbar = traj + 2 * T * N;
  return { N, chain, M: chain, z0: chain + N * N, traj, Mbar, z0bar: Mbar + N * N, total: Mbar + N * N + N };
}

export const solveLinearOdeOp = defineOp<SolveAttrs>({
  name: "linear-ode.solve",
  shape: (shapes, attrs) => {
    const n = squareSize(shapes[0], "solveLinearOde: A");
    checkVector(shapes[1], n, "solveLinearOde: u0");
    if (shapes.length > 2) checkVector(shapes[2], n, "solveLinearOde: b");
    return [attrs.times.length, n];
  },
  workspace: (shapes, attrs) => layout(shapes[0][0], shapes.length > 2, attrs.times.length).total,
  forward(ctx) {
    const { inputs, attrs, scratch } = ctx;
    const n = ctx.inputShapes[0][0];
    const hasB = inputs.length > 2;
    checkFinite(inputs[0], "solveLinearOde: A");
    checkFinite(inputs[1], "solveLinearOde: u0");
    if (hasB) checkFinite(inputs[2], "solveLinearOde: b");
    const T = attrs.times.length;
    const lay = layout(n, hasB, T);
    const N = lay.N;
    const M = scratch.subarray(lay.M, lay.M + N * N);
    const z0 = scratch.subarray(lay.z0, lay.z0 + N);
    const traj = scratch.subarray(lay.traj, lay.traj + T * N);
    buildAugmented(n, inputs[0], inputs[1], hasB ? inputs[2] : null, M, z0);
    chainForward(
      N,
      M,
      z0,
      attrs.times[0],
      attrs.times,
      attrs.even,
      traj,
      chainBuffers(scratch, N),
      workspaceFor(N),
    );
    for (let k = 0; k < T; k++) for (let i = 0; i < n; i++) ctx.out[k * n + i] = traj[k * N + i];
  },
  vjp(ctx, yBar, inputGrads) {
    const { attrs, scratch } = ctx;
    const n = ctx.inputShapes[0][0];
    const hasB = ctx.inputs.length > 2;
    const T = attrs.times.length;
    const lay = layout(n, hasB, T);
    const N = lay.N;
    const M = scratch.subarray(lay.M, lay.M + N * N);
    const z0 = scratch.subarray(lay.z0, lay.z0 + N);
    const traj = scratch.subarray(lay.traj, lay.traj + T * N);
    const trajBar = scratch.subarray(lay.traj + T * N, lay.traj + 2 * T * N);
    const [Abar, u0bar] = inputGrads;
    const bBar = hasB ? inputGrads[2] : null;
    trajBar.fill(0);
    for (let k = 0; k < T; k++) for (let i = 0; i < n; i++) trajBar[k * N + i] = yBar[k * n + i];
    const buf = chainBuffers(scratch, N);
    if (!hasB) {
      chainAdjoint(
        N,
        M,
        z0,
        attrs.times[0],
        attrs.times,
        attrs.even,
        traj,
        trajBar,
        Abar,
        u0bar,
        buf,
        workspaceFor(N),
      );
      return;
    }
    const Mbar = Abar === null && bBar === null ? null : scratch.subarray(lay.Mbar, lay.Mbar + N * N);
    const z0bar = u0bar === null ? null : scratch.subarray(lay.z0bar, lay.z0bar + N);
    Mbar?.fill(0);
    z0bar?.fill(0);
    chainAdjoint(
      N,
      M,
      z0,
      attrs.times[0],
      attrs.times,
      attrs.even,
      traj,
      trajBar,
      Mbar,
      z0bar,
      buf,
      workspaceFor(N),
    );
    if (Mbar !== null) {
      for (let i = 0; i < n; i++) {
        if (Abar !== null) for (let j = 0; j < n; j++) Abar[i * n + j] += Mbar[i * N + j];
        if (bBar !== null) bBar[i] += Mbar[i * N + n];
      }
    }
    if (z0bar !== null && u0bar !== null) for (let i = 0; i < n; i++) u0bar[i] += z0bar[i];
  },
});

/** M = A (n×n) or [[A, b], [0, 0]] ((n+1)×(n+1)); z0 = u0 or [u0; 1]. */
function buildAugmented(
  n: number,
  A: Float64Array,
  u0: Float64Array,
  b: Float64Array | null,
  M: Float64Array,
  z0: Float64Array,
): void {
  if (b === null) {
    M.set(A.subarray(0, n * n));
    z0.set(u0.subarray(0, n));
    return;
  }
  const N = n + 1;
  M.fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * N + j] = A[i * n + j];
    M[i * N + n] = b[i];
    z0[i] = u0[i];
  }
  z0[n] = 1;
}

/**
 * States of du/dt = A·u (+ b) at `times` (strictly increasing; u(times[0]) = u0), as a
 * [times.length, n] tensor whose row k is u(times[k]). Differentiable w.r.t. A, u0 and b when
 * they are tensors; an ml-matrix Matrix or plain arrays are taken as constants.
 *
 * Route: evenly spaced times → one exp(A·Δ) (≈ (6 + s) n×n products) then one matrix–vector
 * product per time; the gradient costs one Fréchet derivative (≈ 3× an expm). Uneven times →
 * `expmv` steps; the gradient then costs one Fréchet derivative per step.
 *
 * When not to use: for nonlinear right-hand sides (use @udekit/ode), or for very large n with
 * many parameters where an n×n exponential does not fit (use an adjoint ODE solve).
 */
export function solveLinearOde(
  A: MatrixInput,
  u0: VectorInput,
  times: ArrayLike<number>,
  options: SolveLinearOdeOptions = {},
): Tensor {
  const t = checkTimes(times);
  const a = asTensor(A, "solveLinearOde: A");
  const u = asTensor(u0, "solveLinearOde: u0");
  const inputs = options.b === undefined ? [a, u] : [a, u, asTensor(options.b, "solveLinearOde: b")];
  return solveLinearOdeOp(inputs, { times: t, even: evenStep(t) });
}
