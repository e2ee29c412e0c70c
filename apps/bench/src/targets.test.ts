// Each issue target is counted once: issue 7's "seed linear gradient via expm ≤ 30 ms" was
// counted twice ("15 met"), once from the gradient suite's structured targets and once from the
// linear-ode suite's note.
import { expect, test } from "vitest";
import type { SectionResult } from "./markdown.js";
import { expmGradientNote } from "./suites/linear-ode.js";
import { collectTargets } from "./targets.js";

test("the linear-ode suite's expm-gradient note is not a second issue-7 target", () => {
  const sections: SectionResult[] = [
    { suite: "linear-ode", title: "", tables: [], seconds: 0, notes: [expmGradientNote(9.2, 9.0)] },
    {
      suite: "gradient",
      title: "",
      tables: [],
      seconds: 0,
      targets: [
        { issue: 7, target: "seed linear gradient via expm ≤ 30 ms median", measured: "9.28 ms", met: true },
      ],
    },
  ];
  const expm = collectTargets(sections, ["linear-ode", "gradient"]).filter(
    (t) => t.issue === 7 && /expm/.test(t.target) && !/mathjs/.test(t.target),
  );
  expect(expm).toHaveLength(1);
  expect(expm[0].target).toBe("seed linear gradient via expm ≤ 30 ms median");
});
