// `ude predict` on a dense grid and beyond the data: the JSON trajectories and the CSV against the
// closed form exp(A(P)·(t − t₀))·u₀ of the linear model (linear-ode's expm, independent of the
// ODE solver), the extrapolated times said in every output, --plots, and every refused grid as
// one `ude: … Fix: …` line with exit code 2.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diag, sub, sum, tensor } from "@udekit/autodiff";
import { solveLinearOde } from "@udekit/linear-ode";
import { beforeAll, describe, expect, test } from "vitest";
import { parseCsv } from "../src/csv.js";
import { loadSeedFile, runCli, tempDir } from "./run-cli.js";
import { assertSvg, items } from "./svg.js";

const n = 6;
const times = [0, 0.5, 1, 2];
let dir: string;
let data: string;
let params: string;
let P: number[][];
let u0: number[];

beforeAll(() => {
  dir = tempDir("predict");
  const seed = loadSeedFile();
  const rows = seed.trainingData.slice(0, n);
  u0 = rows.map((r) => r[0]);
  data = join(dir, "data.csv");
  writeFileSync(
    data,
    `${times.map((t) => `t=${t}`).join(",")}\n${rows.map((r) => r.join(",")).join("\n")}\n`,
  );
  P = seed.connectivity.slice(0, n).map((r) => r.slice(0, n));
  params = join(dir, "linear.json");
  writeFileSync(params, JSON.stringify({ model: "linear", P }));
});

/** exp(A(P)·(t − t₀))·u₀ at `at`, [k][i]. */
function closedForm(at: readonly number[]): number[][] {
  const A = sub(tensor(P), diag(sum(tensor(P), 1)));
  const s = solveLinearOde(
    A,
    u0,
    at.map((t) => t - times[0]),
  ).data;
  return at.map((_, k) => Array.from(s.subarray(k * n, (k + 1) * n)));
}

describe("a dense grid beyond the data", () => {
  test("--json: the trajectories on --saveat 0:0.25:10 match the closed form; t > 2 is marked extrapolated", async () => {
    const r = await runCli([
      "predict",
      "--params",
      params,
      "--data",
      data,
      "--saveat",
      "0:0.25:10",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.times).toHaveLength(41);
    expect(out.times[40]).toBe(10);
    expect(out).toMatchObject({ model: "linear", n, t0: 0, last_observation: 2 });
    // t = 2.25, …, 10: 32 times from index 9 on.
    expect(out.extrapolated).toEqual({ count: 32, from_index: 9 });
    expect(out.values).toHaveLength(n);
    const ref = closedForm(out.times);
    for (let i = 0; i < n; i++) {
      expect(out.values[i]).toHaveLength(41);
      expect(out.values[i][0]).toBe(u0[i]);
      // Tsit5 at the default reltol 1e-8, abstol 1e-10 over 10 time units, states ~0.5:
      // global errors of a few 1e-8; 1e-6 leaves a margin of more than 10.
      for (let k = 0; k < 41; k++) expect(Math.abs(out.values[i][k] - ref[k][i])).toBeLessThan(1e-6);
    }
    expect(typeof out.loss).toBe("number");
  });

  test("--csv: the input layout with a t= header, read back by the CSV parser; a # line says what is extrapolated", async () => {
    const csv = join(dir, "dense.csv");
    const r = await runCli([
      "predict",
      "--params",
      params,
      "--data",
      data,
      "--saveat-n",
      "9",
      "--until",
      "4",
      "--csv",
      csv,
    ]);
    expect(r.code).toBe(0);
    // t = 0, 0.5, …, 4: the times after 2 (the last observation) are the last 4.
    expect(r.stdout).toMatch(/^loss against .*data\.csv: [\d.e-]+ \(linear model, n = 6, 4 times\)\n/);
    expect(r.stdout).toMatch(/predicted at 9 times from t = 0 to 4 \(--saveat-n 9 --until 4\)\n/);
    expect(r.stdout).toMatch(
      /note: 4 of the 9 times \(t > 2, the last observation; from column 6\) are extrapolated beyond the data\.\n/,
    );
    const text = readFileSync(csv, "utf8");
    expect(text.split("\n")[0]).toBe(
      "# 4 of the 9 times (t > 2, the last observation; from column 6) are extrapolated beyond the data",
    );
    const table = parseCsv(text, csv);
    expect(table.headerTimes).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    expect(table.rows).toHaveLength(n);
    const ref = closedForm(table.headerTimes ?? []);
    for (let i = 0; i < n; i++) {
      // As above: solver error ~1e-8 against the closed form.
      for (let k = 0; k < 9; k++) expect(Math.abs(table.rows[i][k] - ref[k][i])).toBeLessThan(1e-6);
    }
  });

  test("--plots: fit.svg marks the last observation; every picture is an SVG", async () => {
    const plots = join(dir, "plots");
    const r = await runCli([
      "predict",
      "--params",
      params,
      "--data",
      data,
      "--saveat",
      "0:0.1:5",
      "--csv",
      join(dir, "p.csv"),
      "--plots",
      plots,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const f of ["fit.svg", "parity.svg", "residuals.svg", "nodes.svg"]) {
      expect(r.stdout).toContain(`wrote ${join(plots, f)}`);
      assertSvg(readFileSync(join(plots, f), "utf8"));
    }
    const fit = readFileSync(join(plots, "fit.svg"), "utf8");
    expect(items(fit, "rule mark")).toHaveLength(1);
    expect(fit).toMatch(/the last observation \(t = 2\); to its right the model extrapolates/);
    // The linear model has no net.
    expect(r.stdout).not.toMatch(/net-term\.svg/);
  });
});

describe("refused grids: one line, exit code 2, nothing solved", () => {
  test.each([
    [
      ["--saveat", "2,1,3"],
      /^ude: --saveat must list times in increasing order, but 2 is followed by 1\. Fix: /,
    ],
    [
      ["--saveat", "-1:0.1:3"],
      /^ude: --saveat -1:0\.1:3 starts at t = -1, before the initial condition's time t₀ = 0 .*Fix: /,
    ],
    [
      ["--saveat", "0:0.1:nan"],
      /^ude: --saveat "0:0\.1:nan" contains "nan", which is not a finite number\. Fix: /,
    ],
    [["--saveat", "0:0:3"], /^ude: --saveat "0:0:3" has step 0; the step must be > 0\. Fix: /],
    [["--saveat", "0:-1:3"], /^ude: --saveat "0:-1:3" has step -1; the step must be > 0\. Fix: /],
    [
      ["--saveat", "0:1e-13:10"],
      /^ude: --saveat 0:1e-13:10 asks for 1\.00e14 times; 6 nodes at each .*Fix: ask for fewer times/,
    ],
    [["--saveat-n", "1e12"], /^ude: --saveat-n must be a whole number ≥ 2 .*Fix: /],
    [["--saveat-n", "100000000000"], /^ude: --saveat-n 100000000000 asks for 1\.00e11 times;.*Fix: /],
    [["--until", "5"], /^ude: --until sets the end of --saveat-n's times, but --saveat-n is missing\. Fix: /],
    [
      ["--saveat", "0:1:3", "--saveat-n", "5"],
      /^ude: --saveat and --saveat-n both say which times to report\. Fix: /,
    ],
  ])("%j", async (args, message) => {
    const r = await runCli(["predict", "--params", params, "--data", data, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

test("a trajectory that blows up beyond the data: exit 1, one line, the fix says to predict to an earlier time", async () => {
  // P = −5 off the diagonal: A(P) has the eigenvalue 30 (five times), so u grows like e^(30 t) and
  // overflows double precision near t = 709/30 ≈ 23.6; the data end at t = 2.
  const unstable = join(dir, "unstable.json");
  writeFileSync(
    unstable,
    JSON.stringify({ model: "linear", P: P.map((r, i) => r.map((_, j) => (i === j ? 0 : -5))) }),
  );
  const r = await runCli(["predict", "--params", unstable, "--data", data, "--saveat", "0:1:100", "--json"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(
    /^ude: the ODE solve for the times beyond the data failed \(Unstable: Stopped at t = 2[34]\.\d+.*\)\. Fix: predict to an earlier time/,
  );
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
});

test("missing values: counted in a note and left out of the loss (the loss recomputed from the CSV)", async () => {
  const text = readFileSync(data, "utf8").split("\n");
  // Node 2's value at t = 1 (third column) is not observed.
  const row = text[2].split(",");
  row[2] = "NA";
  text[2] = row.join(",");
  const gappy = join(dir, "gappy.csv");
  writeFileSync(gappy, text.join("\n"));
  const csv = join(dir, "gappy-pred.csv");
  const r = await runCli(["predict", "--params", params, "--data", gappy, "--csv", csv]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    /note: .*gappy\.csv: 1 of 18 observations missing \(empty, NA or NaN: left out of the loss\)\.\n/,
  );
  const loss = Number(/^loss against .*: ([\d.e-]+) /.exec(r.stdout)?.[1]);
  const observed = parseCsv(text.join("\n"), gappy).rows;
  const predicted = parseCsv(readFileSync(csv, "utf8"), csv).rows;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 1; k < times.length; k++) {
      if (!Number.isNaN(observed[i][k])) sum += (predicted[i][k] - observed[i][k]) ** 2;
    }
  }
  // The CSV holds every digit of the same predictions: the sums agree to rounding.
  expect(Math.abs(loss - sum) / sum).toBeLessThan(1e-12);
});
