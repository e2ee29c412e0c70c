/**
 * Rank-1 batching (PullbackOptions.batch): which VJP contributions of an accumulating pullback
 * are stacked and added K calls at a time with one matrix product instead of added in place.
 * A site is an op declaring `outerVjp` (its contribution to a matrix input is scale·ḡ·rᵀ) whose
 * matrix input is a flagged argument, or a view of one through ops declaring `viewOf` (reshape,
 * slice), e.g. P = reshape(slice(p, 0, n²), [n, n]) in a packed parameter vector.
 */
import type { DeferredSteps } from "./deferred-fixed.js";
import { OuterStack } from "./outer-stack.js";
import type { Program } from "./program.js";

/**
 * A stacked rank-1 contribution site: step `step`'s VJP into argument `slot` (see OuterStack), or
 * into the accumulator of deferred step `into` (deferred-fixed.ts; −1 for the argument), whose
 * contributions are weighted by argument `slot`'s weight.
 */
export interface OuterSite {
  step: number;
  slot: number;
  stack: OuterStack;
  into: number;
}

export interface Batching {
  sites: OuterSite[];
  /** deferredAt[s][i]: step s's contribution to its input i is stacked, not added. */
  deferredAt: boolean[][];
}

/**
 * The sites among the steps of `order` for a pullback flagged `wrt`, with stacks of `batch`
 * calls (none when batch is 0). The stacks' buffers belong to the program.
 */
export function planBatching(
  program: Program,
  order: readonly number[],
  wrt: readonly boolean[],
  batch: number,
  deferred: DeferredSteps | null = null,
): Batching {
  const { steps } = program;
  const sites: OuterSite[] = [];
  const deferredAt = steps.map((st) => st.sources.map(() => false));
  if (batch === 0) return { sites, deferredAt };
  for (const s of order) {
    const st = steps[s];
    const outer = st.op.outerVjp?.(st.ctx.inputShapes, st.ctx.attrs);
    if (outer === undefined) continue;
    let src = st.sources[outer.input];
    let offset = 0;
    while (src.kind === "step") {
      const v = steps[src.step];
      const at = v.op.viewOf?.(v.ctx.inputShapes, v.ctx.attrs);
      if (at === undefined) break;
      offset += at;
      src = v.sources[0];
    }
    // A deferred fixed step (not a view: the walk went through those) takes it in its accumulator.
    const into = src.kind === "step" && deferred?.deferred[src.step] ? src.step : -1;
    if (into < 0 && (src.kind !== "leaf" || !wrt[src.slot])) continue;
    const slot = into >= 0 ? (deferred as DeferredSteps).slot : (src as { slot: number }).slot;
    const [m, n] = st.ctx.inputShapes[outer.input];
    deferredAt[s][outer.input] = true;
    const stack = new OuterStack(m, n, offset, outer, batch, (size) => program.alloc(size));
    sites.push({ step: s, slot, stack, into });
  }
  return { sites, deferredAt };
}
