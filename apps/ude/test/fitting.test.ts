// `ude train`'s fitting options end to end (issue #21, "honest fitting"): missing values, --weights,
// --holdout, --l2/--l1, --checkpoint-every and --resume, through the real CLI; bad values of each
// give one `ude: … Fix: …` line and exit code 2.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadSeedFile, runCli, tempDir } from "./run-cli.js";

const dir = tempDir("fitting");
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const seed = loadSeedFile();
const rows = seed.trainingData.slice(0, 8).map((r) => [...r].map(String));
// Three cells not observed: empty, NA, NaN.
rows[1][2] = "";
rows[4][1] = "NA";
rows[6][3] = "NaN";
const data = file("data.csv", `${rows.map((r) => r.join(",")).join("\n")}\n`);
const weights = file("w.csv", `${rows.map((_r, i) => [1, 1, i < 4 ? 2 : 1, 0.5].join(",")).join("\n")}\n`);
const full = file(
  "full.csv",
  `${seed.trainingData
    .slice(0, 8)
    .map((r) => r.join(","))
    .join("\n")}\n`,
);
const noInitial = file("no-initial.csv", "1,2,3,4\n,2,3,4\n1,2,3,4\n1,2,3,4\n");
const negative = file(
  "negative.csv",
  `${rows.map((_r, i) => [1, 1, i === 2 ? -1 : 1, 1].join(",")).join("\n")}\n`,
);
const narrow = file("narrow.csv", `${rows.map(() => "1,1,1").join("\n")}\n`);

const CASES: [string, string[], string | RegExp][] = [
  [
    "a missing initial value",
    ["train", "--data", noInitial],
    `ude: ${noInitial} row 2 (node 2) has no initial value: column 1 is the initial condition u(t₀) the ODE starts from, so it cannot be missing (empty, NA or NaN). Fix: give the node's value at the first time, or remove the node's row.`,
  ],
  [
    "a negative weight",
    ["train", "--data", full, "--weights", negative],
    `ude: weights file "${negative}" row 3, column 3 is -1, but a weight multiplies a squared residual and must be ≥ 0. Fix: give one weight ≥ 0 per value of ${full}, in the same rows and columns.`,
  ],
  [
    "weights of another shape",
    ["train", "--data", full, "--weights", narrow],
    `ude: weights file "${narrow}" has 8 rows × 3 columns but ${full} has 8 × 4. Fix: give one weight ≥ 0 per value of ${full}, in the same rows and columns.`,
  ],
  [
    "a malformed --holdout",
    ["train", "--holdout", "nodes:20%"],
    'ude: --holdout "nodes:20%" is not of the form time:F or nodes:F with 0 < F < 1. Fix: e.g. --holdout time:0.2 (the last 20 % of the save times) or --holdout nodes:0.2 (a random 20 % of the nodes, chosen by --seed).',
  ],
  [
    "a negative --l2",
    ["train", "--l2", "-1"],
    'ude: --l2 must be a finite number ≥ 0, got "-1". Fix: e.g. --l2 1e-4.',
  ],
  [
    "--resume with --params",
    ["train", "--resume", data, "--params", data],
    "ude: --resume and --params both say where to start. Fix: pass --resume to continue a run (its parameters and optimiser state), or --params to start a new run from saved parameters.",
  ],
  [
    "--resume of a file that is not JSON",
    ["train", "--resume", data],
    // JSON.parse's own words (which vary with the Node version) in the parentheses.
    new RegExp(
      `^ude: --resume file "${data}" is not valid JSON \\(.+\\)\\. Fix: pass the results\\.json or checkpoint\\.json of a \`ude train\` run\\.\n$`,
    ),
  ],
];

describe("fitting options, bad input: one line on stderr, exit code 2", () => {
  test.concurrent.each(CASES)("%s", async (_name, args, message) => {
    const r = await runCli(args);
    if (typeof message === "string") expect(r.stderr).toBe(`${message}\n`);
    else expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(2);
  });
});

test("missing values, weights, a node hold-out, L2 and checkpoints in one run", async () => {
  const out = join(dir, "run");
  const r = await runCli([
    "train",
    "--data",
    data,
    "--weights",
    weights,
    "--holdout",
    "nodes:0.25",
    "--seed",
    "3",
    "--l2",
    "1e-3",
    "--optimizer",
    "adam",
    "--iters",
    "5",
    "--checkpoint-every",
    "2",
    "--out",
    out,
    "--json",
  ]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(`${data}: 3 of 24 observations missing (empty, NA or NaN: left out of the loss).`);
  const summary = JSON.parse(r.stdout);
  expect(summary.final_data_loss + summary.final_penalty).toBeCloseTo(summary.final_loss, 12);
  expect(summary.validation.held_out).toBeGreaterThan(0);
  const doc = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  expect(doc.settings).toMatchObject({ observations: 24, missing_observations: 3, l2: 1e-3, weights });
  expect(doc.settings.holdout.nodes).toHaveLength(2);
  for (const h of doc.training.history) {
    expect(Number.isFinite(h.validation_loss)).toBe(true);
    expect(h.penalty).toBeGreaterThan(0);
  }
  expect(doc.resume.optimiser.state.rule).toBe("Adam");
  // Checkpoints at iterations 2 and 4; the file holds the last, a results document --resume takes.
  const checkpoint = JSON.parse(readFileSync(join(out, "checkpoint.json"), "utf8"));
  expect(checkpoint.training).toMatchObject({ status: "running", iterations: 4 });
  expect(checkpoint.resume.optimiser.state.t).toBe(4);
  expect(existsSync(join(out, ".checkpoint.json.tmp"))).toBe(false);
});

test("--resume continues the curve: 4 iterations + resume to 7 = 7 iterations (Adam, then L-BFGS)", async () => {
  const common = ["--data", data, "--holdout", "time:0.34", "--json", "--optimizer", "adam+lbfgs"];
  const whole = await runCli([
    "train",
    ...common,
    "--iters",
    "4",
    "--lbfgs-iters",
    "3",
    "--out",
    join(dir, "whole"),
  ]);
  const part = await runCli([
    "train",
    ...common,
    "--iters",
    "4",
    "--lbfgs-iters",
    "1",
    "--out",
    join(dir, "part"),
  ]);
  const resumed = await runCli([
    "train",
    ...common,
    "--iters",
    "4",
    "--lbfgs-iters",
    "3",
    "--resume",
    join(dir, "part", "results.json"),
    "--out",
    join(dir, "resumed"),
  ]);
  for (const r of [whole, part, resumed]) expect(r.code, r.stderr).toBe(0);
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name, "results.json"), "utf8"));
  const [w, c] = [read("whole"), read("resumed")];
  expect(c.training.history.map((h: { loss: number }) => h.loss)).toEqual(
    w.training.history.map((h: { loss: number }) => h.loss),
  );
  expect(c.training.history.map((h: { validation_loss: number }) => h.validation_loss)).toEqual(
    w.training.history.map((h: { validation_loss: number }) => h.validation_loss),
  );
  expect(c.parameters).toEqual(w.parameters);
  expect(c.settings.resumed_from).toBe(join(dir, "part", "results.json"));
  expect(c.settings.holdout).toMatchObject({ by: "time", fraction: 0.34, times: [4], held_out_values: 7 });
  // Nothing left to do: refused with a Fix.
  const again = await runCli([
    "train",
    ...common,
    "--iters",
    "4",
    "--lbfgs-iters",
    "3",
    "--resume",
    join(dir, "whole", "results.json"),
  ]);
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/already did 7 iterations \(4 Adam, 3 L-BFGS\).*Fix: raise --iters/);
});

test("--resume keeps the saved objective: options left out are taken from results.json, other values refused", async () => {
  // The objective: this data, weights, a seeded node hold-out, an L2 penalty and tighter solves.
  const objective = [
    ...["--data", data, "--weights", weights, "--holdout", "nodes:0.25", "--seed", "3"],
    ...["--l2", "1e-3", "--reltol", "1e-7", "--abstol", "1e-9", "--json"],
  ];
  const whole = await runCli([
    "train",
    ...objective,
    ...["--iters", "4", "--lbfgs-iters", "3", "--out", join(dir, "obj-whole")],
  ]);
  const part = await runCli([
    "train",
    ...objective,
    ...["--iters", "4", "--lbfgs-iters", "1", "--out", join(dir, "obj-part")],
  ]);
  const saved = join(dir, "obj-part", "results.json");
  // Only the budget and the file: the rest comes from results.json.
  const resumed = await runCli([
    "train",
    ...["--resume", saved, "--iters", "4", "--lbfgs-iters", "3", "--out", join(dir, "obj-resumed")],
  ]);
  for (const r of [whole, part, resumed]) expect(r.code, r.stderr).toBe(0);
  expect(resumed.stderr).toContain(
    `Resuming with the saved run's objective: --data ${data} --weights ${weights} --holdout nodes:0.25 --seed 3 --l2 0.001 --reltol 1e-7 --abstol 1e-9 (not given on this command line; given ones must match).`,
  );
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name, "results.json"), "utf8"));
  const [w, c] = [read("obj-whole"), read("obj-resumed")];
  // The same curve as the run that never stopped: objective, penalty and validation loss.
  expect(c.training.history.map(({ elapsed_s: _, ...h }: { elapsed_s: number }) => h)).toEqual(
    w.training.history.map(({ elapsed_s: _, ...h }: { elapsed_s: number }) => h),
  );
  expect(c.training.validation).toEqual(w.training.validation);
  expect(c.parameters).toEqual(w.parameters);
  expect(c.settings).toMatchObject({
    l2: 1e-3,
    reltol: 1e-7,
    abstol: 1e-9,
    weights,
    start: "random, seed 3",
  });
  expect(c.settings.holdout).toEqual(w.settings.holdout);

  // A value that changes the objective is refused, each with its Fix.
  const refusals: [string[], string][] = [
    [["--l2", "0"], "--l2 0 differs from the saved run's --l2 0.001"],
    [["--holdout", "time:0.25"], "--holdout time:0.25 differs from the saved run's --holdout nodes:0.25"],
    [["--data", full], `--data ${full} differs from the saved run's --data ${data}`],
    [["--reltol", "1e-6"], "--reltol 1e-6 differs from the saved run's --reltol 1e-7"],
    [
      ["--seed", "4"],
      "--seed 4 (held-out nodes 3,8) differs from the saved run's --seed 3 (held-out nodes 1,6)",
    ],
    [
      ["--activation", "tanh"],
      "this command line's model (ude, hidden activation tanh) differs from the saved run's model (ude, hidden activation identity)",
    ],
  ];
  for (const [options, message] of refusals) {
    const r = await runCli(["train", "--resume", saved, "--iters", "4", "--lbfgs-iters", "3", ...options]);
    expect(r.code, options.join(" ")).toBe(2);
    expect(r.stderr).not.toMatch(/Resuming with/);
    expect(r.stderr.split("\n").at(-2)).toMatch(
      /^ude: --resume: .*\. Fix: leave .* out to continue with the saved value, or start a new run with the new objective from its parameters: --params .* instead of --resume\.$/,
    );
    expect(r.stderr).toContain(message);
  }
});
