/**
 * Pass 3 of compile: lowering. Each live tape entry becomes a step whose output and cotangent are
 * buffers in the kernels' arena (owned by the program), where the WebAssembly kernels use them
 * without copying; consumers are rewired to read their producers' new buffers. Inputs that are
 * neither arguments nor steps are constants: their arrays are read at each replay, and anything
 * computed from constants alone was computed at trace time (it is not on the tape). Steps of
 * ops declaring `viewOf` (slice, reshape) become views where that is cheaper than a copy: their
 * output is a window of their input's buffer and their forward never runs (program.ts Step.view);
 * a step whose only reader concatenates it writes into its window of the reader's output
 * (placement.ts).
 */
import type { OpContext } from "../define-op.js";
import type { Tensor } from "../tensor.js";
import { ViewCache } from "../view-cache.js";
import { planPlacement } from "./placement.js";
import { type LeafView, Program, type Source } from "./program.js";
import type { Trace } from "./trace.js";

/**
 * Views of an argument shorter than this are copied as before. A view costs nothing while the
 * arguments' arrays repeat (eight per argument are remembered: view-cache.ts), else one small
 * object and a kernel lookup per call (~0.1–0.2 µs), which the copy it saves outweighs from a
 * few hundred entries (the slice loop takes 0.5–1.8 ns per entry).
 */
const LEAF_VIEW_FROM = 256;

type ViewPlan =
  | { kind: "step"; step: number; offset: number }
  | { kind: "leaf"; slot: number; offset: number };

export function lower({ tape, leaves, out }: Trace, live: readonly boolean[]): Program {
  const program = new Program(
    leaves.map((l) => l.shape),
    leaves.map((l) => l.size),
    out.shape,
    out.size,
  );
  const { steps, bindings } = program;
  const stepOf = new Map<number, number>();
  const sourceOf = (t: Tensor): Source => {
    if (t.tape !== tape) return { kind: "const" };
    const slot = leaves.indexOf(t);
    return slot >= 0 ? { kind: "leaf", slot } : { kind: "step", step: stepOf.get(t.index) as number };
  };
  /** The leaf view (program.leafViews) each step that is one has. */
  const leafViewOf = new Map<number, LeafView>();
  const placed = planPlacement({ tape, leaves, out }, live);
  /** Output buffers of placing steps (concat), made when their first placed input is lowered. */
  const placingOut = new Map<number, Float64Array>();
  const outOf = (k: number): Float64Array => {
    let b = placingOut.get(k);
    if (b === undefined) {
      b = program.alloc((tape.entries[k].ctx as OpContext<unknown>).out.length);
      placingOut.set(k, b);
    }
    return b;
  };
  tape.entries.forEach((entry, k) => {
    if (!live[k] || entry.op === null || entry.ctx === null) return;
    const index = steps.length;
    const sources = entry.inputs.map(sourceOf);
    sources.forEach((src, position) => {
      if (src.kind === "leaf") bindings.push({ step: index, position, slot: src.slot });
    });
    const inputs = entry.ctx.inputs as Float64Array[];
    sources.forEach((src, position) => {
      if (src.kind !== "step") return;
      inputs[position] = steps[src.step].ctx.out;
      leafViewOf.get(src.step)?.readers.push({ step: index, position });
    });
    const length = entry.ctx.out.length;
    const isOut = out.tape === tape && out.index === k;
    const view = viewKind(
      entry.op.viewOf?.(entry.ctx.inputShapes, entry.ctx.attrs),
      sources[0],
      length,
      isOut,
    );
    let outBuffer: Float64Array;
    if (view?.kind === "step") {
      const whole = steps[view.step].ctx.out;
      outBuffer =
        view.offset === 0 && length === whole.length
          ? whole
          : whole.subarray(view.offset, view.offset + length);
    } else if (view?.kind === "leaf") {
      const lv: LeafView = {
        step: index,
        slot: view.slot,
        window: new ViewCache(view.offset, length),
        readers: [],
      };
      program.leafViews.push(lv);
      leafViewOf.set(index, lv);
      outBuffer = lv.window.windowOf(leaves[view.slot].data);
    } else {
      const place = placed.get(k);
      if (place !== undefined) outBuffer = outOf(place.into).subarray(place.offset, place.offset + length);
      else outBuffer = placingOut.get(k) ?? program.alloc(length);
      outBuffer.set(entry.ctx.out);
    }
    const ctx: OpContext<unknown> = { ...entry.ctx, inputs, out: outBuffer };
    stepOf.set(k, index);
    steps.push({ op: entry.op, ctx, inputs, sources, grad: program.alloc(length), view: view?.kind });
  });
  /**
   * Whether a `viewOf` step (at offset `at` of its input) becomes a view, and of what: a window of
   * an earlier step's output always (fixed once); of an argument (rebound per call) when it is
   * all of it (the array itself) or at least LEAF_VIEW_FROM entries, and not the output (whose
   * buffer is fixed); a view of an argument's view is one of the argument.
   */
  function viewKind(
    at: number | undefined,
    src: Source,
    length: number,
    isOut: boolean,
  ): ViewPlan | undefined {
    if (at === undefined || src.kind === "const") return undefined;
    let slot: number;
    let offset = at;
    if (src.kind === "step") {
      const parent = leafViewOf.get(src.step);
      if (parent === undefined) return { kind: "step", step: src.step, offset: at };
      slot = parent.slot;
      offset += parent.window.offset;
    } else slot = src.slot;
    const whole = offset === 0 && length === leaves[slot].size;
    if (isOut || !(whole || length >= LEAF_VIEW_FROM)) return undefined;
    return { kind: "leaf", slot, offset };
  }
  program.outSlot = leaves.indexOf(out);
  program.last = steps.length - 1;
  program.outBuffer = program.outSlot >= 0 ? new Float64Array(out.size) : steps[program.last].ctx.out;
  for (const st of steps) {
    program.reads.push(st.op.vjpReads?.(st.ctx.inputShapes, st.ctx.attrs) ?? { inputs: true, forward: true });
  }
  return program;
}
