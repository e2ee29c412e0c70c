/**
 * PI step-size controller (Gustafsson 1991; Hairer–Wanner II, §IV.2, eq. (2.43c)), in the
 * form used by DifferentialEquations.jl: after an accepted step with scaled error e and
 * previous accepted error e_prev, q = e^β₁ / e_prev^β₂, clamped to 1/qmax ≤ q/safety ≤ 1/qmin,
 * and h_new = h / q. After a rejected step the plain I-controller shrinks the step, and the
 * step following a rejection may not grow.
 */
import type { ControllerOptions } from "../options.js";

export class PIController {
  /** Previous accepted error norm (1e-4 at start, as DifferentialEquations.jl's qoldinit). */
  errPrev = 1e-4;
  /** True right after a rejection. */
  lastRejected = false;

  constructor(readonly params: Required<ControllerOptions>) {}

  reset(): void {
    this.errPrev = 1e-4;
    this.lastRejected = false;
  }

  /** Next step after accepting a step of size h with error norm err ≤ 1. */
  accept(h: number, err: number): number {
    const { beta1, beta2, safety, qmin, qmax } = this.params;
    let q = err ** beta1 / this.errPrev ** beta2 / safety;
    q = Math.min(1 / qmin, Math.max(1 / qmax, q));
    if (this.lastRejected) q = Math.max(q, 1);
    this.errPrev = Math.max(err, 1e-4);
    this.lastRejected = false;
    return h / q;
  }

  /** Retry step after rejecting a step of size h with error norm err > 1. */
  reject(h: number, err: number): number {
    const { beta1, safety, qmin } = this.params;
    this.lastRejected = true;
    return h / Math.min(1 / qmin, err ** beta1 / safety);
  }
}
