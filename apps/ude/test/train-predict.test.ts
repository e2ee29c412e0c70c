// train on a user CSV, then predict with the saved parameters: the --json summary, the results
// folder, and the CSV round trip (predict's CSV read back as data reproduces itself exactly).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadSeedFile, runCli, tempDir } from "./run-cli.js";

test("train --json on a CSV, predict to CSV, and the CSV round trip", async () => {
  const dir = tempDir("train");
  const seed = loadSeedFile();
  // 12 nodes, a header row, observation times given by --times.
  const data = join(dir, "data.csv");
  writeFileSync(
    data,
    `a,b,c,d\n${seed.trainingData
      .slice(0, 12)
      .map((r) => r.join(","))
      .join("\n")}\n`,
  );
  const out = join(dir, "run");
  const train = await runCli([
    "train",
    "--data",
    data,
    "--times",
    "0,0.5,1,2",
    "--optimizer",
    "adam",
    "--iters",
    "5",
    "--out",
    out,
    "--json",
  ]);
  expect(train.code).toBe(0);
  // --json: stdout is the summary object only (progress went to stderr).
  const summary = JSON.parse(train.stdout);
  expect(summary).toMatchObject({ status: "completed", iterations: 5 });
  expect(summary.final_loss).toBeLessThan(summary.initial_loss);
  expect(summary.files.map((f: string) => f.split("/").pop()).sort()).toEqual([
    "fit.svg",
    "loss.svg",
    "net-term.svg",
    "nodes.svg",
    "parity.svg",
    "report.html",
    "residuals.svg",
    "results.json",
  ]);
  expect(train.stderr).toMatch(/Adam +iteration 1\/5/);
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.settings).toMatchObject({ model: "ude", n: 12, times: [0, 0.5, 1, 2], data });
  expect(doc.parameters.P).toHaveLength(12);
  expect(doc.training.history.map((h: { loss: number }) => h.loss)[0]).toBe(summary.initial_loss);
  // The first gradient is audited (gᵀv against a forward-mode tangent solve) and passed.
  expect(summary.gradient_audits).toHaveLength(1);
  expect(doc.training.gradient_audits[0].evaluation).toBe(1);
  expect(doc.training.gradient_audits[0].relativeError).toBeLessThan(
    doc.training.gradient_audits[0].threshold,
  );

  // Predict at the training tolerances: the same solve as training's best iterate.
  const csv = join(dir, "pred.csv");
  const pred = await runCli([
    "predict",
    "--params",
    join(out, "results.json"),
    "--data",
    data,
    "--times",
    "0,0.5,1,2",
    "--reltol",
    "1e-6",
    "--abstol",
    "1e-8",
    "--out",
    csv,
    "--json",
  ]);
  expect(pred.code).toBe(0);
  const p = JSON.parse(pred.stdout);
  // Same solver, tolerances and parameters as the best training iterate: the same loss to rounding.
  expect(Math.abs(p.loss - summary.final_loss) / summary.final_loss).toBeLessThan(1e-12);
  const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
  expect(lines[0]).toBe("t=0,t=0.5,t=1,t=2");
  expect(lines).toHaveLength(13);
  // The first column is the initial condition, copied exactly.
  expect(lines.slice(1).map((l) => Number(l.split(",")[0]))).toEqual(
    seed.trainingData.slice(0, 12).map((r) => r[0]),
  );

  // Round trip: the predictions as data (times from the t= header) are reproduced exactly,
  // since every number is written with all its digits and the solve is deterministic.
  const again = await runCli([
    "predict",
    "--params",
    join(out, "results.json"),
    "--data",
    csv,
    "--reltol",
    "1e-6",
    "--abstol",
    "1e-8",
  ]);
  expect(again.code).toBe(0);
  expect(again.stdout).toBe(readFileSync(csv, "utf8"));
  expect(again.stderr).toMatch(/^loss against .*pred\.csv: 0 \(ude model, n = 12, 4 times\)\n$/);
});
