// `ude train` on a small problem writes every picture (loss, fit and the diagnostic plots), each a
// well-formed SVG with the structure expected for this problem, and report.html lists them by
// their relative paths.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { DIAGNOSTIC_FILES } from "../src/diagnostic-plots.js";
import { RESULT_FILES } from "../src/out-dir.js";
import { loadSeedFile, runCli, tempDir } from "./run-cli.js";
import { assertSvg, items } from "./svg.js";

test("every diagnostic picture counts as a result file (an earlier run's folder is never overwritten)", () => {
  for (const f of DIAGNOSTIC_FILES) expect(RESULT_FILES).toContain(f);
});

test("train writes loss, fit, parity, residuals, nodes and net-term SVGs, listed in report.html; held-out values marked", async () => {
  const dir = tempDir("plots");
  const seed = loadSeedFile();
  const n = 8;
  const data = join(dir, "data.csv");
  writeFileSync(
    data,
    `${seed.trainingData
      .slice(0, n)
      .map((r) => r.join(","))
      .join("\n")}\n`,
  );
  const out = join(dir, "run");
  const r = await runCli([
    "train",
    "--data",
    data,
    "--activation",
    "tanh",
    "--optimizer",
    "adam",
    "--iters",
    "3",
    "--holdout",
    "time:0.34",
    "--out",
    out,
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const files = ["loss.svg", "fit.svg", "parity.svg", "residuals.svg", "nodes.svg", "net-term.svg"];
  const svg: Record<string, string> = {};
  for (const f of files) {
    expect(existsSync(join(out, f))).toBe(true);
    svg[f] = readFileSync(join(out, f), "utf8");
    assertSvg(svg[f]);
  }
  // 8 nodes × 3 observation times after t₀ (the seed data's 4 columns, t = 1, 2, 3, 4).
  expect(items(svg["parity.svg"], "point")).toHaveLength(n * 3);
  expect(items(svg["parity.svg"], "line mark")).toHaveLength(1);
  // --holdout time:0.34 holds out the last of the 3 times (t = 4): one value per node.
  const held = items(svg["parity.svg"], "point").filter((p) => p.data.data === "held out (validation)");
  expect(held.map((p) => p.data.node).sort()).toEqual(
    Array.from({ length: n }, (_, i) => `node ${i + 1}`).sort(),
  );
  expect(svg["nodes.svg"]).toMatch(/held-out observations \(open triangles\)/);
  // fit.svg's four nodes (1, 3, 5, 7 of 8): their t = 4 values are held out.
  const fitHeld = items(svg["fit.svg"], "point").filter((p) => p.data.data === "held out (validation)");
  expect(fitHeld.map((p) => `${p.data.node} ${p.data["time t"]}`).sort()).toEqual([
    "node 1 4",
    "node 3 4",
    "node 5 4",
    "node 7 4",
  ]);
  expect(items(svg["residuals.svg"], "point")).toHaveLength(n * 3);
  // 8 ≤ 16 nodes: small multiples, one trajectory per node.
  expect(items(svg["nodes.svg"], "line mark")).toHaveLength(n);
  // The UDE's net sees blocks of 4: four panels.
  expect(svg["net-term.svg"].split('aria-roledescription="symbol mark container"')).toHaveLength(5);
  expect(r.stdout).toMatch(
    /Wrote .*parity\.svg, .*residuals\.svg, .*nodes\.svg, .*net-term\.svg, .*report\.html/,
  );
  const html = readFileSync(join(out, "report.html"), "utf8");
  const links = [...html.matchAll(/<a href="([^"]*)">/g)].map((m) => m[1]);
  expect(links).toEqual(files);
});

test("the linear model has no net: no net-term.svg", async () => {
  const dir = tempDir("plots-linear");
  const out = join(dir, "run");
  const seed = loadSeedFile();
  const data = join(dir, "data.csv");
  writeFileSync(
    data,
    `${seed.trainingData
      .slice(0, 5)
      .map((r) => r.join(","))
      .join("\n")}\n`,
  );
  const r = await runCli([
    "train",
    "--model",
    "linear",
    "--data",
    data,
    "--optimizer",
    "adam",
    "--iters",
    "2",
    "--out",
    out,
  ]);
  expect(r.code).toBe(0);
  for (const f of ["parity.svg", "residuals.svg", "nodes.svg"]) expect(existsSync(join(out, f))).toBe(true);
  expect(existsSync(join(out, "net-term.svg"))).toBe(false);
});
