import { expect, test } from "vitest";
import { reportHtml } from "./report.js";
import { RESULTS_FORMAT, type ResultsDocument } from "./results.js";

const doc: ResultsDocument = {
  format: RESULTS_FORMAT,
  format_version: 1,
  command: "demo",
  created: "2026-01-01T00:00:00.000Z",
  versions: { node: "20.20.2" },
  settings: {
    reltol: 1e-6,
    lr: 0.01,
    time_budget_s: 60,
    gradient_table_s: 4.9484860159999995,
    forward_sizes: [16, 24, 32, 40],
    lbfgs_iters: undefined,
  },
  training: {
    status: "converged",
    message: "the gradient norm fell below L-BFGS's tolerance.",
    iterations: 2,
    initial_loss: 26.6135,
    final_loss: 13.6554,
    history: [],
    gradient_audits: [],
  },
  timings: { wall_s: 12.5, gradient_median_ms: 19.84 },
  parameters: { model: "linear", activation: "identity", n: 1, P: [[0]] },
};

test("report.html shows settings formatted for people, not raw floats (issue #21)", () => {
  const html = reportHtml(doc, {}, undefined);
  expect(html).not.toMatch(/4\.9484860159999995/);
  expect(html).toMatch(/<dt>gradient_table_s<\/dt><dd>4\.9 s<\/dd>/);
  expect(html).toMatch(/<dt>time_budget_s<\/dt><dd>1 min 00 s<\/dd>/);
  expect(html).toMatch(/<dt>reltol<\/dt><dd>1e-6<\/dd>/);
  expect(html).toMatch(/<dt>lr<\/dt><dd>0\.01<\/dd>/);
  expect(html).toMatch(/<dt>forward_sizes<\/dt><dd>16, 24, 32, 40<\/dd>/);
  expect(html).not.toMatch(/lbfgs_iters/);
  expect(html).toMatch(/<dd>converged: the gradient norm fell below L-BFGS's tolerance\.<\/dd>/);
  expect(html).toMatch(/<dt>time per gradient \(median\)<\/dt><dd>19\.8 ms<\/dd>/);
});
