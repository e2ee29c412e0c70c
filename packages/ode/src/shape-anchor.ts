/**
 * Keeps one instance of a hot class alive for the life of the program, so that V8 keeps its
 * hidden class. V8 holds the hidden classes an object moves through as its constructor adds
 * fields only weakly. Once no instance is alive, a full garbage collection drops them, and with
 * them the optimised code of every method specialised to them. Objects made per solve (steppers,
 * step stores) would then lose their optimised code at every full collection between two solves.
 * The next solve starts in the interpreter and recompiles.
 *
 * Measured: with a `gc()` between seed-UDE DiscreteAdjoint gradients, 200 calls, 600 recompiles
 * of `sumStages`, `GrowableBuffer.push` and `StridedSteps.load` without anchors and none with
 * them. Anchors hold small dummy instances: never a user's problem or data.
 */
import type { RhsContext } from "./stepper.js";

const anchors: object[] = [];
const anchoredKeys = new Set<unknown>();

export function keepShape<T extends object>(instance: T): T {
  anchors.push(instance);
  return instance;
}

/**
 * The first time `key` (a class) is seen, keeps the instance `make` builds. For classes that
 * cannot be built at import (a stepper's workspace lives in the kernels' arena, set up at first
 * use), called from their constructor: the key is marked first, so make's own construction
 * does not recurse.
 */
export function keepShapeOnce(key: unknown, make: () => object): void {
  if (anchoredKeys.has(key)) return;
  anchoredKeys.add(key);
  keepShape(make());
}

/** The context of a dummy stepper: one state and nothing of any user's problem. */
export function dummyRhsContext(): RhsContext {
  return {
    n: 1,
    f: () => {},
    p: new Float64Array(0),
    jac: undefined,
    tgrad: undefined,
    stats: { nf: 0, njac: 0, nlu: 0, naccept: 0, nreject: 0 },
  };
}
