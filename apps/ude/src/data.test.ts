import { expect, test } from "vitest";
import {
  checkMagnitudes,
  checkObservations,
  countMissing,
  formatCsv,
  loadSeed,
  missingLine,
  parseCsv,
  parseTimes,
} from "./data.js";
import { InputFileError, OptionError } from "./errors.js";

test("the embedded seed data has the documented shapes", () => {
  const seed = loadSeed();
  expect(seed.times).toEqual([1, 2, 3, 4]);
  expect(seed.trainingData).toHaveLength(100);
  expect(seed.trainingData.every((row) => row.length === 4)).toBe(true);
  expect(seed.connectivity).toHaveLength(100);
  expect(seed.connectivity.every((row) => row.length === 100)).toBe(true);
  expect(seed.nn.layers.map((l) => [l.weight.length, l.weight[0].length, l.bias.length])).toEqual([
    [5, 4, 5],
    [4, 5, 4],
  ]);
});

test("CSV: commas, semicolons, tabs or spaces; comments and blank lines skipped; quoted numbers", () => {
  expect(parseCsv("1,2\n3, 4\n", "a").rows).toEqual([
    [1, 2],
    [3, 4],
  ]);
  expect(parseCsv("# c\n1;2\n\n3\t4\r\n", "a").rows).toEqual([
    [1, 2],
    [3, 4],
  ]);
  expect(parseCsv('1 2\n"3" -4e-1\n', "a").rows).toEqual([
    [1, 2],
    [3, -0.4],
  ]);
});

test("CSV header: ignored, or the times when every field reads t=<number>", () => {
  expect(parseCsv("x,y\n1,2\n", "a")).toEqual({ rows: [[1, 2]] });
  expect(parseCsv("t=0,t = 0.5\n1,2\n", "a")).toEqual({ rows: [[1, 2]], headerTimes: [0, 0.5] });
});

test("CSV errors name the line and column", () => {
  expect(() => parseCsv("1,2\n3\n", "f.csv")).toThrow(/f\.csv line 2 has 1 values but line 1 has 2/);
  expect(() => parseCsv("1,2\n1,abc\n", "f.csv")).toThrow(/line 2, column 2 is "abc", which is not a number/);
  expect(() => parseCsv("1,-inf\n", "f.csv")).toThrow(InputFileError);
  expect(() => parseCsv("1,1e999\n", "f.csv")).toThrow(/overflows to infinity/);
  expect(() => parseCsv("a,b\n", "f.csv")).toThrow(/header but no data rows/);
});

test("--times: finite and strictly increasing", () => {
  expect(parseTimes("0, 0.5,2")).toEqual([0, 0.5, 2]);
  expect(() => parseTimes("1,x")).toThrow(OptionError);
  expect(() => parseTimes("1,1")).toThrow(/increase strictly/);
});

test("observations: at least 2 times; the UDE needs a multiple of 4 nodes", () => {
  const obs = { times: [1, 2], values: [[1, 2]] };
  expect(checkObservations(obs, "linear", "x")).toBe(obs);
  expect(() => checkObservations(obs, "ude", "x")).toThrow(/multiple of 4/);
  expect(() => checkObservations({ times: [1], values: [[1]] }, "linear", "x")).toThrow(/1 time column/);
});

test("formatCsv writes every digit, so parseCsv reads back the same numbers and times", () => {
  const values = [
    [0.1 + 0.2, 1 / 3],
    [-1e-300, 123456789.12345679],
  ];
  const back = parseCsv(formatCsv([0.25, 1], values), "x");
  expect(back).toEqual({ rows: values, headerTimes: [0.25, 1] });
});

test("magnitudes: refused where the loss (or, for training, its squared gradient) overflows", () => {
  const obs = (s: number) => ({ times: [1, 2, 3, 4], values: [[s, s, s, s]] }); // 4 values
  // Loss limit √(MAX / 16) ≈ 3.35e153; training limit MAX^(1/4) / 4 ≈ 2.9e76 (4 values).
  expect(() => checkMagnitudes(obs(3e153), "x", false)).not.toThrow();
  expect(() => checkMagnitudes(obs(4e153), "x", false)).toThrow(
    /the loss Σ \(prediction − data\)² over its 4 values/,
  );
  expect(() => checkMagnitudes(obs(2.8e76), "x", true)).not.toThrow();
  expect(() => checkMagnitudes(obs(3e76), "x", true)).toThrow(/training squares the loss's gradient/);
  expect(() => checkMagnitudes(obs(-3e76), "x", true)).toThrow(/divide every value by 1e76/);
  expect(() => checkMagnitudes(obs(1e-300), "x", true)).not.toThrow();
  // What the checks promise: below the training limit, 4·N·s² and its square are finite.
  const s = 2.8e76;
  expect(Number.isFinite((4 * 4 * s * s) ** 2)).toBe(true);
});

test("missing values: empty cells, NA and NaN read as NaN; infinities stay errors", () => {
  expect(parseCsv("1,,NA\n2,nan, 3\n", "f.csv").rows).toEqual([
    [1, Number.NaN, Number.NaN],
    [2, Number.NaN, 3],
  ]);
  // A first row with NA is data, not a header.
  expect(parseCsv("NA,1\n", "f.csv").rows).toEqual([[Number.NaN, 1]]);
  expect(() => parseCsv("1,inf\n", "f.csv")).toThrow(/"inf", which is not a finite number/);
  expect(() => parseCsv("1,-Infinity\n", "f.csv")).toThrow(InputFileError);
});

test("missing values: the initial condition may not be missing, something must be observed; counted", () => {
  const obs = (values: number[][]) => ({ times: [1, 2, 3], values });
  expect(() =>
    checkObservations(
      obs([
        [1, 2, 3],
        [Number.NaN, 1, 1],
      ]),
      "linear",
      "d.csv",
    ),
  ).toThrow(/d\.csv row 2 \(node 2\) has no initial value: column 1 is the initial condition/);
  expect(() =>
    checkObservations(
      obs([
        [1, Number.NaN, Number.NaN],
        [1, Number.NaN, Number.NaN],
      ]),
      "linear",
      "d.csv",
    ),
  ).toThrow(/no observed value after the initial condition/);
  const some = obs([
    [1, Number.NaN, 3],
    [1, 2, Number.NaN],
  ]);
  expect(checkObservations(some, "linear", "d.csv")).toBe(some);
  expect(countMissing(some)).toBe(2);
  expect(missingLine(some, "d.csv")).toBe(
    "d.csv: 2 of 4 observations missing (empty, NA or NaN: left out of the loss).",
  );
  expect(missingLine(obs([[1, 2, 3]]), "d.csv")).toBeUndefined();
  // Magnitudes: missing values neither overflow nor count (4 observed values, as in the test above).
  const big = { times: [1, 2, 3, 4, 5], values: [[3e153, 3e153, Number.NaN, 3e153, 3e153]] };
  expect(() => checkMagnitudes(big, "x", false)).not.toThrow();
});
