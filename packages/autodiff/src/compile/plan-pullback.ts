/**
 * Pullback planning: for the arguments flagged in `wrt`, which steps' VJPs run and in what order,
 * which forward steps must run first (what those VJPs read), where each VJP adds its input
 * cotangents, and which contributions are stacked instead (batching.ts). Planned once per
 * `pullback(wrt, options)`; the calls then only execute the plan (pullback.ts).
 */
import type { PullbackOptions } from "./api.js";
import { type OuterSite, planBatching } from "./batching.js";
import { checkBatch, checkFlags } from "./check-args.js";
import { type DeferredSteps, deferredSteps } from "./deferred-fixed.js";
import { type ArgumentWindow, planGradWindows } from "./grad-windows.js";
import type { Binding, Program, Source } from "./program.js";
import { writtenRanges } from "./scratch-ranges.js";

export interface PullbackPlan {
  wrt: readonly boolean[];
  accumulate: boolean;
  /** Forward steps to run before the backward pass, in execution order. */
  forward: number[];
  /** Steps whose VJP runs, from the output back (consumers before the steps they read). */
  order: number[];
  /** inputGrads[s][i]: the buffer step s's VJP adds input i's cotangent into; null when not needed or stacked. Argument slots are rebound per call (gradBindings). */
  inputGrads: (Float64Array | null)[][];
  /** Where a flagged argument feeds a VJP that adds into it in place. */
  gradBindings: Binding[];
  /** The flagged argument slots. */
  slots: number[];
  /** False when no flagged argument depends on the output: calls add nothing. */
  outNeeded: boolean;
  sites: OuterSite[];
  /** siteOf[s]: the stacked contributions of step s. */
  siteOf: OuterSite[][];
  /** Per argument, the ranges in-place VJPs write (scratch-ranges.ts). */
  ranges: number[][];
  /** Each step's cotangent buffer (its own, or a window: grad-windows.ts). */
  grads: Float64Array[];
  /** Steps whose cotangent is a window of an argument's, rebound per call. */
  argumentWindows: ArgumentWindow[];
  /** The steps of order whose cotangent is cleared before each call (the others are windows). */
  cleared: number[];
  /** Fixed steps whose VJPs run at flush (deferred-fixed.ts), or null. */
  deferred: DeferredSteps | null;
  /** Deferred steps that per-call VJPs add into (their own cotangent, cleared before each call). */
  received: number[];
  /** Per step: the accumulator of a deferred step that calls add into (else null). */
  accumulators: (Float64Array | null)[];
}

/** `skip[s]` marks steps whose forward values are already in place (specialise's fixed steps). */
export function planPullback(
  program: Program,
  wrt: readonly boolean[],
  { accumulate = false, batch = 0 }: PullbackOptions,
  skip: readonly boolean[],
): PullbackPlan {
  checkBatch(batch, accumulate);
  checkFlags(program, "pullback", "wrt", wrt);
  const { steps, bindings, reads, last, outSlot } = program;
  // A step needs its output cotangent when any of its inputs leads to a flagged argument.
  const needs = new Array<boolean>(steps.length).fill(false);
  const leads = (src: Source): boolean =>
    (src.kind === "leaf" && wrt[src.slot]) || (src.kind === "step" && needs[src.step]);
  steps.forEach((st, s) => {
    needs[s] = st.sources.some(leads);
  });
  const deferred = deferredSteps(program, wrt, needs, skip, accumulate, batch);
  const held = (s: number): boolean => deferred?.deferred[s] === true;
  let order = steps
    .map((_, s) => s)
    .filter((s) => needs[s] && !held(s))
    .reverse();
  const { sites, deferredAt } = planBatching(program, order, wrt, batch, deferred);
  // Steps that still receive a cotangent once the stacked contributions bypass them (order
  // runs from the output back, so consumers come before the steps they read).
  const receives = new Array<boolean>(steps.length).fill(false);
  receives[last] = true;
  for (const s of order) {
    if (!receives[s]) continue;
    steps[s].sources.forEach((src, i) => {
      if (src.kind === "step" && !deferredAt[s][i]) receives[src.step] = true;
    });
  }
  order = order.filter((s) => receives[s]);
  // Forward values the backward pass reads: a step's own results, or its inputs' producers.
  const wanted = new Array<boolean>(steps.length).fill(false);
  for (const s of order) {
    if (reads[s].forward) wanted[s] = true;
    if (reads[s].inputs) for (const src of steps[s].sources) if (src.kind === "step") wanted[src.step] = true;
  }
  // A stacked contribution's right-hand vector r is read from the forward values too.
  for (const d of sites) {
    const r = d.stack.outer.right;
    const src = typeof r === "number" ? steps[d.step].sources[r] : undefined;
    if (src?.kind === "step") wanted[src.step] = true;
  }
  const forward = program.closure(wanted).filter((s) => !skip[s]);
  const inputGrads: (Float64Array | null)[][] = steps.map((st, s) =>
    st.sources.map((src, i) =>
      src.kind === "step" && needs[src.step] && !deferredAt[s][i] ? steps[src.step].grad : null,
    ),
  );
  const siteOf = steps.map((_, s) => sites.filter((d) => d.step === s));
  let gradBindings = bindings.filter(
    (b) => wrt[b.slot] && needs[b.step] && !held(b.step) && !deferredAt[b.step][b.position],
  );
  const slots = wrt.map((w, i) => (w ? i : -1)).filter((i) => i >= 0);
  const outNeeded = outSlot >= 0 ? wrt[outSlot] : needs[last];
  // Scratch ranges count the windows' VJPs as if they ran: their contributions land there.
  const ranges = writtenRanges(program, gradBindings, receives);
  const bound = new Set(gradBindings.map((b) => `${b.step}:${b.position}`));
  const windows = planGradWindows(program, order, wrt, inputGrads, (s, i) => bound.has(`${s}:${i}`), held);
  order = order.filter((s) => !windows.dropped[s]);
  gradBindings = gradBindings.filter((b) => !windows.dropped[b.step]);
  // Deferred steps that calls add into: in place (cleared before each call, then accumulated), or
  // stacked into their accumulator.
  const received = steps.map((_, s) => s).filter((s) => held(s) && receives[s]);
  const accumulators: (Float64Array | null)[] = steps.map(() => null);
  for (const q of received) accumulators[q] = program.alloc(steps[q].ctx.out.length);
  for (const d of sites)
    if (d.into >= 0) accumulators[d.into] ??= program.alloc(steps[d.into].ctx.out.length);
  return {
    wrt,
    accumulate,
    forward,
    order,
    inputGrads,
    gradBindings,
    slots,
    outNeeded,
    sites,
    siteOf,
    ranges,
    grads: windows.grads,
    argumentWindows: windows.argumentWindows,
    // The output's own cotangent is overwritten by each call's (same length): not cleared first.
    cleared: [...order.filter((s) => windows.cleared[s] && s !== last), ...received],
    deferred,
    received,
    accumulators,
  };
}
