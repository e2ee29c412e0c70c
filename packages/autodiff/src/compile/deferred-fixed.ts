/**
 * Deferred fixed steps. In a specialised program (specialise.ts) the steps that depend only on the
 * fixed arguments — A = P − diag(P·1), say, computed once per `prepare` — keep their values from
 * call to call, and a VJP is linear in the cotangent. So an accumulating, batched pullback (whose
 * caller flushes before reading grads) need not pull every call's cotangent back through them:
 * each call adds the cotangent of the fixed steps it reads (the frontier: A), times the argument's
 * weight, into an accumulator — a rank-1 contribution through the stack of batching.ts, so nothing
 * of A's size per call — and the fixed steps' VJPs run once, at flush. For
 * matvec(P − diag(P·1), u) per call that is one matrix–vector product and a stacked rank-1 term,
 * where it was a rank-1 update of Ā and the n²-entry VJPs of sub, diag and sum.
 *
 * Planned only for accumulating pullbacks with a batch, where the fixed steps that need a
 * cotangent lead to a single flagged argument (one weight then scales all their contributions)
 * and the output is not itself fixed.
 */
import { axpy } from "@udekit/kernels";
import { CompileError } from "../errors.js";
import { ViewCache } from "../view-cache.js";
import type { OuterSite } from "./batching.js";
import type { Program } from "./program.js";

export interface DeferredSteps {
  /** deferred[s]: step s is fixed and needs a cotangent; its VJP runs at flush. */
  deferred: boolean[];
  /** The flagged argument every deferred step leads to (its weight scales the accumulators). */
  slot: number;
  /**
   * Per step, when it is a window of an argument (a chain of viewOf steps from it: reshape,
   * slice): the argument and the window's offset. Such views are not deferred: their readers add
   * into the argument's cotangent directly, per call or at flush (a window of grads[slot]).
   */
  leafViews: ({ slot: number; offset: number } | null)[];
}

/** The fixed steps whose VJPs a pullback can defer to flush, or null when none can be. */
export function deferredSteps(
  program: Program,
  wrt: readonly boolean[],
  needs: readonly boolean[],
  skip: readonly boolean[],
  accumulate: boolean,
  batch: number,
): DeferredSteps | null {
  const { steps, last, outSlot } = program;
  if (!accumulate || batch === 0 || outSlot >= 0 || skip[last]) return null;
  const leafViews: ({ slot: number; offset: number } | null)[] = steps.map(() => null);
  steps.forEach((st, s) => {
    const at = st.op.viewOf?.(st.ctx.inputShapes, st.ctx.attrs);
    const src = st.sources[0];
    if (at === undefined || src === undefined) return;
    if (src.kind === "leaf") leafViews[s] = { slot: src.slot, offset: at };
    else if (src.kind === "step" && leafViews[src.step] !== null) {
      const base = leafViews[src.step] as { slot: number; offset: number };
      leafViews[s] = { slot: base.slot, offset: base.offset + at };
    }
  });
  const deferred = steps.map((_, s) => skip[s] && needs[s] && leafViews[s] === null);
  if (!deferred.includes(true)) return null;
  // The flagged arguments the deferred steps add into at flush (directly or through a view).
  const slots = new Set<number>();
  steps.forEach((st, s) => {
    if (!deferred[s]) return;
    for (const src of st.sources) {
      const slot =
        src.kind === "leaf" ? src.slot : src.kind === "step" ? (leafViews[src.step]?.slot ?? -1) : -1;
      if (slot >= 0 && wrt[slot]) slots.add(slot);
    }
  });
  if (slots.size !== 1) return null;
  return { deferred, slot: [...slots][0], leafViews };
}

/** What a pullback does about its deferred steps, per call and at flush (see makeDeferral). */
export interface Deferral {
  /**
   * Before a call's VJPs: the array the call adds into is grads[slot]; while cotangents of calls
   * into another array are pending, they are pulled back into that one first (as a stack does).
   */
  beforeCall(grads: readonly (Float64Array | null)[]): void;
  /** After the call's VJPs: accumulators += weight · this call's cotangents of the frontier. */
  afterCall(weight: number): void;
  /** Pulls the pending cotangents back into grads[slot], which must be the calls' array. */
  flush(grads: readonly (Float64Array | null)[]): void;
  /** Pulls the pending cotangents back into the calls' array (before prepare changes the fixed values). */
  settle(): void;
}

/**
 * The deferral of a planned pullback: `received` are the deferred steps that per-call VJPs add
 * into (their own cotangent buffer, cleared before each call); `stacks` the stacked sites whose
 * contributions go to a deferred step's accumulator. Each frontier step has an accumulator; the
 * other deferred steps use their own buffer, cleared at flush.
 */
export function makeDeferral(
  program: Program,
  d: DeferredSteps,
  wrt: readonly boolean[],
  received: readonly number[],
  accumulators: readonly (Float64Array | null)[],
  stacks: readonly OuterSite[],
): Deferral {
  const { steps } = program;
  const { deferred, slot } = d;
  // Deferred steps that get a cotangent at flush: the frontier, and their deferred producers.
  const gets = steps.map((_, s) => accumulators[s] !== null);
  for (let s = steps.length - 1; s >= 0; s--) {
    if (!deferred[s] || !gets[s]) continue;
    for (const src of steps[s].sources) if (src.kind === "step" && deferred[src.step]) gets[src.step] = true;
  }
  const order: number[] = [];
  for (let s = steps.length - 1; s >= 0; s--) if (deferred[s] && gets[s]) order.push(s);
  const gradOf = steps.map((st, s) => accumulators[s] ?? st.grad);
  const interior = order.filter((s) => accumulators[s] === null);
  const inputGrads = steps.map((st, s) =>
    st.sources.map((src) =>
      deferred[s] && src.kind === "step" && deferred[src.step] && gets[src.step] ? gradOf[src.step] : null,
    ),
  );
  // Where a deferred step reads the flagged argument, or a window of it: its VJP adds into the
  // calls' array (a window of it, made once per array by a ViewCache).
  const argumentReads: { step: number; position: number; window: ViewCache }[] = [];
  for (const s of order) {
    steps[s].sources.forEach((src, position) => {
      const view = src.kind === "step" ? d.leafViews[src.step] : null;
      if (src.kind === "leaf" && wrt[src.slot]) {
        argumentReads.push({ step: s, position, window: new ViewCache(0, program.inputSizes[src.slot]) });
      } else if (src.kind === "step" && view !== null && wrt[view.slot]) {
        const length = steps[src.step].ctx.out.length;
        argumentReads.push({ step: s, position, window: new ViewCache(view.offset, length) });
      }
    });
  }
  const withAccumulator = steps.map((_, s) => s).filter((s) => accumulators[s] !== null);
  let pending = false;
  let target: Float64Array | null = null;
  const pullBack = (): void => {
    for (const site of stacks) site.stack.flush();
    if (!pending) return;
    pending = false;
    program.holding.delete(deferral);
    for (const s of interior) steps[s].grad.fill(0);
    for (const { step, position, window } of argumentReads)
      inputGrads[step][position] = window.windowOf(target as Float64Array);
    for (const s of order) steps[s].op.vjp(steps[s].ctx, gradOf[s], inputGrads[s]);
    for (const s of withAccumulator) (accumulators[s] as Float64Array).fill(0);
  };
  const deferral: Deferral = {
    beforeCall(grads) {
      const into = grads[slot];
      if (pending && into !== target) pullBack();
      target = into;
    },
    afterCall(weight) {
      if (!pending) {
        pending = true;
        program.holding.add(deferral);
      }
      // Both live in the kernels' arena: the kernel's call costs less than a loop from 100 entries up.
      for (let k = 0; k < received.length; k++) {
        const q = received[k];
        const g = steps[q].grad;
        axpy(g.length, weight, g, accumulators[q] as Float64Array);
      }
    },
    flush(grads) {
      if (pending && grads[slot] !== target) {
        throw new CompileError(
          "compiled pullback: flush(grads) got other arrays than the calls it is flushing; pass the same grads to every call and to flush.",
        );
      }
      pullBack();
    },
    settle: pullBack,
  };
  return deferral;
}
