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
const anchors: object[] = [];

export function keepShape<T extends object>(instance: T): T {
  anchors.push(instance);
  return instance;
}
