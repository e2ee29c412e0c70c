/**
 * The targets of the issues (3, 4, 5, 6, 7, 9, 10, 20) that a run's sections report: structured
 * `targets` where a suite gives them; otherwise read from its notes ("…: met" / "MISSED"); the
 * mathjs comparison of issue 7 computed from the linear-ode table; and a "not measured" line for
 * each expected target that no suite reported.
 */
import { mathjsTarget, type SectionResult, targetsFromNotes } from "./markdown.js";
import type { TargetResult } from "./report.js";

/** The issue whose targets a suite's notes report (for suites that state targets only in notes). */
export const SUITE_ISSUE: Record<string, number> = {
  kernels: 10,
  autodiff: 3,
  nn: 6,
  ode: 4,
  "linear-ode": 7,
};
/** Targets expected from suites written by other issues, listed as "not measured" when absent. */
export const EXPECTED: { suite: string; matches: RegExp; target: TargetResult }[] = [
  {
    suite: "ode",
    matches: /DP5|Tsit5/,
    target: {
      issue: 4,
      target: "Tsit5 needs fewer RHS evaluations than DP5 for the same error",
      measured: "",
      met: undefined,
    },
  },
  {
    suite: "ode",
    matches: /odex/,
    target: {
      issue: 4,
      target: "at matched error udekit's best method is faster than odex",
      measured: "",
      met: undefined,
    },
  },
  {
    suite: "linear-ode",
    matches: /mathjs/,
    target: {
      issue: 7,
      target: "expm faster than mathjs at every n = 25…400 (and more accurate)",
      measured: "",
      met: undefined,
    },
  },
  {
    suite: "ensemble",
    matches: /2 workers/,
    target: {
      issue: 20,
      target:
        "8 experiments of the seed UDE: gradient with 2 workers ≥ 1.7× faster than serial (median, same run)",
      measured: "",
      met: undefined,
    },
  },
  {
    suite: "ensemble",
    matches: /identical gradient bits/,
    target: {
      issue: 20,
      target: "identical gradient bits for 1, 2 and 4 workers (and equal to the serial sum)",
      measured: "",
      met: undefined,
    },
  },
  {
    suite: "ensemble",
    matches: /overhead per ensemble evaluation/,
    target: {
      issue: 20,
      target:
        "overhead per ensemble evaluation (dispatch + transfer + sum) ≤ 10 % of one experiment's gradient",
      measured: "",
      met: undefined,
    },
  },
];

/** `only`: the suites this run was restricted to (empty: all). */
export function collectTargets(sections: readonly SectionResult[], only: readonly string[]): TargetResult[] {
  const targets: TargetResult[] = [];
  for (const s of sections) {
    targets.push(...(s.targets ?? []));
    if (s.targets === undefined && SUITE_ISSUE[s.suite] !== undefined) {
      targets.push(...targetsFromNotes(SUITE_ISSUE[s.suite], s.notes ?? []));
    }
    const mathjs = s.suite === "linear-ode" ? mathjsTarget(s.tables) : undefined;
    if (mathjs !== undefined && !targets.some((t) => /mathjs/.test(t.target))) targets.push(mathjs);
  }
  for (const e of EXPECTED) {
    const s = sections.find((x) => x.suite === e.suite);
    const reported = targets.some((t) => t.issue === e.target.issue && e.matches.test(t.target));
    if (reported || (only.length > 0 && !only.includes(e.suite))) continue;
    const why =
      s === undefined
        ? `suite "${e.suite}" is not in the repository yet`
        : `suite "${e.suite}" reported no such target`;
    targets.push({ ...e.target, measured: `not measured: ${why}` });
  }
  return targets;
}
