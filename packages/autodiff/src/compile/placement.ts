/**
 * Placement, planned before lowering: a step whose only reader is an op that stores its inputs
 * contiguously in its output (`placesInputs`: concat along rows) writes its output straight into
 * that window of the reader's buffer, which then copies nothing for it — e.g. the product in
 * gradbench's concat([x₀, x[1:]·y[:−1]]) is computed in place. Views (viewOf ops), the program's
 * output and a step read by anything else keep their own buffers.
 */
import type { Tensor } from "../tensor.js";
import type { Trace } from "./trace.js";

/** Where a placed entry writes: the reader's entry index and the offset of its window. */
export interface Placement {
  into: number;
  offset: number;
}

export function planPlacement({ tape, out }: Trace, live: readonly boolean[]): Map<number, Placement> {
  const onTape = (t: Tensor) => t.tape === tape && tape.entries[t.index]?.op != null;
  const readers = new Array<number>(tape.entries.length).fill(0);
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null) return;
    for (const t of entry.inputs) if (onTape(t)) readers[t.index]++;
  });
  if (out.tape === tape) readers[out.index]++;
  const placed = new Map<number, Placement>();
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null || entry.ctx === null) return;
    const offsets = entry.op.placesInputs?.(entry.ctx.inputShapes, entry.ctx.attrs);
    if (offsets === undefined) return;
    entry.inputs.forEach((t, i) => {
      if (!onTape(t) || readers[t.index] !== 1) return;
      const producer = tape.entries[t.index];
      if (producer.op?.viewOf !== undefined) return;
      placed.set(t.index, { into: k, offset: offsets[i] });
    });
  });
  return placed;
}
