/**
 * `specialise(fixed)`: the program split into the steps that depend only on the fixed arguments
 * (and constants) — run once per `prepare` — and the rest, run per call; pullbacks then skip the
 * fixed steps' forward work, whose values are already in place. E.g. the row sums P·1 inside an
 * ODE right-hand side are computed once per solve instead of once per step.
 */

import type { SpecialisedFunction } from "./api.js";
import { checkArrays, checkFlags } from "./check-args.js";
import { makeForward } from "./forward.js";
import { planPullback } from "./plan-pullback.js";
import type { Program } from "./program.js";
import { makePullback } from "./pullback.js";

export function specialise(program: Program, fixed: readonly boolean[]): SpecialisedFunction {
  checkFlags(program, "specialise", "fixed", fixed);
  const { steps } = program;
  // Steps whose every source is a constant, a fixed input or another such step.
  const isFixed = new Array<boolean>(steps.length).fill(false);
  steps.forEach((st, s) => {
    isFixed[s] = st.sources.every(
      (src) =>
        src.kind === "const" ||
        (src.kind === "leaf" && fixed[src.slot]) ||
        (src.kind === "step" && isFixed[src.step]),
    );
  });
  const allSteps = program.allSteps();
  const fixedPlan = allSteps.filter((s) => isFixed[s]);
  const forward = makeForward(
    program,
    allSteps.filter((s) => !isFixed[s]),
  );
  return {
    prepare(inputs) {
      program.checkLive("prepare");
      // Cotangents a batched pullback holds for the fixed steps go back through their current values.
      for (const d of program.holding) d.settle(); // settle leaves the set
      checkArrays(program, "prepare", inputs);
      program.bind(inputs);
      program.run(fixedPlan);
    },
    forward,
    pullback: (wrt, options = {}) => makePullback(program, planPullback(program, wrt, options, isFixed)),
  };
}
