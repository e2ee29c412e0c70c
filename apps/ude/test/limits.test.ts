// What the app refuses up front, or words from the retcodes, instead of breaking (issue #21):
// data magnitudes that overflow the loss or the optimisers, a problem too large for the machine
// (a 100 000-node CSV: V8's "heap out of memory" after a minute, exit 134), and a solve that fails
// at the starting parameters ("NaN%" and "Fix: lower --lr" before).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

const dir = tempDir("limits");
const csv = (name: string, rows: number, value: (i: number, k: number) => number) => {
  const path = join(dir, name);
  const lines = Array.from({ length: rows }, (_, i) => [0, 1, 2, 3].map((k) => value(i, k)).join(","));
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
};
const pattern = (i: number, k: number) => 0.3 + 0.1 * ((i * 7 + k) % 5); // 0.3 … 0.7
const huge = csv("e300.csv", 8, (i, k) => 1e300 * pattern(i, k));
const large = csv("e100.csv", 8, (i, k) => 1e100 * pattern(i, k));
const fine = csv("fine.csv", 8, pattern);
const rows100k = csv("rows100k.csv", 100_000, pattern);

describe("refused up front: one line, exit code 2, nothing on stdout", () => {
  const CASES: [string, string[], string | RegExp][] = [
    [
      "values of 1e300: the loss overflows (gradient)",
      ["gradient", "--data", huge],
      `ude: ${huge} has values up to 7.0e299 in magnitude: the loss Σ (prediction − data)² over its 32 values overflows double precision above about 1.2e153. Fix: rescale the data so its values are near 1 (e.g. divide every value by 1e299), and scale the predictions back.`,
    ],
    [
      "values of 1e300 (train)",
      ["train", "--data", huge],
      `ude: ${huge} has values up to 7.0e299 in magnitude: the loss Σ (prediction − data)² over its 32 values overflows double precision above about 1.2e153. Fix: rescale the data so its values are near 1 (e.g. divide every value by 1e299), and scale the predictions back.`,
    ],
    [
      "values of 1e100: the loss is finite, the optimisers' squared gradients are not (train)",
      ["train", "--data", large],
      `ude: ${large} has values up to 7.0e99 in magnitude: training squares the loss's gradient (Adam, L-BFGS), which overflows double precision for values above about 1.0e76 (32 values). Fix: rescale the data so its values are near 1 (e.g. divide every value by 1e99), and scale the predictions back.`,
    ],
    [
      "100 000 nodes (train): a dense P of 1e10 entries",
      ["train", "--data", rows100k],
      new RegExp(
        `^ude: ${rows100k} has 100000 nodes, so the ude model has a dense 100000 × 100000 P \\(1\\.00e10 parameters, 80 GB each copy\\): ` +
          "`ude train` needs about 4\\.4 TB of memory for it \\(55 copies of P at its peak\\), but this machine has [\\d.]+ [MGT]B\\. " +
          "Fix: use fewer nodes \\(at most about \\d+ fit here\\), e\\.g\\. by aggregating nodes into groups or fitting a subset\\.\\n$",
      ),
    ],
    [
      "100 000 nodes (gradient, linear model)",
      ["gradient", "--data", rows100k],
      /^ude: .* has 100000 nodes, so the linear model has a dense 100000 × 100000 P .*`ude gradient` needs about 4\.4 TB .* Fix: use fewer nodes \(at most about \d+ fit here\).*\.\n$/,
    ],
  ];
  test.concurrent.each(CASES)("%s", async (_name, args, expected) => {
    const r = await runCli(args);
    if (typeof expected === "string") expect(r.stderr).toBe(`${expected}\n`);
    else expect(r.stderr).toMatch(expected);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(2);
    // Exit code 2 at once; before, the 100 000-node run allocated for a minute and died with
    // V8's heap-out-of-memory (exit code 134), or ran into the test's time-out.
  });
});

test("data at the scale of 1 passes the same checks (the limits are not too tight)", async () => {
  const r = await runCli(["gradient", "--data", fine, "--repeat", "1", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).loss).toBeGreaterThan(0);
});

test("a solve that fails at the starting parameters: worded from its retcode, exit code 1, no NaN%, no --lr advice", async () => {
  // P with entries of 1e6 makes the ODE so stiff that Tsit5 uses up its step budget (MaxIters).
  const P = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 0 : 1e6)));
  const params = join(dir, "stiff.json");
  writeFileSync(params, JSON.stringify({ model: "linear", P }));
  const out = join(dir, "stiff-run");
  const r = await runCli(["train", "--params", params, "--data", fine, "--iters", "3", "--out", out]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    /Stopped \(non-finite loss\): the loss is NaN at the starting parameters: the forward ODE solve failed \(retcode MaxIters: Stopped at t = [\d.]+: .*\)\. Fix: try a stiff solver \(--solver Rodas4\)[^\n]*\. No finite loss in 1 iteration, /,
  );
  expect(r.stdout).not.toMatch(/NaN%|--lr|\.\./);
  // The same failure from `gradient`, one line with the retcode and a fix.
  const g = await runCli(["gradient", "--params", params, "--data", fine, "--repeat", "1"]);
  expect(g.code).toBe(1);
  expect(g.stderr).toMatch(
    /^ude: InterpolatingAdjoint failed: the forward ODE solve failed \(retcode MaxIters: .*\)\. Fix: try a stiff solver \(--solver Rodas4\)[^\n]*\n$/,
  );
});
