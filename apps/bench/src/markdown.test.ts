// The report writer on a tiny synthetic run: if renderMarkdown or targetsFromNotes break, this
// fails instead of `pnpm bench` silently writing a broken BENCHMARKS.md.
import { expect, test } from "vitest";
import {
  type BenchReport,
  mathjsTarget,
  renderMarkdown,
  targetSummary,
  targetsFromNotes,
} from "./markdown.js";
import { formatTable } from "./report.js";

const report: BenchReport = {
  machine: {
    cpu: "Test CPU @ 1.00GHz",
    cores: 2,
    memoryGiB: 4,
    node: "v20.0.0",
    v8: "11.3",
    platform: "linux 6.0",
    date: "2026-01-02T03:04:05.000Z",
  },
  quick: true,
  wallSeconds: 12.5,
  peakRssMiB: 321,
  peak: { matvecGflops: 9.5, matvecN: 100, matmulGflops: 15.25, matmulN: 200, backend: "wasm" },
  hardwareTable: { caption: "Peak.", columns: ["loop", "n", "GFLOP/s"], rows: [["matvec", 100, 9.5]] },
  sections: [
    {
      suite: "synthetic",
      seconds: 1.5,
      title: "A synthetic section",
      tables: [
        {
          caption: "Times.",
          columns: ["method", "median ms"],
          rows: [
            ["a|b", 1.23456],
            ["c", 1e-7],
          ],
        },
      ],
      notes: ["Something computed."],
      figures: [{ name: "plot", caption: "A plot", svg: "<svg/>" }],
      targets: [{ issue: 5, target: "fast", measured: "1.2 ms", met: true }],
    },
    { suite: "broken", seconds: 0.1, title: 'Suite "broken"', tables: [], error: "Error: boom" },
  ],
  targets: [
    { issue: 5, target: "fast", measured: "1.2 ms", met: true },
    { issue: 10, target: "faster", measured: "3 ms", met: false },
    { issue: 4, target: "odex", measured: "not measured: suite missing", met: undefined },
  ],
};

test("renderMarkdown writes machine, protocol, floor, targets, sections, tables, notes and figure links", () => {
  const md = renderMarkdown(report, (name) => `figures/${name}.svg`);
  expect(md.startsWith("# udekit benchmarks\n")).toBe(true);
  for (const s of [
    "| CPU (os.cpus()[0].model) | Test CPU @ 1.00GHz |",
    "| logical cores | 2 |",
    "| Node | v20.0.0 |",
    "| date (run start, UTC) | 2026-01-02T03:04:05.000Z |",
    "| wall time of the whole run | 12.5 s |",
    "--quick smoke run",
    "## Hardware floor",
    "matvec 9.50 GFLOP/s (n = 100), matmul 15.25 GFLOP/s (n = 200)",
    "## Targets (1 met, 1 missed, 1 not measured)",
    "| #4 | odex | not measured: suite missing | not measured |",
    "| #5 | fast | 1.2 ms | met |",
    "| #10 | faster | 3 ms | MISSED |",
    "## A synthetic section",
    "![A plot](figures/plot.svg)",
    "| a\\|b | 1.23 |",
    "| c | 1.00e-7 |",
    "- Something computed.",
    "**The suite failed:** Error: boom",
  ]) {
    expect(md).toContain(s);
  }
  // Targets are listed by issue number.
  expect(md.indexOf("| #4 |")).toBeLessThan(md.indexOf("| #5 |"));
  expect(md.indexOf("| #5 |")).toBeLessThan(md.indexOf("| #10 |"));
  expect(md.endsWith("\n")).toBe(true);
});

test("targetsFromNotes reads met / MISSED targets from a suite's notes", () => {
  const t = targetsFromNotes(10, [
    "matmul target ≥ 20 GFLOP/s at n ≥ 100: MISSED (slowest: 13.6 GFLOP/s).",
    "Compiled VJP / hand-written VJP = 1.72 (target ≤ 2: met).",
    "A plain note with no target.",
  ]);
  expect(t).toEqual([
    {
      issue: 10,
      target: "matmul target ≥ 20 GFLOP/s at n ≥ 100",
      measured: "slowest: 13.6 GFLOP/s",
      met: false,
    },
    {
      issue: 10,
      target: "Compiled VJP / hand-written VJP = 1.72 (target ≤ 2: met).",
      measured: "see target text",
      met: true,
    },
  ]);
  expect(targetSummary(t)).toBe("1 met, 1 missed");
});

test("formatTable escapes pipes and prints numbers compactly", () => {
  expect(formatTable({ caption: "c", columns: ["x"], rows: [["1|2"], [123456789]] })).toBe(
    "c\n\n| x |\n|---|\n| 1\\|2 |\n| 1.23e+8 |\n",
  );
});

test("mathjsTarget is met only when udekit is faster and at least as accurate at every n", () => {
  const columns = ["n", "udekit ms", "mathjs ms", "speed-up", "udekit rel. error", "mathjs rel. error"];
  const ok = mathjsTarget([
    {
      caption: "",
      columns,
      rows: [
        [25, 1, 5, 5, 1e-15, 1e-12],
        [50, 2, 9, 4.5, 2e-15, 1e-13],
      ],
    },
  ]);
  expect(ok?.met).toBe(true);
  const slow = mathjsTarget([
    {
      caption: "",
      columns,
      rows: [
        [25, 1, 5, 5, 1e-15, 1e-12],
        [50, 9, 2, 0.2, 2e-15, 1e-13],
      ],
    },
  ]);
  expect(slow?.met).toBe(false);
  expect(slow?.measured).toContain("faster at 1 of 2 sizes");
  expect(mathjsTarget([{ caption: "", columns: ["x"], rows: [] }])).toBeUndefined();
});

test("a note saying NOT met is a missed target", () => {
  expect(targetsFromNotes(7, ["Seed gradient 40 ms (target ≤ 30 ms: NOT met)."])[0].met).toBe(false);
});
