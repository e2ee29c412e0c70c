/**
 * The lowered program of a compiled tape (built by lower.ts): its steps in execution order, where
 * each step's inputs come from, the buffers they write, and the primitives every other pass
 * replays it with. The program owns its arena buffers (allocOwnedF64 with the program as owner):
 * `dispose()` hands them back, or the FinalizationRegistry fallback does once the program — which
 * every function made from it references — has been garbage-collected.
 */
import { allocOwnedF64, releaseOwned } from "@udekit/kernels";
import type { OpContext, OpRecord, VjpReads } from "../define-op.js";
import { CompileError } from "../errors.js";
import type { Shape } from "../shape.js";
import type { ViewCache } from "../view-cache.js";

/** Where a step's input comes from: a function argument, an earlier step, or a constant. */
export type Source = { kind: "leaf"; slot: number } | { kind: "step"; step: number } | { kind: "const" };

export interface Step {
  op: OpRecord;
  ctx: OpContext<unknown>;
  /** ctx.inputs, rebound to the caller's arrays at each call. */
  inputs: Float64Array[];
  sources: Source[];
  /** Cotangent of this step's output. */
  grad: Float64Array;
  /**
   * Set when the step's output is a window of another buffer (ops declaring `viewOf`: slice,
   * reshape) and its forward never runs: "step" for a fixed window of an earlier step's output,
   * "leaf" for a window of an argument, rebound at each call (LeafView).
   */
  view?: "step" | "leaf";
}

/** (step, input position, argument slot): where a function argument feeds a step. */
export interface Binding {
  step: number;
  position: number;
  slot: number;
}

/**
 * A step whose output is a window of an argument: at each call `bind` points the step's output,
 * and the inputs of the steps that read it, at entries [offset, offset + length) of the
 * caller's array, through a ViewCache (a steady replay makes no object).
 */
export interface LeafView {
  step: number;
  slot: number;
  window: ViewCache;
  /** (step, input position) of each step reading this one's output. */
  readers: { step: number; position: number }[];
}

export class Program {
  readonly steps: Step[] = [];
  readonly bindings: Binding[] = [];
  readonly leafViews: LeafView[] = [];
  /** What each step's VJP reads of the forward pass (ops say so with vjpReads). */
  readonly reads: VjpReads[] = [];
  /** The argument f returns unchanged (f = identity on it), or -1. */
  outSlot = -1;
  /** The last step: the one computing the output (when outSlot < 0). */
  last = -1;
  /** Where forward leaves the output when the caller gives no array. */
  outBuffer: Float64Array = new Float64Array(0);
  /** Set by dispose(); every call then throws. */
  disposed = false;
  /**
   * The deferrals of this program's pullbacks (deferred-fixed.ts) that hold cotangents not yet
   * pulled back: prepare settles them first. A deferral is in the set only while it holds some, so
   * pullbacks made and dropped are not kept alive by the program.
   */
  readonly holding = new Set<{ settle(): void }>();

  constructor(
    readonly inputShapes: readonly Shape[],
    /** Entries of each argument. */
    readonly inputSizes: readonly number[],
    readonly outShape: Shape,
    readonly outSize: number,
  ) {}

  /** A zero-filled buffer in the kernels' arena, owned by this program. */
  alloc(n: number): Float64Array {
    return allocOwnedF64(this, n);
  }

  /** Hands every buffer back to the arena; later calls throw (see checkLive). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseOwned(this);
  }

  /** Throws when the program has been disposed (its buffers may belong to someone else by now). */
  checkLive(what: string): void {
    if (this.disposed) {
      throw new CompileError(
        `compiled ${what}: the compiled function was disposed, so its buffers went back to the arena. Compile the function again, or call dispose() only when done with it and with every pullback and specialisation made from it.`,
      );
    }
  }

  /** Points every step input fed by an argument, and every view of one, at the caller's arrays. */
  bind(inputs: readonly Float64Array[]): void {
    const { bindings, steps, leafViews } = this;
    for (let b = 0; b < bindings.length; b++) {
      const { step, position, slot } = bindings[b];
      steps[step].inputs[position] = inputs[slot];
    }
    for (let v = 0; v < leafViews.length; v++) {
      const lv = leafViews[v];
      const view = lv.window.windowOf(inputs[lv.slot]);
      (steps[lv.step].ctx as { out: Float64Array }).out = view;
      for (let r = 0; r < lv.readers.length; r++) {
        const { step, position } = lv.readers[r];
        steps[step].inputs[position] = view;
      }
    }
  }

  /** Runs the forward kernels of the given steps, in the given order (views have none). */
  run(plan: readonly number[]): void {
    const steps = this.steps;
    for (let k = 0; k < plan.length; k++) {
      const step = steps[plan[k]];
      if (step.view === undefined) step.op.forward(step.ctx);
    }
  }

  /** Steps needed to compute the given steps, in execution order (dependencies included). */
  closure(wanted: readonly boolean[]): number[] {
    const { steps } = this;
    const need = wanted.slice();
    for (let s = steps.length - 1; s >= 0; s--) {
      if (!need[s]) continue;
      for (const src of steps[s].sources) if (src.kind === "step") need[src.step] = true;
    }
    return steps.map((_, i) => i).filter((i) => need[i]);
  }

  /** 0, 1, …: every step in execution order. */
  allSteps(): number[] {
    return this.steps.map((_, i) => i);
  }
}
