/**
 * Cotangent windows: the backward counterpart of placement.ts. Two kinds of step pass their
 * cotangent through unchanged, so a pullback can give them a window of another buffer instead of
 * a buffer of their own that is cleared, filled and then copied on:
 *
 * - an input of a concat along rows (`placesInputs`) read by nothing else: its cotangent is its
 *   window of the concat's cotangent (the concat's VJP then skips it);
 * - a slice or reshape (`viewOf`) of a flagged argument: its cotangent is added where its VJP
 *   would add it, into the window of the argument's cotangent (the caller's array, or the
 *   weighted scratch), so the step's own VJP never runs. That window is rebound at each call
 *   through a ViewCache.
 *
 * gradbench's concat([x₀, x[1:]·y[:−1]]) then pulls back with mul's two products and nothing
 * else: no clearing of four step cotangents, no concat or slice pass.
 */
import { ViewCache } from "../view-cache.js";
import type { Program } from "./program.js";

/** A step whose cotangent is a window of argument `slot`'s (see the file comment). */
export interface ArgumentWindow {
  step: number;
  slot: number;
  window: ViewCache;
  /** (step, input position) of each VJP adding into this step's cotangent. */
  readers: { step: number; position: number }[];
}

export interface GradWindows {
  /** Each step's cotangent buffer: its own, or a fixed window of its concat's. */
  grads: Float64Array[];
  /** Steps whose cotangent is the window of an argument's, rebound per call. */
  argumentWindows: ArgumentWindow[];
  /** Steps whose VJP still runs with a cotangent of their own to clear (the others share one). */
  cleared: boolean[];
}

/**
 * Plans the windows for a pullback whose VJPs run in `order` (output first), whose in-place
 * argument contributions are `bound` (step, position) pairs, and whose `inputGrads[s][i]` say
 * where step s's VJP adds input i's cotangent. Rewrites inputGrads and returns the steps to drop
 * from order (those whose cotangent went straight into an argument).
 */
export function planGradWindows(
  program: Program,
  order: readonly number[],
  wrt: readonly boolean[],
  inputGrads: (Float64Array | null)[][],
  isBound: (step: number, position: number) => boolean,
  /** Steps that keep a cotangent buffer of their own (deferred fixed steps: deferred-fixed.ts). */
  ownBuffer: (step: number) => boolean = () => false,
): GradWindows & { dropped: boolean[] } {
  const { steps, last } = program;
  const grads = steps.map((st) => st.grad);
  const cleared = steps.map(() => true);
  const dropped = steps.map(() => false);
  // Readers of each step's output: (step, position) pairs.
  const readers = steps.map(() => [] as { step: number; position: number }[]);
  steps.forEach((st, s) => {
    st.sources.forEach((src, position) => {
      if (src.kind === "step") readers[src.step].push({ step: s, position });
    });
  });
  const windowed = steps.map(() => false);
  // Output first, so a concat's own cotangent is settled before its inputs get windows of it.
  for (const c of order) {
    const st = steps[c];
    const offsets = st.op.placesInputs?.(st.ctx.inputShapes, st.ctx.attrs);
    if (offsets === undefined) continue;
    st.sources.forEach((src, i) => {
      if (src.kind !== "step") return;
      const q = src.step;
      // c's VJP passes q a cotangent (q needs one, and it is not stacked), and nothing else reads
      // q (so q is not the output either, nor another concat's window already).
      if (readers[q].length !== 1 || inputGrads[c][i] === null || ownBuffer(q)) return;
      const len = steps[q].ctx.out.length;
      grads[q] = grads[c].subarray(offsets[i], offsets[i] + len);
      windowed[q] = true;
      cleared[q] = false;
      // q's only reader is c: nothing else adds into q's cotangent.
      inputGrads[c][i] = null;
    });
  }
  const argumentWindows: ArgumentWindow[] = [];
  for (const q of order) {
    const st = steps[q];
    const src = st.sources[0];
    if (windowed[q] || q === last || src?.kind !== "leaf" || !wrt[src.slot] || !isBound(q, 0)) continue;
    const at = st.op.viewOf?.(st.ctx.inputShapes, st.ctx.attrs);
    if (at === undefined) continue;
    const live = readers[q].filter((r) => inputGrads[r.step][r.position] !== null);
    argumentWindows.push({
      step: q,
      slot: src.slot,
      window: new ViewCache(at, st.ctx.out.length),
      readers: live,
    });
    // Out of order: its VJP never runs, its cotangent is never cleared.
    dropped[q] = true;
  }
  return { grads, argumentWindows, cleared, dropped };
}
