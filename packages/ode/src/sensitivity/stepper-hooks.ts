/**
 * A solver whose steppers report to hooks: before each attempted step and when a step is
 * accepted. The sensitivity methods use it to record the forward solution's step
 * boundaries and the stages of accepted backward steps, without touching the engines.
 */
import type { OdeSolver, Stepper } from "../stepper.js";
import { aliasWorkspace } from "../workspace.js";

export interface StepperHooks {
  /** Before a step of size h from (t, y) is attempted. */
  beforeAttempt?(t: number, y: Float64Array, h: number): void;
  /** After an attempt, accepted or not. */
  afterAttempt?(): void;
  /** When the attempted step is accepted, before the stepper moves on. */
  beforeAccept?(tNew: number, yNew: Float64Array): void;
}

export function withStepperHooks(solver: OdeSolver, hooks: StepperHooks): OdeSolver {
  return {
    ...solver,
    createStepper: (rc) => {
      const inner = solver.createStepper(rc);
      const stepper: Stepper = {
        get f0() {
          return inner.f0;
        },
        denseVectors: inner.denseVectors,
        start: (t, y) => inner.start(t, y),
        attempt: (t, y, h, yNew, err) => {
          hooks.beforeAttempt?.(t, y, h);
          try {
            return inner.attempt(t, y, h, yNew, err);
          } finally {
            hooks.afterAttempt?.();
          }
        },
        accept: (tNew, yNew) => {
          hooks.beforeAccept?.(tNew, yNew);
          inner.accept(tNew, yNew);
        },
        saveDense: (dst, offset) => inner.saveDense(dst, offset),
        interpolate: (theta, t0, h, y0, out) => inner.interpolate(theta, t0, h, y0, out),
        interpolateStored: (theta, t0, h, y0, store, offset, out) =>
          inner.interpolateStored(theta, t0, h, y0, store, offset, out),
        // A composite's change of method reaches the integrator through the wrapper.
        takeSwitch: inner.takeSwitch === undefined ? undefined : () => inner.takeSwitch?.(),
      };
      // Handing the wrapper's buffers back hands back the engine's (solve() releases integ.stepper).
      aliasWorkspace(stepper, inner);
      return stepper;
    },
  };
}
