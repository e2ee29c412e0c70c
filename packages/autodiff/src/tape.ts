/**
 * The tape: the ops of one differentiated computation in execution order, and the stack of
 * tapes being recorded (a `grad` inside a differentiated function records on its own tape;
 * tensors of an enclosing tape are constants to it: nesting is first-order).
 */

import type { OpContext, OpRecord } from "./define-op.js";
import { CompileError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** One recorded op application: the op, its inputs, its output and its context. */
export interface TapeEntry {
  op: OpRecord | null; // null for a leaf (an argument being differentiated)
  inputs: Tensor[];
  output: Tensor;
  ctx: OpContext<unknown> | null;
}

export class Tape {
  readonly entries: TapeEntry[] = [];
  /** Set while `compile` traces a function: reading values then would bake them into the program. */
  tracing = false;

  leaf(t: Tensor): Tensor {
    t.tape = this;
    t.index = this.entries.length;
    this.entries.push({ op: null, inputs: [], output: t, ctx: null });
    return t;
  }

  push(entry: TapeEntry): void {
    entry.output.tape = this;
    entry.output.index = this.entries.length;
    this.entries.push(entry);
  }

  checkReadable(what: string): void {
    if (this.tracing) {
      throw new CompileError(
        `compile: the function reads a traced value with ${what}, so its result could depend on input values (value-dependent control flow). ` +
          "Compiled functions must be pure tensor programs; call the function eagerly (grad/vjp) instead, or move the value-dependent part outside.",
      );
    }
  }
}

const stack: Tape[] = [];

export function activeTape(): Tape | null {
  return stack.length > 0 ? stack[stack.length - 1] : null;
}

/** Runs `body` with `tape` recording; the tape is popped even if `body` throws. */
export function withTape<T>(tape: Tape, body: () => T): T {
  stack.push(tape);
  try {
    return body();
  } finally {
    stack.pop();
  }
}

/** Number of tapes being recorded; 0 outside any grad/vjp/compile. Exposed for tests. */
export function tapeDepth(): number {
  return stack.length;
}
