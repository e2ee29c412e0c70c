/**
 * Weighted scratch ranges. In a weighted pullback call (weights[i] ≠ 1), the VJPs that write an
 * argument's cotangent in place (not stacked) write into a scratch copy of it instead, which is
 * added times the weight afterwards. Only the ranges they write are cleared and added: a view op
 * (slice, reshape) writes its window of the argument, any other op all of it — e.g. the 49 net
 * entries of the UDE's 10 049 parameters, not all 10 049.
 */
import type { Binding, Program } from "./program.js";

/**
 * Per argument, the flat [start, end, start, end, …] ranges written by the in-place VJPs of
 * `gradBindings` (steps not `receives`-ing a cotangent never run), plus the whole output slot
 * when f returns an argument unchanged.
 */
export function writtenRanges(
  program: Program,
  gradBindings: readonly Binding[],
  receives: readonly boolean[],
): number[][] {
  const { steps, inputSizes, outSlot, outSize } = program;
  const written = inputSizes.map(() => [] as number[]);
  for (const b of gradBindings) {
    if (!receives[b.step]) continue; // bypassed by a stacked contribution: its VJP never runs
    const st = steps[b.step];
    const at = st.op.viewOf?.(st.ctx.inputShapes, st.ctx.attrs);
    written[b.slot].push(...(at === undefined ? [0, inputSizes[b.slot]] : [at, at + st.ctx.out.length]));
  }
  if (outSlot >= 0) written[outSlot].push(0, outSize);
  return written.map(mergeRanges);
}

/** Flat [start, end, start, end, …] pairs, sorted and with overlapping or touching ranges merged. */
export function mergeRanges(pairs: readonly number[]): number[] {
  const sorted: [number, number][] = [];
  for (let k = 0; k < pairs.length; k += 2) sorted.push([pairs[k], pairs[k + 1]]);
  sorted.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [a, b] of sorted) {
    const n = merged.length;
    if (n > 0 && a <= merged[n - 1]) merged[n - 1] = Math.max(merged[n - 1], b);
    else merged.push(a, b);
  }
  return merged;
}
