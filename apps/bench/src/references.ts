/**
 * The seed problems at n = 100 and their reference gradients, shared by the suites. Both are
 * independent of udekit's solvers:
 * - seed linear model: the exact gradient from the matrix exponential and its Fréchet
 *   derivative (scipy), @udekit/ode's fixture test/fixtures/seed-linear-gradient.json;
 * - seed UDE: no closed form exists; references/seed-ude-reference.json holds the loss and the
 *   full gradient from scipy's DOP853 on the continuous adjoint (forward rtol 1e-13, backward
 *   rtol 1e-12), cross-checked by complex-step derivatives on 99 entries per activation
 *   (scripts/gen-ude-reference.py, which records the agreement in the file).
 */
import { readFileSync } from "node:fs";
import { tensor } from "@udekit/autodiff";
import { type LossProblem, linearLossProblem } from "./gradients.js";
import {
  linearProblem,
  linearReference,
  linearRhs,
  TIMES,
  UDE_N,
  UDE_PARAMS,
  udeParams,
  udeRhs,
} from "./seed.js";

/** One activation's case of references/seed-ude-reference.json. */
interface UdeReferenceCase {
  activation: "tanh" | "identity";
  loss: number;
  gradient: number[];
  complexStepCheck: { entries: number[]; maxRelativeDifference: number };
}

/** The seed UDE's reference loss and gradient, and where they came from (for captions). */
export interface UdeReference {
  loss: number;
  grad: Float64Array;
  /** Largest relative difference to complex-step derivatives over the checked entries. */
  complexStepAgreement: number;
  checkedEntries: number;
  source: string;
}

export const UDE_REFERENCE_FILE = "apps/bench/references/seed-ude-reference.json";

/** How the UDE reference was computed, for captions and notes. */
export const UDE_REFERENCE_DESCRIPTION =
  "scipy DOP853 continuous adjoint at rtol 1e-12 (forward 1e-13), complex-step checked; apps/bench/references/seed-ude-reference.json";

export function seedLinear(): { problem: LossProblem; reference: Float64Array; referenceLoss: number } {
  const lp = linearProblem(100);
  const ref = linearReference(100);
  return {
    problem: linearLossProblem(linearRhs, lp.P, lp.u0, lp.data),
    reference: ref.gradP,
    referenceLoss: ref.loss,
  };
}

export function seedUde(): LossProblem {
  const lp = linearProblem(UDE_N);
  return {
    f: udeRhs,
    u0: tensor(lp.u0, [UDE_N]),
    p: tensor(udeParams()),
    data: tensor(lp.data, [TIMES.length, UDE_N]),
  };
}

const udeRefs = new Map<string, UdeReference>();

/**
 * The seed UDE's reference loss and gradient for the net's activation (the benchmarks' udeRhs
 * uses tanh; apps/ude's default is identity), read from the committed scipy fixture.
 */
export function udeReference(activation: "tanh" | "identity" = "tanh"): UdeReference {
  let ref = udeRefs.get(activation);
  if (ref === undefined) {
    const file = JSON.parse(
      readFileSync(new URL("../references/seed-ude-reference.json", import.meta.url), "utf8"),
    ) as { cases: UdeReferenceCase[] };
    const c = file.cases.find((x) => x.activation === activation);
    if (c === undefined || c.gradient.length !== UDE_PARAMS) {
      throw new Error(
        `${UDE_REFERENCE_FILE} has no ${activation} case with ${UDE_PARAMS} gradient entries; regenerate it with python3 apps/bench/scripts/gen-ude-reference.py`,
      );
    }
    ref = {
      loss: c.loss,
      grad: Float64Array.from(c.gradient),
      complexStepAgreement: c.complexStepCheck.maxRelativeDifference,
      checkedEntries: c.complexStepCheck.entries.length,
      source: UDE_REFERENCE_FILE,
    };
    udeRefs.set(activation, ref);
  }
  return ref;
}
