// Bad input end to end: each case gives exactly one line on stderr naming the problem and the
// fix, nothing on stdout, exit code 2 (bad input / usage), and no stack trace.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { runCli, tempDir } from "./run-cli.js";

const dir = tempDir("bad");
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ragged = file("ragged.csv", "1,2,3\n4,5\n");
const nonNumeric = file("non-numeric.csv", "1,2\n3,abc\n");
const nonFinite = file("non-finite.csv", "1,2\n3,Inf\n");
const oneColumn = file("one-column.csv", "1\n2\n3\n4\n");
const tenNodes = file("ten.csv", `${Array.from({ length: 10 }, (_, i) => `${i / 10},0.5,0.6`).join("\n")}\n`);
const mixedHeader = file("mixed.csv", "node,1,2\n0.1,0.2,0.3\n");
const empty = file("empty.csv", "# only a comment\n\n");
const notJson = file("params.json", "{ not json");
const subdir = join(dir, "a-folder");
mkdirSync(subdir);
const missing = join(dir, "missing.csv");

const CASES: [string, string[], string][] = [
  [
    "missing data file",
    ["gradient", "--data", missing],
    `ude: data file "${missing}" does not exist. Fix: check the path, or omit --data to use the built-in seed data.`,
  ],
  [
    "a folder instead of a file",
    ["train", "--data", subdir],
    `ude: data file "${subdir}" is a directory, not a file. Fix: check the path, or omit --data to use the built-in seed data.`,
  ],
  [
    "ragged CSV",
    ["gradient", "--data", ragged],
    `ude: ${ragged} line 2 has 2 values but line 1 has 3 (ragged rows). Fix: give every node (row) exactly one value per observation time (column).`,
  ],
  [
    "non-numeric value",
    ["gradient", "--data", nonNumeric],
    `ude: ${nonNumeric} line 2, column 2 is "abc", which is not a number. Fix: use plain decimal numbers such as 0.25 or 1e-3.`,
  ],
  [
    "non-finite value",
    ["train", "--data", nonFinite, "--model", "linear"],
    `ude: ${nonFinite} line 2, column 2 is "Inf", which is not a finite number. Fix: replace it with a measured value, or leave the cell empty (or NA) if it was not observed.`,
  ],
  [
    "fewer than 2 time columns",
    ["gradient", "--data", oneColumn],
    `ude: ${oneColumn} has 1 time column; at least 2 are needed (the first is the initial condition, the rest are fitted). Fix: add observations at later times as further columns.`,
  ],
  [
    "node count not a multiple of 4 for the UDE",
    ["train", "--data", tenNodes],
    `ude: ${tenNodes} has 10 nodes, but the UDE model applies its net to blocks of 4 nodes, so the node count must be a multiple of 4. Fix: use --model linear, or give 8 or 12 nodes.`,
  ],
  [
    "first line mixing text and numbers",
    ["gradient", "--data", mixedHeader],
    `ude: ${mixedHeader} line 1 mixes numbers and text ("node"): it is neither a header nor a data row. Fix: make the first line either all column names (a header) or all numbers.`,
  ],
  [
    "CSV without data",
    ["gradient", "--data", empty],
    `ude: ${empty} contains no data. Fix: write one row per node and one column per observation time, e.g. "0.3,0.7,0.9,0.8".`,
  ],
  [
    "--times of the wrong length",
    ["gradient", "--data", tenNodes, "--times", "1,2"],
    `ude: --times gives 2 times but ${tenNodes} has 3 columns. Fix: pass one time per column, e.g. --times 1,2,3.`,
  ],
  [
    "--times not increasing",
    ["gradient", "--times", "1,3,2,4"],
    "ude: --times must increase strictly, but 3 is followed by 2. Fix: list the observation times in increasing order.",
  ],
  [
    "unknown method (typo)",
    ["gradient", "--method", "quadratur"],
    'ude: unknown method "quadratur" (did you mean "quadrature"?). Fix: pass --method with one of interpolating, interpolating-checkpointed, quadrature, discrete, backsolve, direct, expm, forward, all.',
  ],
  [
    "unknown solver",
    ["gradient", "--solver", "Tsit6"],
    'ude: unknown solver "Tsit6" (did you mean "Tsit5"?). Fix: pass --solver with one of Euler, Midpoint, Heun, RK4, BS3, DP5, Tsit5, Vern7, Vern9, Rosenbrock23, Rodas4, Rodas5P, TRBDF2.',
  ],
  [
    "unknown optimizer",
    ["train", "--optimizer", "sgd"],
    'ude: unknown optimizer "sgd". Fix: pass --optimizer with one of adam, lbfgs, adam+lbfgs.',
  ],
  [
    "unknown sensitivity algorithm",
    ["train", "--sensealg", "adjoint"],
    'ude: unknown method "adjoint". Fix: pass --sensealg with one of interpolating, interpolating-checkpointed, quadrature, discrete, backsolve, direct, expm, forward.',
  ],
  [
    "non-numeric tolerance",
    ["gradient", "--reltol", "tight"],
    'ude: --reltol must be a finite number > 0, got "tight". Fix: e.g. --reltol 1e-6.',
  ],
  [
    "tolerance out of range",
    ["gradient", "--abstol", "2"],
    'ude: --abstol must be below 1 (it is a relative or absolute error bound), got "2". Fix: e.g. --abstol 1e-8.',
  ],
  [
    "iterations not a whole number",
    ["train", "--iters", "2.5"],
    'ude: --iters must be a whole number ≥ 1, got "2.5". Fix: e.g. --iters 200.',
  ],
  [
    "zero learning rate",
    ["train", "--lr", "0"],
    'ude: --lr must be a finite number > 0, got "0". Fix: e.g. --lr 0.01.',
  ],
  [
    "expm for the UDE",
    ["gradient", "--model", "ude", "--method", "expm"],
    "ude: the expm method applies only to the linear model (the UDE's net makes the ODE nonlinear). Fix: pass --model linear, or choose another --method.",
  ],
  [
    "fixed-step solver without --dt",
    ["gradient", "--solver", "RK4"],
    "ude: solver RK4 has no step-size control, so it needs a fixed step. Fix: pass --dt (e.g. --dt 0.01), or use an adaptive solver such as Tsit5.",
  ],
  [
    "unknown option",
    ["gradient", "--bogus"],
    "ude: unknown option '--bogus'. Fix: see `ude gradient --help` for the valid commands and options.",
  ],
  [
    "unknown command",
    ["fit"],
    "ude: unknown command 'fit'. Fix: see `ude --help` for the valid commands and options.",
  ],
  [
    "predict without --params",
    ["predict"],
    "ude: required option '--params <file>' not specified. Fix: see `ude predict --help` for the valid commands and options.",
  ],
  [
    "parameter file that is not JSON",
    ["predict", "--params", notJson],
    `ude: parameter file "${notJson}" is not valid JSON. Fix: pass the results.json that \`ude train\` wrote (or the seed fixture).`,
  ],
];

describe("bad input: one line on stderr, exit code 2, no stack trace", () => {
  test.concurrent.each(CASES)("%s", async (_name, args, message) => {
    const r = await runCli(args);
    expect(r.stderr).toBe(`${message}\n`);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
