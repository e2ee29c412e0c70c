// Several experiments end to end (issue #20): `ude gradient` on the generated seed ensemble
// (data/seed-ensemble/, 8 CSVs) through the worker pool equals the sum of the single-experiment
// gradients that the ordinary one-file path computes; --data repeated works like a folder; the
// commands that take one data set refuse several; methods without a solve are refused.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { APP_DIR, runCli, tempDir } from "./run-cli.js";

const folder = join(APP_DIR, "data", "seed-ensemble");
const files = readdirSync(folder)
  .filter((f) => f.endsWith(".csv"))
  .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
  .map((f) => join(folder, f));

interface GradientJson {
  loss: number;
  workers: number;
  grad: { P: number[][]; nn: { layers: { weight: number[][]; bias: number[] }[] } };
  experiments: { file: string; loss: number; rmse: number }[];
}
const flat = (g: GradientJson["grad"]) => [
  ...g.P.flat(),
  ...g.nn.layers.flatMap((l) => [...l.weight.flat(), ...l.bias]),
];

test("ude gradient on a folder of 8 experiments equals the sum of the 8 single-experiment gradients", async () => {
  expect(files).toHaveLength(8);
  const r = await runCli([
    "gradient",
    "--model",
    "ude",
    "--data",
    folder,
    "--workers",
    "2",
    "--repeat",
    "1",
    "--json",
  ]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const ens = JSON.parse(r.stdout) as GradientJson;
  expect(ens.workers).toBe(2);
  expect(ens.experiments.map((e) => e.file)).toEqual(files);
  // The reference: the app's one-file path (gradients.ts, a different loss code path), per file.
  const singles = await Promise.all(
    files.map(async (f) => {
      const s = await runCli(["gradient", "--model", "ude", "--data", f, "--repeat", "1", "--json"]);
      expect(s.code).toBe(0);
      return JSON.parse(s.stdout) as GradientJson;
    }),
  );
  const sum = new Float64Array(flat(ens.grad).length);
  let loss = 0;
  singles.forEach((s, i) => {
    // Same solver, tolerances and adjoint on the same data: the per-experiment losses differ only
    // by the summation order of the squared residuals (≈ 1e-16 relative); 1e-12 leaves room.
    expect(Math.abs(ens.experiments[i].loss - s.loss)).toBeLessThan(1e-12 * s.loss);
    loss += s.loss;
    flat(s.grad).forEach((x, j) => {
      sum[j] += x;
    });
  });
  expect(Math.abs(ens.loss - loss)).toBeLessThan(1e-12 * loss);
  const g = flat(ens.grad);
  let diff = 0;
  let norm = 0;
  for (let j = 0; j < g.length; j++) {
    diff = Math.max(diff, Math.abs(g[j] - sum[j]));
    norm = Math.max(norm, Math.abs(sum[j]));
  }
  // Same argument for the gradient: rounding-level differences in the residuals' order, ≪ 1e-10.
  expect(diff / norm).toBeLessThan(1e-10);
  expect(norm).toBeGreaterThan(0);
}, 300_000);

test("--data repeated gives the same result as a folder of those files", async () => {
  const two = files.slice(0, 2);
  const a = await runCli([
    "gradient",
    "--data",
    two[0],
    "--data",
    two[1],
    "--workers",
    "2",
    "--repeat",
    "1",
    "--json",
  ]);
  const dir = await runCli(["gradient", "--data", folder, "--workers", "1", "--repeat", "1", "--json"]);
  expect(a.code).toBe(0);
  expect(dir.code).toBe(0);
  const ja = JSON.parse(a.stdout) as { experiments: { loss: number }[]; loss: number };
  const jd = JSON.parse(dir.stdout) as { experiments: { loss: number }[] };
  expect(ja.experiments).toHaveLength(2);
  // The same experiments with 2 workers and with 1: the same bits.
  expect(ja.experiments.map((e) => e.loss)).toEqual(jd.experiments.slice(0, 2).map((e) => e.loss));
  expect(ja.loss).toBe(ja.experiments[0].loss + ja.experiments[1].loss);
}, 120_000);

test("ude train on several experiments writes the per-experiment fit to results.json and report.html", async () => {
  const out = join(tempDir("ensemble-train"), "run");
  const r = await runCli([
    "train",
    "--data",
    files[0],
    "--data",
    files[1],
    "--data",
    files[2],
    "--iters",
    "3",
    "--lbfgs-iters",
    "2",
    "--lr",
    "1e-4",
    "--workers",
    "2",
    "--out",
    out,
    "--json",
  ]);
  expect(r.code).toBe(0);
  const summary = JSON.parse(r.stdout) as {
    experiments: { file: string; loss: number }[];
    final_loss: number;
  };
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
    settings: { workers: number; experiments: number };
    training: { iterations: number; final_loss: number; history: { phase: string; loss: number }[] };
    experiments: { file: string; loss: number; rmse: number }[];
  };
  expect(doc.settings).toMatchObject({ workers: 2, experiments: 3, optimizer: "adam+lbfgs" });
  // The default optimizer, as for one experiment: 3 Adam iterations, then 2 of L-BFGS (over the
  // pool, through its asynchronous steps), each lowering the loss it started from.
  expect(doc.training.iterations).toBe(5);
  const phases = doc.training.history.map((h) => h.phase);
  expect(phases).toEqual(["adam", "adam", "adam", "lbfgs", "lbfgs"]);
  const losses = doc.training.history.map((h) => h.loss);
  expect(losses[4]).toBeLessThan(losses[3]);
  expect(losses[3]).toBeLessThan(Math.min(...losses.slice(0, 3)));
  expect(doc.experiments.map((e) => e.file)).toEqual(files.slice(0, 3));
  // The per-experiment losses at the saved (best) parameters add up to the recorded best loss.
  const total = doc.experiments.reduce((a, e) => a + e.loss, 0);
  expect(total).toBe(doc.training.final_loss);
  expect(summary.final_loss).toBe(total);
  const html = readFileSync(join(out, "report.html"), "utf8");
  expect(html).toContain("Fit per experiment");
  for (const f of files.slice(0, 3)) expect(html).toContain(f);
  // The saved parameters load as --params, like any results.json.
  const predict = await runCli(["predict", "--params", join(out, "results.json"), "--data", files[0]]);
  expect(predict.code).toBe(0);
}, 300_000);

test("several experiments are refused where they do not apply, in one line with the fix", async () => {
  const expm = await runCli(["gradient", "--data", folder, "--method", "expm"]);
  expect(expm.code).toBe(2);
  expect(expm.stderr).toMatch(
    /^ude: --method expm is not available with several experiments .* Fix: pass --method with one of interpolating, /,
  );
  const holdout = await runCli(["train", "--data", folder, "--holdout", "time:0.25"]);
  expect(holdout.code).toBe(2);
  expect(holdout.stderr).toMatch(
    /^ude: --holdout applies to one experiment; training on 8 experiments takes .* Fix: /,
  );
  // predict takes one data set: a second --data is refused, not silently used instead of the first.
  const predict = await runCli(["predict", "--params", "x.json", "--data", files[0], "--data", files[1]]);
  expect(predict.code).toBe(2);
  expect(predict.stderr).toMatch(/^ude: `ude predict` takes one --data file, got 2 experiments .* Fix: /);
  const optimizer = await runCli(["train", "--data", folder, "--optimizer", "bfgs"]);
  expect(optimizer.code).toBe(2);
  expect(optimizer.stderr).toMatch(/^ude: unknown optimizer "bfgs" \(did you mean "lbfgs"\?\)/);
}, 120_000);
