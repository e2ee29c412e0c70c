/**
 * Pullback execution: one call of a planned pullback (plan-pullback.ts) — bind the arguments,
 * run the forward steps the VJPs read, then each VJP from the output back, adding into the
 * caller's arrays (or a weighted scratch, scratch-ranges.ts) and pushing stacked rank-1
 * contributions (batching.ts). Allocates nothing per call.
 */
import { CompileError } from "../errors.js";
import type { Pullback } from "./api.js";
import { checkArrays, checkCotangent, checkWeights } from "./check-args.js";
import { type DeferredSteps, makeDeferral } from "./deferred-fixed.js";
import type { PullbackPlan } from "./plan-pullback.js";
import type { Program } from "./program.js";
import { straightLineBind, straightLineRun, straightLineVjps } from "./straight-line.js";

const one = (weights: readonly number[] | undefined, slot: number): number => weights?.[slot] ?? 1;

export function makePullback(program: Program, plan: PullbackPlan): Pullback {
  const { inputSizes, outSlot, outSize, last } = program;
  const {
    forward,
    order,
    inputGrads,
    gradBindings,
    slots,
    outNeeded,
    sites,
    siteOf,
    ranges,
    accumulate,
    grads: stepGrads,
    argumentWindows,
    cleared,
    deferred,
    received,
    accumulators,
  } = plan;
  /** Per argument, the scratch weighted calls write into (allocated at the first such call). */
  const scratchGrads: (Float64Array | null)[] = inputSizes.map(() => null);
  const bind = straightLineBind(program);
  const runForward = straightLineRun(program, forward);
  const vjps = straightLineVjps(program, order, stepGrads, inputGrads, siteOf, accumulators);
  const deferral =
    deferred === null
      ? null
      : makeDeferral(
          program,
          deferred,
          plan.wrt,
          received,
          accumulators,
          sites.filter((d) => d.into >= 0),
        );
  const pull = (
    inputs: readonly Float64Array[],
    cotangent: Float64Array,
    grads: readonly (Float64Array | null)[],
    weights?: readonly number[],
  ) => {
    program.checkLive("pullback");
    checkArrays(program, "pullback (inputs)", inputs);
    checkArrays(program, "pullback (grads)", grads, plan.wrt, true);
    checkCotangent(program, cotangent);
    if (weights !== undefined) checkWeights(weights, inputSizes.length);
    deferral?.beforeCall(grads);
    bind(inputs);
    runForward();
    if (!accumulate) {
      for (let i = 0; i < slots.length; i++)
        (grads[slots[i]] as Float64Array).fill(0, 0, inputSizes[slots[i]]);
    }
    // Where each argument's in-place contributions go: grads itself, or a cleared scratch.
    for (let i = 0; weights !== undefined && i < slots.length; i++) {
      const slot = slots[i];
      if (weights[slot] === 1) continue;
      scratchGrads[slot] ??= program.alloc(inputSizes[slot]);
      const r = ranges[slot];
      for (let k = 0; k < r.length; k += 2) (scratchGrads[slot] as Float64Array).fill(0, r[k], r[k + 1]);
    }
    for (let b = 0; b < gradBindings.length; b++) {
      const { step, position, slot } = gradBindings[b];
      inputGrads[step][position] = one(weights, slot) === 1 ? grads[slot] : scratchGrads[slot];
    }
    // Steps whose cotangent is a window of an argument's: their readers add straight into it.
    for (let w = 0; w < argumentWindows.length; w++) {
      const aw = argumentWindows[w];
      const target = one(weights, aw.slot) === 1 ? grads[aw.slot] : scratchGrads[aw.slot];
      const view = aw.window.windowOf(target as Float64Array);
      for (let r = 0; r < aw.readers.length; r++) {
        const { step, position } = aw.readers[r];
        inputGrads[step][position] = view;
      }
    }
    if (!outNeeded) return;
    if (outSlot >= 0) {
      const g = grads[outSlot] as Float64Array;
      const w = one(weights, outSlot);
      for (let i = 0; i < outSize; i++) g[i] += w * cotangent[i];
      return;
    }
    for (let k = 0; k < cleared.length; k++) stepGrads[cleared[k]].fill(0);
    stepGrads[last].set(cotangent);
    vjps(grads, weights);
    if (deferral !== null) deferral.afterCall(one(weights, (deferred as DeferredSteps).slot));
    for (let i = 0; weights !== undefined && i < slots.length; i++) {
      const slot = slots[i];
      const w = weights[slot];
      if (w === 1) continue;
      const g = grads[slot] as Float64Array;
      const src = scratchGrads[slot] as Float64Array;
      const r = ranges[slot];
      for (let k = 0; k < r.length; k += 2) for (let j = r[k]; j < r[k + 1]; j++) g[j] += w * src[j];
    }
  };
  const flush = (grads: readonly (Float64Array | null)[]): void => {
    program.checkLive("pullback");
    for (const d of sites) {
      if (d.into < 0 && d.stack.pending && !d.stack.pendingFor(grads[d.slot])) {
        throw new CompileError(
          "compiled pullback: flush(grads) got other arrays than the calls it is flushing; pass the same grads to every call and to flush.",
        );
      }
      d.stack.flush();
    }
    deferral?.flush(grads);
  };
  return Object.assign(pull, { flush });
}
