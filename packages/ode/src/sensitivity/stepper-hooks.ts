/**
 * A solver whose steppers report to hooks: before each attempted step and when a step is
 * accepted. The sensitivity methods use it to record the forward solution's step
 * boundaries and the stages of accepted backward steps, without touching the engines.
 */

import { keepShape } from "../shape-anchor.js";
import type { OdeSolver, Stepper } from "../stepper.js";
import { aliasWorkspace } from "../workspace.js";

export interface StepperHooks {
  /** Before a step of size h from (t, y) is attempted. */
  beforeAttempt?(t: number, y: Float64Array, h: number): void;
  /** After an attempt, accepted or not. */
  afterAttempt?(): void;
  /** When the attempted step is accepted, before the stepper moves on. */
  beforeAccept?(tNew: number, yNew: Float64Array): void;
  /** After the stepper accepted the step (its dense-output stages are then complete). */
  afterAccept?(stepper: Stepper): void;
}

export function withStepperHooks(solver: OdeSolver, hooks: StepperHooks): OdeSolver {
  return {
    ...solver,
    createStepper: (rc) => {
      const stepper = new HookedStepper(solver.createStepper(rc), hooks);
      // Handing the wrapper's buffers back hands back the engine's (solve() releases integ.stepper).
      aliasWorkspace(stepper, stepper.inner);
      return stepper;
    },
  };
}

/**
 * The wrapper as a class, not an object of closures made per solve: its methods keep their
 * optimised code across full garbage collections (with the instance kept below; see
 * shape-anchor.ts), where per-solve closures were recompiled after each one.
 */
class HookedStepper implements Stepper {
  readonly denseVectors: number;
  /** A composite's change of method reaches the integrator through the wrapper. */
  readonly takeSwitch: Stepper["takeSwitch"];
  /** So does an implicit engine's reason for a failed attempt. */
  readonly failureReason: Stepper["failureReason"];

  constructor(
    readonly inner: Stepper,
    private readonly hooks: StepperHooks,
  ) {
    this.denseVectors = inner.denseVectors;
    this.takeSwitch = inner.takeSwitch === undefined ? undefined : () => inner.takeSwitch?.();
    this.failureReason = inner.failureReason === undefined ? undefined : () => inner.failureReason?.() ?? "";
  }

  get f0(): Float64Array {
    return this.inner.f0;
  }

  start(t: number, y: Float64Array): void {
    this.inner.start(t, y);
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): boolean {
    this.hooks.beforeAttempt?.(t, y, h);
    try {
      return this.inner.attempt(t, y, h, yNew, err);
    } finally {
      this.hooks.afterAttempt?.();
    }
  }

  accept(tNew: number, yNew: Float64Array): void {
    this.hooks.beforeAccept?.(tNew, yNew);
    this.inner.accept(tNew, yNew);
    this.hooks.afterAccept?.(this.inner);
  }

  saveDense(dst: Float64Array, offset: number): void {
    this.inner.saveDense(dst, offset);
  }

  interpolate(theta: number, t0: number, h: number, y0: Float64Array, out: Float64Array): void {
    this.inner.interpolate(theta, t0, h, y0, out);
  }

  interpolateStored(
    theta: number,
    t0: number,
    h: number,
    y0: Float64Array,
    store: Float64Array,
    offset: number,
    out: Float64Array,
  ): void {
    this.inner.interpolateStored(theta, t0, h, y0, store, offset, out);
  }
}

const NO_STEPPER: Stepper = {
  f0: new Float64Array(0),
  denseVectors: 0,
  start() {},
  attempt: () => false,
  accept() {},
  saveDense() {},
  interpolate() {},
  interpolateStored() {},
};
keepShape(new HookedStepper(NO_STEPPER, {}));
