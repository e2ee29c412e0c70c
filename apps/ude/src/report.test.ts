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

test("report.html inlines the diagnostic plots and lists every picture by its relative path", () => {
  const diagnostics = [
    { file: "parity.svg", title: "Predicted vs observed", svg: '<svg id="p"></svg>' },
    { file: "net-term.svg", title: "Learned term", svg: '<svg id="n"></svg>' },
  ];
  const html = reportHtml(
    doc,
    { loss: '<svg id="l"></svg>', fit: '<svg id="f"></svg>', diagnostics },
    undefined,
  );
  for (const id of ["l", "f", "p", "n"]) expect(html).toContain(`<svg id="${id}"></svg>`);
  const links = [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
  expect(links).toEqual(["loss.svg", "fit.svg", "parity.svg", "net-term.svg"]);
  expect(html).toMatch(/<a href="parity\.svg">parity\.svg<\/a> — Predicted vs observed/);
  // Without pictures (a demo stopped during its table) there is no list.
  expect(reportHtml(doc, {}, undefined)).not.toMatch(/<a href=/);
});
