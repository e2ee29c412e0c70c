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
}

/** (step, input position, argument slot): where a function argument feeds a step. */
export interface Binding {
  step: number;
  position: number;
  slot: number;
}

export class Program {
  readonly steps: Step[] = [];
  readonly bindings: Binding[] = [];
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

  /** Points every step input fed by an argument at the caller's array. */
  bind(inputs: readonly Float64Array[]): void {
    const { bindings, steps } = this;
    for (let b = 0; b < bindings.length; b++) {
      const { step, position, slot } = bindings[b];
      steps[step].inputs[position] = inputs[slot];
    }
  }

  /** Runs the forward kernels of the given steps, in the given order. */
  run(plan: readonly number[]): void {
    const steps = this.steps;
    for (let k = 0; k < plan.length; k++) {
      const step = steps[plan[k]];
      step.op.forward(step.ctx);
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
